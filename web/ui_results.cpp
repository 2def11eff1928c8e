// Right panel: sharing (link, export, import) always in view, then a timeline of the episode
// (a bar per turn, by who made it; click to fork), per-turn raw rewards with shaped credits and
// advantages for the selected methods, the GRPO group with each episode's z, and the metrics.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/pynum.h"
#include "core/shaping.h"
#include "imgui.h"
#include "misc/cpp/imgui_stdlib.h"
#include "web/bridge.h"
#include "web/fonts.h"
#include "web/ui.h"

namespace rapport::web {
namespace {

std::string number(double x) { return display_number(x); }

// A metric's value as people read it: numbers rounded, everything else as JSON.
std::string metric_text(const json::value& v) {
  if (v.is_double()) return display_number(v.get_double());
  return to_json(v);
}

void hint(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.6f, 0.65f, 0.75f, 1.0f), "%s", title);
  ImGui::Separator();
}

void draw_shaping(App& app) {
  ShapingChoice& choice = app.shaping();
  const char* turns[] = {"naive", "equalized", "r2g", "em"};
  const char* scores[] = {"sum", "mean", "r2g"};
  ImGui::SetNextItemWidth(110);
  ImGui::Combo("turn credit", &choice.turn, turns, 4);
  ImGui::SetNextItemWidth(110);
  ImGui::Combo("trajectory score", &choice.score, scores, 3);
  if (choice.turn == 2 || choice.score == 2) {
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("gamma", &choice.gamma, 0.0f, 1.0f, "%.2f");
  }
  if (choice.turn == 3) {
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("em k", &choice.em_k, 0.1f, 10.0f, "%.1f");
  }

  const Session& s = app.session();
  const Trajectory& t = s.trajectory();
  // The GRPO group: this visit's finished episodes of the same environment and task, with this
  // one last (a live episode that has finished is already the last of the history).
  const bool current_in_history = s.live() && s.finished() && !s.history().empty();
  const std::size_t past = s.history().size() - (current_in_history ? 1 : 0);
  std::vector<std::vector<double>> group;
  for (std::size_t i = 0; i < past; ++i) {
    const Trajectory& h = s.history()[i];
    if (h.env == t.env && h.task_id == t.task_id) group.push_back(h.rewards());
  }
  const std::size_t shown = s.complete_turns();
  std::vector<double> rewards = t.rewards();
  rewards.resize(std::min(rewards.size(), shown));  // no half turn while a model call is open
  group.push_back(rewards);
  std::vector<ShapedTrajectory> shaped;
  try {
    shaped = shape_group(group, {}, choice.config());
  } catch (const std::exception& e) {
    ImGui::TextWrapped("%s", e.what());
    return;
  }
  const ShapedTrajectory& mine = shaped.back();

  ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp |
                          ImGuiTableFlags_ScrollY;
  float height = std::min(260.0f, ImGui::GetTextLineHeightWithSpacing() * (shown + 2.5f));
  if (ImGui::BeginTable("rewards", 5, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
    ImGui::TableSetupColumn("move");
    ImGui::TableSetupColumn("raw", ImGuiTableColumnFlags_WidthFixed, 48);
    ImGui::TableSetupColumn("credit", ImGuiTableColumnFlags_WidthFixed, 52);
    ImGui::TableSetupColumn("adv.", ImGuiTableColumnFlags_WidthFixed, 56);
    ImGui::TableHeadersRow();
    for (std::size_t i = 0; i < shown; ++i) {
      const Turn& turn = t.turns[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", int(i + 1));
      ImGui::TableNextColumn();
      std::string move = turn.choice.empty() ? turn.action : fmt::format("{} {}", turn.choice, turn.content);
      ImGui::TextUnformatted(move.c_str());
      app.mirror_line(fmt::format("Reward of turn {}", i + 1),
                      fmt::format("{}: raw {}, credit {}, advantage {}", move, number(turn.reward),
                                  i < mine.credits.size() ? number(mine.credits[i]) : "",
                                  i < mine.turn_advantage.size() ? number(mine.turn_advantage[i]) : ""));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", move.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(turn.reward).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(i < mine.credits.size() ? number(mine.credits[i]).c_str() : "");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(i < mine.turn_advantage.size() ? number(mine.turn_advantage[i]).c_str() : "");
    }
    ImGui::EndTable();
  }
  ImGui::Text("score S %s · z %s", number(mine.score).c_str(), number(mine.z).c_str());
  hint(fmt::format("group of {}: the finished episodes of this task in this visit", group.size()));
  if (group.size() > 1 && ImGui::BeginTable("group", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame)) {
    // The whole GRPO group, each episode with its score and normalised advantage z.
    ImGui::TableSetupColumn("episode");
    ImGui::TableSetupColumn("reward");
    ImGui::TableSetupColumn("S");
    ImGui::TableSetupColumn("z");
    ImGui::TableHeadersRow();
    for (std::size_t g = 0; g < group.size(); ++g) {
      double sum = 0;
      for (double r : group[g]) sum += r;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(g + 1 == group.size() ? "this one" : fmt::format("#{}", g + 1).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(sum).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(shaped[g].score).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(number(shaped[g].z).c_str());
      app.mirror_line(fmt::format("Group episode {}", g + 1),
                      fmt::format("reward {}, S {}, z {}", number(sum), number(shaped[g].score), number(shaped[g].z)));
    }
    ImGui::EndTable();
  }
  double total = 0;
  for (double r : rewards) total += r;
  std::string totals = fmt::format("total reward {} · format errors {}", number(total), t.format_errors());
  ImGui::TextUnformatted(totals.c_str());
  app.mirror_line("Rewards", fmt::format("score S {} · z {} · {}", number(mine.score), number(mine.z), totals));
}

// The episode at a glance: one bar per turn (its raw reward), coloured by who made the move;
// hovering tells the turn, a click forks the episode after it.
void draw_timeline(App& app) {
  Session& s = app.session();
  const Trajectory& t = s.trajectory();
  const std::size_t shown = s.complete_turns();
  if (shown == 0) {
    ImGui::TextDisabled("One bar per turn appears here.");
    return;
  }
  const std::vector<Mover> movers = s.movers();
  double low = 0, high = 0;
  for (std::size_t i = 0; i < shown; ++i) low = std::min(low, t.turns[i].reward), high = std::max(high, t.turns[i].reward);
  if (high - low < 1e-9) high = low + 1;
  const float height = 48, width = ImGui::GetContentRegionAvail().x;
  const float bar = std::max(3.0f, std::min(24.0f, width / static_cast<float>(shown)));
  ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("timeline", ImVec2(std::min(width, bar * shown), height));
  locate_last_item(app, "timeline");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float zero = origin.y + height * static_cast<float>(high / (high - low));
  draw->AddLine(ImVec2(origin.x, zero), ImVec2(origin.x + bar * shown, zero), ImGui::GetColorU32(ImGuiCol_Border));
  for (std::size_t i = 0; i < shown; ++i) {
    const double r = t.turns[i].reward;
    const float y = origin.y + height * static_cast<float>((high - r) / (high - low));
    ImVec4 colour(0.5f, 0.75f, 1.0f, 1.0f);  // a model, or a replayed record
    if (i < movers.size() && movers[i] == Mover::Person) colour = ImVec4(0.5f, 0.85f, 0.55f, 1.0f);
    if (i < movers.size() && movers[i] == Mover::Scripted) colour = ImVec4(0.95f, 0.7f, 0.35f, 1.0f);
    draw->AddRectFilled(ImVec2(origin.x + bar * i + 1, std::min(y, zero) - (std::abs(y - zero) < 1 ? 1 : 0)),
                        ImVec2(origin.x + bar * (i + 1) - 1, std::max(y, zero)), ImGui::GetColorU32(colour));
  }
  if (ImGui::IsItemHovered()) {
    const std::size_t i = std::min<std::size_t>(shown - 1, static_cast<std::size_t>((ImGui::GetIO().MousePos.x - origin.x) / bar));
    const char* who = i < movers.size() ? (movers[i] == Mover::Person     ? "you"
                                           : movers[i] == Mover::Scripted ? "the scripted baseline"
                                           : movers[i] == Mover::Model    ? "the model"
                                                                          : "the record")
                                        : "the record";
    ImGui::SetTooltip("Turn %d by %s: reward %s\nClick to fork after this turn", int(i + 1), who,
                      number(t.turns[i].reward).c_str());
    if (ImGui::IsItemClicked() && !s.calling_model()) {
      try {
        s.fork(i + 1);
        app.set_notice(fmt::format("Forked after turn {}: the rest is yours to play.", i + 1));
      } catch (const ConfigError& e) {
        app.set_error(e.what());
      }
    }
  }
  hint("green: you · orange: scripted · blue: model or replayed");
}

std::string move_text(const Turn& turn) {
  return turn.choice.empty() ? turn.action : fmt::format("{} {}", turn.choice, turn.content);
}

// Two episodes side by side (e.g. two forks of one conversation): their moves and rewards turn by
// turn, from the first turn where they part.
void draw_compare(App& app) {
  Session& s = app.session();
  auto& pinned = app.pinned();
  if (ImGui::SmallButton(pinned ? "Pin this episode instead" : "Pin this episode to compare")) {
    Trajectory t = s.trajectory();
    t.turns.resize(s.complete_turns());
    pinned = std::move(t);
  }
  locate_last_item(app, "pin");
  if (!pinned) {
    hint("Pin an episode, then fork or play another: the two show side by side here.");
    return;
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Unpin")) {
    pinned.reset();
    return;
  }
  const Trajectory& a = *pinned;
  const Trajectory& b = s.trajectory();
  const std::size_t nb = s.complete_turns();
  std::size_t same = 0;
  while (same < a.turns.size() && same < nb && a.turns[same].action == b.turns[same].action &&
         a.turns[same].observation == b.turns[same].observation)
    ++same;
  ImGui::TextDisabled("the same for %d turns; pinned total %s, this one %s", int(same), number(a.total_reward()).c_str(),
                      number([&] { double x = 0; for (std::size_t i = 0; i < nb; ++i) x += b.turns[i].reward; return x; }()).c_str());
  ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame |
                          ImGuiTableFlags_ScrollY;
  const std::size_t rows = std::max(a.turns.size(), nb);
  const float height = std::min(240.0f, ImGui::GetTextLineHeightWithSpacing() * (rows - same + 2.5f));
  if (rows <= same || !ImGui::BeginTable("compare", 3, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
  ImGui::TableSetupColumn("pinned");
  ImGui::TableSetupColumn("this one");
  ImGui::TableHeadersRow();
  for (std::size_t i = same; i < rows; ++i) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", int(i + 1));
    for (int side = 0; side < 2; ++side) {
      ImGui::TableNextColumn();
      const bool has = side == 0 ? i < a.turns.size() : i < nb;
      if (!has) continue;
      const Turn& turn = side == 0 ? a.turns[i] : b.turns[i];
      std::string text = fmt::format("{} ({})", move_text(turn), number(turn.reward));
      note_text(text);
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(text.c_str());
      ImGui::PopTextWrapPos();
      app.mirror_line(fmt::format("Turn {} {}", i + 1, side == 0 ? "pinned" : "this one"), text);
    }
  }
  ImGui::EndTable();
}

void draw_metrics(App& app, const Trajectory& t) {
  if (t.metrics.empty()) {
    ImGui::TextDisabled(t.stop_reason.empty() ? "Metrics appear when the episode ends." : "No metrics.");
    return;
  }
  // A table keeps long names and values in their own columns, wrapped, never on top of each other.
  if (!ImGui::BeginTable("metrics", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  for (const auto& m : t.metrics) {
    std::string name(m.key()), value = metric_text(m.value());
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s", name.c_str());
    ImGui::PopStyleColor();
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", value.c_str());
    app.mirror_line("Metric " + name, value);
  }
  ImGui::EndTable();
}

std::string link_input;

void draw_share(App& app) {
  const bool has = app.session().has_episode();
  ImGui::BeginDisabled(!has || app.session().calling_model());
  if (ImGui::Button("Copy share link")) app.share();
  locate_last_item(app, "share_link");
  flow(button_width("Export file"));
  if (ImGui::Button("Export file")) app.export_file();
  locate_last_item(app, "export_file");
  ImGui::EndDisabled();
  flow(button_width("Import file..."));
  if (ImGui::Button("Import file...")) pick_file(static_cast<int>(FileKind::Episode));
  locate_last_item(app, "import_file");
  if (!app.link().empty()) {
    std::string shown = app.link();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputText("##link", &shown, ImGuiInputTextFlags_ReadOnly);
  }
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 60);
  bool open = ImGui::InputTextWithHint("##open", "paste a link to open", &link_input, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  open = ImGui::Button("Open", ImVec2(52, 0)) || open;
  if (open && !link_input.empty()) {
    open_link(link_input);
    link_input.clear();
  }
}

}  // namespace

void draw_results_panel(App& app) {
  Session& s = app.session();
  // Sharing first, where it is always in view; the tables scroll below it.
  section("SHARE");
  draw_share(app);
  ImGui::BeginChild("results_scroll", ImVec2(0, 0), false);
  section("TIMELINE");
  if (s.has_episode()) draw_timeline(app);
  section("REWARDS");
  if (s.has_episode()) draw_shaping(app);
  else ImGui::TextDisabled("Per-turn rewards, credits and advantages.");
  section("METRICS");
  if (s.has_episode()) draw_metrics(app, s.trajectory());
  section("COMPARE");
  if (s.has_episode()) draw_compare(app);
  ImGui::Spacing();
  hint("Links hold the whole episode, model answers included: they replay exactly with no key. The native "
       "runner checks one with: rapport replay '<link>'");
  ImGui::EndChild();
}

}  // namespace rapport::web
