// Middle panel: the conversation (system, user, agent, database/tool and judge messages told
// apart by colour and label; each turn foldable, with a raw view; hidden reasoning behind a
// toggle; tool output that is a list of records shown as a sortable table, the option the agent
// recommended highlighted), the composer, and the autopilot.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/action.h"
#include "core/pynum.h"
#include "core/tools.h"
#include "core/user_episode.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "misc/cpp/imgui_stdlib.h"
#include "web/fonts.h"
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
  bool select_text = false;  // the page's text view of the transcript, over the panel
  std::size_t shown_turns = 0;
  int scroll_frames = 0;  // frames left to keep the newest message in view (text lays out over a frame or two)
  std::set<std::size_t> raw_turns;  // turns shown as their raw record
};
Composer composer;

constexpr const char* kChoices[] = {"action", "search", "answer", "finish"};

constexpr float kLabelWidth = 92;

void message(App& app, const char* label, const ImVec4& colour, const std::string& text) {
  note_text(text);
  app.mirror_line(label, text);
  ImGui::TextColored(colour, "%s", label);
  ImGui::SameLine(kLabelWidth);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.empty() ? "(empty)" : text.c_str());
  ImGui::PopTextWrapPos();
}

// The JSON records among an observation's lines (search results, tool output).
struct Records {
  std::vector<std::string> columns;
  std::vector<json::object> rows;
  std::string text;  // the other lines
};

Records read_records(const std::string& observation) {
  Records out;
  std::size_t start = 0;
  while (start <= observation.size()) {
    std::size_t end = observation.find('\n', start);
    std::string line = observation.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto v = !line.empty() && line.front() == '{' ? parse_json(line) : std::nullopt;
    if (v && v->is_object()) {
      for (const auto& kv : v->get_object())
        if (std::find(out.columns.begin(), out.columns.end(), std::string(kv.key())) == out.columns.end())
          out.columns.push_back(std::string(kv.key()));
      out.rows.push_back(v->get_object());
    } else if (!line.empty()) {
      out.text += (out.text.empty() ? "" : "\n") + line;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string cell_text(const json::object& row, const std::string& column) {
  auto it = row.find(column);
  if (it == row.end()) return "";
  if (it->value().is_string()) return std::string(it->value().get_string());
  if (it->value().is_double()) return display_number(it->value().get_double());
  return to_json(it->value());
}

// The record's identity: its "id" field, else its first text value.
std::string record_id(const json::object& row) {
  for (const char* key : {"id", "option_id"})
    if (auto it = row.find(key); it != row.end() && it->value().is_string()) return std::string(it->value().get_string());
  for (const auto& kv : row)
    if (kv.value().is_string()) return std::string(kv.value().get_string());
  return "";
}

// Records as a sortable table; rows the agent recommended (named in an answer) highlighted.
void records_table(App& app, const Records& r, const std::set<std::string>& recommended, std::size_t turn) {
  const int columns = static_cast<int>(std::min<std::size_t>(r.columns.size(), 12));
  ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                          ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
  const float height = std::min(320.0f, ImGui::GetTextLineHeightWithSpacing() * (r.rows.size() + 2.5f));
  if (!ImGui::BeginTable(fmt::format("records{}", turn).c_str(), columns, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int c = 0; c < columns; ++c) ImGui::TableSetupColumn(r.columns[c].c_str());
  ImGui::TableHeadersRow();
  std::vector<std::size_t> order(r.rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
    const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
    const std::string& column = r.columns[spec.ColumnIndex];
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      auto x = r.rows[a].find(column), y = r.rows[b].find(column);
      bool less;
      if (x != r.rows[a].end() && y != r.rows[b].end() && x->value().is_number() && y->value().is_number())
        less = x->value().to_number<double>() < y->value().to_number<double>();
      else
        less = cell_text(r.rows[a], column) < cell_text(r.rows[b], column);
      bool greater = cell_text(r.rows[b], column) < cell_text(r.rows[a], column);
      if (x != r.rows[a].end() && y != r.rows[b].end() && x->value().is_number() && y->value().is_number())
        greater = y->value().to_number<double>() < x->value().to_number<double>();
      return spec.SortDirection == ImGuiSortDirection_Descending ? greater : less;
    });
  }
  for (std::size_t i : order) {
    const json::object& row = r.rows[i];
    ImGui::TableNextRow();
    const bool chosen = recommended.count(record_id(row)) > 0;
    if (chosen) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(ImVec4(0.2f, 0.45f, 0.25f, 0.8f)));
    std::string line;
    for (int c = 0; c < columns; ++c) {
      ImGui::TableNextColumn();
      std::string cell = cell_text(row, r.columns[c]);
      note_text(cell);
      ImGui::TextUnformatted(cell.c_str());
      line += (c ? " | " : "") + r.columns[c] + ": " + cell;
    }
    app.mirror_line(chosen ? "Result (recommended)" : "Result", line);
  }
  ImGui::EndTable();
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

const char* mover_name(const std::vector<Mover>& movers, std::size_t i) {
  if (i >= movers.size()) return "";
  switch (movers[i]) {
    case Mover::Person: return " (you)";
    case Mover::Scripted: return " (scripted)";
    case Mover::Model: return " (model)";
    case Mover::Recorded: return " (replayed)";
  }
  return "";
}

// The agent's recommendations so far: what its answers named.
std::set<std::string> recommended_ids(const Trajectory& t, std::size_t turns) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < turns; ++i) {
    auto a = parse_bracket_action(t.turns[i].action);
    if (a.choice == Choice::Answer) out.insert(std::string(py_strip(a.payload)));
  }
  return out;
}

