// TauGym rules and registration: tool calls on the database, messages to the customer, the end of
// the conversation (customer's stop signal, transfer to a human, or [finish]) and tau-bench's
// reward (reward.cpp). Moves: "[tool] name {json}" (the environment's tools, core/tools.h),
// "[action] message" (to the customer), and UserRL's TauGym forms "[answer] name: {json}" or
// "[answer] {"name": ..., "arguments": {...}}", "[search] tools|help", "[finish]".
#include <fmt/format.h>

#include "core/pynum.h"
#include "core/registry.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// {0}: the domain's business ("shop", "airline").
constexpr const char* kTalkDefault =
    "\n## Talking and acting\n"
    "The customer's messages reach you as tool results. Each turn, do exactly one thing:\n"
    "- call one of the {0}'s tools directly (a tool call with its JSON arguments), or\n"
    "- talk to the customer with interact_with_env, choice 'action', content = your message.\n"
    "The conversation ends when the customer is done (or when you transfer them to a human agent). "
    "What counts is that the {0}'s records end up exactly as the policy and the customer's wishes "
    "require, and that you told the customer what they asked to know.";

constexpr const char* kTalkUserrl =
    "\n## Talking and acting\n"
    "Use interact_with_env, one move per turn:\n"
    "- choice 'action': content is your message to the customer;\n"
    "- choice 'answer': content is a tool call, {\"name\": <tool>, \"arguments\": {...}} or <tool>: {...};\n"
    "- choice 'search': content 'tools' lists the tools, 'help' explains the moves;\n"
    "- choice 'finish': ends the episode.\n"
    "The conversation ends when the customer is done or you transfer them to a human agent.";

// {}: the domain's example call.
constexpr const char* kHelp =
    "Moves: 'action' sends your content to the customer as a message. 'answer' calls a tool: write "
    "{}. 'search' with 'tools' lists the tools. 'finish' ends the episode.";

constexpr const char* kCustomerFallback = "Sorry, I didn't catch that. Could you say it again?";

std::string tools_listing(const std::vector<ToolSpec>& specs) {
  std::string out = "Available Tools:";
  for (const auto& t : specs) {
    out += fmt::format("\n- {}: {}", t.name, t.description);
    const auto& props = t.parameters.at("properties").get_object();
    if (props.empty()) continue;
    out += "\n  Parameters:";
    for (const auto& kv : props)
      out += fmt::format("\n    - {}: {}", std::string(kv.key()), get_string(kv.value().get_object(), "description"));
  }
  return out;
}

// UserRL's [answer] payload: a JSON object {"name", "arguments"} or "name: {json}".
std::optional<ToolInvocation> userrl_call(std::string_view payload) {
  ToolInvocation call;
  if (!payload.empty() && payload.front() == '{' && payload.back() == '}') {
    auto v = parse_json(payload);
    if (!v || !v->is_object() || !v->get_object().contains("name")) return std::nullopt;
    call.name = py_str(v->get_object().at("name"));
    if (auto a = v->get_object().find("arguments"); a != v->get_object().end()) {
      if (!a->value().is_object()) return std::nullopt;
      call.arguments = a->value().get_object();
    }
    return call;
  }
  std::size_t colon = payload.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  call.name = std::string(py_strip(payload.substr(0, colon)));
  std::string_view rest = py_strip(payload.substr(colon + 1));
  if (!rest.empty()) {
    auto v = parse_json(rest);
    if (!v || !v->is_object()) return std::nullopt;
    call.arguments = v->get_object();
  }
  return call;
}

class TauEpisode : public Episode {
 public:
  TauEpisode(TauTask task, Db initial, const Params& params, std::unique_ptr<Customer> customer, bool judge = false)
      : Episode(static_cast<int>(params.get_int("max_steps"))),
        task_(std::move(task)),
        domain_(find_domain(task_.domain)),
        initial_(std::move(initial)),
        db_(initial_),
        customer_(std::move(customer)),
        userrl_(params.get("compat") == "userrl"),
        judge_(judge) {
    history_.push_back({"customer", task_.opening});
  }

  std::string system_prompt() const override {
    return domain_.policy() + (userrl_ ? std::string(kTalkUserrl) : fmt::format(fmt::runtime(kTalkDefault), domain_.business));
  }
  std::string opening() const override { return task_.opening; }
  std::vector<ToolSpec> tools() const override { return userrl_ ? std::vector<ToolSpec>{} : tool_specs(); }

  json::object metrics() const override {
    json::object m{{"success", report_ && report_->reward == 1.0},
                   {"score", report_ ? report_->reward : 0.0},
                   {"db_match", report_ && report_->db_match},
                   {"outputs_ok", report_ && report_->outputs_ok},
                   {"ended_by", ended_by_.empty() ? "not_ended" : ended_by_},
                   {"tool_calls", tool_calls_},
                   {"tool_errors", tool_errors_},
                   {"writes", writes_},
                   {"messages", static_cast<std::int64_t>(agent_messages_.size())},
                   {"tier", task_.tier},
                   {"oracle_failures", oracle_failures_}};
    if (tau2()) m["judge_failures"] = judge_failures_;
    return m;
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    if (!judge_ || nl_assertions_to_grade(task_).empty()) return rules_step(raw);
    return judged(rules_step(raw));
  }

