// PersuadeGym's scripted baseline: presents each argument of a bank of generic counter-arguments
// once (cost, evidence, exceptions, consequences, history, alternatives, fairness, the long term,
// freedom), starting at a seed-chosen point, then finishes. It never sees the user's lexicon.
#include "core/rng.h"
#include "envs/persuade/persuade.h"

namespace rapport::persuade {
namespace {

const std::vector<std::string>& argument_bank() {
  static const std::vector<std::string> bank{
      "The evidence for this is weaker than it seems: the research and studies on it are mixed, and the data "
      "is often misread.",
      "Think about the costs. The money, time and effort this demands could go to something with a clearer "
      "benefit, and people who cannot afford it are left behind.",
      "It ignores individual differences. People and circumstances differ, and what works for one person or "
      "one family may be wrong for another.",
      "Consider the unintended consequences and the risks. Well-meant ideas like this one often backfire in "
      "ways nobody planned for.",
      "History offers counterexamples: in the past the opposite approach has worked well, and attitudes "
      "change over time.",
      "There are alternatives that reach the same goal with fewer downsides, and regulation or better rules "
      "can fix the real problems.",
      "Fairness matters too: the burden falls unequally, and the poor and vulnerable pay the highest price "
      "while others benefit.",
      "Look at the long-term picture: health, safety and wellbeing over the years matter more than first "
      "impressions.",
      "Freedom of choice matters: people should be free to decide for themselves, and their rights deserve "
      "respect.",
  };
  return bank;
}

class ScriptedPersuadeAgent : public Agent {
 public:
  explicit ScriptedPersuadeAgent(std::uint64_t seed)
      : first_(static_cast<std::size_t>(Rng::derive(seed, "persuade/agent").below(argument_bank().size()))) {}

  std::string name() const override { return "scripted"; }
  void start(const std::string&, const std::string&) override {}

  Flow<AgentMove> next_move() override {
    const auto& bank = argument_bank();
    if (made_ < bank.size()) return AgentMove::tool("action", bank[(first_ + made_++) % bank.size()]);
    return AgentMove::tool("finish", "");
  }

  void observe(const StepResult&) override {}
  // Someone else making our next argument counts as ours.
  void observe_move(const AgentMove& move, const StepResult&) override {
    const auto& bank = argument_bank();
    BracketAction a = parse_bracket_action(move.action);
    if (a.choice == Choice::Action && made_ < bank.size() && bank[(first_ + made_) % bank.size()] == a.payload) ++made_;
  }

 private:
  std::size_t first_;
  std::size_t made_ = 0;
};

}  // namespace

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t seed) { return std::make_unique<ScriptedPersuadeAgent>(seed); }

}  // namespace rapport::persuade
