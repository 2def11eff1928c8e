#include "web/ui.h"

#include <algorithm>

#include "core/pynum.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "web/fonts.h"

namespace rapport::web {
namespace {

constexpr float kPhoneWidth = 900;  // CSS pixels: below this the panels are tabs

enum class Tab { Setup, Conversation, Results };
Tab phone_tab = Tab::Setup;
int seen_serial = -1;

void panel(App& app, const char* id, float width, void (*draw)(App&)) {
  ImGui::BeginChild(id, ImVec2(width, 0), true);
  draw(app);
  ImGui::EndChild();
}

void tab_button(App& app, const char* label, Tab tab, float width) {
  const bool on = phone_tab == tab;
  if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyle().Colors[ImGuiCol_ButtonActive]);
  if (ImGui::Button(label, ImVec2(width, 0))) phone_tab = tab;
  if (on) ImGui::PopStyleColor();
  locate_last_item(app, label);
}

}  // namespace

std::string display_number(double x) { return py_repr(py_round(x, 4)); }

void locate_last_item(App& app, const char* name) {
  ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  app.locate(name, (min.x + max.x) / 2, (min.y + max.y) / 2);
  const ImRect clip = ImGui::GetCurrentWindow()->InnerClipRect;
  app.locate_rect(name, min.x, min.y, max.x, max.y, clip.Min.x, clip.Min.y, clip.Max.x, clip.Max.y);
}

float button_width(const char* label, bool small) {
  const float pad = small ? ImGui::GetStyle().FramePadding.x : ImGui::GetStyle().FramePadding.x;
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * pad;
}

void flow(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
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
  style.ScrollbarSize = 16.0f;
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
  const bool phone = viewport->WorkSize.x < kPhoneWidth;

  ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1.0f), "Rapport");
  if (!phone) {
    ImGui::SameLine();
    ImGui::TextDisabled("playground: environments where an agent must understand its user");
  }
  if (!app.error().empty() || !app.notice().empty()) {
    const bool error = !app.error().empty();
    const std::string& text = error ? app.error() : app.notice();
    note_text(text);
    app.mirror_line(error ? "Error" : "Notice", text);
    const float close = button_width("x") + ImGui::GetStyle().ItemSpacing.x;
    ImGui::PushStyleColor(ImGuiCol_Text, error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.5f, 0.9f, 0.55f, 1.0f));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - close);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - close + ImGui::GetStyle().ItemSpacing.x);
    if (ImGui::SmallButton("x##dismiss")) app.clear_messages();
  }

  if (app.session().serial() != seen_serial) {
    // A new episode (or an opened link) is what the person wants to see next.
    if (seen_serial >= 0 && app.session().has_episode()) phone_tab = Tab::Conversation;
    seen_serial = app.session().serial();
  }

  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float width = ImGui::GetContentRegionAvail().x;
  if (phone) {
    const float tab = (width - 2 * spacing) / 3;
    tab_button(app, "Setup", Tab::Setup, tab);
    ImGui::SameLine();
    tab_button(app, "Conversation", Tab::Conversation, tab);
    ImGui::SameLine();
    tab_button(app, "Results", Tab::Results, tab);
    switch (phone_tab) {
      case Tab::Setup: panel(app, "setup", 0, draw_setup_panel); break;
      case Tab::Conversation: panel(app, "conversation", 0, draw_conversation_panel); break;
      case Tab::Results: panel(app, "results", 0, draw_results_panel); break;
    }
  } else {
    const float left = std::clamp(width * 0.23f, 260.0f, 380.0f);
    const float right = std::clamp(width * 0.27f, 300.0f, 440.0f);
    const float center = std::max(200.0f, width - left - right - 2 * spacing);
    panel(app, "setup", left, draw_setup_panel);
    ImGui::SameLine();
    panel(app, "conversation", center, draw_conversation_panel);
    ImGui::SameLine();
    panel(app, "results", right, draw_results_panel);
  }
  ImGui::End();
}

}  // namespace rapport::web
