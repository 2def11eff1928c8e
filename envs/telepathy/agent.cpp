// TelepathyGym's scripted baseline: a player who knows our public list of entities and their
// attributes (as a person knows the world) but never the hidden one. It keeps the entities most
// consistent with the answers so far, asks the question that splits them most evenly, and guesses
// once questions stop helping.
#include <algorithm>

#include "core/pynum.h"
#include "envs/telepathy/telepathy.h"

namespace rapport::telepathy {

const std::vector<std::string>& agent_questions() {
  static const std::vector<std::string> questions = {
      // What kind of thing
      "Is it a person?", "Is it a fictional character?", "Is it an animal?", "Is it a plant?",
      "Is it something you can eat or drink?", "Is it an object made by people?", "Is it a place?",
      "Is it a structure built by people?",
      // People
      "Is this person still alive?", "Is this person a man?", "Was this person born before 1500?",
      "Was this person born before 1800?", "Was this person born before 1900?", "Was this person born before 1940?",
      "Was this person born before 1970?", "Is this person a scientist?", "Is this person a musician?",
      "Is this person an artist?", "Is this person a writer?", "Is this person a politician or leader?",
      "Is this person royalty?", "Is this person an athlete?", "Is this person known for films?",
      "Is this person an explorer?", "Is this person known for business?", "Is this person a philosopher?",
      "Did this person win a Nobel Prize?", "Is this person American?", "Is this person British?",
      "Is this person European?", "Is this person from Asia?", "Is this person from Africa?",
      "Is this person from South America?", "Is this person Italian?", "Is this person French?",
      "Is this person German?", "Is this person a singer?", "Is this person a composer?", "Is this person a painter?",
      "Is this person a footballer?", "Is this person a president?", "Is this person a king or queen?",
      "Is this person a physicist?", "Is this person an inventor?", "Is this person a military leader?",
      "Is this person a novelist?", "Is this person an actor?", "Is this person a film director?",
      "Did this person play tennis?", "Is this person a sprinter?", "Is this person an astronaut?",
      // Characters
      "Is the character human?", "Is the character male?", "Is the character from a book?",
      "Is the character from a film?", "Is the character from a cartoon?", "Is the character from a video game?",
      "Is the character a superhero?", "Is the character a villain?", "Does the character use magic?",
      "Is the character from a fairy tale?", "Is the character from a myth?", "Is the character a detective?",
      // Animals
      "Is it a mammal?", "Is it a bird?", "Is it a fish?", "Is it a reptile?", "Is it an insect?",
      "Does it live in water?", "Does it live in the sea?", "Can it fly?", "Is it a pet?", "Is it a farm animal?",
      "Is it wild?", "Does it eat meat?", "Does it eat plants?", "Is it bigger than a person?",
      "Is it smaller than a cat?", "Does it live in Africa?", "Does it live in Asia?", "Does it live in Europe?",
      "Does it live in the Americas?", "Is it found in Australia or Oceania?", "Does it have stripes?",
      "Does it have spots?", "Does it have horns?", "Does it have fur?", "Is it venomous?", "Is it dangerous?",
      "Does it have four legs?", "Is it extinct?", "Is it endangered?", "Can you ride it?", "Does it jump?",
      // Food and plants
      "Is it a fruit?", "Is it a vegetable?", "Is it a drink?", "Is it sweet?", "Does it contain meat?",
      "Is it a dessert?", "Is it usually served hot?", "Is it baked?", "Does it contain dairy?", "Is it Italian?",
      "Is it Japanese?", "Is it American?", "Is it a tree?", "Is it a flower?", "Does it contain caffeine?",
      // Objects
      "Is it a musical instrument?", "Does it have strings?", "Does it have keys?", "Do you blow into it?",
      "Is it a percussion instrument?", "Is it a vehicle?", "Does it have wheels?", "Does it have an engine?",
      "Does it use electricity?", "Is it electronic?", "Does it have a screen?", "Is it found in the kitchen?",
      "Is it furniture?", "Is it a tool?", "Is it sharp?", "Can you hold it in your hand?", "Is it made of metal?",
      "Is it made of wood?", "Can you wear it?", "Is it a toy?", "Is it used for writing?", "Is it used in sport?",
      "Does it give light?", "Is it used on water?", "Is it used to tell the time?", "Is it used to communicate?",
      "Is it found in most homes?", "Is it bigger than a car?",
      // Places and structures
      "Is it a country?", "Is it a city?", "Is it a capital city?", "Is it in Europe?", "Is it in Asia?",
      "Is it in Africa?", "Is it in North America?", "Is it in South America?", "Is it in Oceania?",
      "Is it on the coast?", "Is it an island?", "Is it a mountain?", "Is it a river?", "Is it a waterfall?",
      "Is it a desert?", "Is it an ocean?", "Is it a tower?", "Is it a bridge?", "Is it a statue or monument?",
      "Is it a religious building?", "Was it built before 1800?", "Was it built before 1000?",
      "Was it built after 1900?", "Is it a tomb?", "Is it a building?"};
  return questions;
}

namespace {

constexpr int kMaxMoves = 15;      // then [finish]: within the 16 turns runs give by default
constexpr int kMaxQuestions = 12;  // then only guesses

// Expected reply of every bank question for every entity, computed once.
const std::vector<std::vector<Reply>>& expected_replies() {
  static const std::vector<std::vector<Reply>> table = [] {
    const auto& entities = builtin_entities();
    std::vector<std::vector<Reply>> t;
    for (const auto& q : agent_questions()) {
      Question parsed = parse_question(q);
      std::vector<Reply> row;
      row.reserve(entities.size());
      for (const auto& e : entities) row.push_back(evaluate(parsed, e.attributes));
      t.push_back(std::move(row));
    }
    return t;
  }();
  return table;
}

class ScriptedTelepathyAgent : public Agent {
 public:
  std::string name() const override { return "scripted"; }

