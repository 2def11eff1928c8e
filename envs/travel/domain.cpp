#include "envs/travel/domain.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

#include "core/assets.h"
#include "core/pynum.h"

namespace rapport::travel {
namespace {

FieldKind kind_of(std::string_view k) {
  if (k == "id") return FieldKind::Id;
  if (k == "cosmetic") return FieldKind::Cosmetic;
  if (k == "trip") return FieldKind::Trip;
  if (k == "derived") return FieldKind::Derived;
  if (k == "price") return FieldKind::Price;
  assert(k == "attribute");
  return FieldKind::Attribute;
}

std::vector<std::string> strings_of(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = o.find(key); it != o.end() && it->value().is_array())
    for (const auto& s : it->value().get_array())
      if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

std::vector<int> ints_of(const json::object& o, std::string_view key) {
  std::vector<int> out;
  if (auto it = o.find(key); it != o.end() && it->value().is_array())
    for (const auto& s : it->value().get_array())
      if (s.is_int64()) out.push_back(static_cast<int>(s.get_int64()));
  return out;
}

json::value parse_asset(std::string_view path) {
  auto v = parse_json(asset(path));
  assert(v && v->is_object() && "embedded TravelGym asset must be valid JSON");
  return *v;
}

std::vector<AspectSchema> load_schemas() {
  std::vector<AspectSchema> out;
  json::value root = parse_asset("travel/schemas.json");
  for (const auto& a : root.at("aspects").get_array()) {
    const auto& o = a.get_object();
    AspectSchema s;
    s.aspect = get_string(o, "aspect");
    s.letter = get_string(o, "letter").at(0);
    s.title = get_string(o, "title");
    s.base_price = static_cast<int>(get_int(o, "base_price"));
    for (const auto& f : o.at("fields").get_array()) {
      const auto& fo = f.get_object();
      Field field;
      field.name = get_string(fo, "name");
      field.kind = kind_of(get_string(fo, "kind"));
      field.description = get_string(fo, "description");
      if (auto it = fo.find("values"); it != fo.end())
        for (const auto& v : it->value().get_array()) field.values.push_back(v);
      field.weights = ints_of(fo, "weights");
      field.price = ints_of(fo, "price");
      assert(field.kind != FieldKind::Attribute ||
             (!field.values.empty() && field.weights.size() == field.values.size() && field.price.size() == field.values.size()));
      s.fields.push_back(std::move(field));
    }
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<AspectSchema>& schemas() {
  static const std::vector<AspectSchema> all = load_schemas();
  return all;
}

Catalogue load_catalogue() {
  Catalogue c;
  json::value root = parse_asset("travel/preferences.json");
  for (const auto& sv : root.at("subcategories").get_array()) {
    const auto& so = sv.get_object();
    Subcategory s;
    s.key = get_string(so, "key");
    s.aspect = get_string(so, "aspect");
    s.name = get_string(so, "name");
    s.question = get_string(so, "question");
    s.lexicon = strings_of(so, "lexicon");
    for (const auto& pv : so.at("preferences").get_array()) {
      const auto& po = pv.get_object();
      CataloguePreference p;
      p.key = get_string(po, "key");
      p.aspect = s.aspect;
      p.subcategory = s.name;
      p.text = get_string(po, "text");
      auto pred = predicate_from_json(po.at("predicate"));
      assert(pred && "catalogue predicate must be well formed");
      p.predicate = *pred;
      p.explicit_terms = strings_of(po, "explicit");
      p.phrasings = strings_of(po, "phrasings");
      s.preferences.push_back(std::move(p));
    }
    c.subcategories.push_back(std::move(s));
  }
  return c;
}

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

// -1, 0, 1; nullopt when the two are not comparable (different types).
std::optional<int> compare(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) {
    double x = number(a), y = number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = std::string_view(a.get_string()).compare(std::string_view(b.get_string()));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_bool() && b.is_bool()) return a.get_bool() == b.get_bool() ? 0 : 1;
  return std::nullopt;
}

bool in_list(const json::value& v, const json::value& list) {
  if (!list.is_array()) return false;
  for (const auto& x : list.get_array())
    if (auto c = compare(v, x); c && *c == 0) return true;
  return false;
}

}  // namespace

const std::vector<std::string>& aspect_names() {
  static const std::vector<std::string> names = {"flight", "hotel", "apartment", "rental_car", "restaurant"};
  return names;
}

char aspect_letter(std::string_view aspect) {
  if (aspect == "flight") return 'F';
  if (aspect == "hotel") return 'H';
  if (aspect == "apartment") return 'A';
  if (aspect == "rental_car") return 'C';
  if (aspect == "restaurant") return 'R';
  return 0;
}

std::string aspect_of_letter(char letter) {
  switch (letter) {
    case 'F': return "flight";
    case 'H': return "hotel";
    case 'A': return "apartment";
    case 'C': return "rental_car";
    case 'R': return "restaurant";
    default: return "";
  }
}

std::string aspect_title(std::string_view aspect) { return aspect == "rental_car" ? "rental car" : std::string(aspect); }

std::optional<std::string> normalize_aspect(std::string_view text) {
  std::string t = ascii_lower(py_strip(text));
  if (t == "rental car" || t == "car rental" || t == "rental_car" || t == "car" || t == "rental cars" || t == "car_rental")
    return std::string("rental_car");
  if (!t.empty() && t.back() == 's' && aspect_letter(t.substr(0, t.size() - 1))) t.pop_back();
  if (aspect_letter(t)) return t;
  return std::nullopt;
}

const Field* AspectSchema::field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::string AspectSchema::price_field() const {
  for (const auto& f : fields)
    if (f.kind == FieldKind::Price) return f.name;
  return "price";
}

std::vector<std::string> AspectSchema::trip_fields() const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.kind == FieldKind::Trip) out.push_back(f.name);
  return out;
}

