// `rapport play`: a person (or a pipe) plays the agent from the terminal, one action per line.
#include <fmt/format.h>

#include <iostream>
#include <map>

#include "core/action.h"
#include "core/registry.h"
#include "core/pynum.h"
#include "core/text.h"
#include "native/cli/command.h"
#include "native/cli/flags.h"
#include "native/endpoint.h"
#include "native/http_client.h"
#include "native/search_backend.h"
#include "native/task_source.h"

namespace rapport::cli {
namespace {

struct PlayOptions {
  std::string env = "function";
  TaskOptions tasks;
  bool json_lines = false;
  std::string user = "scripted";
  EndpointFlags user_endpoint, judge;
  SamplingFlags user_sampling, judge_sampling;
  ClientFlags client;
  std::string search = "builtin";
};

// A line is a bracket action, an interact_with_env call as JSON ({"choice": ..., "content": ...}),
// or a call of one of the environment's tools: `tool_name {json}`.
std::string action_from_line(const std::string& line, const std::vector<ToolSpec>& tools) {
  std::string_view t = py_strip(line);
  if (auto tool = typed_tool_action(t, tools)) return *tool;
  if (!t.empty() && t.front() == '{') {
    if (auto v = parse_json(t); v && v->is_object())
      return action_from_tool(get_string(v->get_object(), "choice"), get_string(v->get_object(), "content"));
  }
  return std::string(t);
}

std::string py_str_of(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : to_json(v); }

int play(const PlayOptions& options) {
  auto game = make_game(options.env);
  TaskOptions t = options.tasks;
  t.count = 1;
  if (t.ids.size() > 1) throw ConfigError("play takes one --task");
  std::vector<Task> tasks = select_tasks(*game, t);
  if (tasks.empty()) throw ConfigError("no task to play");
  Task task = tasks.front();
  OracleKind oracle = *parse_oracle_kind(options.user);
  Endpoints endpoints;
  endpoints.user = resolve_endpoint("user", options.user_endpoint, nullptr, options.client);
  endpoints.judge = resolve_endpoint("judge", options.judge, &options.user_endpoint, options.client);
  if (uses_model(oracle) && !endpoints.user)
    throw ConfigError(fmt::format("--user {} needs a user-simulator model: pass --user-model NAME (and --user-base-url URL)",
                                  to_string(oracle)));
  HttpClient client;
  std::map<LlmRole, int> endpoint_ids;
  if (uses_model(oracle))
    for (LlmRole role : {LlmRole::User, LlmRole::Judge}) endpoint_ids[role] = client.add_endpoint(*endpoints.for_role(role));
  const RoleSampling user_sampling = resolve_sampling(options.user_sampling, nullptr, endpoints.for_role(LlmRole::User));
  const RoleSampling judge_sampling =
      resolve_sampling(options.judge_sampling, &options.user_sampling, endpoints.for_role(LlmRole::Judge));
  const std::vector<std::string> secrets = endpoints.secrets();
  auto respond = [&](const LlmRequest& request) {
    auto it = endpoint_ids.find(request.role);
    if (it == endpoint_ids.end())
      return llm_failure("rapport play runs the scripted oracle: no model is configured (use --user llm)");
    LlmRequest sent = request;
    (request.role == LlmRole::Judge ? judge_sampling : user_sampling).apply(sent);
    LlmResponse response = client.complete(it->second, sent);
    scrub(response, secrets);
    // The episode goes on with the oracle's fallback; the person playing should know why.
    if (!response.ok) std::cerr << "warning: a model call failed for good: " << response.error << "\n";
    return response;
  };
  SearchSpec search_spec = parse_search_spec(options.search);
  std::unique_ptr<SearchBackend> search;  // opened at the first search: other environments need none
  auto search_for = [&](const SearchRequest& request) {
    if (!search) search = make_search_backend(search_spec, client, options.client.timeout_s, options.client.max_retries);
    return search_now(*search, client, request);
  };
  auto episode = game->new_episode(task, EpisodeOptions{oracle, options.tasks.seed});
  const std::vector<ToolSpec> tools = episode->tools();

  if (options.json_lines) {
    json::object head{{"env", game->spec()},
                      {"task_id", task.id},
                      {"system_prompt", episode->system_prompt()},
                      {"opening", episode->opening()}};
    if (!tools.empty()) head["tools"] = openai_tool_schemas(tools);
    std::cout << to_json(head) << std::endl;
  } else {
    std::cout << fmt::format("== {} · task {} ==\n\n{}\n\n> {}\n\n", game->spec(), task.id, episode->system_prompt(),
                             episode->opening())
              << "Type one action per line, e.g. [action] ..., [search] ..., [answer] ..., [finish].\n";
    if (!tools.empty()) {
      std::cout << "Tools: call one as `tool_name {\"arg\": value, ...}` (a tool without arguments: `tool_name`).\n";
      for (const auto& t : tools) {
        std::string args;
        if (auto p = t.parameters.find("properties"); p != t.parameters.end() && p->value().is_object())
          for (const auto& [k, v] : p->value().get_object()) args += (args.empty() ? "" : ", ") + std::string(k);
        std::cout << fmt::format("  {}({})\n", t.name, args);
      }
      std::cout << "\n";
    }
    std::cout << std::flush;
  }
  double total = 0.0;
  std::string line;
  while (!episode->over() && std::getline(std::cin, line)) {
    if (py_strip(line).empty()) continue;
    std::string action = action_from_line(valid_utf8(line), tools);
    Flow<StepResult> flow = episode->step(action);
    while (!flow.ready())
      flow = flow.service() == HostService::Search ? flow.resume(search_for(flow.search_request()))
                                                   : flow.resume(respond(flow.request()));
    const StepResult& r = flow.value();
    total += r.reward;
    if (options.json_lines) {
      std::cout << to_json(json::object{{"action", action},
                                        {"observation", r.observation},
                                        {"reward", r.reward},
                                        {"terminated", r.terminated},
                                        {"truncated", r.truncated}})
                << std::endl;
    } else {
      std::cout << fmt::format("\n{}\n  reward {}{}{}\n", r.observation, py_repr(r.reward),
                               r.terminated ? " · terminated" : "", r.truncated ? " · truncated" : "");
      // Database-graded environments (tau) say why the reward is what it is.
      if (auto d = r.info.find("differing_records"); d != r.info.end() && d->value().is_array()) {
        if (d->value().get_array().empty()) std::cout << "  the database matches the goal\n";
        for (const auto& rec : d->value().get_array()) std::cout << "  differs from the goal: " << py_str_of(rec) << "\n";
        if (auto o = r.info.find("outputs"); o != r.info.end() && o->value().is_object())
          for (const auto& kv : o->value().get_object())
            std::cout << fmt::format("  output '{}': {}\n", std::string(kv.key()), kv.value() == true ? "said" : "missing");
      }
      std::cout << "\n" << std::flush;
    }
  }
  if (!options.json_lines)
    std::cout << fmt::format("Episode {} after {} steps; total reward {}.\n", episode->over() ? "over" : "left unfinished",
                             episode->step_count(), py_repr(total));
  return kExitOk;
}

void install(CLI::App& app) {
  auto options = std::make_shared<PlayOptions>();
  auto* cmd = app.add_subcommand("play", "Play the agent yourself: one action per line on stdin");
  cmd->add_option("--env", options->env, "Environment spec, e.g. 'function(difficulty=hard)'")->capture_default_str();
  add_task_options(*cmd, options->tasks);
  cmd->add_flag("--json", options->json_lines, "Print one JSON object per step instead of text");
  cmd->add_option("--user", options->user, "Who plays the user and the judges: scripted, llm, reasoning (an LLM user who writes a rationale\n"
                  "before each reply, over the LLM judges) or reasoning-scripted (the rule-based reasoning user, no model)")
      ->check(CLI::IsMember({"scripted", "llm", "reasoning", "reasoning-scripted"}))
      ->capture_default_str();
  add_endpoint_flags(*cmd, "user-", "user simulator", options->user_endpoint);
  add_sampling_flags(*cmd, "user-", "user simulator", options->user_sampling, true);
  add_endpoint_flags(*cmd, "judge-", "judge", options->judge);
  add_sampling_flags(*cmd, "judge-", "judge", options->judge_sampling, true);
  add_client_flags(*cmd, options->client);
  cmd->add_option("--search", options->search, kSearchFlagHelp)->capture_default_str();
  cmd->callback([options] {
    if (int code = play(*options); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(30, install);

}  // namespace
}  // namespace rapport::cli
