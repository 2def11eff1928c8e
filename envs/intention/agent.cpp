// IntentionGym's scripted baseline: asks one generic clarifying question for each common kind of
// missing detail, one topic per question so that none draws the multi-detail penalty by design,
// then finishes. It never sees the hidden details.
#include "envs/intention/intention.h"

namespace rapport::intention {
namespace {

const std::vector<std::string>& question_bank() {
  static const std::vector<std::string> bank{
      "What budget do you have in mind, and how much would you like to spend?",
      "When would you like this to happen, or is there a date you are working towards?",
      "How long should it take or last?",
      "Where will this be, and where are you based?",
      "Who is this for?",
      "How many people are involved?",
      "What style do you prefer?",
      "What is your experience or level with this?",
      "What is the main goal or purpose?",
      "Do you have any dietary requirements, allergies or restrictions?",
      "What size do you need?",
      "What kind or type would you like?",
      "What are your interests, and what do you enjoy?",
  };
  return bank;
}

class ScriptedIntentionAgent : public Agent {
 public:
  std::string name() const override { return "scripted"; }
  void start(const std::string&, const std::string&) override {}

  Flow<AgentMove> next_move() override {
    const auto& bank = question_bank();
    if (asked_ < bank.size()) return AgentMove::tool("action", bank[asked_++]);
    return AgentMove::tool("finish", "");
  }

  void observe(const StepResult&) override {}
  // Someone else asking our next question counts as ours.
  void observe_move(const AgentMove& move, const StepResult&) override {
    const auto& bank = question_bank();
    BracketAction a = parse_bracket_action(move.action);
    if (a.choice == Choice::Action && asked_ < bank.size() && bank[asked_] == a.payload) ++asked_;
  }

 private:
  std::size_t asked_ = 0;
};

}  // namespace

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t) { return std::make_unique<ScriptedIntentionAgent>(); }

}  // namespace rapport::intention
