// Right panel: per-turn raw rewards with shaped credits and advantages for the selected methods,
// the episode's metrics, and sharing (link, export, import).
#include <fmt/format.h>

#include <algorithm>

#include "core/pynum.h"
#include "core/shaping.h"
#include "imgui.h"
#include "misc/cpp/imgui_stdlib.h"
#include "web/bridge.h"
#include "web/ui.h"

namespace rapport::web {
namespace {

std::string number(double x) { return py_repr(py_round(x, 4)); }

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
  group.push_back(t.rewards());
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
  float height = std::min(260.0f, ImGui::GetTextLineHeightWithSpacing() * (t.turns.size() + 2.5f));
  if (ImGui::BeginTable("rewards", 5, flags, ImVec2(0, height))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
    ImGui::TableSetupColumn("move");
    ImGui::TableSetupColumn("raw", ImGuiTableColumnFlags_WidthFixed, 48);
    ImGui::TableSetupColumn("credit", ImGuiTableColumnFlags_WidthFixed, 52);
    ImGui::TableSetupColumn("adv.", ImGuiTableColumnFlags_WidthFixed, 56);
    ImGui::TableHeadersRow();
    for (std::size_t i = 0; i < t.turns.size(); ++i) {
      const Turn& turn = t.turns[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", int(i + 1));
      ImGui::TableNextColumn();
      std::string move = turn.choice.empty() ? turn.action : fmt::format("{} {}", turn.choice, turn.content);
      ImGui::TextUnformatted(move.c_str());
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
  ImGui::Text("total reward %s · format errors %d", py_repr(t.total_reward()).c_str(), t.format_errors());
}

void draw_metrics(const Trajectory& t) {
  if (t.metrics.empty()) {
    ImGui::TextDisabled(t.stop_reason.empty() ? "Metrics appear when the episode ends." : "No metrics.");
    return;
  }
  for (const auto& m : t.metrics) {
    ImGui::TextDisabled("%s", std::string(m.key()).c_str());
    ImGui::SameLine(130);
    ImGui::TextUnformatted(to_json(m.value()).c_str());
  }
}

std::string link_input;

void draw_share(App& app) {
  const bool has = app.session().has_episode();
  ImGui::BeginDisabled(!has || app.session().calling_model());
  if (ImGui::Button("Copy share link")) app.share();
  ImGui::SameLine();
  if (ImGui::Button("Export file")) app.export_file();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Import file...")) pick_file(static_cast<int>(FileKind::Episode));
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
  hint("Links hold the whole episode, model answers included: they replay exactly with no key. The native "
       "runner checks one with: rapport replay '<link>'");
}

}  // namespace

void draw_results_panel(App& app) {
  const Session& s = app.session();
  section("REWARDS");
  if (s.has_episode()) draw_shaping(app);
  else ImGui::TextDisabled("Per-turn rewards, credits and advantages.");
  section("METRICS");
  if (s.has_episode()) draw_metrics(s.trajectory());
  section("SHARE");
  draw_share(app);
}

}  // namespace rapport::web
