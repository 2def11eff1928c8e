// The sans-I/O protocol. A computation that may need the host (an environment step, an agent's
// turn) returns a Flow<T>: either the finished value, or the one host call it needs now plus how
// to go on once the host answers it. Host calls are a small closed set of services: an LLM
// completion, or a search (retrieval). Hosts drive it the same way everywhere:
//
//   Flow<StepResult> flow = episode.step(action);
//   while (!flow.ready())
//     flow = flow.service() == HostService::Search ? flow.resume(host_searches(flow.search_request()))
//                                                  : flow.resume(host_calls_the_model(flow.request()));
//
// A step needing several calls in sequence (a judge, then a responder) simply returns another
// pending Flow from its continuation.
#pragma once

#include <cassert>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "core/llm.h"
#include "core/search.h"

namespace rapport {

// What a pending Flow asks the host for.
enum class HostService { Completion, Search };

template <class T>
class Flow {
 public:
  using Continuation = std::function<Flow<T>(const LlmResponse&)>;
  using SearchContinuation = std::function<Flow<T>(const SearchResponse&)>;

  Flow(T value) : value_(std::move(value)) {}  // NOLINT: a finished value is a ready Flow
  static Flow need(LlmRequest request, Continuation next) {
    Flow f;
    f.request_ = std::make_shared<LlmRequest>(std::move(request));
    f.next_ = std::move(next);
    return f;
  }
  static Flow need_search(SearchRequest request, SearchContinuation next) {
    Flow f;
    f.search_ = std::make_shared<SearchRequest>(std::move(request));
    f.next_search_ = std::move(next);
    return f;
  }

  bool ready() const { return value_.has_value(); }
  T& value() {
    assert(ready());
    return *value_;
  }
  HostService service() const {
    assert(!ready());
    return search_ ? HostService::Search : HostService::Completion;
  }
  // The completion needed now (service() is Completion).
  const LlmRequest& request() const {
    assert(!ready() && request_);
    return *request_;
  }
  // The search needed now (service() is Search).
  const SearchRequest& search_request() const {
    assert(!ready() && search_);
    return *search_;
  }
  // Resumes with the completion for request(); a failed call is passed too (response.ok false),
  // and the continuation decides the fallback.
  Flow resume(const LlmResponse& response) const {
    assert(!ready() && next_);
    return next_(response);
  }
  // Resumes with the results for search_request(); a failed search is passed too (ok false).
  Flow resume(const SearchResponse& response) const {
    assert(!ready() && next_search_);
    return next_search_(response);
  }

  // Applies f to the eventual value.
  template <class F>
  auto then(F f) && -> Flow<std::invoke_result_t<F, T&&>> {
    using U = std::invoke_result_t<F, T&&>;
    if (ready()) return Flow<U>(f(std::move(*value_)));
    if (search_) {
      auto next = std::move(next_search_);
      return Flow<U>::need_search(std::move(*search_), [next, f](const SearchResponse& r) mutable {
        return next(r).then(f);
      });
    }
    auto next = std::move(next_);
    return Flow<U>::need(std::move(*request_), [next, f](const LlmResponse& r) mutable {
      return next(r).then(f);
    });
  }

 private:
  Flow() = default;
  std::optional<T> value_;
  std::shared_ptr<LlmRequest> request_;
  Continuation next_;
  std::shared_ptr<SearchRequest> search_;
  SearchContinuation next_search_;
};

// An oracle's answer to one question: known at once (scripted oracle), or to be read from an LLM
// completion (LLM oracle). `read` never throws; on a failed call or unusable text it returns the
// environment's documented fallback verdict.
template <class V>
struct Ask {
  std::optional<V> answer;
  LlmRequest request;
  std::function<V(const LlmResponse&)> read;

  static Ask now(V v) {
    Ask a;
    a.answer = std::move(v);
    return a;
  }
  static Ask llm(LlmRequest request, std::function<V(const LlmResponse&)> read) {
    Ask a;
    a.request = std::move(request);
    a.read = std::move(read);
    return a;
  }
};

// Continues with the oracle's verdict once it is known.
template <class V, class F>
auto ask(Ask<V> question, F then) -> std::invoke_result_t<F, V> {
  using R = std::invoke_result_t<F, V>;
  if (question.answer) return then(std::move(*question.answer));
  auto read = std::move(question.read);
  return R::need(std::move(question.request),
                 [read, then](const LlmResponse& r) mutable { return then(read(r)); });
}

}  // namespace rapport
