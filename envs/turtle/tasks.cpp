// TurtleGym task data: our own stories (embedded asset), their task JSON, and the importer for the
// reference's all_stories_refined.json.
#include <fmt/format.h>

#include <cmath>

#include "core/assets.h"
#include "core/params.h"
#include "core/rng.h"
#include "envs/turtle/turtle.h"

namespace rapport::turtle {
namespace {

json::array groups_to_json(const KeywordGroups& groups) {
  json::array out;
  for (const auto& g : groups) {
    json::array alternatives;
    for (const auto& k : g) alternatives.emplace_back(k);
    out.emplace_back(std::move(alternatives));
  }
  return out;
}

KeywordGroups groups_from(const json::object& o, std::string_view key, const std::string& where) {
  KeywordGroups out;
  auto it = o.find(key);
  if (it == o.end()) return out;
  if (!it->value().is_array()) throw ConfigError(fmt::format("{}: '{}' must be a list of keyword lists", where, key));
  for (const auto& g : it->value().get_array()) {
    std::vector<std::string> alternatives;
    if (g.is_string()) {
      alternatives.emplace_back(g.get_string());
    } else if (g.is_array()) {
      for (const auto& k : g.get_array()) {
        if (!k.is_string()) throw ConfigError(fmt::format("{}: keywords in '{}' must be strings", where, key));
        alternatives.emplace_back(k.get_string());
      }
    } else {
      throw ConfigError(fmt::format("{}: '{}' must be a list of keyword lists", where, key));
    }
    if (alternatives.empty()) throw ConfigError(fmt::format("{}: an empty keyword group in '{}'", where, key));
    out.push_back(std::move(alternatives));
  }
  return out;
}

std::string required_text(const json::object& o, std::string_view key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string() || it->value().get_string().empty())
    throw ConfigError(fmt::format("{}: needs a non-empty text '{}'", where, key));
  return std::string(it->value().get_string());
}

Story story_from_object(const json::value& v, const std::string& where) {
  if (!v.is_object()) throw ConfigError(fmt::format("{}: a story must be an object", where));
  const auto& o = v.get_object();
  Story s;
  s.id = required_text(o, "id", where);
  std::string at = fmt::format("{} ({})", where, s.id);
  s.title = required_text(o, "title", at);
  s.surface = required_text(o, "surface", at);
  s.bottom = required_text(o, "bottom", at);
  auto c = o.find("criteria");
  if (c == o.end() || !c->value().is_array() || c->value().get_array().empty())
    throw ConfigError(fmt::format("{}: needs a non-empty list 'criteria'", at));
  for (const auto& item : c->value().get_array()) {
    if (!item.is_object()) throw ConfigError(fmt::format("{}: each criterion must be an object", at));
    const auto& co = item.get_object();
    Criterion cr;
    cr.statement = required_text(co, "statement", at);
    auto w = co.find("weight");
    if (w == co.end() || !(w->value().is_double() || w->value().is_int64()))
      throw ConfigError(fmt::format("{}: criterion '{}' needs a number 'weight'", at, cr.statement));
    cr.weight = get_number(co, "weight");
    if (!std::isfinite(cr.weight) || cr.weight < 0)
      throw ConfigError(fmt::format("{}: criterion '{}' has a negative or non-finite weight", at, cr.statement));
    cr.keywords = groups_from(co, "keywords", at);
    s.criteria.push_back(std::move(cr));
  }
  if (auto f = o.find("facts"); f != o.end()) {
    if (!f->value().is_array()) throw ConfigError(fmt::format("{}: 'facts' must be a list", at));
    for (const auto& item : f->value().get_array()) {
      if (!item.is_object()) throw ConfigError(fmt::format("{}: each fact must be an object", at));
      const auto& fo = item.get_object();
      Fact fact;
      fact.match = groups_from(fo, "match", at);
      fact.answer = get_string(fo, "answer");
      if (fact.match.empty()) throw ConfigError(fmt::format("{}: a fact needs keyword groups in 'match'", at));
      if (fact.answer != "Yes" && fact.answer != "No" && fact.answer != "Maybe")
        throw ConfigError(fmt::format("{}: a fact's 'answer' must be Yes, No or Maybe, not '{}'", at, fact.answer));
      s.facts.push_back(std::move(fact));
    }
  }
  return s;
}

}  // namespace