void draw_turn(App& app, const Trajectory& t, std::size_t i, const std::set<std::string>& recommended) {
  const Turn& turn = t.turns[i];
  ImGui::PushID(static_cast<int>(i));
  ImGui::Separator();
  std::string move = turn.choice.empty() && turn.content.empty() ? turn.action
                                                                  : fmt::format("[{}] {}", turn.choice, turn.content);
  // An environment tool call reads as a call: name(arguments).
  if (auto call = parse_tool_action(turn.action); call && call->problem.empty())
    move = fmt::format("calls {}({})", call->name, to_python_json(call->arguments));
  const std::vector<Mover> movers = app.session().movers();
  std::string title = fmt::format("Turn {}{} · reward {}###turn", i + 1, mover_name(movers, i), display_number(turn.reward));
  const bool open = ImGui::TreeNodeEx(title.c_str(), ImGuiTreeNodeFlags_DefaultOpen | ImGuiTreeNodeFlags_NoTreePushOnOpen);
  ImGui::SameLine();
  bool raw = composer.raw_turns.count(i) > 0;
  if (ImGui::SmallButton(raw ? "readable" : "raw")) {
    if (raw) composer.raw_turns.erase(i);
    else composer.raw_turns.insert(i);
    raw = !raw;
  }
  if (!open) {
    app.mirror_line(fmt::format("Agent {}", i + 1), move);
    ImGui::PopID();
    return;
  }
  if (raw) {
    Trajectory one;
    one.turns.push_back(turn);
    json::value record = parse_json(to_json_line(one)).value_or(json::value());
    std::string text = record.is_object() && record.get_object().contains("turns")
                           ? to_json(record.get_object().at("turns").get_array().at(0))
                           : turn.action + "\n" + turn.observation;
    note_text(text);
    app.mirror_line(fmt::format("Turn {} (raw)", i + 1), text);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopID();
    return;
  }
  message(app, fmt::format("Agent {}", i + 1).c_str(), kAgent, move);
  if (composer.show_reasoning) hidden("reasoning", turn.reasoning);
  if (composer.show_calls) calls("model", turn.agent_calls);
  const bool stepped = !(i + 1 == t.turns.size() && t.stop_reason == "agent_stopped");
  if (!turn.observation.empty() || stepped) {
    auto [label, colour] = stepped ? answerer(turn) : std::pair<const char*, ImVec4>{"System", kSystem};
    Records records = read_records(turn.observation);
    if (records.rows.size() >= 2) {
      message(app, label, colour, records.text.empty() ? fmt::format("{} results", records.rows.size()) : records.text);
      ImGui::Indent(kLabelWidth);
      records_table(app, records, recommended, i);
      ImGui::Unindent(kLabelWidth);
    } else {
      message(app, label, colour, turn.observation);
    }
  }
  if (auto user = recorded_user_turn(turn.info))
    hidden(fmt::format("user rationale · {}", user->move), fmt::format("{}\nstate: {}", user->rationale.text(), state_line(user->state)));
  if (composer.show_reasoning)
    for (const auto& call : turn.env_calls) hidden("simulator reasoning", call.response.message.reasoning);
  if (!turn.info.empty()) {
    // What the environment noted about the turn (uncovered details, a simulator's rationale,
    // fallbacks): folded by default, any field the environment records.
    ImGui::Indent(kLabelWidth);
    if (ImGui::TreeNode("details")) {
      for (const auto& kv : turn.info) {
        std::string value = kv.value().is_string() ? std::string(kv.value().get_string())
                            : kv.value().is_double() ? display_number(kv.value().get_double())
                                                     : to_json(kv.value());
        note_text(value);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextDisabled("%s:", std::string(kv.key()).c_str());
        ImGui::SameLine();
        ImGui::TextUnformatted(value.c_str());
        ImGui::PopTextWrapPos();
        app.mirror_line(fmt::format("Turn {} {}", i + 1, std::string(kv.key())), value);
      }
      ImGui::TreePop();
    }
    ImGui::Unindent(kLabelWidth);
  }
  if (composer.show_calls) calls("simulator", turn.env_calls);
  ImGui::Indent(kLabelWidth);
  std::string status = fmt::format("reward {}", display_number(turn.reward));
  if (turn.terminated) status += " · terminated";
  if (turn.truncated) status += " · truncated";
  if (turn.format_error) status += " · format error";
  if (i < app.session().forked_turns() && app.session().live()) status += " · replayed";
  for (const CallStat& c : app.session().call_stats())
    if (c.turn == i)
      status += fmt::format(" · {} {} ms, {}+{} tokens", c.agent ? "agent model" : "simulator", static_cast<long>(c.ms),
                            c.prompt_tokens, c.completion_tokens);
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
  ImGui::Unindent(kLabelWidth);
  ImGui::PopID();
}

