// SearchGym's own data: a corpus written from TelepathyGym's entities and the questions it answers
// by construction; and the importer for the reference's question file.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/params.h"
#include "core/pynum.h"
#include "envs/search/search.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::search {
namespace {

using telepathy::Entity;

std::string year_text(int year) { return year < 0 ? fmt::format("{} BCE", -year) : std::to_string(year); }

std::vector<std::string> year_aliases(int year) {
  if (year >= 0) return {};
  return {fmt::format("{} BC", -year), std::to_string(year)};
}

std::string joined(const std::vector<std::string>& xs) {
  if (xs.empty()) return "";
  if (xs.size() == 1) return xs[0];
  std::string out;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i) out += (i ? ", " : "") + xs[i];
  return out + " and " + xs.back();
}

bool is_person(const Entity& e) { return e.attributes.kind == "person" || e.attributes.kind == "character"; }

// The country an entity's article names as its home, and that country's continent, when both are
// known ("" otherwise). Animals and plants have ranges, not home countries.
std::string home_country(const Entity& e) {
  const auto& a = e.attributes;
  if (a.kind == "animal" || a.kind == "plant" || a.countries.empty()) return "";
  return a.countries.front();
}

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string article_text(const Entity& e) {
  const auto& a = e.attributes;
  std::string text;
  if (!e.gloss.empty()) text = fmt::format("{} is {}.", e.title, e.gloss);
  else text = fmt::format("{} is a {}.", e.title, a.type.empty() ? a.kind : a.type);
  const std::string it = is_person(e) ? (a.gender == "female" ? "She" : a.gender == "male" ? "He" : "They") : "It";
  if (a.born) {
    text += fmt::format(" {} was born in {}", it, year_text(*a.born));
    text += a.died ? fmt::format(" and died in {}.", year_text(*a.died)) : ".";
  }
  if (!a.roles.empty()) text += fmt::format(" {} is remembered as a {}.", it, joined(a.roles));
  if (a.year) text += fmt::format(" {} dates from {}.", e.title, year_text(*a.year));
  if (!a.type.empty() && !is_person(e)) text += fmt::format(" {} is a kind of {}.", capitalized(it), a.type);
  std::string home = home_country(e);
  if (!home.empty()) text += fmt::format(" {}'s home country is {}.", e.title, home);
  if (!e.synonyms.empty()) text += fmt::format(" {} is also known as {}.", capitalized(it), joined(e.synonyms));
  return text;
}

struct Data {
  std::vector<Passage> corpus;
  std::vector<QaItem> questions;
};

std::vector<std::string> title_aliases(const Entity& e) { return e.synonyms; }

Data build() {
  Data d;
  const auto& entities = telepathy::builtin_entities();
  std::map<std::string, std::vector<std::string>> by_country;  // country → titles
  for (const auto& e : entities) {
    d.corpus.push_back({e.id, e.title, article_text(e), 0.0});
    std::string home = home_country(e);
    if (!home.empty() && !telepathy::continent_of(home).empty()) by_country[home].push_back(e.title);
  }
  for (const auto& [country, titles] : by_country) {
    std::vector<std::string> some(titles.begin(), titles.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(titles.size(), 6)));
    d.corpus.push_back({"country-" + ascii_lower(country), country,
                        fmt::format("{} is a country in {}. People, places and things from {} include {}.", country,
                                    telepathy::continent_of(country), country, joined(some)),
                        0.0});
  }
  std::sort(d.corpus.begin(), d.corpus.end(), [](const Passage& a, const Passage& b) { return a.id < b.id; });

  auto add = [&](std::string tier, int hops, std::string id, std::string question, std::string answer,
                 std::vector<std::string> aliases) {
    d.questions.push_back({fmt::format("sq-{}-{}", tier, id), std::move(question), std::move(answer), std::move(aliases),
                           tier, hops});
  };
  // One hop: one article answers.
  for (const auto& e : entities) {
    const auto& a = e.attributes;
    if (a.born) add("one_hop", 1, e.id + "-born", fmt::format("In what year was {} born?", e.title), year_text(*a.born), year_aliases(*a.born));
    if (a.year) add("one_hop", 1, e.id + "-year", fmt::format("From what year does {} date?", e.title), year_text(*a.year), year_aliases(*a.year));
    if (!home_country(e).empty())
      add("one_hop", 1, e.id + "-country", fmt::format("What is the home country of {}?", e.title), home_country(e), {});
  }
  // Multi hop: two passages. Comparisons pair each dated entity with one a fixed stride later.
  std::vector<const Entity*> born, dated;
  for (const auto& e : entities) {
    if (e.attributes.born) born.push_back(&e);
    if (e.attributes.year) dated.push_back(&e);
  }
  auto compare = [&](const std::vector<const Entity*>& list, bool people) {
    const std::size_t stride = 7;
    for (std::size_t i = 0; list.size() > stride && i < list.size(); ++i) {
      const Entity& x = *list[i];
      const Entity& y = *list[(i + stride) % list.size()];
      int yx = people ? *x.attributes.born : *x.attributes.year;
      int yy = people ? *y.attributes.born : *y.attributes.year;
      if (yx == yy) continue;
      const Entity& first = yx < yy ? x : y;
      std::string q = people ? fmt::format("Who was born first, {} or {}?", x.title, y.title)
                             : fmt::format("Which is older, {} or {}?", x.title, y.title);
      add("multi_hop", 2, x.id + "-" + y.id, q, first.title, title_aliases(first));
    }
  };
  compare(born, true);
  compare(dated, false);
  for (const auto& e : entities) {
    std::string home = home_country(e);
    if (home.empty() || !by_country.count(home)) continue;
    add("multi_hop", 2, e.id + "-continent", fmt::format("On which continent is the home country of {}?", e.title),
        telepathy::continent_of(home), {});
    // Hard: the entity is named only by its description.
    if (!e.gloss.empty())
      add("hard", 3, e.id + "-continent", fmt::format("On which continent is the home country of {}?", e.gloss),
          telepathy::continent_of(home), {});
  }
  return d;
}

