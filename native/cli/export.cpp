// `rapport export sft FILE... --out data.json`: supervised fine-tuning records from the best
// trajectories (top K per task and/or a reward threshold), in LLaMA-Factory's ShareGPT form:
// {conversations: [{from, value}...], system, tools}.
//   --format sharegpt (default): "gpt" turns hold the reasoning (<think>...</think>), the visible
//     text and the call as a hermes <tool_call> block; "observation" turns the environment's answers.
//   --format function-call: "function_call" turns hold the call as JSON (no reasoning).
// Conversations end with the agent's last call (the final observation teaches nothing).
// Calls of an environment's own tools ("[tool] name {json}" actions) stay calls of those tools, and
// their schemas join interact_with_env in the record's tools.
// `rapport export rl FILE... --out rl.jsonl [--per-turn]`: token-level records for on-policy RL
// (native/rl_export.h), streamed line by line.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "core/action.h"
#include "core/llm_agent.h"
#include "core/params.h"
#include "core/tools.h"
#include "native/cli/command.h"
#include "native/cli/flags.h"
#include "native/files.h"
#include "native/jsonl_file.h"
#include "native/rl_export.h"
#include "native/trajectory_files.h"

namespace rapport::cli {
namespace {

struct ExportFlags {
  std::vector<std::string> files;
  std::string out;
  int top_k = 1;
  std::optional<double> min_reward;
  bool success_only = false;
  std::string format = "sharegpt";
};

struct Candidate {
  double reward;
  int sample;
  json::object record;
};

json::object call_json(const std::string& choice, const std::string& content) {
  return json::object{{"name", "interact_with_env"}, {"arguments", json::object{{"choice", choice}, {"content", content}}}};
}

// The visible text the policy wrote with its call, when it came from a model.
std::string visible_text(const Turn& turn) {
  if (turn.agent_calls.empty() || !turn.agent_calls.back().response.ok) return "";
  return parse_policy_turn(turn.agent_calls.back().response).visible;
}

std::optional<json::object> sft_record(const Trajectory& t, bool function_call_form) {
  json::array conversation;
  conversation.push_back(json::object{{"from", "human"}, {"value", t.opening}});
  std::size_t calls = 0;
  for (std::size_t i = 0; i < t.turns.size(); ++i) {
    const Turn& turn = t.turns[i];
    std::string choice = turn.choice, content = turn.content;
    std::optional<ToolInvocation> env_tool = parse_tool_action(turn.action);
    if (env_tool && !env_tool->problem.empty()) break;  // an unusable call ends the usable conversation
    if (choice.empty() && !env_tool) {
      // Agents that write bracket actions (scripted ones): the tool arguments behind the action.
      BracketAction a = parse_bracket_action(turn.action);
      if (!a.choice) break;  // a turn without a call ends the usable conversation
      choice = to_string(*a.choice);
      content = a.payload;
    }
    if (calls > 0) conversation.push_back(json::object{{"from", "observation"}, {"value", t.turns[i - 1].observation}});
    json::object call = env_tool ? json::object{{"name", env_tool->name}, {"arguments", env_tool->arguments}}
                                 : call_json(choice, content);
    if (function_call_form) {
      conversation.push_back(json::object{{"from", "function_call"}, {"value", to_json(call)}});
    } else {
      std::string value;
      if (!turn.reasoning.empty()) value += "<think>\n" + turn.reasoning + "\n</think>\n\n";
      if (std::string text = visible_text(turn); !text.empty()) value += text + "\n";
      value += "<tool_call>\n" + to_json(call) + "\n</tool_call>";
      conversation.push_back(json::object{{"from", "gpt"}, {"value", value}});
    }
    ++calls;
  }
  if (calls == 0) return std::nullopt;
  json::array tools{interact_tool_schema().at("function")};
  for (const auto& schema : t.tools)
    if (auto spec = tool_spec_from_schema(schema)) tools.push_back(openai_tool_schema(*spec).at("function"));
  return json::object{{"conversations", std::move(conversation)}, {"system", t.system_prompt}, {"tools", to_json(tools)}};
}

int export_sft(const ExportFlags& f) {
  if (f.top_k < 0) throw ConfigError("--top-k must be 0 (all) or more");
  require_output(f.out, f.files);
  const bool function_call_form = f.format == "function-call";
  std::map<std::pair<std::string, std::string>, std::vector<Candidate>> by_task;
  std::int64_t read = 0, kept = 0;
  for (const auto& file : f.files) {
    for_each_trajectory(file, [&](const Trajectory& t, const json::object& calls) {
      ++read;
      // Shaped by a broken connection, not by the model.
      if (get_int(calls, "failed") > 0 || t.stop_reason == "infra_error") return;
      const double reward = t.total_reward();
      if (f.min_reward && reward < *f.min_reward) return;
      if (f.success_only && !get_bool(t.metrics, "success")) return;
      auto record = sft_record(t, function_call_form);
      if (!record) return;
      by_task[{t.env, t.task_id}].push_back({reward, t.sample, std::move(*record)});
    });
  }
  if (read == 0) throw ConfigError("no trajectories in the given files: nothing to export");
  json::array out;
  for (auto& [task, candidates] : by_task) {
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return a.reward != b.reward ? a.reward > b.reward : a.sample < b.sample;
    });
    std::size_t take = f.top_k == 0 ? candidates.size() : std::min<std::size_t>(candidates.size(), f.top_k);
    for (std::size_t i = 0; i < take; ++i) out.push_back(std::move(candidates[i].record));
    kept += static_cast<std::int64_t>(take);
  }
  if (kept == 0) {
    std::cerr << fmt::format("error: none of the {} trajectories qualifies (a model turn, no failed calls{}{}): {} not "
                             "written\n",
                             read, f.min_reward ? ", the minimum reward" : "", f.success_only ? ", success" : "", f.out);
    return kExitFailed;
  }
  std::string text;
  if (f.out.size() >= 6 && f.out.compare(f.out.size() - 6, 6, ".jsonl") == 0) {
    for (const auto& r : out) text += to_json(r) + "\n";
  } else {
    text = to_json(out) + "\n";
  }
  write_text_file(f.out, text);
  std::cerr << fmt::format("{} of {} trajectories exported ({} tasks) to {}\n", kept, read, by_task.size(), f.out);
  std::cerr << fmt::format(
      "LLaMA-Factory dataset_info.json entry:\n  \"rapport_sft\": {{\"file_name\": \"{}\", \"formatting\": \"sharegpt\", "
      "\"columns\": {{\"messages\": \"conversations\", \"system\": \"system\", \"tools\": \"tools\"}}}}\n",
      f.out);
  return kExitOk;
}

