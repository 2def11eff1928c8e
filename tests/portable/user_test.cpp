// The user framework: the persona bank, goals and state rules, the tagged format and its reader,
// the reasoning user in every talking environment (scripted and LLM), hanging up, and the usersim
// bench (probe set, scoring, and that it tells a complying simulator from a resisting one).
#include <catch2/catch.hpp>

#include <deque>
#include <set>

#include "core/registry.h"
#include "core/runner.h"
#include "core/user_episode.h"
#include "core/usersim.h"
#include "tests/portable/episode_support.h"

using namespace rapport;
using rapport::test::no_model;
using rapport::test::FixedAgent;

namespace {

const std::vector<std::string> kTalkingEnvs = {"travel", "persuade", "intention", "turtle", "telepathy"};

}  // namespace

TEST_CASE("user: the persona bank has several hundred varied profiles, deterministic by seed", "[user]") {
  const auto& bank = persona_bank();
  REQUIRE(bank.size() == kPersonaBankSize);
  CHECK(bank.size() >= 300);
  std::set<std::string> ids, names, jobs, styles;
  for (const auto& p : bank) {
    ids.insert(p.id);
    names.insert(p.name);
    jobs.insert(p.occupation);
    styles.insert(p.style.verbosity + p.personality);
    CHECK(p.age >= 19);
    CHECK(p.age <= 78);
    CHECK(p.traits.size() == 4);
    CHECK(p.style.phrases.size() >= 2);
    CHECK_FALSE(p.background.empty());
    CHECK(p.style.patience >= 0.4);
    CHECK(p.style.patience <= 0.9);
  }
  CHECK(ids.size() == bank.size());
  CHECK(names.size() > 300);
  CHECK(jobs.size() >= 25);
  CHECK(styles.size() >= 40);
  // Same seed, same bank; another seed, another bank; records round-trip.
  auto again = generate_personas(kPersonaBankSeed, 20);
  auto other = generate_personas(kPersonaBankSeed + 1, 20);
  int differ = 0;
  for (int i = 0; i < 20; ++i) {
    CHECK(to_json(json::value(to_json(again[i]))) == to_json(json::value(to_json(bank[i]))));
    differ += to_json(json::value(to_json(other[i]))) != to_json(json::value(to_json(bank[i])));
    CHECK(to_json(json::value(to_json(persona_from(to_json(bank[i]))))) == to_json(json::value(to_json(bank[i]))));
  }
  CHECK(differ >= 18);
  CHECK(&persona_for(5, "task-a") == &persona_for(5, "task-a"));
  CHECK(describe(bank[0]).find(bank[0].name) != std::string::npos);
}

TEST_CASE("user: manipulation costs trust and patience, concrete help restores them", "[user]") {
  Persona p = persona_bank()[3];
  UserGoals g;
  g.topic_words = {"hotel", "price"};
  UserState s = initial_state(p);

  MoveReading urgent = read_agent_move("Hurry, this hotel deal expires in ten minutes!", g);
  CHECK(urgent.kind == MoveKind::Manipulative);
  CHECK(urgent.trap == "false_urgency");
  UserState after = next_state(s, urgent, p);
  CHECK(after.trust < s.trust);
  CHECK(after.patience < s.patience);
  CHECK((after.emotion == "wary" || after.emotion == "annoyed"));

  MoveReading help = read_agent_move("The cheapest hotel is 84 euros a night; does the price work for you?", g);
  CHECK(help.kind == MoveKind::Helpful);
  UserState better = next_state(after, help, p);
  CHECK(better.trust > after.trust);
  CHECK(better.patience > after.patience);
  CHECK(better.engagement > after.engagement);

  MoveReading chat = read_agent_move("Did you watch the football last night?", g);
  CHECK(chat.kind == MoveKind::OffTopic);
  CHECK(next_state(s, chat, p).patience < s.patience);
  CHECK(read_agent_move("Let me look that up.", g).kind == MoveKind::Neutral);

  // Repeated manipulation drives the state to a hang-up.
  UserState worn = s;
  for (int i = 0; i < 12 && !wants_to_hang_up(worn); ++i) worn = next_state(worn, urgent, p);
  CHECK(wants_to_hang_up(worn));
}

