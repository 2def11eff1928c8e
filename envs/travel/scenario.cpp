// TravelTask ↔ Task JSON, shapes and tiers, option ids.
#include "envs/travel/scenario.h"

#include <fmt/format.h>

#include <algorithm>

namespace rapport::travel {
namespace {

json::array string_array(const std::vector<std::string>& xs) {
  json::array a;
  for (const auto& x : xs) a.emplace_back(x);
  return a;
}

std::vector<std::string> read_strings(const json::object& o, std::string_view key, std::string_view where) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (!it->value().is_array()) throw ConfigError(fmt::format("{}: '{}' must be a list of strings", where, key));
  std::vector<std::string> out;
  for (const auto& v : it->value().get_array()) {
    if (!v.is_string()) throw ConfigError(fmt::format("{}: '{}' must be a list of strings", where, key));
    out.emplace_back(v.get_string());
  }
  return out;
}

bool contains(const std::vector<std::string>& xs, std::string_view x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }

}  // namespace

AspectBlock::Label AspectBlock::label(std::string_view id) const {
  if (id == best_id) return Label::Best;
  if (contains(correct_ids, id)) return Label::Correct;
  if (contains(wrong_ids, id)) return Label::Wrong;
  if (contains(noise_ids, id)) return Label::Noise;
  return Label::Unknown;
}

const AspectBlock* TravelTask::block(std::string_view aspect) const {
  for (const auto& b : aspects)
    if (b.aspect == aspect) return &b;
  return nullptr;
}

std::size_t TravelTask::preference_count() const {
  std::size_t n = 0;
  for (const auto& b : aspects) n += b.preferences.size();
  return n;
}

json::value to_json(const TravelTask& t) {
  json::object o{{"id", t.id},
                 {"scenario", t.scenario},
                 {"initial_description", t.initial_description},
                 {"shape", t.shape},
                 {"tier", t.tier}};
  json::array dims;
  for (const auto& b : t.aspects) dims.emplace_back(b.aspect);
  o["dimensions"] = std::move(dims);
  for (const auto& b : t.aspects) {
    json::array prefs;
    for (const auto& p : b.preferences) {
      json::object po{{"aspect", p.aspect},
                      {"subcategory", p.subcategory},
                      {"preference", p.text},
                      {"implicit_elicitation", p.implicit}};
      if (!p.key.empty()) po["key"] = p.key;
      if (p.predicate) po["predicate"] = to_json(*p.predicate);
      prefs.emplace_back(std::move(po));
    }
    o[b.aspect] = json::object{{"preferences", std::move(prefs)},
                               {"arguments", b.arguments},
                               {"best_id", b.best_id},
                               {"correct_ids", string_array(b.correct_ids)},
                               {"wrong_ids", string_array(b.wrong_ids)},
                               {"noise_ids", string_array(b.noise_ids)},
                               {"options", b.options}};
  }
  return o;
}

