// Middle panel: the conversation (system, user, agent, database/tool and judge messages told
// apart by colour and label; hidden reasoning behind a toggle), the composer, and the autopilot.
#include <fmt/format.h>

#include "core/action.h"
#include "core/pynum.h"
#include "core/tools.h"
#include "imgui.h"
#include "misc/cpp/imgui_stdlib.h"
#include "web/ui.h"

namespace rapport::web {
namespace {

const ImVec4 kSystem(0.62f, 0.6f, 0.75f, 1.0f);
const ImVec4 kUser(0.5f, 0.85f, 0.55f, 1.0f);
const ImVec4 kAgent(0.5f, 0.75f, 1.0f, 1.0f);
const ImVec4 kTool(0.95f, 0.7f, 0.35f, 1.0f);
const ImVec4 kJudge(0.85f, 0.6f, 0.9f, 1.0f);
const ImVec4 kHidden(0.55f, 0.55f, 0.58f, 1.0f);
const ImVec4 kError(1.0f, 0.45f, 0.4f, 1.0f);

struct Composer {
  int choice = 0;
  std::string content;
  bool show_reasoning = false;
  bool show_calls = false;
  std::size_t shown_turns = 0;
  int scroll_frames = 0;  // frames left to keep the newest message in view (text lays out over a frame or two)
};
Composer composer;

constexpr const char* kChoices[] = {"action", "search", "answer", "finish"};

void message(const char* label, const ImVec4& colour, const std::string& text) {
  ImGui::TextColored(colour, "%s", label);
  ImGui::SameLine(92);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.empty() ? "(empty)" : text.c_str());
  ImGui::PopTextWrapPos();
}

void hidden(const std::string& label, const std::string& text) {
  if (text.empty()) return;
  ImGui::Indent(92);
  ImGui::PushStyleColor(ImGuiCol_Text, kHidden);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted((label + ": " + text).c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::Unindent(92);
}

// Who answered a move: the simulated user for actions, the database for searches, the judge for
// answers, the system for the end and for malformed moves.
std::pair<const char*, ImVec4> answerer(const Turn& turn) {
  if (turn.format_error) return {"System", kSystem};
  if (parse_tool_action(turn.action)) return {"Tool", kTool};
  auto choice = parse_bracket_action(turn.action).choice;
  if (!choice) return {"System", kSystem};
  switch (*choice) {
    case Choice::Action: return {"User", kUser};
    case Choice::Search: return {"Database", kTool};
    case Choice::Answer: return {"Judge", kJudge};
    case Choice::Finish: return {"System", kSystem};
  }
  return {"System", kSystem};
}

void calls(const char* who, const std::vector<LlmExchange>& exchanges) {
  for (const auto& call : exchanges) {
    const auto& r = call.response;
    std::string summary = r.ok ? r.message.content : "failed: " + r.error;
    for (const auto& t : r.message.tool_calls) summary += fmt::format(" {}({})", t.name, t.arguments);
    hidden(fmt::format("{} call '{}'", who, call.request.purpose), summary);
  }
}

void draw_turn(App& app, const Trajectory& t, std::size_t i) {
  const Turn& turn = t.turns[i];
  ImGui::PushID(static_cast<int>(i));
  ImGui::Separator();
  std::string move = turn.choice.empty() && turn.content.empty() ? turn.action
                                                                  : fmt::format("[{}] {}", turn.choice, turn.content);
  // An environment tool call reads as a call: name(arguments).
  if (auto call = parse_tool_action(turn.action); call && call->problem.empty())
    move = fmt::format("calls {}({})", call->name, to_python_json(call->arguments));
  message(fmt::format("Agent {}", i + 1).c_str(), kAgent, move);
  if (composer.show_reasoning) hidden("reasoning", turn.reasoning);
  if (composer.show_calls) calls("model", turn.agent_calls);
  const bool stepped = !(i + 1 == t.turns.size() && t.stop_reason == "agent_stopped");
  if (!turn.observation.empty() || stepped) {
    auto [label, colour] = stepped ? answerer(turn) : std::pair<const char*, ImVec4>{"System", kSystem};
    message(label, colour, turn.observation);
  }
  if (composer.show_reasoning)
    for (const auto& call : turn.env_calls) hidden("simulator reasoning", call.response.message.reasoning);
  if (composer.show_calls) calls("simulator", turn.env_calls);
  ImGui::Indent(92);
  std::string status = fmt::format("reward {}", py_repr(turn.reward));
  if (turn.terminated) status += " · terminated";
  if (turn.truncated) status += " · truncated";
  if (turn.format_error) status += " · format error";
  if (i < app.session().forked_turns() && app.session().live()) status += " · replayed";
  ImGui::TextDisabled("%s", status.c_str());
  // Database-graded environments (tau) say why the reward is what it is.
  if (auto d = turn.info.find("differing_records"); d != turn.info.end() && d->value().is_array()) {
    std::string why = d->value().get_array().empty() ? "database matches the goal" : "records that differ from the goal:";
    for (const auto& r : d->value().get_array()) why += " " + std::string(r.is_string() ? r.get_string() : "");
    if (auto o = turn.info.find("outputs"); o != turn.info.end() && o->value().is_object())
      for (const auto& kv : o->value().get_object())
        why += fmt::format(" · output '{}' {}", std::string(kv.key()), kv.value() == true ? "said" : "missing");
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kJudge, "%s", why.c_str());
    ImGui::PopTextWrapPos();
  }
  if (!app.session().calling_model()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("continue from here")) {
      try {
        app.session().fork(i + 1);
        app.set_notice(fmt::format("Forked after turn {}: the rest is yours to play.", i + 1));
      } catch (const ConfigError& e) {
        app.set_error(e.what());
      }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Start a new episode that replays turns 1 to %d, then continues", int(i + 1));
  }
  ImGui::Unindent(92);
  ImGui::PopID();
}

void draw_header(App& app) {
  Session& s = app.session();
  const Trajectory& t = s.trajectory();
  ImGui::TextColored(kAgent, "%s", t.env.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("task %s · seed %llu · %s user · agent %s", t.task_id.c_str(),
                      static_cast<unsigned long long>(t.seed), t.oracle.c_str(), t.agent.c_str());
  std::string state;
  if (s.viewing()) state = t.stop_reason.empty() ? "viewing an unfinished episode" : "viewing: " + t.stop_reason;
  else if (s.finished()) state = "episode over: " + t.stop_reason;
  else if (s.calling_model()) state = "waiting for the model...";
  else if (s.model_call_failed()) state = "model call failed";
  else state = "your move";
  ImGui::TextColored(s.finished() ? kJudge : kUser, "%s", state.c_str());
  if (const auto& check = s.replay_check(); check && s.viewing()) {
    ImGui::SameLine();
    if (check->identical) ImGui::TextColored(kUser, "· replay identical to the link");
    else ImGui::TextColored(kError, "· replay differs from the link");
  }
  ImGui::SameLine();
  ImGui::Checkbox("hidden reasoning", &composer.show_reasoning);
  ImGui::SameLine();
  ImGui::Checkbox("model calls", &composer.show_calls);
}

void draw_model_state(App& app) {
  Session& s = app.session();
  if (s.calling_model()) {
    ImGui::Separator();
    ImGui::TextColored(kHidden, "%s is thinking...", s.pending_role() == LlmRole::Policy ? "The agent model" : "The simulated user");
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) s.cancel();
  } else if (s.model_call_failed()) {
    ImGui::Separator();
    ImGui::PushStyleColor(ImGuiCol_Text, kError);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.model_error().c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("Retry")) s.retry();
    ImGui::SameLine();
    if (ImGui::SmallButton("Give up this call")) s.give_up();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Record the call as failed: the agent stops, a simulator uses its fallback");
  }
}