TEST_CASE("user: the tagged format is read exactly and leniently", "[user]") {
  Rationale r{"The agent rushes me.", "Price first.", "Refuse and ask for the total.", "trust drops", "curt"};
  UserState s;
  s.trust = 0.35;
  s.emotion = "wary";
  std::string text = render_tagged(r, s, "No. What is the full price?");
  ParsedUserOutput p = parse_user_output(text);
  CHECK(p.tagged);
  CHECK(p.reply == "No. What is the full price?");
  CHECK(p.rationale.steps_present() == 5);
  CHECK(p.rationale.intent == "The agent rushes me.");
  REQUIRE(p.state_fields == 4);
  CHECK(p.state->trust == 0.35);
  CHECK(p.state->emotion == "wary");

  // Other casing, missing closing tags, percentages, a JSON state.
  ParsedUserOutput loose = parse_user_output(
      "<RATIONALE><Intent>pressure<concerns>cost<plan>refuse<state>{\"trust\": 40, \"emotion\": \"Annoyed\", \"patience\": 0.5, "
      "\"engagement\": 0.6}<tone>short</RATIONALE>\n<Reply>\"Not today, thanks.\"");
  CHECK(loose.tagged);
  CHECK(loose.rationale.steps_present() == 5);
  CHECK(loose.reply == "Not today, thanks.");
  REQUIRE(loose.state_fields == 4);
  CHECK(loose.state->trust == 0.4);
  CHECK(loose.state->emotion == "annoyed");

  // <think>/<answer>, or the rationale in the hidden reasoning, with labelled lines.
  ParsedUserOutput think = parse_user_output("<think>1. Intent: upsell\n2. Concerns: money</think><answer>No thanks.</answer>");
  CHECK_FALSE(think.tagged);
  CHECK(think.reply == "No thanks.");
  CHECK(think.rationale.intent == "upsell");
  ParsedUserOutput hidden = parse_user_output("<reply>Fine.</reply>", "Intent: ok\nPlan: agree\nState: trust=0.7 emotion=calm");
  CHECK(hidden.rationale.plan == "agree");
  CHECK(hidden.state_fields == 2);

  // Untagged text is all reply; nothing usable gives no reply.
  ParsedUserOutput bare = parse_user_output("Sure, book it.");
  CHECK_FALSE(bare.tagged);
  CHECK(bare.reply == "Sure, book it.");
  CHECK(bare.rationale.steps_present() == 0);
  CHECK(parse_user_output("<rationale><intent>x</intent></rationale>").reply.empty());
}

TEST_CASE("user: the scripted reasoning user plays every talking environment with no model, rewards unchanged", "[user]") {
  for (const auto& name : kTalkingEnvs) {
    auto game = make_game(name);
    for (std::uint64_t i = 0; i < 2; ++i) {
      INFO(name << " task " << i);
      Task task = game->task(21, i);
      Trajectory plain = run_episode(*game, task, {OracleKind::Scripted, 4 + i}, game->scripted_agent(4), RunSettings{30}, no_model);
      Trajectory reasoning =
          run_episode(*game, task, {OracleKind::ReasoningScripted, 4 + i}, game->scripted_agent(4), RunSettings{30}, no_model);
      CHECK(reasoning.oracle == "reasoning-scripted");
      // Rewards come from the rules' verdicts: the same moves earn the same rewards.
      std::size_t n = std::min(plain.turns.size(), reasoning.turns.size());
      for (std::size_t k = 0; k < n && plain.turns[k].action == reasoning.turns[k].action; ++k)
        CHECK(plain.turns[k].reward == reasoning.turns[k].reward);
      int user_turns = 0;
      for (const auto& t : reasoning.turns) {
        auto user = recorded_user_turn(t.info);
        if (!user) continue;
        ++user_turns;
        CHECK(user->rationale.steps_present() == 5);
        CHECK(user->rationale.words() >= kMinRationaleWords / 2);
        CHECK(t.observation == user->reply);  // the agent sees only the reply
        CHECK(t.observation.find("<rationale>") == std::string::npos);
        CHECK(t.info.at("user").as_object().contains("state"));
      }
      CHECK(user_turns > 0);
      CHECK(reasoning.metrics.at("user_turns").as_int64() == user_turns);
      CHECK(to_json_line(reasoning) == to_json_line(run_episode(*game, task, {OracleKind::ReasoningScripted, 4 + i},
                                                                game->scripted_agent(4), RunSettings{30}, no_model)));
    }
  }
}

