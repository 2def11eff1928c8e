// TelepathyGym task data: our own entities (embedded asset), their task JSON, and the importer for
// the reference's all_entities_refined.json.
#include <fmt/format.h>

#include <algorithm>

#include "core/assets.h"
#include "core/params.h"
#include "core/pynum.h"
#include "core/rng.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {

// From lexicon.cpp: the continent of a country we know, or "".
std::string continent_of(std::string_view country);

namespace {

json::array strings_to_json(const std::vector<std::string>& xs) {
  json::array out;
  for (const auto& x : xs) out.emplace_back(x);
  return out;
}

std::vector<std::string> strings_from(const json::object& o, std::string_view key, const std::string& where) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end()) return out;
  if (!it->value().is_array()) throw ConfigError(fmt::format("{}: '{}' must be a list of texts", where, key));
  for (const auto& v : it->value().get_array()) {
    if (!v.is_string()) throw ConfigError(fmt::format("{}: '{}' must be a list of texts", where, key));
    out.emplace_back(v.get_string());
  }
  return out;
}

std::optional<int> year_from(const json::object& o, std::string_view key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_int64()) throw ConfigError(fmt::format("{}: '{}' must be a whole year", where, key));
  return static_cast<int>(it->value().get_int64());
}

std::string required_text(const json::object& o, std::string_view key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string() || py_strip(it->value().get_string()).empty())
    throw ConfigError(fmt::format("{}: needs a non-empty text '{}'", where, key));
  return std::string(it->value().get_string());
}

const std::vector<std::string> kKinds = {"person", "character", "animal", "plant", "food", "object", "place", "structure"};

Attributes attributes_from(const json::value& v, const std::string& where) {
  if (!v.is_object()) throw ConfigError(where + ": 'attributes' must be an object");
  const auto& o = v.get_object();
  Attributes a;
  a.complete = get_bool(o, "complete", true);
  a.kind = get_string(o, "kind");
  if (!a.kind.empty() && std::find(kKinds.begin(), kKinds.end(), a.kind) == kKinds.end())
    throw ConfigError(fmt::format("{}: unknown kind '{}'; valid: person, character, animal, plant, food, object, place, structure",
                                  where, a.kind));
  if (a.kind.empty() && a.complete) throw ConfigError(where + ": a complete attribute table needs a 'kind'");
  a.type = get_string(o, "type");
  a.gender = get_string(o, "gender");
  a.field = get_string(o, "field");
  a.size = get_string(o, "size");
  if (!a.size.empty() && a.size != "tiny" && a.size != "small" && a.size != "medium" && a.size != "large" && a.size != "huge")
    throw ConfigError(fmt::format("{}: size '{}' is not one of tiny, small, medium, large, huge", where, a.size));
  a.roles = strings_from(o, "roles", where);
  a.countries = strings_from(o, "countries", where);
  a.continents = strings_from(o, "continents", where);
  a.tags = strings_from(o, "tags", where);
  a.born = year_from(o, "born", where);
  a.died = year_from(o, "died", where);
  a.year = year_from(o, "year", where);
  if (a.continents.empty()) {
    for (const auto& c : a.countries) {
      std::string continent = continent_of(c);
      if (!continent.empty() && std::find(a.continents.begin(), a.continents.end(), continent) == a.continents.end())
        a.continents.push_back(continent);
    }
  }
  return a;
}

json::object attributes_to_json(const Attributes& a) {
  json::object o;
  if (!a.complete) o["complete"] = false;
  auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) o[key] = value;
  };
  auto list = [&](const char* key, const std::vector<std::string>& value) {
    if (!value.empty()) o[key] = strings_to_json(value);
  };
  text("kind", a.kind);
  text("type", a.type);
  text("gender", a.gender);
  text("field", a.field);
  text("size", a.size);
  list("roles", a.roles);
  list("countries", a.countries);
  list("continents", a.continents);
  list("tags", a.tags);
  if (a.born) o["born"] = *a.born;
  if (a.died) o["died"] = *a.died;
  if (a.year) o["year"] = *a.year;
  return o;
}

Entity entity_from_object(const json::value& v, const std::string& where) {
  if (!v.is_object()) throw ConfigError(where + ": an entity must be an object");
  const auto& o = v.get_object();
  Entity e;
  e.id = required_text(o, "id", where);
  std::string at = fmt::format("{} ({})", where, e.id);
  e.title = required_text(o, "title", at);
  e.category = get_string(o, "category");
  e.description = required_text(o, "description", at);
  e.gloss = get_string(o, "gloss");
  e.synonyms = strings_from(o, "synonyms", at);
  auto a = o.find("attributes");
  if (a != o.end()) e.attributes = attributes_from(a->value(), at);
  else e.attributes = attributes_from_category(e.category);
  return e;
}

}  // namespace

std::string Entity::target() const { return gloss.empty() ? title : title + " - " + gloss; }

json::value to_json(const Entity& e) {
  json::object o{{"id", e.id}, {"title", e.title}, {"category", e.category}, {"description", e.description}, {"gloss", e.gloss}};
  if (!e.synonyms.empty()) o["synonyms"] = strings_to_json(e.synonyms);
  o["attributes"] = attributes_to_json(e.attributes);
  return o;
}