json::value to_json(const Story& s) {
  json::array criteria;
  for (const auto& c : s.criteria) {
    json::object co{{"statement", c.statement}, {"weight", c.weight}};
    if (!c.keywords.empty()) co["keywords"] = groups_to_json(c.keywords);
    criteria.emplace_back(std::move(co));
  }
  json::object o{{"id", s.id}, {"title", s.title}, {"surface", s.surface}, {"bottom", s.bottom}, {"criteria", std::move(criteria)}};
  if (!s.facts.empty()) {
    json::array facts;
    for (const auto& f : s.facts) facts.emplace_back(json::object{{"match", groups_to_json(f.match)}, {"answer", f.answer}});
    o["facts"] = std::move(facts);
  }
  return o;
}

Story story_from(const Task& task) { return story_from_object(task.data, "turtle task"); }

std::vector<Story> parse_stories(std::string_view text, std::string_view where) {
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError(fmt::format("{}: not valid JSON", where));
  const json::value* list = nullptr;
  if (parsed->is_object()) {
    auto it = parsed->get_object().find("stories");
    if (it != parsed->get_object().end()) list = &it->value();
  }
  if (!list || !list->is_array()) throw ConfigError(fmt::format("{}: expected an object with a list 'stories'", where));
  std::vector<Story> out;
  std::size_t i = 0;
  for (const auto& item : list->get_array()) out.push_back(story_from_object(item, fmt::format("{} story {}", where, i++)));
  return out;
}

const std::vector<Story>& builtin_stories() {
  static const std::vector<Story> stories = parse_stories(asset("turtle/stories.json"), "assets/turtle/stories.json");
  return stories;
}

std::vector<Story> import_reference_stories(std::string_view text, std::string_view split) {
  if (split != "all" && split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError("stories file: not valid JSON");
  if (!parsed->is_object())
    throw ConfigError("stories file: expected a JSON object keyed by story number, each {judgment, new_title, new_surface, new_bottom, evaluation}");
  std::vector<Story> all;
  for (const auto& [key, value] : parsed->get_object()) {
    std::string where = fmt::format("stories file entry '{}'", std::string_view(key));
    if (!value.is_object()) throw ConfigError(where + ": must be an object");
    const auto& o = value.get_object();
    // The reference loader keeps only the stories its refinement judged usable.
    if (get_string(o, "judgment") != "Yes") continue;
    Story s;
    s.title = required_text(o, "new_title", where);
    s.id = s.title;  // the reference looks stories up by title
    s.surface = required_text(o, "new_surface", where);
    s.bottom = required_text(o, "new_bottom", where);
    auto ev = o.find("evaluation");
    if (ev == o.end() || !ev->value().is_array() || ev->value().get_array().empty())
      throw ConfigError(where + ": needs a non-empty list 'evaluation' of {statement, score}");
    for (const auto& item : ev->value().get_array()) {
      if (!item.is_object()) throw ConfigError(where + ": each evaluation item must be an object {statement, score}");
      const auto& io = item.get_object();
      Criterion c;
      c.statement = required_text(io, "statement", where);
      auto sc = io.find("score");
      if (sc == io.end() || !(sc->value().is_double() || sc->value().is_int64()))
        throw ConfigError(fmt::format("{}: evaluation item '{}' needs a number 'score' (its weight)", where, c.statement));
      c.weight = get_number(io, "score");
      s.criteria.push_back(std::move(c));
    }
    all.push_back(std::move(s));
  }
  if (split == "all") return all;
  // The reference shuffles the loaded stories with NumPy seed 42 and trains on the first 90%
  // (int(n * 0.9): 471 stories → 423 train, 48 test).
  auto order = numpy_legacy_permutation(all.size(), 42);
  auto train = static_cast<std::size_t>(static_cast<double>(all.size()) * 0.9);
  std::vector<Story> out;
  std::size_t from = split == "train" ? 0 : train, to = split == "train" ? train : all.size();
  for (std::size_t k = from; k < to; ++k) out.push_back(all[order[k]]);
  return out;
}

}  // namespace rapport::turtle