const Data& data() {
  static const Data d = build();
  return d;
}

}  // namespace

const std::vector<Passage>& builtin_corpus() { return data().corpus; }
const std::vector<QaItem>& builtin_questions() { return data().questions; }

const std::vector<std::string>& tiers() {
  static const std::vector<std::string> t = {"all", "one_hop", "multi_hop", "hard"};
  return t;
}

json::value to_json(const QaItem& item) {
  json::array aliases;
  for (const auto& a : item.aliases) aliases.emplace_back(a);
  json::object o{{"id", item.id}, {"question", item.question}, {"answer", item.answer}};
  if (!aliases.empty()) o["aliases"] = std::move(aliases);
  if (!item.tier.empty()) o["tier"] = item.tier;
  if (item.hops > 0) o["hops"] = item.hops;
  return o;
}

QaItem qa_item_from(const Task& task) {
  if (!task.data.is_object()) throw ConfigError(fmt::format("search task '{}' is not an object", task.id));
  const auto& o = task.data.get_object();
  QaItem q;
  q.id = get_string(o, "id", task.id);
  q.question = get_string(o, "question");
  q.answer = get_string(o, "answer");
  if (q.question.empty() || q.answer.empty())
    throw ConfigError(fmt::format("search task '{}' needs a non-empty 'question' and 'answer'", task.id));
  if (auto it = o.find("aliases"); it != o.end() && it->value().is_array())
    for (const auto& a : it->value().get_array())
      if (a.is_string()) q.aliases.emplace_back(a.get_string());
  q.tier = get_string(o, "tier");
  q.hops = static_cast<int>(get_int(o, "hops"));
  return q;
}

std::vector<QaItem> import_reference_questions(std::string_view text, std::string_view split) {
  if (split == "train")
    throw ConfigError("the reference's search questions are all test data: use --split test or --split all");
  auto v = parse_json(text);
  if (!v) throw ConfigError("the search question file is not JSON");
  const json::array* list = v->is_array() ? &v->get_array() : nullptr;
  if (!list && v->is_object())
    if (auto it = v->get_object().find("questions"); it != v->get_object().end() && it->value().is_array())
      list = &it->value().get_array();
  if (!list) throw ConfigError("the search question file must be a JSON list of {id, question, answer}");
  std::vector<QaItem> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& item = (*list)[i];
    if (!item.is_object()) throw ConfigError(fmt::format("search question {} is not an object", i + 1));
    const auto& o = item.get_object();
    QaItem q;
    q.id = get_string(o, "id", fmt::format("q{}", i + 1));
    q.question = std::string(py_strip(get_string(o, "question")));
    // Some files write numeric answers as numbers.
    if (auto it = o.find("answer"); it != o.end() && !it->value().is_string() && !it->value().is_null())
      q.answer = rapport::to_json(it->value());
    else
      q.answer = std::string(py_strip(get_string(o, "answer")));
    if (q.question.empty() || q.answer.empty())
      throw ConfigError(fmt::format("search question {} ('{}') needs a non-empty question and answer", i + 1, q.id));
    if (!seen.insert(q.id).second) throw ConfigError(fmt::format("search question id '{}' appears twice", q.id));
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace rapport::search