void draw_composer(App& app) {
  Session& s = app.session();
  const bool can_move = s.awaiting_move() && !s.autorun();
  ImGui::BeginDisabled(!can_move);
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("##choice", &composer.choice, kChoices, 4);
  locate_last_item(app, "choice");
  ImGui::SameLine();
  const float send_width = 70;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - send_width - ImGui::GetStyle().ItemSpacing.x);
  bool submit = ImGui::InputTextWithHint("##content", "your move as the agent (Enter sends)", &composer.content,
                                         ImGuiInputTextFlags_EnterReturnsTrue);
  locate_last_item(app, "composer");
  ImGui::SameLine();
  submit = ImGui::Button("Send", ImVec2(send_width, 0)) || submit;
  if (submit && can_move) {
    NextMove next;
    next.mover = Mover::Person;
    next.choice = kChoices[composer.choice];
    next.content = composer.content;
    s.move(std::move(next));
    composer.content.clear();
    ImGui::SetKeyboardFocusHere(-1);
  }
  ImGui::EndDisabled();

  ImGui::TextDisabled("Autopilot:");
  ImGui::SameLine();
  ImGui::BeginDisabled(!can_move);
  if (ImGui::SmallButton("model: one step")) s.move(NextMove{Mover::Model, "", ""});
  ImGui::SameLine();
  if (ImGui::SmallButton("model: to the end")) s.run_to_end(Mover::Model);
  ImGui::SameLine();
  if (ImGui::SmallButton("scripted: one step")) s.move(NextMove{Mover::Scripted, "", ""});
  ImGui::SameLine();
  if (ImGui::SmallButton("scripted: to the end")) s.run_to_end(Mover::Scripted);
  ImGui::EndDisabled();
  if (s.autorun()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Stop")) s.cancel();
  }
}

}  // namespace

void draw_conversation_panel(App& app) {
  Session& s = app.session();
  if (!s.has_episode()) {
    ImGui::Spacing();
    ImGui::TextWrapped("Pick an environment and press New episode. You play the agent: each move is a choice "
                       "(action, search, answer, finish) and its content. The simulated user answers; rewards "
                       "appear on the right. Let the scripted baseline or a model take over at any turn, then "
                       "share a link that replays the episode exactly.");
    return;
  }
  const Trajectory& t = s.trajectory();
  draw_header(app);
  const float composer_height = s.live() && !s.finished() ? ImGui::GetFrameHeightWithSpacing() * 2 + 8 : 0;
  ImGui::BeginChild("transcript", ImVec2(0, -composer_height), false);
  if (ImGui::TreeNode("System prompt")) {
    ImGui::PushStyleColor(ImGuiCol_Text, kSystem);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(t.system_prompt.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::TreePop();
  }
  message("User", kUser, t.opening);
  for (std::size_t i = 0; i < t.turns.size(); ++i) draw_turn(app, t, i);
  draw_model_state(app);
  if (s.finished()) {
    ImGui::Separator();
    ImGui::TextColored(kJudge, "Episode over (%s): total reward %s.", t.stop_reason.c_str(), py_repr(t.total_reward()).c_str());
  }
  if (s.viewing() && !s.finished()) {
    ImGui::Separator();
    if (ImGui::Button("Continue this episode")) {
      try {
        s.fork(t.turns.size());
      } catch (const ConfigError& e) {
        app.set_error(e.what());
      }
    }
  }
  if (composer.shown_turns != t.turns.size() || s.calling_model()) {
    composer.shown_turns = t.turns.size();
    composer.scroll_frames = 3;
  }
  if (composer.scroll_frames > 0) {
    --composer.scroll_frames;
    ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndChild();
  if (s.live() && !s.finished()) draw_composer(app);
}

}  // namespace rapport::web
