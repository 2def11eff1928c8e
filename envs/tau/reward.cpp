// tau-bench's reward (taubench-behaviour §5.2): 1 when the database hash after the episode equals
// the hash after replaying the gold actions on a fresh database, and every required output was
// said; 0 otherwise. The report adds what tau-bench leaves out: which records differ.
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {

std::vector<std::string> differing_records(const Db& a, const Db& b) {
  std::vector<std::string> out;
  std::vector<std::string> tables;
  for (const auto& kv : a) tables.emplace_back(kv.key());
  for (const auto& kv : b)
    if (!a.contains(kv.key())) tables.emplace_back(kv.key());
  std::sort(tables.begin(), tables.end());
  for (const auto& t : tables) {
    const json::object empty;
    const json::object& ta = a.contains(t) && a.at(t).is_object() ? a.at(t).get_object() : empty;
    const json::object& tb = b.contains(t) && b.at(t).is_object() ? b.at(t).get_object() : empty;
    std::vector<std::string> keys;
    for (const auto& kv : ta) keys.emplace_back(kv.key());
    for (const auto& kv : tb)
      if (!ta.contains(kv.key())) keys.emplace_back(kv.key());
    for (const auto& k : keys) {
      auto ia = ta.find(k), ib = tb.find(k);
      if (ia == ta.end() || ib == tb.end()) {
        out.push_back(fmt::format("{}/{} ({})", t, k, ia == ta.end() ? "only in the gold database" : "only in this database"));
        continue;
      }
      if (canonical_repr(ia->value()) == canonical_repr(ib->value())) continue;
      std::vector<std::string> fields;
      if (ia->value().is_object() && ib->value().is_object()) {
        const auto& ra = ia->value().get_object();
        const auto& rb = ib->value().get_object();
        for (const auto& kv : ra)
          if (!rb.contains(kv.key()) || canonical_repr(kv.value()) != canonical_repr(rb.at(kv.key())))
            fields.emplace_back(kv.key());
        for (const auto& kv : rb)
          if (!ra.contains(kv.key())) fields.emplace_back(kv.key());
      }
      std::string list;
      for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
      out.push_back(list.empty() ? fmt::format("{}/{}", t, k) : fmt::format("{}/{} ({})", t, k, list));
    }
  }
  return out;
}

json::object RewardReport::info() const {
  json::array diff;
  for (const auto& d : differing) diff.push_back(json::string(d));
  json::object o{{"reward", reward},
                 {"r_actions", db_match ? 1.0 : 0.0},
                 {"data_hash", db_hash},
                 {"gt_data_hash", gold_hash},
                 {"differing_records", std::move(diff)}};
  if (!outputs.empty()) {
    o["r_outputs"] = outputs_ok ? 1.0 : 0.0;
    o["outputs"] = outputs;
  }
  for (const auto& kv : extra) o[kv.key()] = kv.value();
  return o;
}

RewardReport score_episode(const Db& initial, const Db& final_db, const std::vector<GoldAction>& gold,
                           const std::vector<std::string>& outputs, const std::vector<std::string>& agent_messages) {
  return score_episode(find_domain("retail"), initial, final_db, gold, outputs, agent_messages);
}

RewardReport score_episode(const Domain& domain, const Db& initial, const Db& final_db, const std::vector<GoldAction>& gold,
                           const std::vector<std::string>& outputs, const std::vector<std::string>& agent_messages) {
  Db gold_db = initial;
  for (const auto& a : gold)
    if (a.name != "transfer_to_human_agents") domain.call_tool(gold_db, a.name, a.kwargs);  // errors are part of the gold
  RewardReport r;
  r.db_hash = db_hash(final_db);
  r.gold_hash = db_hash(gold_db);
  r.db_match = r.db_hash == r.gold_hash;
  if (!r.db_match) r.differing = differing_records(final_db, gold_db);
  for (const auto& o : outputs) {
    std::string want = ascii_lower(o);
    bool said = false;
    for (const auto& m : agent_messages) {
      std::string text = ascii_lower(m);
      text.erase(std::remove(text.begin(), text.end(), ','), text.end());
      if (text.find(want) != std::string::npos) said = true;
    }
    r.outputs[o] = said;
    if (!said) r.outputs_ok = false;
  }
  r.reward = r.db_match && r.outputs_ok ? 1.0 : 0.0;
  return r;
}

}  // namespace rapport::tau