struct RlFlags {
  std::vector<std::string> files;
  std::string out;
  bool per_turn = false;
};

int export_rl(const RlFlags& f) {
  if (f.out.empty()) throw ConfigError("--out FILE is required");
  require_output(f.out, f.files);
  ReplacingFile out(f.out);
  std::int64_t read = 0, exported = 0, records = 0;
  std::map<RlSkip, std::int64_t> skipped;
  std::string batch;
  for (const auto& file : f.files) {
    for_each_trajectory(file, [&](const Trajectory& t, const json::object&) {
      ++read;
      RlSkip why = RlSkip::None;
      std::vector<RlSample> samples = rl_samples(t, f.per_turn, &why);
      if (samples.empty()) {
        ++skipped[why];
        return;
      }
      ++exported;
      for (const auto& s : samples) batch += rl_record_line(t, s);
      records += static_cast<std::int64_t>(samples.size());
      if (batch.size() > (1 << 22)) {
        out.write(batch);
        batch.clear();
      }
    });
  }
  out.write(batch);
  for (const auto& [why, n] : skipped) std::cerr << fmt::format("  skipped {}: {}\n", n, to_string(why));
  if (read == 0) throw ConfigError("no trajectories in the given files: nothing to export");
  if (exported == 0)
    throw ConfigError(fmt::format("no trajectory of {} could be exported: record them with `rapport run --agent llm "
                                  "--record-tokens` against a server that returns token ids (vLLM); {} not written",
                                  f.files.front(), f.out));
  out.commit();
  std::cerr << fmt::format("{} records from {} of {} trajectories written to {}\n", records, exported, read, f.out);
  return kExitOk;
}

void install(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Export trajectories for training");
  cmd->require_subcommand(1);
  auto f = std::make_shared<ExportFlags>();
  auto* sft = cmd->add_subcommand(
      "sft", "Supervised fine-tuning data (LLaMA-Factory ShareGPT) from the best trajectories of each task");
  sft->add_option("files", f->files, "Trajectory JSONL files (from rapport run)")->required()->check(CLI::ExistingFile);
  sft->add_option("--out,-o", f->out, "Output file: .json (a list) or .jsonl (one record per line)")->required();
  sft->add_option("--top-k", f->top_k, "Best trajectories kept per task, by total reward (0: every one that qualifies)")
      ->check(integer_in(0, 1'000'000))
      ->capture_default_str();
  sft->add_option("--min-reward", f->min_reward, "Keep only trajectories whose total reward is at least this")
      ->check(finite_number(-1e12, 1e12));
  sft->add_flag("--success-only", f->success_only, "Keep only trajectories whose metrics say success");
  sft->add_option("--format", f->format,
                  "sharegpt: gpt turns with reasoning and a <tool_call> block; function-call: function_call turns")
      ->check(CLI::IsMember({"sharegpt", "function-call"}))
      ->capture_default_str();
  sft->callback([f] {
    if (int code = export_sft(*f); code != kExitOk) throw CLI::RuntimeError(code);
  });

  auto rl_flags = std::make_shared<RlFlags>();
  auto* rl = cmd->add_subcommand(
      "rl",
      "Token-level RL records (JSONL) from trajectories recorded with `rapport run --record-tokens`: prompt and "
      "completion ids, loss mask, old logprobs, per-token advantages, turn_rewards and turn_scores");
  rl->add_option("files", rl_flags->files, "Trajectory JSONL files (from rapport run)")->required()->check(CLI::ExistingFile);
  rl->add_option("--out,-o", rl_flags->out, "Output JSONL file, one record per line")->required();
  rl->add_flag("--per-turn", rl_flags->per_turn,
               "One record per policy call (its prompt and completion) instead of one sequence per trajectory");
  rl->callback([rl_flags] {
    if (int code = export_rl(*rl_flags); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(50, install);

}  // namespace
}  // namespace rapport::cli