TravelTask travel_task_from(const Task& task) {
  if (!task.data.is_object()) throw ConfigError(fmt::format("travel task '{}': expected a JSON object", task.id));
  const auto& o = task.data.get_object();
  std::string where = fmt::format("travel task '{}'", task.id);
  TravelTask t;
  t.id = get_string(o, "id", task.id);
  t.scenario = get_string(o, "scenario");
  t.initial_description = get_string(o, "initial_description");
  t.shape = get_string(o, "shape");
  t.tier = get_string(o, "tier");
  if (t.initial_description.empty()) throw ConfigError(where + ": needs a non-empty 'initial_description'");
  std::vector<std::string> dims = read_strings(o, "dimensions", where);
  if (dims.empty()) throw ConfigError(where + ": 'dimensions' must list at least one aspect");
  for (const auto& d : dims) {
    auto aspect = normalize_aspect(d);
    if (!aspect) throw ConfigError(fmt::format("{}: unknown aspect '{}' (valid: flight, hotel, apartment, rental_car, restaurant)", where, d));
    if (t.block(*aspect)) throw ConfigError(fmt::format("{}: aspect '{}' listed twice", where, *aspect));
    auto it = o.find(d);
    if (it == o.end() || !it->value().is_object()) throw ConfigError(fmt::format("{}: missing the '{}' block", where, d));
    const auto& bo = it->value().get_object();
    std::string bw = fmt::format("{} [{}]", where, d);
    AspectBlock b;
    b.aspect = *aspect;
    if (auto pit = bo.find("preferences"); pit != bo.end()) {
      if (!pit->value().is_array()) throw ConfigError(bw + ": 'preferences' must be a list");
      for (const auto& pv : pit->value().get_array()) {
        if (!pv.is_object()) throw ConfigError(bw + ": each preference must be an object");
        const auto& po = pv.get_object();
        TaskPreference p;
        p.aspect = normalize_aspect(get_string(po, "aspect")).value_or(b.aspect);
        p.subcategory = get_string(po, "subcategory");
        p.text = get_string(po, "preference");
        p.implicit = get_string(po, "implicit_elicitation");
        p.key = get_string(po, "key");
        if (auto pr = po.find("predicate"); pr != po.end()) {
          p.predicate = predicate_from_json(pr->value());
          if (!p.predicate) throw ConfigError(bw + ": malformed preference predicate");
        }
        if (p.text.empty()) throw ConfigError(bw + ": a preference has no 'preference' text");
        b.preferences.push_back(std::move(p));
      }
    }
    if (auto ait = bo.find("arguments"); ait != bo.end() && ait->value().is_object()) b.arguments = ait->value().get_object();
    b.best_id = get_string(bo, "best_id");
    b.correct_ids = read_strings(bo, "correct_ids", bw);
    b.wrong_ids = read_strings(bo, "wrong_ids", bw);
    b.noise_ids = read_strings(bo, "noise_ids", bw);
    if (b.best_id.empty()) throw ConfigError(bw + ": needs a 'best_id'");
    auto oit = bo.find("options");
    if (oit == bo.end() || !oit->value().is_array()) throw ConfigError(bw + ": 'options' must be a list");
    for (const auto& opt : oit->value().get_array())
      if (!opt.is_object()) throw ConfigError(bw + ": each option must be an object");
    b.options = oit->value().get_array();
    t.aspects.push_back(std::move(b));
  }
  return t;
}

const std::vector<std::string>& shapes() {
  static const std::vector<std::string> all = {"22", "33", "44", "233", "333", "334", "444", "2222"};
  return all;
}

std::string tier_of_shape(std::string_view shape) {
  if (shape == "22" || shape == "2222") return "easy";
  if (shape == "33" || shape == "233" || shape == "333") return "medium";
  if (shape == "44" || shape == "334" || shape == "444") return "hard";
  return "";
}

int reference_count(std::string_view shape) {
  // Train + test parquet rows of the reference (reference §2.1.5).
  if (shape == "22") return 671;
  if (shape == "33") return 576;
  if (shape == "44") return 446;
  if (shape == "233") return 402;
  if (shape == "333") return 353;
  if (shape == "334") return 313;
  if (shape == "444") return 248;
  if (shape == "2222") return 113;
  return 0;
}

bool valid_option_id(std::string_view id) {
  if (id.size() < 2 || std::string_view("ACFHR").find(id[0]) == std::string_view::npos) return false;
  for (std::size_t i = 1; i < id.size(); ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  return true;
}

std::string option_id(const json::object& option) {
  for (const char* key : {"id", "option_id"})
    if (auto it = option.find(key); it != option.end() && it->value().is_string()) return std::string(it->value().get_string());
  for (const auto& kv : option)
    if (kv.value().is_string() && valid_option_id(kv.value().get_string())) return std::string(kv.value().get_string());
  return "";
}

}  // namespace rapport::travel
