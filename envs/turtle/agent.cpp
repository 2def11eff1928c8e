// TurtleGym's scripted baseline: asks a fixed series of generic questions, then proposes an
// explanation assembled from the answers, then finishes. It sees only the surface and the replies.
#include <fmt/format.h>

#include "core/pynum.h"
#include "envs/turtle/turtle.h"

namespace rapport::turtle {

const std::vector<GenericQuestion>& generic_questions() {
  static const std::vector<GenericQuestion> questions = {
      {"Did someone die?", "Someone died.", "Nobody died."},
      {"Was someone killed on purpose?", "Someone was killed deliberately.", "Nobody was murdered."},
      {"Was there an accident?", "An accident happened.", "It was no accident."},
      {"Are people in the story related to each other?", "The people involved are family.",
       "The people involved are not related."},
      {"Did someone lie or pretend?", "Someone lied or pretended.", "Nobody was lying."},
      {"Is someone ill or injured?", "Someone was ill or injured.", "Nobody was ill or hurt."},
      {"Does an animal play a part?", "An animal plays a part.", "No animal is involved."},
      {"Does money matter in the story?", "Money matters here.", "Money is not the point."},
  };
  return questions;
}

namespace {

class ScriptedTurtleAgent : public Agent {
 public:
  std::string name() const override { return "scripted"; }

  void start(const std::string&, const std::string& opening) override {
    auto at = opening.find("Surface: ");
    surface_ = at == std::string::npos ? std::string() : opening.substr(at + 9, opening.find('\n', at) - at - 9);
  }

  Flow<AgentMove> next_move() override {
    const auto& questions = generic_questions();
    if (asked_ < questions.size()) return AgentMove::tool("action", questions[asked_++].question);
    if (!answered_) {
      answered_ = true;
      return AgentMove::tool("answer", explanation());
    }
    return AgentMove::tool("finish", "");
  }

  // Someone else's move: our next question asked, or an explanation given, counts as ours.
  void observe_move(const AgentMove& move, const StepResult& result) override {
    BracketAction a = parse_bracket_action(move.action);
    const auto& questions = generic_questions();
    if (a.choice == Choice::Action && asked_ < questions.size() && questions[asked_].question == a.payload) ++asked_;
    else if (a.choice == Choice::Answer) answered_ = true;
    observe(result);
  }

  void observe(const StepResult& result) override {
    if (replies_.size() < asked_) replies_.push_back(ascii_lower(py_strip(result.observation)));
  }

 private:
  std::string explanation() const {
    std::string text = surface_.empty() ? "Here is what I think happened." : "About \"" + surface_ + "\":";
    const auto& questions = generic_questions();
    for (std::size_t i = 0; i < replies_.size() && i < questions.size(); ++i) {
      if (replies_[i].rfind("yes", 0) == 0) text += " " + questions[i].if_yes;
      else if (replies_[i].rfind("no", 0) == 0) text += " " + questions[i].if_no;
    }
    return text;
  }

  std::string surface_;
  std::size_t asked_ = 0;
  std::vector<std::string> replies_;
  bool answered_ = false;
};

}  // namespace

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t) { return std::make_unique<ScriptedTurtleAgent>(); }

}  // namespace rapport::turtle
