// Reads UserBench/UserRL travelgym_data_<shape>.json files (reference §2.1.5) into TravelTasks.
// The file is a dict scenario id → scenario with `scenario`, `dimensions`, `initial_description`
// and, per dimension, {preferences: [[aspect, subcategory, text, implicit, ...]], best_id,
// correct_ids, options: {correct, wrong, noise}, arguments}. Options keep their fields in source
// order minus the hidden `type`/`reason` keys; the display order, arbitrary in the reference, is a
// permutation seeded by the scenario id.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/rng.h"
#include "envs/travel/scenario.h"

namespace rapport::travel {
namespace {

std::string text_of(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return rapport::to_json(v);
}

// The per-dimension block: scenario[d], or scenario["preferences"][d] in the loader's form.
const json::object* dimension_block(const json::object& scenario, const std::string& d) {
  if (auto it = scenario.find(d); it != scenario.end() && it->value().is_object()) return &it->value().get_object();
  if (auto it = scenario.find("preferences"); it != scenario.end() && it->value().is_object()) {
    const auto& prefs = it->value().get_object();
    if (auto jt = prefs.find(d); jt != prefs.end() && jt->value().is_object()) return &jt->value().get_object();
  }
  return nullptr;
}

TravelTask import_scenario(const std::string& id, const json::value& v) {
  std::string where = fmt::format("travel data scenario '{}'", id);
  if (!v.is_object()) throw ConfigError(where + ": expected an object");
  const auto& o = v.get_object();
  TravelTask t;
  t.id = id;
  t.scenario = get_string(o, "scenario");
  t.initial_description = get_string(o, "initial_description", get_string(o, "initial_desc"));
  if (t.initial_description.empty()) throw ConfigError(where + ": needs 'initial_description'");
  auto dims = o.find("dimensions");
  if (dims == o.end() || !dims->value().is_array() || dims->value().get_array().empty())
    throw ConfigError(where + ": 'dimensions' must be a non-empty list of aspect names");
  Rng order = Rng::derive(fnv1a64(id), "travel/import-order");
  for (const auto& dv : dims->value().get_array()) {
    if (!dv.is_string()) throw ConfigError(where + ": 'dimensions' must be a list of strings");
    std::string d(dv.get_string());
    auto aspect = normalize_aspect(d);
    if (!aspect) throw ConfigError(fmt::format("{}: unknown dimension '{}'", where, d));
    const json::object* bo = dimension_block(o, d);
    if (!bo) throw ConfigError(fmt::format("{}: no block for dimension '{}'", where, d));
    std::string bw = fmt::format("{} [{}]", where, d);
    AspectBlock b;
    b.aspect = *aspect;
    if (auto pit = bo->find("preferences"); pit != bo->end() && pit->value().is_array()) {
      for (const auto& pv : pit->value().get_array()) {
        // The reference keeps only lists of at least four entries.
        if (!pv.is_array() || pv.get_array().size() < 4) continue;
        const auto& pa = pv.get_array();
        TaskPreference p;
        p.aspect = normalize_aspect(text_of(pa[0])).value_or(b.aspect);
        p.subcategory = text_of(pa[1]);
        p.text = text_of(pa[2]);
        p.implicit = text_of(pa[3]);
        b.preferences.push_back(std::move(p));
      }
    }
    b.best_id = get_string(*bo, "best_id");
    if (b.best_id.empty()) throw ConfigError(bw + ": needs 'best_id'");
    if (auto cit = bo->find("correct_ids"); cit != bo->end() && cit->value().is_array())
      for (const auto& c : cit->value().get_array()) b.correct_ids.push_back(text_of(c));
    if (auto ait = bo->find("arguments"); ait != bo->end() && ait->value().is_object()) b.arguments = ait->value().get_object();
    auto oit = bo->find("options");
    if (oit == bo->end() || !oit->value().is_object()) throw ConfigError(bw + ": 'options' must be {correct, wrong, noise}");
    std::vector<json::object> shown;
    for (const char* kind : {"correct", "wrong", "noise"}) {
      auto kit = oit->value().get_object().find(kind);
      if (kit == oit->value().get_object().end()) continue;
      if (!kit->value().is_array()) throw ConfigError(fmt::format("{}: options.{} must be a list", bw, kind));
      std::vector<json::object> group;
      for (const auto& opt : kit->value().get_array()) {
        if (!opt.is_object()) throw ConfigError(fmt::format("{}: options.{} must hold objects", bw, kind));
        json::object clean;
        for (const auto& kv : opt.get_object())
          if (kv.key() != "type" && kv.key() != "reason") clean[kv.key()] = kv.value();
        std::string oid = option_id(clean);
        if (oid.empty()) throw ConfigError(fmt::format("{}: an option in options.{} has no id", bw, kind));
        if (std::string_view(kind) == "wrong") b.wrong_ids.push_back(oid);
        if (std::string_view(kind) == "noise") b.noise_ids.push_back(oid);
        if (std::string_view(kind) == "correct" &&
            std::find(b.correct_ids.begin(), b.correct_ids.end(), oid) == b.correct_ids.end())
          b.correct_ids.push_back(oid);
        group.push_back(std::move(clean));
      }
      order.shuffle(group);
      for (auto& g : group) shown.push_back(std::move(g));
    }
    order.shuffle(shown);
    for (auto& s : shown) b.options.emplace_back(std::move(s));
    t.shape += std::to_string(b.preferences.size());
    t.aspects.push_back(std::move(b));
  }
  t.tier = tier_of_shape(t.shape);
  return t;
}

}  // namespace

std::vector<TravelTask> import_userbench(std::string_view text, std::string_view split) {
  if (split != "all" && split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError("travel data file: not valid JSON");
  std::vector<TravelTask> all;
  if (parsed->is_object()) {
    for (const auto& kv : parsed->get_object()) all.push_back(import_scenario(std::string(kv.key()), kv.value()));
  } else if (parsed->is_array()) {
    std::size_t i = 0;
    for (const auto& v : parsed->get_array()) {
      std::string id = v.is_object() ? get_string(v.get_object(), "id") : "";
      all.push_back(import_scenario(id.empty() ? fmt::format("item-{}", i) : id, v));
      ++i;
    }
  } else {
    throw ConfigError("travel data file: expected a dict of scenario id → scenario");
  }
  if (split == "all") return all;
  // The reference's parquet files: NumPy seed-42 shuffle, the first 85% for training.
  auto perm = numpy_legacy_permutation(all.size(), 42);
  std::size_t train = all.size() * 85 / 100;
  std::vector<TravelTask> out;
  std::size_t from = split == "train" ? 0 : train, to = split == "train" ? train : all.size();
  for (std::size_t k = from; k < to; ++k) out.push_back(all[perm[k]]);
  return out;
}

}  // namespace rapport::travel