void draw_header(App& app) {
  Session& s = app.session();
  const Trajectory& t = s.trajectory();
  ImGui::TextColored(kAgent, "%s", t.env.c_str());
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("task %s · seed %llu · %s user · agent %s", t.task_id.c_str(),
                     static_cast<unsigned long long>(t.seed), t.oracle.c_str(), t.agent.c_str());
  ImGui::PopStyleColor();
  std::string state;
  if (s.viewing()) state = t.stop_reason.empty() ? "viewing an unfinished episode" : "viewing: " + t.stop_reason;
  else if (s.finished()) state = "episode over: " + t.stop_reason;
  else if (s.calling_model()) state = "waiting for the model...";
  else if (s.model_call_failed()) state = "model call failed";
  else state = "your move";
  const ImVec4 colour = s.model_call_failed() ? kError : s.finished() ? kJudge : s.calling_model() ? kHidden : kUser;
  ImGui::TextColored(colour, "%s", state.c_str());
  app.mirror_line("Status", state);
  if (const auto& check = s.replay_check(); check && s.viewing()) {
    ImGui::SameLine();
    if (check->identical) ImGui::TextColored(kUser, "· replay identical to the link");
    else ImGui::TextColored(kError, "· replay differs from the link");
  }
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  flow(box + ImGui::CalcTextSize("hidden reasoning").x);
  ImGui::Checkbox("hidden reasoning", &composer.show_reasoning);
  flow(box + ImGui::CalcTextSize("model calls").x);
  ImGui::Checkbox("model calls", &composer.show_calls);
  flow(box + ImGui::CalcTextSize("select text").x);
  ImGui::Checkbox("select text", &composer.select_text);
  locate_last_item(app, "select_text");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the conversation as page text you can select and copy");
}

void draw_model_state(App& app) {
  Session& s = app.session();
  if (s.calling_model()) {
    ImGui::Separator();
    ImGui::TextColored(kHidden, "%s is thinking...", s.pending_role() == LlmRole::Policy ? "The agent model" : "The simulated user");
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) s.cancel();
    locate_last_item(app, "cancel");
  } else if (s.model_call_failed()) {
    ImGui::Separator();
    note_text(s.model_error());
    app.mirror_line("Error", s.model_error());
    ImGui::PushStyleColor(ImGuiCol_Text, kError);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.model_error().c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("Retry")) s.retry();
    locate_last_item(app, "retry");
    ImGui::SameLine();
    if (ImGui::SmallButton("Give up this call")) s.give_up();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Record the call as failed: the agent stops, a simulator uses its fallback");
  }
}

struct Auto {
  const char* label;
  const char* name;
  Mover mover;
  bool to_end;
};
constexpr Auto kAutopilot[] = {{"model: one step", "model_step", Mover::Model, false},
                               {"model: to the end", "model_to_end", Mover::Model, true},
                               {"scripted: one step", "scripted_step", Mover::Scripted, false},
                               {"scripted: to the end", "scripted_to_end", Mover::Scripted, true}};
constexpr const char* kStopLabel = "Stop (Esc)";

