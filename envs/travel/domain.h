// TravelGym's domain model: the five travel aspects, the attribute schema of each aspect's options
// (assets/travel/schemas.json), machine-checkable preference predicates, and the preference
// catalogue with its implicit phrasings (assets/travel/preferences.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace rapport::travel {

// Aspect names as the reference spells them, in a fixed order.
const std::vector<std::string>& aspect_names();
// "flight" → 'F', "hotel" → 'H', "apartment" → 'A', "rental_car" → 'C', "restaurant" → 'R'; 0 if unknown.
char aspect_letter(std::string_view aspect);
// The aspect an option id letter stands for; empty if none.
std::string aspect_of_letter(char letter);
// "rental car" for rental_car, else the name itself.
std::string aspect_title(std::string_view aspect);
// Lower-cased, stripped, "rental car"/"car rental"/"car" mapped to rental_car; nullopt if not an aspect.
std::optional<std::string> normalize_aspect(std::string_view text);

enum class FieldKind { Id, Cosmetic, Trip, Attribute, Derived, Price };

struct Field {
  std::string name;
  FieldKind kind = FieldKind::Attribute;
  std::string description;
  // Attributes only: the values drawn, how often, and what each adds to the price.
  std::vector<json::value> values;
  std::vector<int> weights;
  std::vector<int> price;
};

struct AspectSchema {
  std::string aspect;
  char letter = 0;
  std::string title;
  int base_price = 0;
  std::vector<Field> fields;

  const Field* field(std::string_view name) const;
  std::string price_field() const;
  std::vector<std::string> trip_fields() const;
};

// The schema of a known aspect (asserts the aspect is known).
const AspectSchema& schema(std::string_view aspect);
// The description of an aspect's options shown to the agent with its search results.
std::string schema_text(std::string_view aspect);

// A condition on one option attribute. Ops: eq, ne, lt, le, gt, ge (numbers, or strings such as
// "HH:MM" compared as text), between [lo, hi] inclusive, in / not_in a list.
struct Predicate {
  std::string attribute;
  std::string op;
  json::value value;

  // False when the attribute is missing or of another type.
  bool holds(const json::object& option) const;
  bool holds_value(const json::value& v) const;
};
std::optional<Predicate> predicate_from_json(const json::value& v);
json::value to_json(const Predicate& p);

struct CataloguePreference {
  std::string key;  // e.g. "flight.nonstop"
  std::string aspect;
  std::string subcategory;  // e.g. "routing"
  std::string text;         // the preference stated plainly
  Predicate predicate;
  std::vector<std::string> explicit_terms;  // what a phrasing must never say
  std::vector<std::string> phrasings;       // implicit statements, our own writing
};

struct Subcategory {
  std::string key;  // e.g. "flight.routing"
  std::string aspect;
  std::string name;
  std::string question;  // a concrete question about this topic
  std::vector<std::string> lexicon;
  std::vector<CataloguePreference> preferences;
};

struct Catalogue {
  std::vector<Subcategory> subcategories;

  const Subcategory* subcategory(std::string_view aspect, std::string_view name) const;
  const CataloguePreference* preference(std::string_view key) const;
  std::vector<const Subcategory*> of_aspect(std::string_view aspect) const;
  std::size_t preference_count() const;
};

// Parsed once from the embedded assets.
const Catalogue& catalogue();

}  // namespace rapport::travel
