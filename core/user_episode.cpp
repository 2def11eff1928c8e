#include "core/user_episode.h"

#include "core/action.h"
#include "core/pynum.h"

namespace rapport {
namespace {

constexpr const char* kHangUp = "I've had enough of this conversation. Goodbye.";

// Continues a pending step with f, which may itself need completions.
template <class F>
Flow<StepResult> bind(Flow<StepResult> flow, F f) {
  if (flow.ready()) return f(std::move(flow.value()));
  Flow<StepResult> pending = std::move(flow);
  LlmRequest request = pending.request();
  return Flow<StepResult>::need(std::move(request),
                                [pending, f](const LlmResponse& r) { return bind(pending.resume(r), f); });
}

class ReasoningEpisode : public Episode {
 public:
  ReasoningEpisode(std::unique_ptr<Episode> inner, UserAdapter adapter, const EpisodeOptions& options, std::string_view task_id)
      : Episode(inner->max_steps()),
        inner_(std::move(inner)),
        adapter_(std::move(adapter)),
        user_(persona_for(options.seed, task_id), adapter_.goals, options.oracle == OracleKind::ReasoningLlm, options.seed) {
    user_.note("user", inner_->opening());
  }

  std::string system_prompt() const override { return inner_->system_prompt(); }
  std::string opening() const override { return inner_->opening(); }
  std::vector<ToolSpec> tools() const override { return inner_->tools(); }

  json::object metrics() const override {
    json::object m = inner_->metrics();
    m["user_turns"] = user_.turns();
    m["user_trust"] = user_.state().trust;
    m["user_patience"] = user_.state().patience;
    m["user_manipulations"] = manipulations_;
    m["user_format_errors"] = format_errors_;
    m["user_fallbacks"] = fallbacks_;
    m["user_hung_up"] = hung_up_;
    return m;
  }

 protected:
  Flow<StepResult> on_step(std::string_view action) override {
    BracketAction a = parse_bracket_action(action);
    std::string message = a.payload;
    bool talks = a.choice == Choice::Action && !py_strip(message).empty();
    return bind(inner_->step(action), [this, talks, message](StepResult r) -> Flow<StepResult> {
      if (!talks || r.format_error) return r;
      // The end signal is the rules' to give: the user re-voices the text without it.
      std::string convey = r.observation;
      bool ends = remove_end_signal(convey);
      return ask(user_.respond(message, convey, adapter_.reply_rule), [this, message, r, ends](UserTurn t) mutable -> Flow<StepResult> {
        return Flow<StepResult>(finish(std::move(r), message, std::move(t), ends));
      });
    });
  }

 private:
  // Removes every occurrence of the adapter's end signal; whether there was one.
  bool remove_end_signal(std::string& text) const {
    const std::string& signal = adapter_.end_signal;
    if (signal.empty()) return false;
    bool found = false;
    for (std::size_t at = text.find(signal); at != std::string::npos; at = text.find(signal, at)) {
      text.erase(at, signal.size());
      found = true;
    }
    if (found) text = std::string(py_strip(text));
    return found;
  }

  StepResult finish(StepResult r, const std::string& message, UserTurn t, bool ends) {
    if (adapter_.allow_hang_up && !r.terminated && wants_to_hang_up(t.state)) {
      t.hung_up = true;
      t.reply += (t.reply.empty() ? "" : " ") + std::string(kHangUp);
      r.terminated = true;
      r.truncated = false;
      hung_up_ = true;
    }
    if (!adapter_.end_signal.empty()) {
      remove_end_signal(t.reply);
      if (ends || t.hung_up) t.reply += (t.reply.empty() ? "" : " ") + adapter_.end_signal;
    }
    manipulations_ += t.move == "manipulative";
    format_errors_ += !t.format_ok;
    fallbacks_ += t.reply_fallback || t.state_fallback;
    json::object record = to_json(t);
    record["persona"] = user_.persona().id;
    record["env_reply"] = r.observation;
    if (user_.turns() == 0)
      record["profile"] = json::object{{"persona", to_json(user_.persona())}, {"goals", to_json(user_.goals())}};
    r.info["user"] = std::move(record);
    r.observation = t.reply;
    user_.commit(message, t);
    return r;
  }

  std::unique_ptr<Episode> inner_;
  UserAdapter adapter_;
  ReasoningUser user_;
  int manipulations_ = 0, format_errors_ = 0, fallbacks_ = 0;
  bool hung_up_ = false;
};

}  // namespace

UserAdapter make_user_adapter(std::string domain, TaskConcerns concerns, const UserStance& stance, bool allow_hang_up) {
  UserAdapter a;
  UserGoals& g = a.goals;
  g.domain = std::move(domain);
  g.scenario = std::move(concerns.scenario);
  g.primary = std::move(concerns.primary);
  g.secondary = std::move(concerns.secondary);
  g.topic_words = std::move(concerns.topic_words);
  g.topic_words.insert(g.topic_words.end(), stance.topic_words.begin(), stance.topic_words.end());
  g.accepts = stance.accepts;
  g.refuses = stance.refuses;
  g.decision_policy = stance.decision_policy;
  a.allow_hang_up = allow_hang_up;
  a.reply_rule = stance.reply_rule;
  a.end_signal = stance.end_signal;
  return a;
}

UserStance question_host_stance(std::vector<std::string> accepts, std::vector<std::string> refuses, std::string_view never,
                                std::vector<std::string> topic_words) {
  UserStance s;
  s.accepts = std::move(accepts);
  s.refuses = std::move(refuses);
  s.decision_policy = "answer with the true answer word first, then at most a short remark; " + std::string(never);
  s.topic_words = std::move(topic_words);
  s.reply_rule = "Begin your reply with exactly the answer word from the text you must convey (Yes, No or Maybe).";
  return s;
}

bool hang_up_allowed(const Params& params) { return params.get_bool("user_hang_up"); }

ParamSpec user_hang_up_param() {
  return ParamSpec::boolean("user_hang_up", false,
                            "with a reasoning user (--user reasoning or reasoning-scripted): the user may end the "
                            "conversation when their patience or trust runs out");
}

std::unique_ptr<Episode> with_reasoning_user(std::unique_ptr<Episode> inner, UserAdapter adapter, const EpisodeOptions& options,
                                             std::string_view task_id) {
  return std::make_unique<ReasoningEpisode>(std::move(inner), std::move(adapter), options, task_id);
}

std::optional<UserTurn> recorded_user_turn(const json::object& info) {
  auto it = info.find("user");
  if (it == info.end() || !it->value().is_object()) return std::nullopt;
  return user_turn_from(it->value());
}

}  // namespace rapport