 private:
  // ---- tau2-bench's NL_ASSERTION, graded by the judge when the episode ends (tau2_judge.cpp) ----
  Flow<StepResult> judged(Flow<StepResult> flow) {
    if (!flow.ready()) {
      Flow<StepResult> pending = std::move(flow);
      LlmRequest request = pending.request();
      return Flow<StepResult>::need(std::move(request), [this, pending](const LlmResponse& r) { return judged(pending.resume(r)); });
    }
    StepResult r = std::move(flow.value());
    if (!r.terminated || !report_) return r;
    std::vector<std::string> assertions = nl_assertions_to_grade(task_);
    std::size_t n = assertions.size();
    auto verdicts = Ask<std::optional<std::vector<bool>>>::llm(nl_assertion_request(history_, assertions),
                                                              [n](const LlmResponse& resp) { return read_nl_assertions(resp, n); });
    return ask(std::move(verdicts), [this, r](std::optional<std::vector<bool>> v) mutable -> Flow<StepResult> {
      if (!v) {
        ++judge_failures_;
        r.info["judge_failure"] = true;
        return r;
      }
      RewardReport report = score_tau2_episode(task_, initial_, db_, calls_, agent_messages_, v);
      r.reward = report.reward;
      json::object info = report.info();
      for (const char* k : {"ended_by", "source"})
        if (r.info.contains(k)) info[k] = r.info.at(k);
      r.info = std::move(info);
      report_ = std::move(report);
      return r;
    });
  }

  Flow<StepResult> rules_step(std::string_view raw) {
    if (auto call = parse_tool_action(raw)) {
      if (!call->problem.empty()) return format_error("Error: " + call->problem + ". Write the tool's arguments as a JSON object.");
      return run_tool(call->name, call->arguments);
    }
    BracketAction a = parse_bracket_action(raw);
    if (!a.choice)
      return format_error(fmt::format(
          "Invalid action format: '{}'. Call a tool, or use interact_with_env with choice 'action' to talk to the customer.",
          std::string(py_strip(raw))));
    switch (*a.choice) {
      case Choice::Action:
        if (a.payload.empty()) return format_error("You said nothing: put your message to the customer in the content.");
        return talk(a.payload);
      case Choice::Answer: {
        auto call = userrl_call(a.payload);
        if (!call)
          return format_error(
              "Invalid tool call format. Write {\"name\": <tool>, \"arguments\": {...}} or <tool>: {...} as the content.");
        return run_tool(call->name, call->arguments);
      }
      case Choice::Search: return search(ascii_lower(a.payload));
      case Choice::Finish: return finish();
    }
    return format_error("Invalid action.");
  }

  StepResult format_error(std::string text) {
    StepResult r;
    r.observation = std::move(text);
    r.format_error = true;
    return r;
  }

  StepResult run_tool(const std::string& name, const json::object& args) {
    ++tool_calls_;
    calls_.push_back(ToolInvocation{name, args, ""});
    ToolOutcome out = tau2() ? call_tau2_retail_tool(db_, name, args) : domain_.call_tool(db_, name, args);
    if (out.error) ++tool_errors_;
    else if (domain_.is_write_tool(name)) ++writes_;
    StepResult r;
    r.observation = out.observation;
    r.info = json::object{{"source", name}};
    if (out.terminal) end(r, "transfer");
    return r;
  }

  Flow<StepResult> talk(const std::string& message) {
    agent_messages_.push_back(message);
    CustomerView view{&task_, history_, message, customer_state_};
    return ask(customer_->reply(view), [this, message](CustomerReply reply) -> Flow<StepResult> {
      StepResult r;
      if (reply.failed) {
        ++oracle_failures_;
        reply.text = kCustomerFallback;
      }
      history_.push_back({"agent", message});
      history_.push_back({"customer", reply.text});
      customer_state_ = std::move(reply.state);
      r.observation = reply.text;
      r.info = json::object{{"source", "user"}};
      if (reply.failed) r.info["oracle_failure"] = true;
      if (reply.text.find(kStop) != std::string::npos) end(r, "customer_stop");
      return r;
    });
  }

  StepResult search(const std::string& query) {
    StepResult r;
    if (query == "tools") {
      r.observation = tools_shown_ ? "The tools have already been listed; no need to search for them again." : tools_listing(tool_specs());
      tools_shown_ = true;
    } else if (query == "help") {
      r.observation = fmt::format(fmt::runtime(kHelp), domain_.example_call);
    } else {
      r.observation = "Search supports only 'tools' and 'help'.";
    }
    return r;
  }

