// `rapport usersim`: the test bench for user simulators (core/usersim.h) and the data and reward
// for training them.
//   usersim eval     the adversarial turn-level set: a table per trap type and in total
//   usersim session  full conversations against a scripted manipulative agent
//   usersim probes   write the adversarial set as JSONL
//   usersim reward   JSONL {"context": probe, "completion": text} in, one score line out per record
//   usersim export   SFT records of the user side of trajectories (reasoning users)
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>

#include "core/action.h"
#include "core/user_episode.h"
#include "core/usersim.h"
#include "native/cli/command.h"
#include "native/cli/flags.h"
#include "native/endpoint.h"
#include "native/files.h"
#include "native/http_client.h"
#include "native/jsonl_file.h"
#include "native/trajectory_files.h"

namespace rapport::cli {
namespace {

struct SimFlags {
  std::string sim = "reasoning-scripted";
  std::string judge = "rules";
  std::uint64_t seed = 7;
  int per_trap = kProbesPerTrap;
  int sessions = 10;
  int turns = 6;
  bool json_output = false;
  std::string out;
  std::string in = "-";
  std::vector<std::string> files;
  EndpointFlags user, judge_endpoint;
  ClientFlags client;
};

// The simulator's and the judge's models, and a blocking completion for the bench.
class Models {
 public:
  Models(const SimFlags& f, bool sim_needs_model, bool llm_judge) {
    auto user = resolve_endpoint("user", f.user, nullptr, f.client);
    auto judge = resolve_endpoint("judge", f.judge_endpoint, &f.user, f.client);
    if (sim_needs_model) {
      if (!user) throw ConfigError(fmt::format("--sim {} needs a model: pass --user-model NAME (and --user-base-url URL)", f.sim));
      user_ = client_.add_endpoint(*user);
    }
    if (llm_judge) {
      if (!judge) throw ConfigError("--judge llm needs a model: pass --judge-model NAME (or --user-model) and a base URL");
      judge_ = client_.add_endpoint(*judge);
    }
  }
  Complete complete() {
    return [this](const LlmRequest& r) {
      int id = r.role == LlmRole::Judge ? judge_ : user_;
      if (id < 0) return llm_failure("no model is configured for this call");
      return client_.complete(id, r);
    };
  }

