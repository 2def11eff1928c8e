// Retrieval as a host service: what an environment step asks when it needs a search (a query and
// how many passages), what the host hands back (ranked passages), their canonical record form
// (trajectories, share links, the replay cache) and their content address. The core never
// searches; hosts do, with whatever backend they were given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace rapport {

struct SearchRequest {
  std::string purpose;  // why the search is made, e.g. "agent_search"; recorded, not sent
  std::string query;
  int k = 5;  // passages wanted
};

// One ranked result. Scores are the backend's (higher is better); only their order matters to
// environments.
struct Passage {
  std::string id;
  std::string title;
  std::string text;
  double score = 0.0;
};

struct SearchResponse {
  bool ok = false;
  std::vector<Passage> passages;  // best first, at most request.k
  std::string error;              // why ok is false: no backend, transport, unreadable answer
};

struct SearchExchange {
  SearchRequest request;
  SearchResponse response;
};

SearchResponse search_failure(std::string error);

// Canonical record form, identical on every target.
json::object to_record(const SearchRequest& request);
json::object to_record(const SearchResponse& response);
SearchRequest search_request_from_record(const json::value& record);
SearchResponse search_response_from_record(const json::value& record);

// Content address of a search: the query, k and the backend that answers it (e.g. "builtin",
// "http:URL"). Hex text; the same on every target.
std::string search_cache_key(const SearchRequest& request, std::string_view backend);

// The retrieval-server form of a passage's text: the title on the first line, then the text.
std::string passage_contents(const Passage& passage);
// And back: the first line is the title (quotes around it dropped), the rest the text.
Passage passage_from_contents(std::string id, std::string_view contents, double score);

// The wire forms of the retrieval servers used in search-agent RL training: POST
// {"queries": [...], "topk": k, "return_scores": true}, answered by
// {"result": [[{"document": {"id", "contents"}, "score"}, ...], ...]} (one list per query).
std::string retrieval_request_body(const std::vector<std::string>& queries, int k);
// The passages for the first query of an answer; not ok, with why, for a body of another shape.
SearchResponse parse_retrieval_response(std::string_view body, int k);
// A server's answer for several queries' results.
std::string retrieval_response_body(const std::vector<SearchResponse>& results);

}  // namespace rapport