  StepResult finish() {
    StepResult r;
    if (userrl_) {
      // UserRL's TauGym: finishing does not score; it reports the last reward tau-bench gave (0).
      r.observation = "Episode finished. Final reward: 0";
      r.terminated = true;
      ended_by_ = "finish";
      return r;
    }
    r.observation = "You ended the conversation.";
    end(r, "finish");
    return r;
  }

  void end(StepResult& r, const char* how) {
    ended_by_ = how;
    RewardReport report = tau2() ? score_tau2_episode(task_, initial_, db_, calls_, agent_messages_)
                                 : score_episode(domain_, initial_, db_, task_.actions, task_.outputs, agent_messages_);
    r.reward = report.reward;
    r.terminated = true;
    json::object info = report.info();
    info["ended_by"] = how;
    if (r.info.contains("source")) info["source"] = r.info.at("source");
    r.info = std::move(info);
    report_ = std::move(report);
  }

  // A tau2-bench task: its tools, errors and reward (tau2_importer.cpp).
  bool tau2() const { return task_.source == "tau2-bench"; }
  const std::vector<ToolSpec>& tool_specs() const { return tau2() ? tau2_retail_tool_specs() : domain_.tool_specs(); }

  TauTask task_;
  const Domain& domain_;
  std::vector<ToolInvocation> calls_;
  Db initial_;
  Db db_;
  std::unique_ptr<Customer> customer_;
  bool userrl_;
  bool judge_;  // NL assertions are graded by the judge (a model oracle kind)
  std::vector<Utterance> history_;
  json::object customer_state_;
  std::vector<std::string> agent_messages_;
  std::optional<RewardReport> report_;
  std::string ended_by_;
  std::int64_t tool_calls_ = 0, tool_errors_ = 0, writes_ = 0, oracle_failures_ = 0, judge_failures_ = 0;
  bool tools_shown_ = false;
};

class TauGame : public Game {
 public:
  explicit TauGame(Params params) : Game(std::move(params), kVersion) {}

  Task task(std::uint64_t seed, std::uint64_t index) const override {
    TauTask t = find_domain(params().get("domain")).generate_task(seed, index, params().get("tier"));
    return Task{t.id, to_json(t)};
  }

  std::vector<Task> import_tasks(std::string_view, std::string_view) const override {
    throw ConfigError(
        "tau: --data takes tau-bench's data folder (retail: users.json, orders.json, products.json; airline: flights.json, "
        "reservations.json, users.json; and task files), not a file");
  }

  std::vector<Task> import_folder(const std::vector<std::pair<std::string, std::string>>& files,
                                  std::string_view split) const override {
    std::vector<Task> out;
    for (auto& t : is_tau2_folder(files) ? import_tau2_folder(files, split) : import_tau_folder(files, split))
      out.push_back(Task{t.id, to_json(t)});
    return out;
  }

  std::unique_ptr<Episode> new_episode(const Task& task, const EpisodeOptions& options) const override {
    TauTask t = tau_task_from(task);
    Db db = initial_db(t);
    auto customer = uses_model(options.oracle) ? make_llm_customer() : find_domain(t.domain).scripted_customer();
    UserAdapter adapter = user_adapter(t, params());
    std::unique_ptr<Episode> e =
        std::make_unique<TauEpisode>(std::move(t), std::move(db), params(), std::move(customer), uses_model(options.oracle));
    if (is_reasoning(options.oracle)) e = with_reasoning_user(std::move(e), std::move(adapter), options, task.id);
    return e;
  }

  std::unique_ptr<Agent> scripted_agent(std::uint64_t seed) const override { return make_scripted_agent(seed); }
};

EnvInfo info() {
  return EnvInfo{
      kName,
      "TauGym",
      "Customer service with tools and a policy: change the shop's or the airline's records as the customer needs, "
      "rewarded by the database",
      kVersion,
      {ParamSpec::choice("domain", "retail", {"retail", "airline"},
                         "the business of generated tasks: retail (an online shop) or airline (flights, reservations, "
                         "bags, cancellations); --data finds it from the folder's files"),
       ParamSpec::choice("tier", "easy", {"easy", "medium", "hard"},
                         "generated tasks: easy (one request, order or reservation id known), medium (order or "
                         "reservation to find; retail: several items, option changes; airline: bookings for two with bags), "
                         "hard (two requests, requests the policy forbids, figures to report)"),
       ParamSpec::integer("max_steps", 30, 1, 1000, "steps before the episode is truncated (reward 0)"),
       ParamSpec::choice("compat", "none", {"none", "userrl"},
                         "none: the tools are offered as tools and [finish] ends and scores the conversation; userrl: "
                         "UserRL's TauGym, only interact_with_env ([answer] tool calls, [search] tools) and [finish] "
                         "ends without scoring"),
       user_hang_up_param()},
      [](Params p) { return std::make_unique<TauGame>(std::move(p)); }};
}

}  // namespace

RAPPORT_REGISTER_ENV(info);

}  // namespace rapport::tau
