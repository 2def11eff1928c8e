// What the portable tests use to play episodes by hand: steps driven through their model calls,
// a stand-in for "no model here", and an agent that plays a fixed list of actions.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent.h"
#include "core/environment.h"
#include "core/llm.h"

namespace rapport::test {

// A model that is never there: every call fails.
inline LlmResponse no_model(const LlmRequest&) { return llm_failure("no model in this test"); }

using Respond = std::function<LlmResponse(const LlmRequest&)>;

// One step, its model calls answered by `respond` (a step that keeps asking is a failure).
inline StepResult drive(Episode& e, std::string_view action, const Respond& respond = no_model) {
  Flow<StepResult> flow = e.step(action);
  for (int calls = 0; !flow.ready(); ++calls) {
    REQUIRE(calls < 16);
    flow = flow.resume(respond(flow.request()));
  }
  return flow.value();
}

// One step that must need no model at all (scripted oracles answer at once).
inline StepResult drive_scripted(Episode& e, std::string_view action) {
  Flow<StepResult> flow = e.step(action);
  REQUIRE(flow.ready());
  return flow.value();
}

// Plays a fixed list of actions, then finishes.
class FixedAgent : public Agent {
 public:
  explicit FixedAgent(std::vector<std::string> actions) : actions_(std::move(actions)) {}
  std::string name() const override { return "fixed"; }
  void start(const std::string&, const std::string&) override {}
  Flow<AgentMove> next_move() override {
    AgentMove m;
    m.action = next_ < actions_.size() ? actions_[next_++] : "[finish]";
    return m;
  }
  void observe(const StepResult&) override {}

 private:
  std::vector<std::string> actions_;
  std::size_t next_ = 0;
};

}  // namespace rapport::test
