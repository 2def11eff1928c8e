#include "native/search_backend.h"

#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/params.h"
#include "envs/search/search.h"
#include "native/search_index.h"

namespace rapport {

SearchSpec parse_search_spec(const std::string& text) {
  SearchSpec s;
  auto bad = [&](std::string why) {
    return ConfigError(fmt::format("--search '{}': {}; expected builtin, index:PATH, http:URL or serper", text, why));
  };
  if (text == "builtin") {
    s.kind = SearchSpec::Kind::Builtin;
  } else if (text.rfind("index:", 0) == 0) {
    s.kind = SearchSpec::Kind::Index;
    s.target = text.substr(6);
    if (s.target.empty()) throw bad("no index path");
  } else if (text.rfind("http:", 0) == 0 || text.rfind("https:", 0) == 0) {
    s.kind = SearchSpec::Kind::Http;
    // "http:URL" or a bare URL.
    s.target = text.rfind("http:http", 0) == 0 ? text.substr(5) : text;
    if (s.target.rfind("http://", 0) != 0 && s.target.rfind("https://", 0) != 0) throw bad("not an http(s) URL");
  } else if (text == "serper") {
    s.kind = SearchSpec::Kind::Serper;
  } else {
    throw bad("unknown backend");
  }
  s.id = s.kind == SearchSpec::Kind::Http ? "http:" + s.target : text;
  return s;
}

SearchResponse parse_serper_response(std::string_view body, int k) {
  auto v = parse_json(body);
  if (!v || !v->is_object()) return search_failure("the web search answer is not a JSON object");
  const auto& o = v->get_object();
  SearchResponse r;
  r.ok = true;
  auto add = [&](std::string id, std::string title, std::string text) {
    if (static_cast<int>(r.passages.size()) >= k || title.empty() || text.empty()) return;
    double score = static_cast<double>(k - static_cast<int>(r.passages.size()));  // rank order only
    r.passages.push_back({std::move(id), std::move(title), std::move(text), score});
  };
  if (auto box = o.find("answerBox"); box != o.end() && box->value().is_object()) {
    const auto& b = box->value().get_object();
    std::string answer = get_string(b, "answer");
    add("answer_box", get_string(b, "title"), answer.empty() ? get_string(b, "snippet") : "Answer: " + answer);
  }
  if (auto organic = o.find("organic"); organic != o.end() && organic->value().is_array())
    for (const auto& item : organic->value().get_array())
      if (item.is_object())
        add(get_string(item.get_object(), "link"), get_string(item.get_object(), "title"),
            get_string(item.get_object(), "snippet"));
  return r;
}

namespace {

class IndexBackend : public SearchBackend {
 public:
  explicit IndexBackend(std::unique_ptr<SearchIndex> index) : index_(std::move(index)) {}
  void search(const SearchRequest& request, Done done) override { done(index_->search(request.query, request.k)); }

 private:
  std::unique_ptr<SearchIndex> index_;
};

class HttpBackend : public SearchBackend {
 public:
  HttpBackend(HttpClient& client, int endpoint, bool serper) : client_(client), endpoint_(endpoint), serper_(serper) {}
  void search(const SearchRequest& request, Done done) override {
    std::string body = serper_ ? to_json(json::object{{"q", request.query}, {"num", request.k}})
                               : retrieval_request_body({request.query}, request.k);
    int k = request.k;
    bool serper = serper_;
    client_.post(endpoint_, std::move(body), [done = std::move(done), k, serper](bool ok, std::string text, const CallReport&) {
      if (!ok) return done(search_failure(text));
      done(serper ? parse_serper_response(text, k) : parse_retrieval_response(text, k));
    });
  }

 private:
  HttpClient& client_;
  int endpoint_;
  bool serper_;
};

}  // namespace

std::unique_ptr<SearchBackend> make_search_backend(const SearchSpec& spec, HttpClient& client, double timeout_s,
                                                   int max_retries) {
  switch (spec.kind) {
    case SearchSpec::Kind::Builtin:
      return std::make_unique<IndexBackend>(std::make_unique<SearchIndex>(search::builtin_corpus()));
    case SearchSpec::Kind::Index: return std::make_unique<IndexBackend>(std::make_unique<SearchIndex>(spec.target));
    case SearchSpec::Kind::Http:
    case SearchSpec::Kind::Serper: {
      Endpoint e;
      e.name = spec.kind == SearchSpec::Kind::Serper ? "web search" : "retrieval server";
      e.timeout_s = timeout_s;
      e.max_retries = max_retries;
      if (spec.kind == SearchSpec::Kind::Serper) {
        const char* key = std::getenv("SERPER_API_KEY");
        if (!key || !*key) throw ConfigError("--search serper needs a Serper API key in the SERPER_API_KEY environment variable");
        e.url = "https://google.serper.dev/search";
        e.headers.push_back(std::string("X-API-KEY: ") + key);
      } else {
        e.url = spec.target;
      }
      return std::make_unique<HttpBackend>(client, client.add_endpoint(e), spec.kind == SearchSpec::Kind::Serper);
    }
  }
  throw ConfigError("unknown search backend");
}

SearchResponse search_now(SearchBackend& backend, HttpClient& client, const SearchRequest& request) {
  std::optional<SearchResponse> out;
  backend.search(request, [&](SearchResponse r) { out = std::move(r); });
  while (!out) client.poll(1000);
  return std::move(*out);
}

}  // namespace rapport
