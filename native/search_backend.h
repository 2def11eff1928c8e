// Where the runner's searches go, chosen with --search:
//   builtin        the built-in corpus (envs/search), indexed in memory (SQLite FTS5, BM25)
//   index:PATH     an index file built by `rapport index`
//   http:URL       a retrieval server in the protocol of search-agent RL training: POST URL with
//                  {"queries": [...], "topk": k, "return_scores": true}, answered by
//                  {"result": [[{"document": {"id", "contents"}, "score"}, ...]]}
//   serper         Serper web search (google.serper.dev), key from SERPER_API_KEY; the key is sent,
//                  never recorded
// HTTP backends go through the runner's HttpClient (same event loop, retries, limits).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/search.h"
#include "native/http_client.h"

namespace rapport {

class SearchIndex;

// A validated --search value. `id` names the backend in cache keys and messages ("builtin",
// "index:PATH", "http:URL", "serper"): never a secret.
struct SearchSpec {
  enum class Kind { Builtin, Index, Http, Serper } kind = Kind::Builtin;
  std::string target;  // the path or URL
  std::string id;
};
// Throws ConfigError listing the valid forms.
SearchSpec parse_search_spec(const std::string& text);
inline constexpr const char* kSearchFlagHelp =
    "where [search] actions are answered: builtin (our corpus, in memory), index:PATH (rapport index), "
    "http:URL (a retrieval server's /retrieve), serper (web search, SERPER_API_KEY)";

class SearchBackend {
 public:
  using Done = std::function<void(SearchResponse)>;
  virtual ~SearchBackend() = default;
  // Runs `done` exactly once: at once (indexes) or from a later client.poll() (HTTP).
  virtual void search(const SearchRequest& request, Done done) = 0;
};

// Opens the backend (indexes are opened now; a missing Serper key is an error now). Throws
// ConfigError.
std::unique_ptr<SearchBackend> make_search_backend(const SearchSpec& spec, HttpClient& client, double timeout_s = 30,
                                                   int max_retries = 3);
// For one-at-a-time hosts (`rapport play`): searches and polls until the answer is there.
SearchResponse search_now(SearchBackend& backend, HttpClient& client, const SearchRequest& request);

// Serper's answer: the answer box (if any) first, then the organic results.
SearchResponse parse_serper_response(std::string_view body, int k);

}  // namespace rapport