Entity entity_from(const Task& task) { return entity_from_object(task.data, "telepathy task"); }

std::vector<Entity> parse_entities(std::string_view text, std::string_view where) {
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError(fmt::format("{}: not valid JSON", where));
  const json::value* list = nullptr;
  if (parsed->is_object()) {
    auto it = parsed->get_object().find("entities");
    if (it != parsed->get_object().end()) list = &it->value();
  }
  if (!list || !list->is_array()) throw ConfigError(fmt::format("{}: expected an object with a list 'entities'", where));
  std::vector<Entity> out;
  std::size_t i = 0;
  for (const auto& item : list->get_array()) out.push_back(entity_from_object(item, fmt::format("{} entity {}", where, i++)));
  return out;
}

const std::vector<Entity>& builtin_entities() {
  static const std::vector<Entity> entities = parse_entities(asset("telepathy/entities.json"), "assets/telepathy/entities.json");
  return entities;
}

Attributes attributes_from_category(std::string_view category) {
  Attributes a;
  a.complete = false;
  std::string c = ascii_lower(category);
  auto has = [&](std::initializer_list<const char*> words) {
    return std::any_of(words.begin(), words.end(), [&](const char* w) { return c.find(w) != std::string::npos; });
  };
  // Most specific first: "fictional_person" is a character, "animal_character" too.
  if (has({"fiction", "character", "superhero", "mytholog", "cartoon", "legend"})) a.kind = "character";
  else if (has({"person", "people", "scientist", "artist", "musician", "singer", "athlete", "player", "leader", "writer",
                "author", "actor", "actress", "inventor", "explorer", "politician", "celebrity", "figure", "composer",
                "painter", "president", "king", "queen"}))
    a.kind = "person";
  else if (has({"animal", "bird", "mammal", "fish", "insect", "reptile", "amphibian", "creature", "dinosaur"})) a.kind = "animal";
  else if (has({"food", "fruit", "vegetable", "dish", "dessert", "drink", "beverage", "snack", "cuisine"})) a.kind = "food";
  else if (has({"plant", "tree", "flower"})) a.kind = "plant";
  else if (has({"landmark", "building", "monument", "structure", "bridge", "tower"})) a.kind = "structure";
  else if (has({"country", "city", "place", "location", "geograph", "mountain", "river", "lake", "ocean", "desert", "island"}))
    a.kind = "place";
  else if (has({"instrument", "vehicle", "tool", "object", "device", "appliance", "furniture", "household", "item", "gadget",
                "toy", "equipment", "invention", "clothing", "technology"}))
    a.kind = "object";
  if (has({"instrument"})) a.type = "instrument";
  else if (has({"vehicle"})) a.type = "vehicle";
  else if (has({"country"})) a.type = "country";
  else if (has({"city"})) a.type = "city";
  else if (has({"fruit"})) a.type = "fruit";
  else if (has({"vegetable"})) a.type = "vegetable";
  else if (has({"bird"})) a.type = "bird";
  else if (has({"insect"})) a.type = "insect";
  return a;
}

std::vector<Entity> import_reference_entities(std::string_view text, std::string_view split) {
  if (split != "all" && split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError("entities file: not valid JSON");
  if (!parsed->is_array())
    throw ConfigError("entities file: expected a JSON list of {id, title, description, goal, target_entity, category}");
  std::vector<Entity> all;
  std::size_t i = 0;
  for (const auto& item : parsed->get_array()) {
    std::string where = fmt::format("entities file item {}", i++);
    if (!item.is_object()) throw ConfigError(where + ": must be an object");
    const auto& o = item.get_object();
    Entity e;
    e.id = required_text(o, "id", where);
    where += " (" + e.id + ")";
    e.title = required_text(o, "title", where);
    e.description = required_text(o, "description", where);
    e.category = get_string(o, "category");
    std::string target = required_text(o, "target_entity", where);
    // "<name> - <gloss>": the name is one more way to say the entity.
    if (auto dash = target.find(" - "); dash != std::string::npos) {
      std::string name(py_strip(std::string_view(target).substr(0, dash)));
      e.gloss = std::string(py_strip(std::string_view(target).substr(dash + 3)));
      if (!name.empty() && ascii_lower(name) != ascii_lower(e.title)) e.synonyms.push_back(name);
    } else {
      e.gloss = target;
    }
    e.attributes = attributes_from_category(e.category);
    all.push_back(std::move(e));
  }
  if (split == "all") return all;
  // The reference shuffles the list with NumPy seed 42 and trains on int(n * 0.9) of it
  // (401 entities → 360 train, 41 test).
  auto order = numpy_legacy_permutation(all.size(), 42);
  auto train = static_cast<std::size_t>(static_cast<double>(all.size()) * 0.9);
  std::vector<Entity> out;
  std::size_t from = split == "train" ? 0 : train, to = split == "train" ? train : all.size();
  for (std::size_t k = from; k < to; ++k) out.push_back(all[order[k]]);
  return out;
}

}  // namespace rapport::telepathy