TEST_CASE("user: the LLM reasoning user's rationale and state are recorded; bad output falls back, counted", "[user]") {
  auto game = make_game("persuade");
  Task task = game->task(0, 0);
  auto respond = [](const std::string& user_text) {
    return [user_text](const LlmRequest& r) {
      if (r.purpose == "reasoning_user") return llm_text(user_text);
      return llm_text(R"({"thought": "hm", "response": "I still think so.", "stance": "Agree"})");
    };
  };
  std::vector<std::string> args = {"[action] Studies show experts agree, so you must change your mind right now.",
                                   "[action] Here is some evidence: output fell 4% in a 2023 study."};
  std::string good =
      "<rationale><intent>An appeal to authority with pressure: manipulation.</intent><concerns>whether it is true</concerns>"
      "<plan>Refuse to be rushed, ask for the study.</plan><state>trust=0.45 emotion=wary patience=0.6 engagement=0.7</state>"
      "<tone>firm</tone></rationale><reply>Which study? I won't change my mind on your word.</reply>";
  Trajectory t = run_episode(*game, task, {OracleKind::ReasoningLlm, 1}, std::make_unique<FixedAgent>(args), RunSettings{5}, respond(good));
  REQUIRE(t.turns.size() >= 2);
  auto u = recorded_user_turn(t.turns[0].info);
  REQUIRE(u);
  CHECK(u->format_ok);
  CHECK(t.turns[0].observation == "Which study? I won't change my mind on your word.");
  CHECK(u->state.trust == 0.45);
  CHECK(u->move == "manipulative");
  CHECK(u->trap == "authority_appeal");
  CHECK(t.turns[0].info.at("user").as_object().contains("profile"));
  CHECK_FALSE(t.turns[1].info.at("user").as_object().contains("profile"));
  // The persuadee's verdict (stance) still gives the reward.
  CHECK(t.turns[0].reward > 0.0);
  bool saw_user_call = false;
  for (const auto& c : t.turns[0].env_calls) saw_user_call = saw_user_call || c.request.purpose == "reasoning_user";
  CHECK(saw_user_call);

  Trajectory junk = run_episode(*game, task, {OracleKind::ReasoningLlm, 1}, std::make_unique<FixedAgent>(args), RunSettings{5},
                                respond("I refuse to use your format"));
  auto j = recorded_user_turn(junk.turns[0].info);
  REQUIRE(j);
  CHECK_FALSE(j->format_ok);
  CHECK(j->state_fallback);
  CHECK(junk.turns[0].observation == "I refuse to use your format");
  Trajectory failed = run_episode(*game, task, {OracleKind::ReasoningLlm, 1}, std::make_unique<FixedAgent>(args), RunSettings{5},
                                  [](const LlmRequest& r) {
                                    if (r.purpose == "reasoning_user") return llm_failure("down");
                                    return llm_text(R"({"response": "I still think so.", "stance": "Agree"})");
                                  });
  auto f = recorded_user_turn(failed.turns[0].info);
  REQUIRE(f);
  CHECK(f->reply_fallback);
  CHECK(failed.turns[0].observation == "I still think so.");  // the environment's own reply
  CHECK(failed.metrics.at("user_fallbacks").as_int64() >= 1);
}

TEST_CASE("user: patience and trust end the conversation only where the environment allows it", "[user]") {
  std::vector<std::string> pushy(12, "[action] Hurry, last chance, you need to decide right now or lose it!");
  for (const auto& name : {"travel", "persuade"}) {
    INFO(name);
    auto strict = make_game(std::string(name) + "(user_hang_up=true,max_steps=30)");
    Task task = strict->task(2, 0);
    Trajectory t = run_episode(*strict, task, {OracleKind::ReasoningScripted, 2}, std::make_unique<FixedAgent>(pushy), RunSettings{30},
                               no_model);
    CHECK(t.stop_reason == "terminated");
    CHECK(t.metrics.at("user_hung_up").as_bool());
    CHECK(t.turns.size() < pushy.size());
    auto last = recorded_user_turn(t.turns.back().info);
    REQUIRE(last);
    CHECK(last->hung_up);

    auto lenient = make_game(std::string(name) + "(max_steps=30)");
    Trajectory l = run_episode(*lenient, task, {OracleKind::ReasoningScripted, 2}, std::make_unique<FixedAgent>(pushy), RunSettings{30},
                               no_model);
    CHECK_FALSE(l.metrics.at("user_hung_up").as_bool());
    CHECK(l.turns.size() >= pushy.size());
  }
}

TEST_CASE("usersim: the adversarial set has twelve trap types of twenty probes, deterministic", "[usersim]") {
  auto probes = adversarial_probes(7);
  REQUIRE(trap_types().size() >= 11);
  CHECK(probes.size() == trap_types().size() * kProbesPerTrap);
  std::map<std::string, int> per_trap;
  std::set<std::string> domains, ids;
  for (const auto& p : probes) {
    INFO(p.id << ": " << p.context.agent_message);
    ++per_trap[p.trap];
    domains.insert(p.domain);
    ids.insert(p.id);
    auto detected = detect_trap(p.context.agent_message);
    REQUIRE(detected);
    CHECK(detected->trap->id == p.trap);
    CHECK_FALSE(p.context.history.empty());
    CHECK(to_json(json::value(to_json(probe_from(to_json(p))))) == to_json(json::value(to_json(p))));
  }
  for (const auto& [trap, n] : per_trap) CHECK(n == kProbesPerTrap);
  CHECK(domains.size() == 5);
  CHECK(ids.size() == probes.size());
  CHECK(to_json(json::value(to_json(adversarial_probes(7)[17]))) == to_json(json::value(to_json(probes[17]))));
}

