#include "web/ui.h"

#include <algorithm>

#include "imgui.h"

namespace rapport::web {

void locate_last_item(App& app, const char* name) {
  ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  app.locate(name, (min.x + max.x) / 2, (min.y + max.y) / 2);
}

void setup_style() {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0.0f;
  style.ChildRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.WindowPadding = ImVec2(10, 10);
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.14f, 1.0f);
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0.13f, 0.14f, 0.17f, 1.0f);
}

void draw_ui(App& app) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("Rapport playground", nullptr, flags);

  ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1.0f), "Rapport");
  ImGui::SameLine();
  ImGui::TextDisabled("playground: environments where an agent must understand its user");
  if (!app.error().empty() || !app.notice().empty()) {
    const bool error = !app.error().empty();
    ImGui::PushStyleColor(ImGuiCol_Text, error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.5f, 0.9f, 0.55f, 1.0f));
    ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x - 30);
    ImGui::TextUnformatted(error ? app.error().c_str() : app.notice().c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::SameLine(ImGui::GetContentRegionAvail().x - 10);
    if (ImGui::SmallButton("x##dismiss")) app.clear_messages();
  }

  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float width = ImGui::GetContentRegionAvail().x;
  const float left = std::clamp(width * 0.24f, 250.0f, 360.0f);
  const float right = std::clamp(width * 0.27f, 270.0f, 430.0f);
  const float center = std::max(200.0f, width - left - right - 2 * spacing);

  ImGui::BeginChild("setup", ImVec2(left, 0), true);
  draw_setup_panel(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("conversation", ImVec2(center, 0), true);
  draw_conversation_panel(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("results", ImVec2(right, 0), true);
  draw_results_panel(app);
  ImGui::EndChild();

  ImGui::End();
}

}  // namespace rapport::web