// The composer's height before it is drawn, laid out as draw_composer() and flow() will lay it
// out at this width. The transcript above it is sized with it, so the composer is where it stays
// from the first frame it appears: sized after a guess, it moved in the next frame, away from
// a click aimed at where it had been drawn.
float composer_height(bool autorun) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float left = ImGui::GetCursorScreenPos().x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  float x = left + ImGui::CalcTextSize("Autopilot:").x;
  if (autorun) x += style.ItemSpacing.x + button_width(kStopLabel, true);
  int rows = 1;
  for (const Auto& a : kAutopilot) {
    const float width = button_width(a.label, true);
    if (x + style.ItemSpacing.x + width <= right) {
      x += style.ItemSpacing.x + width;
    } else {
      ++rows;
      x = left + width;
    }
  }
  // The move row (framed widgets), then rows of text and small buttons (no vertical padding).
  return ImGui::GetFrameHeight() + style.ItemSpacing.y + rows * (ImGui::GetFontSize() + style.ItemSpacing.y);
}

// Tab in the composer moves to the next choice (Shift+Tab: the previous one).
int cycle_choice(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackCompletion)
    composer.choice = (composer.choice + (ImGui::GetIO().KeyShift ? 3 : 1)) % 4;
  return 0;
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
  bool submit = ImGui::InputTextWithHint("##content", "your move (Enter sends, Tab changes the choice)", &composer.content,
                                         ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackCompletion,
                                         cycle_choice);
  note_text(composer.content);
  locate_last_item(app, "composer");
  ImGui::SameLine();
  submit = ImGui::Button("Send", ImVec2(send_width, 0)) || submit;
  locate_last_item(app, "send");
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
  if (s.autorun()) {
    // First, so it is in view however narrow the panel.
    ImGui::SameLine();
    if (ImGui::SmallButton(kStopLabel)) s.cancel();
    locate_last_item(app, "stop");
  }
  ImGui::BeginDisabled(!can_move);
  for (const Auto& a : kAutopilot) {
    flow(button_width(a.label, true));
    if (ImGui::SmallButton(a.label)) {
      if (a.to_end) s.run_to_end(a.mover);
      else s.move(NextMove{a.mover, "", ""});
    }
    locate_last_item(app, a.name);
  }
  ImGui::EndDisabled();
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
  // Escape stops the autopilot, or cancels the model call it waits for.
  if ((s.autorun() || s.calling_model()) && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) s.cancel();
  draw_header(app);
  const bool composing = s.live() && !s.finished();
  const float reserved = composing ? composer_height(s.autorun().has_value()) + ImGui::GetStyle().ItemSpacing.y : 0;
  ImGui::BeginChild("transcript", ImVec2(0, -reserved), false);
  {
    ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    app.mirror_rect(composer.select_text ? at.x : 0, at.y, composer.select_text ? size.x : 0, size.y);
    const ImRect clip = ImGui::GetCurrentWindow()->InnerClipRect;
    app.locate_rect("transcript", at.x, at.y, at.x + size.x, at.y + size.y, clip.Min.x, clip.Min.y, clip.Max.x, clip.Max.y);
  }
  note_text(t.system_prompt);
  app.mirror_line("System prompt", t.system_prompt);
  if (ImGui::TreeNode("System prompt")) {
    ImGui::PushStyleColor(ImGuiCol_Text, kSystem);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(t.system_prompt.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::TreePop();
  }
  message(app, "User", kUser, t.opening);
  const std::size_t shown = s.complete_turns();  // a turn waiting for a model is not drawn yet
  const std::set<std::string> recommended = recommended_ids(t, shown);
  for (std::size_t i = 0; i < shown; ++i) draw_turn(app, t, i, recommended);
  draw_model_state(app);
  if (s.finished()) {
    ImGui::Separator();
    std::string over = fmt::format("Episode over ({}): total reward {}.", t.stop_reason, display_number(t.total_reward()));
    ImGui::TextColored(kJudge, "%s", over.c_str());
    app.mirror_line("System", over);
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
  if (composer.shown_turns != shown) {
    composer.shown_turns = shown;
    composer.scroll_frames = 3;
  }
  if (composer.scroll_frames > 0) {
    --composer.scroll_frames;
    ImGui::SetScrollHereY(1.0f);
  }
  app.note_scroll("transcript", ImGui::GetScrollY(), ImGui::GetScrollMaxY());
  ImGui::EndChild();
  if (s.live() && !s.finished()) draw_composer(app);
}

}  // namespace rapport::web