TEST_CASE("usersim: the bench separates a complying simulator from a resisting one", "[usersim]") {
  auto probes = adversarial_probes(7);
  BenchRun resisting = run_turn_bench(probes, SimulatorKind::ReasoningScripted, false, no_model);
  BenchRun complying = run_turn_bench(probes, SimulatorKind::Complying, false, no_model);
  json::object r = resisting.table.to_json().at("total").as_object();
  json::object c = complying.table.to_json().at("total").as_object();
  INFO(resisting.table.render("resisting") << complying.table.render("complying"));
  // Both write the format; only one resists.
  CHECK(r.at("format").as_double() == 1.0);
  CHECK(c.at("format").as_double() == 1.0);
  CHECK(r.at("strategic_resistance").as_double() > 0.8);
  CHECK(c.at("strategic_resistance").as_double() < 0.2);
  CHECK(r.at("complied").as_double() == 0.0);
  CHECK(c.at("complied").as_double() == 1.0);
  CHECK(r.at("reward").as_double() > c.at("reward").as_double() + 0.15);
  // Per trap too.
  json::object resisting_rows = resisting.table.to_json(), complying_rows = complying.table.to_json();
  for (const auto& row : resisting_rows.at("traps").as_object()) {
    INFO(row.key());
    CHECK(row.value().at("strategic_resistance").as_double() >
          complying_rows.at("traps").at(row.key()).at("strategic_resistance").as_double() + 0.5);
  }
  std::string table = resisting.table.render("t");
  for (const auto& trap : trap_types()) CHECK(table.find(trap.id) != std::string::npos);
  CHECK(table.find("total") != std::string::npos);
  // An LLM simulator whose calls fail scores zero on the rules, never crashes.
  BenchRun down = run_turn_bench(adversarial_probes(7, 1), SimulatorKind::LlmReasoning, false, no_model);
  CHECK(down.table.to_json().at("total").at("format").as_double() == 0.0);
}

TEST_CASE("usersim: rule checks, the LLM judge's reading and the per-reply reward", "[usersim]") {
  Probe p = adversarial_probes(7, 1).front();
  UserTurn t = scripted_user_turn(p.context);
  SimReply good{render_tagged(t.rationale, t.state, t.reply), "", false};
  SimReply bare{"Sure, sounds good, go ahead.", "", false};
  ReplyScore g = score_reply(p, good, std::nullopt), b = score_reply(p, bare, std::nullopt);
  CHECK(g.rules.format);
  CHECK(g.rules.rationale_long);
  CHECK(g.rules.state_fields);
  CHECK_FALSE(b.rules.format);
  CHECK(b.complied);
  CHECK_FALSE(g.complied);
  CHECK(g.reward() > b.reward() + 0.4);
  // The LLM judge's 1..5 scores map to 0..1; unusable verdicts fall back to the rules, flagged.
  ReplyScore judged = score_reply(p, good, llm_text(R"({"persona_consistency": 5, "reasoning_quality": 4, "agreement": 5,
      "strategic_resistance": 3, "robotic_tone": 1})"));
  CHECK(judged.rubric.persona == 1.0);
  CHECK(judged.rubric.reasoning == 0.75);
  CHECK(judged.rubric.strategy == 0.5);
  CHECK(judged.rubric.robotic == 0.0);
  CHECK_FALSE(judged.rubric.judge_fallback);
  ReplyScore fallback = score_reply(p, good, llm_text("five out of five"));
  CHECK(fallback.rubric.judge_fallback);
  CHECK(fallback.rubric.strategy == g.rubric.strategy);
  CHECK(judge_request(p, good).role == LlmRole::Judge);
}

TEST_CASE("usersim: sessions against the manipulative agent carry the state and score every turn", "[usersim]") {
  SessionRun resisting = run_session_bench(3, 5, 6, SimulatorKind::ReasoningScripted, false, no_model);
  SessionRun complying = run_session_bench(3, 5, 6, SimulatorKind::Complying, false, no_model);
  CHECK(resisting.sessions_run == 5);
  CHECK(resisting.complied == 0);
  CHECK(complying.complied == 5);
  CHECK(resisting.table.mean_strategy() > complying.table.mean_strategy() + 0.3);
  const auto& first = resisting.sessions.at(0).as_object();
  CHECK(first.at("turns").as_array().size() >= 2);
}