 private:
  HttpClient client_;
  int user_ = -1, judge_ = -1;
};

SimulatorKind sim_kind(const SimFlags& f) {
  auto k = parse_simulator_kind(f.sim);
  if (!k) throw ConfigError(fmt::format("--sim '{}': expected {}", f.sim, kSimulatorKindNames));
  return *k;
}

bool llm_judge(const SimFlags& f) {
  if (f.judge != "rules" && f.judge != "llm") throw ConfigError(fmt::format("--judge '{}': expected rules or llm", f.judge));
  return f.judge == "llm";
}

void write_lines(const std::string& path, const json::array& items) {
  if (path.empty()) return;
  std::string text;
  for (const auto& v : items) text += to_json(v) + "\n";
  write_text_file(path, text);
}

int eval(const SimFlags& f) {
  SimulatorKind kind = sim_kind(f);
  bool judge = llm_judge(f);
  Models models(f, needs_model(kind), judge);
  BenchRun run = run_turn_bench(adversarial_probes(f.seed, f.per_trap), kind, judge, models.complete());
  write_lines(f.out, run.replies);
  if (f.json_output) {
    json::object o = run.table.to_json();
    o["simulator"] = to_string(kind);
    o["judge"] = f.judge;
    std::cout << to_json(o) << "\n";
  } else {
    std::cout << run.table.render(fmt::format("usersim eval · simulator {} · judge {} · seed {}", to_string(kind), f.judge, f.seed));
  }
  return kExitOk;
}

int session(const SimFlags& f) {
  SimulatorKind kind = sim_kind(f);
  bool judge = llm_judge(f);
  Models models(f, needs_model(kind), judge);
  SessionRun run = run_session_bench(f.seed, f.sessions, f.turns, kind, judge, models.complete());
  write_lines(f.out, run.sessions);
  if (f.json_output) {
    json::object o = run.table.to_json();
    o["simulator"] = to_string(kind);
    o["sessions"] = run.sessions_run;
    o["sessions_complied"] = run.complied;
    o["sessions_hung_up"] = run.hung_up;
    std::cout << to_json(o) << "\n";
  } else {
    std::cout << run.table.render(fmt::format("usersim session · simulator {} · judge {} · {} sessions of {} turns", to_string(kind),
                                              f.judge, run.sessions_run, f.turns));
    std::cout << fmt::format("sessions where the user complied at least once: {} of {} · hung up: {}\n", run.complied,
                             run.sessions_run, run.hung_up);
  }
  return kExitOk;
}

int probes(const SimFlags& f) {
  json::array all;
  for (const auto& p : adversarial_probes(f.seed, f.per_trap)) all.push_back(to_json(p));
  if (f.out.empty()) {
    for (const auto& v : all) std::cout << to_json(v) << "\n";
  } else {
    write_lines(f.out, all);
    std::cerr << fmt::format("{} probes written to {}\n", all.size(), f.out);
  }
  return kExitOk;
}

// Why a line of `usersim reward`'s input cannot be scored, or "": it must hold the probe the
// completion answers (at least the agent's turn) and the completion's text.
std::string record_problem(const std::optional<json::value>& v) {
  constexpr const char* kExpected = "expected {\"context\": {probe record}, \"completion\": \"...\"}";
  if (!v || !v->is_object()) return std::string(kExpected) + ": the line is not a JSON object";
  const json::object& o = v->get_object();
  const json::value* context = o.if_contains("context");
  if (!context || !context->is_object()) return std::string(kExpected) + ": no context object";
  if (get_string(context->get_object(), "agent_turn").empty())
    return std::string(kExpected) + ": the context has no agent_turn to reply to";
  const json::value* completion = o.if_contains("completion");
  if (!completion || !completion->is_string()) return std::string(kExpected) + ": the completion is not a string";
  return "";
}

int reward(const SimFlags& f) {
  bool judge = llm_judge(f);
  Models models(f, false, judge);
  Complete complete = models.complete();
  std::ifstream file;
  if (f.in != "-") {
    // A device (/dev/zero) or a folder would be read forever, or not at all.
    require_regular_file(f.in, std::numeric_limits<std::uint64_t>::max());
    file.open(f.in);
    if (!file) throw ConfigError(fmt::format("cannot read '{}'", f.in));
  }
  std::istream& in = f.in == "-" ? std::cin : file;
  std::string line;
  int number = 0, records = 0, unscored = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++records;
    auto v = parse_json(line);
    std::string problem = record_problem(v);
    if (!problem.empty()) {
      // A bad record gets an error line in its place, so that outputs stay aligned with inputs.
      std::cout << to_json(json::object{{"line", number}, {"error", problem}}) << "\n";
      ++unscored;
      continue;
    }
    const auto& o = v->get_object();
    Probe p = probe_from(o.at("context"));
    SimReply reply{get_string(o, "completion"), get_string(o, "reasoning"), false};
    std::optional<LlmResponse> verdict;
    if (judge) verdict = complete(judge_request(p, reply));
    json::object out = to_json(score_reply(p, reply, verdict));
    out["line"] = number;
    if (!p.id.empty()) out["id"] = p.id;
    std::cout << to_json(out) << "\n";
  }
  if (unscored > 0) {
    std::cerr << fmt::format("rapport usersim reward: {} of {} records could not be scored (an error line stands in "
                             "the place of each)\n",
                             unscored, records);
    return kExitFailed;
  }
  return kExitOk;
}

int export_sft(const SimFlags& f) {
  if (f.out.empty()) throw ConfigError("usersim export needs --out FILE");
  require_output(f.out, f.files);
  json::array records;
  int trajectories = 0;
  for (const auto& path : f.files) {
    for_each_trajectory(path, [&](const Trajectory& t, const json::object&) {
      ++trajectories;
      UserSftSource s;
      bool have_profile = false;
      s.history = {{"user", t.opening}};
      for (const auto& turn : t.turns) {
        auto user = recorded_user_turn(turn.info);
        if (!user) continue;
        const auto& record = turn.info.at("user").get_object();
        if (auto p = record.find("profile"); p != record.end() && p->value().is_object()) {
          s.persona = persona_from(p->value().get_object().contains("persona") ? p->value().at("persona") : json::value());
          s.goals = user_goals_from(p->value().get_object().contains("goals") ? p->value().at("goals") : json::value());
          have_profile = true;
        }
        s.agent_message = parse_bracket_action(turn.action).payload;
        s.must_convey = get_string(record, "env_reply");
        s.turn = *user;
        if (have_profile) records.push_back(user_sft_record(s));
        s.history.push_back({"agent", s.agent_message});
        s.history.push_back({"user", user->reply});
      }
    });
  }
  write_lines(f.out, records);
  std::cout << fmt::format("{} user turns from {} trajectories written to {}\n", records.size(), trajectories, f.out);
  return kExitOk;
}

void simulator_flags(CLI::App* cmd, SimFlags& f) {
  cmd->add_option("--sim", f.sim, fmt::format("Simulator: {}", kSimulatorKindNames))->capture_default_str();
  cmd->add_option("--judge", f.judge, "Rubric judge: rules (offline) or llm (--judge-model, else the user model)")->capture_default_str();
  cmd->add_option("--seed", f.seed, "Seed of the probe set and sessions")->check(unsigned_64())->capture_default_str();
  cmd->add_flag("--json", f.json_output, "Print one JSON object instead of the table");
  add_endpoint_flags(*cmd, "user-", "user simulator", f.user);
  add_endpoint_flags(*cmd, "judge-", "judge", f.judge_endpoint);
  add_client_flags(*cmd, f.client);
}

template <class Run>
void on_run(CLI::App* cmd, std::shared_ptr<SimFlags> f, Run run) {
  cmd->callback([f, run] {
    if (int code = run(*f); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

void install(CLI::App& app) {
  auto f = std::make_shared<SimFlags>();
  auto* top = app.add_subcommand("usersim",
                                 "Test bench for user simulators: an adversarial set of manipulation traps, session runs against a\n"
                                 "manipulative agent, rule + rubric scoring, and SFT data and rewards for training user models");
  top->require_subcommand(1);

  auto* e = top->add_subcommand("eval", "Run a simulator over the adversarial set; print a table per trap type and in total");
  simulator_flags(e, *f);
  e->add_option("--per-trap", f->per_trap, "Probes per trap type")->check(CLI::Range(1, 1000))->capture_default_str();
  e->add_option("--out,-o", f->out, "Also write every probe's completion and scores as JSONL");
  on_run(e, f, eval);

  auto* s = top->add_subcommand("session", "Full conversations against a scripted manipulative agent, scored turn by turn");
  simulator_flags(s, *f);
  s->add_option("--sessions", f->sessions, "Conversations")->check(CLI::Range(1, 10000))->capture_default_str();
  s->add_option("--turns", f->turns, "Agent turns per conversation")->check(CLI::Range(1, 100))->capture_default_str();
  s->add_option("--out,-o", f->out, "Also write every session as JSONL");
  on_run(s, f, session);

  auto* p = top->add_subcommand("probes", "Write the adversarial set as JSONL (stdout, or --out)");
  p->add_option("--seed", f->seed, "Seed of the probe set")->check(unsigned_64())->capture_default_str();
  p->add_option("--per-trap", f->per_trap, "Probes per trap type")->check(CLI::Range(1, 1000))->capture_default_str();
  p->add_option("--out,-o", f->out, "Write to this file");
  on_run(p, f, probes);

  auto* r = top->add_subcommand("reward",
                                "Score user-model completions: JSONL {\"context\": <probe record>, \"completion\": \"...\"} in, one\n"
                                "JSON line of rule and rubric scores and the reward out per record (an error line for a record that\n"
                                "cannot be scored, and then exit status 1)");
  r->add_option("--in", f->in, "Input JSONL file, or - for stdin")->capture_default_str();
  r->add_option("--judge", f->judge, "Rubric judge: rules (offline) or llm")->capture_default_str();
  add_endpoint_flags(*r, "judge-", "judge", f->judge_endpoint);
  add_client_flags(*r, f->client);
  on_run(r, f, reward);

  auto* x = top->add_subcommand("export", "SFT records of the user side (profile, context, rationale, reply) of reasoning-user trajectories");
  x->add_option("files", f->files, "Trajectory JSONL files (from rapport run --user reasoning or reasoning-scripted)")
      ->required()
      ->check(CLI::ExistingFile);
  x->add_option("--out,-o", f->out, "Output JSONL file")->required();
  on_run(x, f, export_sft);
}

RAPPORT_CLI_COMMAND(45, install);

}  // namespace
}  // namespace rapport::cli
