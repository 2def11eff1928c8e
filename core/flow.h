// The sans-I/O protocol. A computation that may need LLM completions (an environment step, an
// agent's turn) returns a Flow<T>: either the finished value, or the one completion it needs now
// plus how to go on once the host supplies it. Hosts drive it the same way everywhere:
//
//   Flow<StepResult> flow = episode.step(action);
//   while (!flow.ready()) flow = flow.resume(host_calls_the_model(flow.request()));
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

namespace rapport {

template <class T>
class Flow {
 public:
  using Continuation = std::function<Flow<T>(const LlmResponse&)>;

  Flow(T value) : value_(std::move(value)) {}  // NOLINT: a finished value is a ready Flow
  static Flow need(LlmRequest request, Continuation next) {
    Flow f;
    f.request_ = std::make_shared<LlmRequest>(std::move(request));
    f.next_ = std::move(next);
    return f;
  }

  bool ready() const { return value_.has_value(); }
  T& value() {
    assert(ready());
    return *value_;
  }
  const LlmRequest& request() const {
    assert(!ready());
    return *request_;
  }
  // Resumes with the completion for request(); a failed call is passed too (response.ok false),
  // and the continuation decides the fallback.
  Flow resume(const LlmResponse& response) const {
    assert(!ready());
    return next_(response);
  }

  // Applies f to the eventual value.
  template <class F>
  auto then(F f) && -> Flow<std::invoke_result_t<F, T&&>> {
    using U = std::invoke_result_t<F, T&&>;
    if (ready()) return Flow<U>(f(std::move(*value_)));
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
