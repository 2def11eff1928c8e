#include "core/search.h"

#include <fmt/format.h>

#include "core/pynum.h"
#include "core/rng.h"

namespace rapport {

SearchResponse search_failure(std::string error) {
  SearchResponse r;
  r.error = std::move(error);
  return r;
}

json::object to_record(const SearchRequest& request) {
  return json::object{{"purpose", request.purpose}, {"query", request.query}, {"k", request.k}};
}

json::object to_record(const SearchResponse& response) {
  json::object o{{"ok", response.ok}};
  if (!response.ok) {
    o["error"] = response.error;
    return o;
  }
  json::array passages;
  for (const auto& p : response.passages)
    passages.push_back(json::object{{"id", p.id}, {"title", p.title}, {"text", p.text}, {"score", p.score}});
  o["passages"] = std::move(passages);
  return o;
}

SearchRequest search_request_from_record(const json::value& record) {
  SearchRequest r;
  if (!record.is_object()) return r;
  const auto& o = record.get_object();
  r.purpose = get_string(o, "purpose");
  r.query = get_string(o, "query");
  r.k = static_cast<int>(get_int(o, "k", 5));
  return r;
}

SearchResponse search_response_from_record(const json::value& record) {
  if (!record.is_object()) return search_failure("missing search record");
  const auto& o = record.get_object();
  if (!get_bool(o, "ok")) return search_failure(get_string(o, "error", "unknown error"));
  SearchResponse r;
  r.ok = true;
  if (auto it = o.find("passages"); it != o.end() && it->value().is_array()) {
    for (const auto& item : it->value().get_array()) {
      if (!item.is_object()) continue;
      const auto& p = item.get_object();
      r.passages.push_back({get_string(p, "id"), get_string(p, "title"), get_string(p, "text"), get_number(p, "score")});
    }
  }
  return r;
}

std::string search_cache_key(const SearchRequest& request, std::string_view backend) {
  // The purpose is a label for people: the results do not depend on it.
  std::string text = to_json(json::object{{"service", "search"}, {"backend", backend}, {"query", request.query}, {"k", request.k}});
  return fmt::format("{:016x}{:016x}", fnv1a64(text), fnv1a64(text, 0x84222325cbf29ce4ULL));
}

std::string passage_contents(const Passage& passage) { return "\"" + passage.title + "\"\n" + passage.text; }

Passage passage_from_contents(std::string id, std::string_view contents, double score) {
  Passage p;
  p.id = std::move(id);
  p.score = score;
  auto newline = contents.find('\n');
  std::string_view title = contents.substr(0, newline);
  if (title.size() >= 2 && title.front() == '"' && title.back() == '"') title = title.substr(1, title.size() - 2);
  p.title = std::string(py_strip(title));
  if (newline != std::string_view::npos) p.text = std::string(py_strip(contents.substr(newline + 1)));
  return p;
}

std::string retrieval_request_body(const std::vector<std::string>& queries, int k) {
  json::array q;
  for (const auto& s : queries) q.emplace_back(s);
  return to_json(json::object{{"queries", std::move(q)}, {"topk", k}, {"return_scores", true}});
}

SearchResponse parse_retrieval_response(std::string_view body, int k) {
  auto v = parse_json(body);
  if (!v || !v->is_object()) return search_failure("the retrieval server's answer is not a JSON object");
  const auto& o = v->get_object();
  auto it = o.find("result");
  if (it == o.end() || !it->value().is_array() || it->value().get_array().empty() ||
      !it->value().get_array()[0].is_array())
    return search_failure("the retrieval server's answer has no 'result' list of result lists");
  SearchResponse r;
  r.ok = true;
  for (const auto& item : it->value().get_array()[0].get_array()) {
    if (static_cast<int>(r.passages.size()) >= k) break;
    if (!item.is_object()) continue;
    const auto& entry = item.get_object();
    // {"document": {...}, "score": s}, or the document itself when scores are not returned.
    const json::object* doc = &entry;
    if (auto d = entry.find("document"); d != entry.end() && d->value().is_object()) doc = &d->value().get_object();
    std::string id;
    if (auto i = doc->find("id"); i != doc->end()) id = i->value().is_string() ? std::string(i->value().get_string()) : to_json(i->value());
    std::string contents = get_string(*doc, "contents");
    if (contents.empty() && doc->contains("text"))
      contents = "\"" + get_string(*doc, "title") + "\"\n" + get_string(*doc, "text");
    r.passages.push_back(passage_from_contents(std::move(id), contents, get_number(entry, "score")));
  }
  return r;
}

std::string retrieval_response_body(const std::vector<SearchResponse>& results) {
  json::array all;
  for (const auto& r : results) {
    json::array list;
    for (const auto& p : r.passages)
      list.push_back(json::object{{"document", json::object{{"id", p.id}, {"contents", passage_contents(p)}}}, {"score", p.score}});
    all.push_back(std::move(list));
  }
  return to_json(json::object{{"result", std::move(all)}});
}

}  // namespace rapport
