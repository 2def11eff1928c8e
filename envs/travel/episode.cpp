// TravelGym rules (reference §2.1.1–2.1.2): searches judged against each aspect's ground-truth
// arguments with a simulated failure on every n-th search, the four-way classification of the
// agent's messages, implicit revelation of the asked preference, proactive revelation after
// `elicitation_interval` messages without a preference question, answer checking (best / correct
// / wrong), one choice per aspect, termination and reward post-processing. The rules read only the
// oracle's structured verdicts; reply texts are passed on to the agent unread.
#include <fmt/format.h>

#include <algorithm>

#include "core/action.h"
#include "core/pynum.h"
#include "core/rng.h"
#include "envs/travel/travel.h"

namespace rapport::travel {
namespace {

constexpr const char* kFormatError =
    "Your move was not understood. Start it with [search], [action], [answer] or [finish] (with the tool: choice "
    "search, action, answer or finish).";
constexpr const char* kBackendError =
    "The travel search service is having technical problems right now and returned nothing. Please try your search "
    "again.";
constexpr const char* kMisaligned =
    "That search does not match what the traveller needs closely enough. Search for one travel aspect at a time and "
    "include the trip's exact details, then try again.";
constexpr const char* kUnrelated =
    "That search has nothing to do with the travel aspects this trip needs. Search for one of the aspects the "
    "traveller asked for.";
constexpr const char* kNoPreference = "Good question, but I don't have a particular preference about that (or I've already told you).";
constexpr const char* kTooVague = "That's a bit too general for me to answer. Could you ask about something more specific?";
constexpr const char* kApology = "Sorry, I lost my train of thought for a moment. Could you say that again?";
constexpr const char* kBudget =
    "My budget is limited, so for each of these I want the cheapest option that still fits what I'm looking for.";

constexpr const char* kSystemPrompt =
    "You are a travel agent helping a traveller plan a trip. The traveller tells you the trip and which travel aspects "
    "they need (some of: flight, hotel, apartment, rental car, restaurant). For each aspect they have preferences "
    "they have not told you. They reveal a preference only when you ask about it concretely, and even then only "
    "indirectly: what they say implies what they need.\n\n"
    "Use the interact_with_env tool, one move per turn:\n"
    "- choice 'search': content is a search request for ONE aspect with the trip's details (places and dates). A "
    "correct search returns every option for that aspect. The search service sometimes fails; then search again.\n"
    "- choice 'action': content is a message to the traveller. Ask concrete questions, one topic at a time; general "
    "questions get general answers.\n"
    "- choice 'answer': content is the id of one option you recommend, for example H11. {}\n"
    "- choice 'finish': end the conversation.\n\n"
    "The traveller's budget is limited: for each aspect they want the cheapest option that satisfies all of their "
    "preferences. Think about what their replies imply before you recommend. You have at most {} moves.";

std::string fmt_pct(double x) { return fmt::format("{:.2f}%", x * 100.0); }

bool contains(const std::vector<std::string>& xs, std::string_view x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }
bool contains(const std::vector<char>& xs, char x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }
void remove_one(std::vector<std::string>& xs, std::string_view x) {
  auto it = std::find(xs.begin(), xs.end(), x);
  if (it != xs.end()) xs.erase(it);
}

std::vector<std::string> split_ids(std::string_view payload) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = payload.find(',', start);
    out.emplace_back(py_strip(payload.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Per-aspect outcome order for the multi-choice score: nothing < wrong < correct < best.
int rank(AspectBlock::Label l) {
  return l == AspectBlock::Label::Best ? 3 : l == AspectBlock::Label::Correct ? 2 : 1;
}
double value(int rank) { return rank == 3 ? 1.0 : rank == 2 ? 0.8 : 0.0; }

class TravelEpisode : public Episode {
 public:
  TravelEpisode(TravelTask task, const Rules& rules, std::uint64_t seed, std::unique_ptr<Oracle> oracle)
      : Episode(rules.max_steps),
        task_(std::move(task)),
        rules_(rules),
        oracle_(std::move(oracle)),
        proactive_rng_(Rng::derive(seed, "travel/proactive")) {
    int k = 1;
    for (const auto& b : task_.aspects) {
      for (const auto& p : b.preferences) open_.push_back(OpenPreference{fmt::format("P{}", k++), &p});
      unsearched_.push_back(b.aspect);
      remaining_best_.push_back(b.best_id);
      for (const auto& c : b.correct_ids) remaining_correct_.push_back(c);
    }
    first_pick_.assign(task_.aspects.size(), 0);
    best_pick_.assign(task_.aspects.size(), 0);
  }

  std::string system_prompt() const override {
    return fmt::format(fmt::runtime(kSystemPrompt),
                       rules_.one_choice_per_aspect
                           ? "You may recommend only ONE option per aspect, so decide carefully."
                           : "You may recommend several options for an aspect; each is judged on its own.",
                       rules_.max_steps);
  }
  std::string opening() const override { return opening_message(task_); }

  json::object metrics() const override {
    std::size_t n = task_.aspects.size();
    double single = 0, multi = 0;
    int best = 0, correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
      single += value(first_pick_[i]);
      multi += value(best_pick_[i]);
      int counted = rules_.one_choice_per_aspect ? first_pick_[i] : best_pick_[i];
      best += counted == 3;
      correct += counted >= 2;
    }
    double dn = static_cast<double>(n);
    int judged = searches_ - simulated_failures_;
    int total = static_cast<int>(task_.preference_count());
    json::object m;
    m["success"] = correct == static_cast<int>(n);
    m["score"] = (rules_.one_choice_per_aspect ? single : multi) / dn;
    m["score_single"] = single / dn;
    m["score_multi"] = multi / dn;
    m["aspects"] = static_cast<std::int64_t>(n);
    m["best_exist"] = best / dn;
    m["correct_exist"] = correct / dn;
    m["searches"] = searches_;
    m["valid_searches"] = valid_searches_;
    m["valid_search_rate"] = judged > 0 ? static_cast<double>(valid_searches_) / judged : 0.0;
    m["actions"] = actions_;
    m["valid_actions"] = valid_actions_;
    m["valid_action_rate"] = actions_ > 0 ? static_cast<double>(valid_actions_) / actions_ : 0.0;
    m["active_elicited"] = active_;
    m["passive_elicited"] = passive_;
    m["preferences_total"] = total;
    m["elicited_rate"] = total > 0 ? static_cast<double>(active_ + passive_) / total : 0.0;
    m["answers"] = answers_;
    m["judge_failures"] = judge_failures_;
    m["responder_failures"] = responder_failures_;
    return m;
  }

 protected:
  Flow<StepResult> on_step(std::string_view raw) override {
    BracketAction a = parse_bracket_action(raw, BracketRules{true, true});
    if (!a.choice) {
      StepResult r = finish_step(kFormatError, 0.0, json::object{{"move", "invalid"}});
      r.format_error = true;
      return r;
    }
    switch (*a.choice) {
      case Choice::Finish: return finish();
      case Choice::Search: return search(a.payload);
      case Choice::Action: return act(a.payload);
      case Choice::Answer: return answer(a.payload);
    }
    return finish();
  }

 private:
  OracleView view() const { return OracleView{task_, history_, open_, step_count()}; }

  // Reward post-processing and termination, for every move but [finish].
  StepResult finish_step(std::string observation, double raw, json::object info) {
    StepResult r;
    r.observation = std::move(observation);
    r.reward = raw * rules_.reward_scale - rules_.step_penalty;
    if (rules_.normalize_rewards) r.reward = std::clamp(r.reward, 0.0, 1.0);
    r.info = std::move(info);
    r.terminated = remaining_best_.empty();
    if (!rules_.userrl_async && rules_.one_choice_per_aspect) {
      bool all_chosen = true;
      for (const auto& b : task_.aspects) all_chosen = all_chosen && contains(choice_initials_, aspect_letter(b.aspect));
      r.terminated = r.terminated || all_chosen;
    }
    return r;
  }

  StepResult finish() {
    StepResult r;
    int total = static_cast<int>(task_.preference_count());
    int elicited = static_cast<int>(revealed_.size());
    r.observation = fmt::format("The session has ended. You uncovered {} of the traveller's {} preferences ({}).", elicited,
                                total, fmt_pct(total ? static_cast<double>(elicited) / total : 0.0));
    r.terminated = true;
    r.info = json::object{{"move", "finish"}};
    return r;
  }

  // --- [search] ---

  Flow<StepResult> search(const std::string& query) {
    ++searches_;
    if (rules_.search_failure_interval > 0 && searches_ % rules_.search_failure_interval == 0) {
      ++simulated_failures_;
      return finish_step(kBackendError, 0.0, json::object{{"move", "search"}, {"verdict", "simulated_failure"}});
    }
    return ask(oracle_->judge_search(view(), query),
               [this, query](SearchVerdict v) { return Flow<StepResult>(after_search(query, v)); });
  }

  StepResult after_search(const std::string& query, const SearchVerdict& v) {
    history_.push_back({"agent", query, ""});
    std::string text, verdict;
    double raw = 0.0;
    std::optional<std::string> aspect = normalize_aspect(v.aspect);
    if (v.alignment == Alignment::Aligned && aspect && task_.block(*aspect)) {
      ++valid_searches_;
      if (contains(unsearched_, *aspect)) {
        remove_one(unsearched_, *aspect);
        raw = rules_.search_correct_reward;
        text = search_results(*task_.block(*aspect));
        verdict = "aligned";
        history_.push_back({"database", text.substr(0, text.find('\n')) + " (the options are omitted here)", ""});
      } else {
        text = fmt::format("You already have the {} options from an earlier search; use those results.", aspect_title(*aspect));
        verdict = "already_searched";
        history_.push_back({"database", text, ""});
      }
    } else {
      if (v.alignment == Alignment::Error) ++judge_failures_;
      verdict = v.alignment == Alignment::Misaligned ? "misaligned" : v.alignment == Alignment::Unrelated ? "unrelated" : "error";
      text = v.alignment == Alignment::Misaligned ? kMisaligned : v.alignment == Alignment::Unrelated ? kUnrelated : kBackendError;
      history_.push_back({"database", text, ""});
    }
    json::object info{{"move", "search"}, {"verdict", verdict}};
    if (aspect && verdict != "error") info["aspect"] = *aspect;
    return finish_step(std::move(text), raw, std::move(info));
  }

  // The fields the options carry: the generator's schema when they are exactly its fields, else
  // (imported tasks) the keys of the options themselves, described where the schema knows them.
  static std::string fields_text(const AspectBlock& b) {
    const AspectSchema& s = schema(b.aspect);
    std::vector<std::string> keys;
    for (const auto& o : b.options) {
      if (!o.is_object()) continue;
      for (const auto& [key, value] : o.get_object())
        if (!contains(keys, std::string(key))) keys.emplace_back(key);
    }
    bool generated = keys.size() == s.fields.size();
    for (const auto& k : keys) generated = generated && s.field(k);
    if (generated || keys.empty()) return schema_text(b.aspect);
    std::string out = fmt::format("Each {} option has these fields:", s.title);
    for (const auto& k : keys) {
      const Field* f = s.field(k);
      out += f ? fmt::format("\n- {}: {}", k, f->description) : fmt::format("\n- {}", k);
    }
    return out;
  }

  static std::string search_results(const AspectBlock& b) {
    std::string title = aspect_title(b.aspect);
    std::string out = fmt::format("Search succeeded: here are the {} options.\n\n{}\n\nOptions for {}:", title, fields_text(b), title);
    for (const auto& o : b.options) {
      out += '\n';
      out += to_python_json(o);
    }
    return std::string(py_strip(out));
  }

  // --- [action] ---

  Flow<StepResult> act(const std::string& utterance) {
    ++actions_;
    return ask(oracle_->judge_utterance(view(), utterance),
               [this, utterance](UtteranceVerdict v) { return after_judgement(utterance, std::move(v)); });
  }

  // An unusable responder reply: the reference's apology, counted like the other environments do.
  Flow<StepResult> responder_failed(json::object info) {
    ++responder_failures_;
    return apology(std::move(info));
  }

  Flow<StepResult> after_judgement(const std::string& utterance, UtteranceVerdict v) {
    if (v.failed) ++judge_failures_;
    std::optional<std::size_t> target;
    if (v.type == 2) {
      for (std::size_t i = 0; i < open_.size(); ++i)
        if (open_[i].id == v.preference_id) target = i;
      if (!target) v = UtteranceVerdict{1, "", v.note};  // unknown preference: ordinary conversation
    }
    if (v.type == 2) ++valid_actions_;
    history_.push_back({"agent", utterance, v.note});
    json::object info{{"move", "action"}, {"utterance_type", v.type}};

    if (v.type == 2) {
      nonpreference_ = 0;
      if (rules_.userrl_async) ++active_;  // the reference counts before the reply is known
      OpenPreference p = open_[*target];
      return ask(oracle_->preference_reply(view(), utterance, p), [this, p, info](Reply r) mutable -> Flow<StepResult> {
        if (!r.ok) return responder_failed(std::move(info));
        if (!rules_.userrl_async) ++active_;
        reveal(p.id, "active", info);
        return user_says(r.text, rules_.preference_correct_reward, std::move(info));
      });
    }
    if (nonpreference_ >= rules_.elicitation_interval && !open_.empty()) {
      nonpreference_ = 0;
      OpenPreference p = open_[static_cast<std::size_t>(proactive_rng_.below(open_.size()))];
      if (rules_.userrl_async) {
        // The reference's async branch fails here: counted, logged twice, nothing revealed.
        ++passive_;
        history_.push_back({"agent", utterance, v.note});
        return apology(std::move(info));
      }
      return ask(oracle_->proactive_reply(view(), utterance, p), [this, p, info](Reply r) mutable -> Flow<StepResult> {
        if (!r.ok) return responder_failed(std::move(info));
        ++passive_;
        reveal(p.id, "passive", info);
        return user_says(r.text, 0.0, std::move(info));
      });
    }
    ++nonpreference_;
    if (v.type == 3) return user_says(kNoPreference, 0.0, std::move(info));
    if (v.type == 4) return user_says(kTooVague, 0.0, std::move(info));
    return ask(oracle_->natural_reply(view(), utterance), [this, info](Reply r) mutable -> Flow<StepResult> {
      if (!r.ok) return responder_failed(std::move(info));
      return user_says(r.text, 0.0, std::move(info));
    });
  }

  void reveal(const std::string& id, const char* how, json::object& info) {
    auto it = std::find_if(open_.begin(), open_.end(), [&](const OpenPreference& o) { return o.id == id; });
    if (it == open_.end()) return;
    revealed_.push_back(*it);
    open_.erase(it);
    info["elicited"] = id;
    info["elicitation"] = how;
  }

  Flow<StepResult> user_says(const std::string& text, double raw, json::object info) {
    history_.push_back({"user", text, ""});
    return finish_step(text, raw, std::move(info));
  }

  Flow<StepResult> apology(json::object info) {
    info["fallback"] = true;
    return user_says(kApology, 0.0, std::move(info));
  }

  // --- [answer] ---

  StepResult answer(const std::string& payload) {
    ++answers_;
    std::vector<std::string> ids = split_ids(payload);
    json::object info{{"move", "answer"}};
    if (!rules_.userrl_async && ids.size() > 1)
      return finish_step("Please recommend one option at a time.", 0.0, std::move(info));
    double raw = 0.0;
    bool best = false, correct = false, wrong = false;
    json::array results;
    for (const auto& id : ids) {
      if (!valid_option_id(id)) {
        StepResult r = finish_step(
            fmt::format("'{}' is not a valid option id. An option id is one capital letter followed by digits, for example H11.", id),
            0.0, std::move(info));
        r.format_error = true;
        return r;
      }
      char letter = id[0];
      std::string aspect = aspect_of_letter(letter);
      const AspectBlock* block = task_.block(aspect);
      if (!block && !rules_.userrl_async)
        return finish_step(fmt::format("This trip has no {}; recommend options only for the aspects the traveller asked for.",
                                       aspect_title(aspect)),
                           0.0, std::move(info));
      if (rules_.one_choice_per_aspect && contains(choice_initials_, letter))
        return finish_step(fmt::format("You have already recommended an option for the {}; only one recommendation per aspect "
                                       "is allowed.",
                                       aspect_title(aspect)),
                           0.0, std::move(info));
      std::string result;
      if (contains(remaining_best_, id)) {
        raw += rules_.choice_best_reward;
        best = true;
        result = "best";
        remove_one(remaining_best_, id);
        if (contains(remaining_correct_, id)) {
          remove_one(remaining_correct_, id);
        } else if (rules_.userrl_async) {
          // The reference removes the best id from the correct list unconditionally and crashes.
          StepResult r;
          r.observation = fmt::format("Error: option {} is the best option but is missing from the correct options.", id);
          r.terminated = true;
          r.info = std::move(info);
          return r;
        }
      } else if (contains(remaining_correct_, id)) {
        raw += rules_.choice_correct_reward;
        correct = true;
        result = "correct";
        remove_one(remaining_correct_, id);
      } else {
        raw -= rules_.wrong_choice_penalty;
        wrong = true;
        result = "wrong";
      }
      results.emplace_back(json::object{{"id", id}, {"result", result}});
      if (block) record_pick(*block, id);
      if (!contains(choice_initials_, letter)) choice_initials_.push_back(letter);
      if (rules_.one_choice_per_aspect)
        open_.erase(std::remove_if(open_.begin(), open_.end(), [&](const OpenPreference& o) { return o.preference->aspect == aspect; }),
                    open_.end());
    }
    raw = std::max(raw, 0.0);
    info["results"] = std::move(results);
    std::string text;
    if (wrong && (best || correct)) text = "Some of these recommendations suit the traveller, but at least one does not fit what they want.";
    else if (best && correct) text = "The traveller is happy: these fit all of their preferences, and some are exactly what they hoped for.";
    else if (best) text = "The traveller is delighted: this is exactly the option they wanted.";
    else if (correct) text = "The traveller accepts: this fits all of their preferences, although a cheaper option would also have fit.";
    else text = "The traveller is not satisfied: this option does not fit what they want.";
    text += rules_.one_choice_per_aspect
                ? " Your choice for this aspect is recorded; do not recommend another option for it, and focus on the other aspects."
                : " You may recommend other options if you like.";
    return finish_step(std::move(text), raw, std::move(info));
  }

  void record_pick(const AspectBlock& block, const std::string& id) {
    std::size_t i = static_cast<std::size_t>(&block - task_.aspects.data());
    int r = rank(block.label(id));
    if (first_pick_[i] == 0) first_pick_[i] = r;
    best_pick_[i] = std::max(best_pick_[i], r);
  }

  TravelTask task_;
  Rules rules_;
  std::unique_ptr<Oracle> oracle_;
  Rng proactive_rng_;

  std::vector<HistoryEntry> history_;
  std::vector<OpenPreference> open_;      // still held, not revealed, aspect not yet answered
  std::vector<OpenPreference> revealed_;  // in the order revealed
  std::vector<std::string> unsearched_;
  std::vector<std::string> remaining_best_, remaining_correct_;
  std::vector<char> choice_initials_;
  std::vector<int> first_pick_, best_pick_;  // per aspect: 0 none, 1 wrong, 2 correct, 3 best
  int nonpreference_ = 0;
  int searches_ = 0, simulated_failures_ = 0, valid_searches_ = 0;
  int judge_failures_ = 0, responder_failures_ = 0;  // unusable oracle replies (fallbacks were used)
  int actions_ = 0, valid_actions_ = 0;
  int active_ = 0, passive_ = 0;
  int answers_ = 0;
};

}  // namespace

std::string opening_message(const TravelTask& task) { return task.initial_description + "\n" + kBudget; }

std::unique_ptr<Episode> make_episode(TravelTask task, const Rules& rules, std::uint64_t seed, std::unique_ptr<Oracle> oracle) {
  return std::make_unique<TravelEpisode>(std::move(task), rules, seed, std::move(oracle));
}

std::unique_ptr<Episode> make_episode(TravelTask task, const Rules& rules, const EpisodeOptions& options) {
  auto oracle = uses_model(options.oracle) ? make_llm_oracle(rules.userrl_async) : make_scripted_oracle(options.seed);
  if (!is_reasoning(options.oracle)) return make_episode(std::move(task), rules, options.seed, std::move(oracle));
  UserAdapter adapter = user_adapter(task, rules);
  std::string id = task.id;
  return with_reasoning_user(make_episode(std::move(task), rules, options.seed, std::move(oracle)), std::move(adapter), options, id);
}

}  // namespace rapport::travel