  void start(const std::string&, const std::string& opening) override {
    // The hint names the category; keep the entities that share it.
    const auto& entities = builtin_entities();
    for (std::size_t i = 0; i < entities.size(); ++i)
      if (opening.rfind(entities[i].description, 0) == 0) candidates_.push_back(i);
    if (candidates_.empty())
      for (std::size_t i = 0; i < entities.size(); ++i) candidates_.push_back(i);
    mismatches_.assign(entities.size(), 0);
    asked_.assign(agent_questions().size(), false);
  }

  Flow<AgentMove> next_move() override {
    ++moves_;
    std::vector<std::size_t> top = best_candidates();
    if (moves_ >= kMaxMoves || top.empty()) return AgentMove::tool("finish", "");
    if (top.size() > 1 && questions_ < kMaxQuestions) {
      if (auto q = best_question(top)) {
        asked_[*q] = true;
        pending_question_ = q;
        ++questions_;
        return AgentMove::tool("action", agent_questions()[*q]);
      }
    }
    pending_guess_ = top.front();
    return AgentMove::tool("answer", builtin_entities()[top.front()].title);
  }

  // Someone else's question from our bank, or guess of an entity, counts as ours.
  void observe_move(const AgentMove& move, const StepResult& result) override {
    ++moves_;
    pending_question_.reset();
    pending_guess_.reset();
    BracketAction a = parse_bracket_action(move.action);
    const auto& questions = agent_questions();
    const auto& entities = builtin_entities();
    if (a.choice == Choice::Action) {
      for (std::size_t q = 0; q < questions.size(); ++q)
        if (questions[q] == a.payload) {
          asked_[q] = true;
          pending_question_ = q;
          ++questions_;
        }
    } else if (a.choice == Choice::Answer) {
      for (std::size_t e = 0; e < entities.size(); ++e)
        if (ascii_lower(entities[e].title) == ascii_lower(a.payload)) pending_guess_ = e;
    }
    observe(result);
  }

  void observe(const StepResult& result) override {
    if (pending_question_) {
      std::string reply = ascii_lower(py_strip(result.observation));
      std::optional<Reply> heard;
      if (reply.rfind("yes", 0) == 0) heard = Reply::Yes;
      else if (reply.rfind("no", 0) == 0) heard = Reply::No;
      if (heard) {
        const auto& row = expected_replies()[*pending_question_];
        for (std::size_t e : candidates_)
          if (row[e] != Reply::Maybe && row[e] != *heard) ++mismatches_[e];
      }
    }
    if (pending_guess_) guessed_.push_back(*pending_guess_);
    pending_question_.reset();
    pending_guess_.reset();
  }

 private:
  // Candidates not yet guessed with the fewest answers against them (an oracle may err).
  std::vector<std::size_t> best_candidates() const {
    std::vector<std::size_t> out;
    int least = 1 << 30;
    for (std::size_t e : candidates_) {
      if (std::find(guessed_.begin(), guessed_.end(), e) != guessed_.end()) continue;
      if (mismatches_[e] < least) {
        least = mismatches_[e];
        out.clear();
      }
      if (mismatches_[e] == least) out.push_back(e);
    }
    return out;
  }

  // The unasked question whose definite answers split `top` most evenly; nullopt when none splits it.
  std::optional<std::size_t> best_question(const std::vector<std::size_t>& top) const {
    const auto& table = expected_replies();
    std::optional<std::size_t> best;
    std::size_t best_score = 0;
    for (std::size_t q = 0; q < table.size(); ++q) {
      if (asked_[q]) continue;
      std::size_t yes = 0, no = 0;
      for (std::size_t e : top) {
        yes += table[q][e] == Reply::Yes ? 1 : 0;
        no += table[q][e] == Reply::No ? 1 : 0;
      }
      std::size_t score = std::min(yes, no);
      if (score > best_score) {
        best_score = score;
        best = q;
      }
    }
    return best;
  }

  std::vector<std::size_t> candidates_;
  std::vector<int> mismatches_;
  std::vector<bool> asked_;
  std::vector<std::size_t> guessed_;
  std::optional<std::size_t> pending_question_, pending_guess_;
  int moves_ = 0, questions_ = 0;
};

}  // namespace

std::unique_ptr<Agent> make_scripted_agent(std::uint64_t) { return std::make_unique<ScriptedTelepathyAgent>(); }

}  // namespace rapport::telepathy
