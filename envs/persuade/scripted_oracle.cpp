// PersuadeGym's scripted user: moved only by considerations it has not heard yet. Each argument
// is scanned for the keywords of the claim's considerations; the newly raised ones move the stance
// toward disagreement by their strengths, at most three steps per argument (no single speech
// overturns a firm belief). The reply has a fixed shape naming what was conceded.
#include <fmt/format.h>

#include <set>

#include "core/pynum.h"
#include "core/text.h"
#include "envs/persuade/persuade.h"

namespace rapport::persuade {

const std::vector<Consideration>& generic_considerations() {
  // Lines of argument that bear on almost any claim, for imported claims that come without their
  // own lexicon. Weaker than a claim's own considerations would be, but they sum past the ladder.
  static const std::vector<Consideration> generic{
      {"the evidence is not as clear as I thought", {"evidence", "research", "studies", "study", "data"}, 2},
      {"the costs may outweigh the benefits", {"cost", "expensive", "afford", "money", "budget"}, 1},
      {"it does not fit everyone's situation", {"individual", "circumstance", "exception", "differ"}, 1},
      {"it could have consequences nobody intends", {"unintended", "consequence", "backfire", "side effect"}, 1},
      {"there are other ways to reach the same goal", {"alternativ", "instead", "another way", "other way"}, 1},
      {"it may be unfair to some people", {"fair", "unequal", "inequal", "poor", "vulnerable"}, 1},
      {"history does not fully support it", {"histor", "in the past", "counterexample"}, 1},
  };
  return generic;
}

namespace {

constexpr int kMaxMovePerArgument = 3;

// The user's position, finished as "So I still ..." or "So now I ...".
constexpr std::array<const char*, 7> kPositions{
    "strongly agree with the claim",     "agree with the claim",    "partly agree with the claim",
    "feel neutral about the claim", "partly disagree with the claim", "disagree with the claim",
    "strongly disagree with the claim"};

std::set<std::size_t> raised_by(std::string_view text, const std::vector<Consideration>& considerations) {
  std::set<std::size_t> out;
  for (std::size_t i = 0; i < considerations.size(); ++i)
    for (const auto& k : considerations[i].keywords)
      if (mentions(text, k)) {
        out.insert(i);
        break;
      }
  return out;
}

class ScriptedPersuadee : public Persuadee {
 public:
  Ask<Verdict> hear(const Hearing& h) const override {
    const auto& considerations = h.task->considerations.empty() ? generic_considerations() : h.task->considerations;
    std::set<std::size_t> heard;
    for (const auto& e : h.history)
      for (std::size_t i : raised_by(e.argument, considerations)) heard.insert(i);
    std::set<std::size_t> raised = raised_by(h.argument, considerations);
    std::vector<std::size_t> fresh;
    for (std::size_t i : raised)
      if (!heard.count(i)) fresh.push_back(i);

    int move = 0;
    for (std::size_t i : fresh) move += considerations[i].strength;
    move = std::min(move, kMaxMovePerArgument);
    int from = h.stance_index.value_or(0);
    int to = std::min(kLastStance, from + move);

    std::string text;
    if (!fresh.empty()) {
      text = fresh.size() == 1 ? "You make a fair point: " : "You make fair points: ";
      for (std::size_t k = 0; k < fresh.size(); ++k)
        text += (k == 0 ? "" : k + 1 == fresh.size() ? "; and " : "; ") + considerations[fresh[k]].point;
      text += ". ";
    } else if (!raised.empty()) {
      text = "You have made that point already, and I have taken it into account. ";
    } else {
      text = "I don't find that convincing; it does not address why I hold my view. ";
    }
    text += fmt::format("So {} {}.", to == from ? "I still" : "now I", kPositions[static_cast<std::size_t>(to)]);
    return Ask<Verdict>::now(Verdict{std::move(text), kStances[static_cast<std::size_t>(to)], false});
  }
};

}  // namespace

std::unique_ptr<Persuadee> make_scripted_persuadee() { return std::make_unique<ScriptedPersuadee>(); }

}  // namespace rapport::persuade