const AspectSchema& schema(std::string_view aspect) {
  for (const auto& s : schemas())
    if (s.aspect == aspect) return s;
  assert(false && "unknown TravelGym aspect");
  return schemas().front();
}

std::string schema_text(std::string_view aspect) {
  const AspectSchema& s = schema(aspect);
  std::string out = fmt::format("Each {} option has these fields:", s.title);
  for (const auto& f : s.fields) out += fmt::format("\n- {}: {}", f.name, f.description);
  return out;
}

bool Predicate::holds_value(const json::value& v) const {
  if (op == "in") return in_list(v, value);
  if (op == "not_in") return value.is_array() && !in_list(v, value);
  if (op == "between") {
    if (!value.is_array() || value.get_array().size() != 2) return false;
    auto lo = compare(v, value.get_array()[0]);
    auto hi = compare(v, value.get_array()[1]);
    return lo && hi && *lo >= 0 && *hi <= 0;
  }
  auto c = compare(v, value);
  if (!c) return false;
  if (op == "eq") return *c == 0;
  if (op == "ne") return *c != 0;
  if (op == "lt") return *c < 0;
  if (op == "le") return *c <= 0;
  if (op == "gt") return *c > 0;
  if (op == "ge") return *c >= 0;
  return false;
}

bool Predicate::holds(const json::object& option) const {
  auto it = option.find(attribute);
  return it != option.end() && holds_value(it->value());
}

std::optional<Predicate> predicate_from_json(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  Predicate p;
  p.attribute = get_string(o, "attribute");
  p.op = get_string(o, "op");
  auto it = o.find("value");
  if (p.attribute.empty() || it == o.end()) return std::nullopt;
  static const std::vector<std::string> kOps = {"eq", "ne", "lt", "le", "gt", "ge", "between", "in", "not_in"};
  if (std::find(kOps.begin(), kOps.end(), p.op) == kOps.end()) return std::nullopt;
  p.value = it->value();
  return p;
}

json::value to_json(const Predicate& p) {
  return json::object{{"attribute", p.attribute}, {"op", p.op}, {"value", p.value}};
}

const Subcategory* Catalogue::subcategory(std::string_view aspect, std::string_view name) const {
  for (const auto& s : subcategories)
    if (s.aspect == aspect && s.name == name) return &s;
  return nullptr;
}

const CataloguePreference* Catalogue::preference(std::string_view key) const {
  for (const auto& s : subcategories)
    for (const auto& p : s.preferences)
      if (p.key == key) return &p;
  return nullptr;
}

std::vector<const Subcategory*> Catalogue::of_aspect(std::string_view aspect) const {
  std::vector<const Subcategory*> out;
  for (const auto& s : subcategories)
    if (s.aspect == aspect) out.push_back(&s);
  return out;
}

std::size_t Catalogue::preference_count() const {
  std::size_t n = 0;
  for (const auto& s : subcategories) n += s.preferences.size();
  return n;
}

const Catalogue& catalogue() {
  static const Catalogue c = load_catalogue();
  return c;
}

}  // namespace rapport::travel
