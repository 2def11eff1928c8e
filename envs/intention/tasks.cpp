// IntentionGym tasks: our own dataset, the reference importer, and keywords for imported details.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/assets.h"
#include "core/pynum.h"
#include "envs/intention/intention.h"

namespace rapport::intention {

json::value to_json(const IntentionTask& t) {
  json::array details;
  for (const auto& d : t.details) {
    json::array options, keywords;
    for (const auto& o : d.options) options.emplace_back(o);
    for (const auto& k : d.keywords) keywords.emplace_back(k);
    details.push_back(json::object{{"description", d.description},
                                   {"importance", std::to_string(d.importance)},
                                   {"inquiry", d.inquiry},
                                   {"options", std::move(options)},
                                   {"keywords", std::move(keywords)}});
  }
  return json::object{{"id", t.id}, {"category", t.category}, {"task", t.task}, {"missing_details", std::move(details)}};
}

std::vector<std::string> derived_keywords(const MissingDetail& detail, std::string_view request) {
  // Words that name a kind of detail rather than this one, and short function words.
  static const std::set<std::string, std::less<>> kCommon{
      "about", "also", "any", "around", "detail", "details", "does", "from", "have", "into", "kind", "kinds",
      "like", "much", "need", "needs", "other", "over", "particular", "prefer", "preference", "preferences",
      "preferred", "should", "some", "specific", "that", "their", "them", "there", "these", "they", "this",
      "type", "types", "what", "when", "where", "which", "while", "will", "with", "would", "your", "want"};
  auto words_of = [&](std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
      if (word.size() >= 4 && !kCommon.count(word)) {
        std::string stem = word;
        if (stem.size() > 4 && stem.compare(stem.size() - 3, 3, "ies") == 0) stem.resize(stem.size() - 3);
        else if (stem.size() > 4 && stem.back() == 's' && stem[stem.size() - 2] != 's') stem.pop_back();
        if (!mentions(request, stem) && std::find(out.begin(), out.end(), stem) == out.end()) out.push_back(stem);
      }
      word.clear();
    };
    for (char c : ascii_lower(text)) {
      if (c >= 'a' && c <= 'z') word += c;
      else flush();
    }
    flush();
    return out;
  };
  auto out = words_of(detail.description);
  if (out.empty()) out = words_of(detail.inquiry);
  return out;
}

namespace {

std::string text_field(const json::object& o, std::string_view key, std::string_view where, bool allow_empty) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) throw ConfigError(fmt::format("{}: '{}' must be a string", where, key));
  std::string text(it->value().get_string());
  if (!allow_empty && py_strip(text).empty()) throw ConfigError(fmt::format("{}: '{}' is empty", where, key));
  return text;
}

std::vector<std::string> string_list(const json::object& o, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) throw ConfigError(fmt::format("{}: '{}' must be a list of strings", where, key));
  for (const auto& v : it->value().get_array()) {
    if (!v.is_string()) throw ConfigError(fmt::format("{}: '{}' must be a list of strings", where, key));
    out.emplace_back(v.get_string());
  }
  return out;
}

int importance_from(const json::object& o, std::string_view where) {
  // The reference stores "1" | "2" | "3" and converts with int(); plain integers are accepted too.
  auto it = o.find("importance");
  if (it != o.end()) {
    const auto& v = it->value();
    if (v.is_int64() && v.get_int64() >= 1 && v.get_int64() <= 3) return static_cast<int>(v.get_int64());
    if (v.is_string()) {
      std::string_view s = py_strip(v.get_string());
      if (s == "1" || s == "2" || s == "3") return s[0] - '0';
    }
  }
  throw ConfigError(fmt::format("{}: 'importance' must be \"1\", \"2\" or \"3\"", where));
}

IntentionTask task_from_value(const json::value& v, std::string_view where) {
  if (!v.is_object())
    throw ConfigError(fmt::format("{}: a task must be an object with id, category, task and missing_details", where));
  const auto& o = v.get_object();
  IntentionTask t;
  t.id = text_field(o, "id", where, false);
  std::string at = fmt::format("{} ({})", where, t.id);
  t.category = o.contains("category") ? text_field(o, "category", at, true) : std::string();
  t.task = text_field(o, "task", at, false);
  auto md = o.find("missing_details");
  if (md == o.end() || !md->value().is_array() || md->value().get_array().empty())
    throw ConfigError(fmt::format("{}: 'missing_details' must be a non-empty list", at));
  std::size_t i = 0;
  for (const auto& item : md->value().get_array()) {
    std::string dat = fmt::format("{} detail {}", at, i++);
    if (!item.is_object()) throw ConfigError(fmt::format("{}: must be an object", dat));
    const auto& d = item.get_object();
    MissingDetail detail;
    detail.description = text_field(d, "description", dat, false);
    detail.importance = importance_from(d, dat);
    detail.inquiry = d.contains("inquiry") ? text_field(d, "inquiry", dat, true) : std::string();
    detail.options = string_list(d, "options", dat);
    for (auto& k : string_list(d, "keywords", dat))
      if (!py_strip(k).empty()) detail.keywords.push_back(ascii_lower(py_strip(k)));
    if (detail.keywords.empty()) detail.keywords = derived_keywords(detail, t.task);
    t.details.push_back(std::move(detail));
  }
  return t;
}

std::vector<IntentionTask> tasks_from_text(std::string_view text, std::string_view what) {
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError(fmt::format("{}: not valid JSON", what));
  if (!parsed->is_array())
    throw ConfigError(fmt::format("{}: expected a JSON list of {{id, category, task, missing_details}}", what));
  std::vector<IntentionTask> out;
  std::size_t i = 0;
  for (const auto& item : parsed->get_array()) out.push_back(task_from_value(item, fmt::format("{} item {}", what, i++)));
  return out;
}

}  // namespace

IntentionTask intention_task_from(const Task& task) { return task_from_value(task.data, "intention task"); }

const std::vector<IntentionTask>& builtin_tasks() {
  static const std::vector<IntentionTask> tasks = tasks_from_text(asset("intention/tasks.json"), "assets/intention/tasks.json");
  return tasks;
}

std::vector<IntentionTask> import_intentions_json(std::string_view text, std::string_view split) {
  if (split != "all" && split != "train" && split != "test")
    throw ConfigError(fmt::format("unknown split '{}'; valid: all, train, test", split));
  // The reference ships all_intentions_train.json and all_intentions_test.json: the file is the
  // split, so every split returns the whole file in order.
  return tasks_from_text(text, "intentions file");
}

}  // namespace rapport::intention
