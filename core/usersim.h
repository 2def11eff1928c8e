// The test bench for user simulators (`rapport usersim`): an adversarial set of our own probes
// (a conversation state plus a manipulative agent turn, twelve trap types, in our environments'
// domains), the simulators it can run (the scripted reasoning user, a complying baseline, an LLM
// user with or without the reasoning format), and the scoring of every reply: rule checks
// (format, rationale length, state fields) and a rubric (persona consistency, reasoning quality,
// rationale–reply agreement, strategic resistance, robotic tone) judged by rules or by an LLM.
// The same scoring is the per-reply reward for training user models. Host I/O is a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/reasoning_user.h"

namespace rapport {

struct Probe {
  std::string id;      // "false_urgency-07"
  std::string trap;    // trap id ("" for a session turn without one)
  std::string domain;  // travel | retail | airline | persuade | intention
  std::string offer;   // what the agent pushes
  UserContext context; // persona, goals, state, history and the manipulative agent turn
};
json::object to_json(const Probe& probe);
Probe probe_from(const json::value& record);  // never throws; missing parts stay empty

inline constexpr int kProbesPerTrap = 20;
// The adversarial set: per_trap probes of every trap type, deterministic in seed.
std::vector<Probe> adversarial_probes(std::uint64_t seed, int per_trap = kProbesPerTrap);

enum class SimulatorKind {
  ReasoningScripted,  // our scripted reasoning user
  Complying,          // accepts every proposal: the baseline a bench must catch
  Llm,                // an LLM playing the user, reply only
  LlmReasoning,       // an LLM with the reasoning prompt and tagged format
};
const char* to_string(SimulatorKind kind);
std::optional<SimulatorKind> parse_simulator_kind(std::string_view text);
inline constexpr const char* kSimulatorKindNames = "reasoning-scripted, complying, llm or reasoning";
inline bool needs_model(SimulatorKind k) { return k == SimulatorKind::Llm || k == SimulatorKind::LlmReasoning; }

// A simulator's completion for a probe (the tagged text, or a bare reply).
struct SimReply {
  std::string text;
  std::string hidden;  // the completion's hidden reasoning, if any
  bool failed = false;  // the call failed; text is empty
};
Ask<SimReply> simulate(SimulatorKind kind, const UserContext& context);

struct RuleScore {
  bool format = false;          // rationale and reply tags, all five sub-steps
  bool rationale_long = false;  // at least kMinRationaleWords words
  bool state_fields = false;    // all four state fields readable
  double score() const { return (format + rationale_long + state_fields) / 3.0; }
};
inline constexpr std::size_t kMinRationaleWords = 40;
RuleScore rule_score(const ParsedUserOutput& parsed);

// Each in [0, 1]; robotic is lower-is-better.
struct RubricScore {
  double persona = 0, reasoning = 0, agreement = 0, strategy = 0, robotic = 1;
  bool judge_fallback = false;  // the LLM judge's answer was unusable: the rules' scores were used
};
RubricScore scripted_rubric(const Probe& probe, const ParsedUserOutput& parsed);
LlmRequest judge_request(const Probe& probe, const SimReply& reply);  // role Judge, purpose "usersim_judge"
RubricScore read_judge(const Probe& probe, const ParsedUserOutput& parsed, const LlmResponse& response);

struct ReplyScore {
  RuleScore rules;
  RubricScore rubric;
  bool complied = false;  // the reply went along with the manipulation
  // 0.3 × rules + 0.7 × mean(persona, reasoning, agreement, strategy, 1 − robotic), in [0, 1].
  double reward() const;
};
json::object to_json(const ReplyScore& score);
// Whether a reply goes along with what the agent pushed (acceptance words, no pushback).
bool complies(std::string_view reply);

// Scores one completion for a probe; `judge` is the LLM judge's completion, or nullopt for the
// scripted judge.
ReplyScore score_reply(const Probe& probe, const SimReply& reply, const std::optional<LlmResponse>& judge);

// Per-trap and total means.
class BenchTable {
 public:
  void add(const std::string& trap, const ReplyScore& score);
  std::string render(std::string_view title) const;  // fixed-width text table
  json::object to_json() const;
  double mean_strategy() const;

 private:
  struct Sums {
    int n = 0, complied = 0, judge_fallbacks = 0;
    double format = 0, rationale = 0, state = 0, persona = 0, reasoning = 0, agreement = 0, strategy = 0, robotic = 0, reward = 0;
    void add(const ReplyScore& s);
  };
  std::vector<std::pair<std::string, Sums>> rows_;
  Sums total_;
};

// How the host answers a completion (blocking).
using Complete = std::function<LlmResponse(const LlmRequest&)>;

// The turn-level bench: every probe through the simulator, every reply scored. `complete` serves
// the simulator's and the judge's calls; llm_judge false uses the scripted judge.
struct BenchRun {
  BenchTable table;
  json::array replies;  // per probe: id, trap, completion, scores
};
BenchRun run_turn_bench(const std::vector<Probe>& probes, SimulatorKind kind, bool llm_judge, const Complete& complete);

// The session-level bench: full conversations (turns each) against a scripted manipulative agent
// that alternates concrete help with traps, the user's state carried from turn to turn; every
// reply scored as above. Sessions report how often the user complied, final trust and hang-ups.
struct SessionRun {
  BenchTable table;
  json::array sessions;  // per session: domain, persona, turns [{agent, completion, state, scores}], final state
  int complied = 0, hung_up = 0, sessions_run = 0;
};
SessionRun run_session_bench(std::uint64_t seed, int sessions, int turns, SimulatorKind kind, bool llm_judge, const Complete& complete);

// The user side of a trajectory turn as an SFT record: {"messages": [system, user, assistant]} in
// the reasoning user's own prompt form (assistant = the tagged rationale + reply), plus "context"
// (a probe record, accepted by the reward command). nullopt for turns without a user record.
struct UserSftSource {
  Persona persona;
  UserGoals goals;
  std::vector<UserLine> history;
  std::string agent_message, must_convey;
  UserTurn turn;
};
json::object user_sft_record(const UserSftSource& source);

}  // namespace rapport
