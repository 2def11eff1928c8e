// PersuadeGym claims: our own dataset, the reference importer and the task JSON both share.
#include <fmt/format.h>

#include "core/assets.h"
#include "core/pynum.h"
#include "core/rng.h"
#include "envs/persuade/persuade.h"

namespace rapport::persuade {

json::value to_json(const PersuadeTask& t) {
  json::array considerations;
  for (const auto& c : t.considerations) {
    json::array keywords;
    for (const auto& k : c.keywords) keywords.emplace_back(k);
    considerations.push_back(json::object{{"point", c.point}, {"strength", c.strength}, {"keywords", std::move(keywords)}});
  }
  json::object o{{"id", t.id}, {"claim", t.claim}, {"argument", t.argument}};
  if (!considerations.empty()) o["considerations"] = std::move(considerations);
  return o;
}

namespace {

std::string required_text(const json::object& o, std::string_view key, std::string_view where, bool allow_empty) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string())
    throw ConfigError(fmt::format("{}: '{}' must be a string", where, key));
  std::string text(it->value().get_string());
  if (!allow_empty && py_strip(text).empty()) throw ConfigError(fmt::format("{}: '{}' is empty", where, key));
  return text;
}

std::vector<Consideration> considerations_from(const json::object& o, std::string_view where) {
  std::vector<Consideration> out;
  auto it = o.find("considerations");
  if (it == o.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) throw ConfigError(fmt::format("{}: 'considerations' must be a list", where));
  std::size_t i = 0;
  for (const auto& item : it->value().get_array()) {
    std::string at = fmt::format("{} consideration {}", where, i++);
    if (!item.is_object()) throw ConfigError(fmt::format("{}: must be an object", at));
    const auto& c = item.get_object();
    Consideration k;
    k.point = required_text(c, "point", at, false);
    auto s = c.find("strength");
    if (s == c.end() || !s->value().is_int64() || s->value().get_int64() < 1 || s->value().get_int64() > 3)
      throw ConfigError(fmt::format("{}: 'strength' must be an integer from 1 to 3", at));
    k.strength = static_cast<int>(s->value().get_int64());
    auto kw = c.find("keywords");
    if (kw == c.end() || !kw->value().is_array() || kw->value().get_array().empty())
      throw ConfigError(fmt::format("{}: 'keywords' must be a non-empty list of strings", at));
    for (const auto& w : kw->value().get_array()) {
      if (!w.is_string() || py_strip(w.get_string()).empty())
        throw ConfigError(fmt::format("{}: 'keywords' must be a non-empty list of strings", at));
      k.keywords.push_back(ascii_lower(py_strip(w.get_string())));
    }
    out.push_back(std::move(k));
  }
  return out;
}

PersuadeTask task_from_value(const json::value& v, std::string_view where) {
  if (!v.is_object()) throw ConfigError(fmt::format("{}: a claim must be an object with id, claim and argument", where));
  const auto& o = v.get_object();
  PersuadeTask t;
  t.id = required_text(o, "id", where, false);
  std::string at = fmt::format("{} ({})", where, t.id);
  t.claim = required_text(o, "claim", at, false);
  t.argument = required_text(o, "argument", at, true);
  t.considerations = considerations_from(o, at);
  return t;
}

std::vector<PersuadeTask> tasks_from_text(std::string_view text, std::string_view what) {
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError(fmt::format("{}: not valid JSON", what));
  if (!parsed->is_array()) throw ConfigError(fmt::format("{}: expected a JSON list of {{id, claim, argument}}", what));
  std::vector<PersuadeTask> out;
  std::size_t i = 0;
  for (const auto& item : parsed->get_array()) out.push_back(task_from_value(item, fmt::format("{} item {}", what, i++)));
  return out;
}

}  // namespace

PersuadeTask persuade_task_from(const Task& task) { return task_from_value(task.data, "persuade task"); }

const std::vector<PersuadeTask>& builtin_claims() {
  // Parsed once; the embedded file is checked by the tests, so a failure here is a build defect.
  static const std::vector<PersuadeTask> claims = tasks_from_text(asset("persuade/claims.json"), "assets/persuade/claims.json");
  return claims;
}

std::vector<PersuadeTask> import_statements_json(std::string_view text, std::string_view split) {
  if (split != "all" && split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  std::vector<PersuadeTask> all = tasks_from_text(text, "statements file");
  if (split == "all") return all;
  // The reference's preprocessing: shuffle with NumPy seed 42, keep the first 420, and give nine
  // tenths of those to training (378 train, 42 test for a full file).
  auto order = numpy_legacy_permutation(all.size(), 42);
  std::size_t kept = std::min<std::size_t>(420, all.size());
  std::size_t train = kept * 9 / 10;
  std::size_t begin = split == "train" ? 0 : train;
  std::size_t end = split == "train" ? train : kept;
  std::vector<PersuadeTask> out;
  for (std::size_t k = begin; k < end; ++k) out.push_back(all[order[k]]);
  return out;
}

}  // namespace rapport::persuade
