// The agent of a playground episode. Each move is made by whoever the person picks for it: the
// person (the composer), the environment's scripted baseline, a model (core's LlmAgent, the
// autopilot), or the record being forked (core's ReplayAgent). Every source sees every
// observation, so any of them can take over at any turn.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/llm_agent.h"
#include "core/replay.h"

namespace rapport::web {

enum class Mover { Person, Scripted, Model, Recorded };

struct NextMove {
  Mover mover = Mover::Person;
  std::string choice;  // Person
  std::string content;
};

class PlaygroundAgent : public Agent {
 public:
  explicit PlaygroundAgent(std::unique_ptr<Agent> scripted) : scripted_(std::move(scripted)) {}
  std::string name() const override { return "playground"; }
  void start(const std::string& system_prompt, const std::string& opening) override;
  // The environment's tools go to the scripted agent and the autopilot; a person calls one by
  // typing `tool_name {json}` as the content.
  void offer_tools(const std::vector<ToolSpec>& tools) override;
  // The record whose moves Mover::Recorded makes, from its first turn on.
  void set_record(std::shared_ptr<const Trajectory> record);
  void set_next(NextMove next) { next_ = std::move(next); }
  Flow<AgentMove> next_move() override;
  void observe(const StepResult& result) override;

 private:
  // A model that has "made" every earlier move itself: a fresh LlmAgent fed each earlier move as
  // its own tool call (the model's real completion where it made the move), then each result. So
  // the model sees exactly the conversation the native runner's LLM agent would have had.
  LlmAgent& model_with_history();

  struct Past {
    AgentMove move;
    std::optional<LlmResponse> completion;  // the model's completion, for moves it made
    StepResult result;
  };

  std::unique_ptr<Agent> scripted_;
  std::unique_ptr<ReplayAgent> replay_;
  std::unique_ptr<LlmAgent> model_;
  NextMove next_;
  std::string system_prompt_;
  std::string opening_;
  std::vector<ToolSpec> tools_;
  std::vector<Past> history_;
  // The move being made, filled in as its Flow finishes.
  std::shared_ptr<Past> current_ = std::make_shared<Past>();
};

}  // namespace rapport::web
