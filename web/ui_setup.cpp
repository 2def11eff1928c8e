// Left panel: environment and its parameters, the task, who plays the user, model settings.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/pynum.h"
#include "core/registry.h"
#include "imgui.h"
#include "misc/cpp/imgui_stdlib.h"
#include "web/bridge.h"
#include "web/ui.h"

namespace rapport::web {
namespace {

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.6f, 0.65f, 0.75f, 1.0f), "%s", title);
  ImGui::Separator();
}

void wrapped_hint(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void help_tooltip(const ParamSpec& p) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n(%s; default %s)", p.help.c_str(), p.describe().c_str(), p.default_value.c_str());
}

void draw_param(const ParamSpec& p, std::string& value) {
  ImGui::PushID(p.name.c_str());
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.36f);
  switch (p.type) {
    case ParamType::Int: {
      int v = std::atoi(value.c_str());
      if (ImGui::InputInt(p.name.c_str(), &v)) {
        v = static_cast<int>(std::clamp<double>(v, p.min, p.max));
        value = std::to_string(v);
      }
      break;
    }
    case ParamType::Real: {
      double v = py_float(value).value_or(0.0);
      if (ImGui::InputDouble(p.name.c_str(), &v, 0.0, 0.0, "%.6g")) value = py_repr(std::clamp(v, p.min, p.max));
      break;
    }
    case ParamType::Bool: {
      bool v = value == "true";
      if (ImGui::Checkbox(p.name.c_str(), &v)) value = v ? "true" : "false";
      break;
    }
    case ParamType::Choice: {
      if (ImGui::BeginCombo(p.name.c_str(), value.c_str())) {
        for (const auto& c : p.choices)
          if (ImGui::Selectable(c.c_str(), c == value)) value = c;
        ImGui::EndCombo();
      }
      break;
    }
    case ParamType::Text: ImGui::InputText(p.name.c_str(), &value); break;
  }
  help_tooltip(p);
  ImGui::PopID();
}

void connection_result(App& app, int role) {
  const auto& [ok, message] = app.connection(role);
  if (message.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, ok ? ImVec4(0.5f, 0.9f, 0.55f, 1.0f) : ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
  ImGui::TextWrapped("%s", message.c_str());
  ImGui::PopStyleColor();
  app.mirror_line(role ? "Simulated user's endpoint" : "Agent's endpoint", message);
}

void draw_settings(App& app) {
  ModelSettings& s = app.settings();
  wrapped_hint("Any OpenAI-compatible server that allows requests from this page (CORS).");
  ImGui::TextUnformatted("Agent (autopilot)");
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##base_url", "base URL, e.g. http://127.0.0.1:8000/v1", &s.base_url);
  locate_last_item(app, "base_url");
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##model", "model", &s.model);
  locate_last_item(app, "model");
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##api_key", "API key (optional)", &s.api_key, ImGuiInputTextFlags_Password);
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##search_url", "retrieval server for SearchGym, e.g. http://127.0.0.1:8000/retrieve",
                           &s.search_url);
  if (ImGui::SmallButton("Test connection##agent")) {
    app.on_connection_tested(0, false, "Testing...");
    test_connection(0, s.base_url, s.api_key);
  }
  locate_last_item(app, "test_agent");
  flow(button_width("Use this server's demo model", true));
  if (ImGui::SmallButton("Use this server's demo model")) {
    s.base_url = page_origin() + "/v1";
    if (s.model.empty()) s.model = "demo";
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("rapport serve can answer model calls itself at <this page>/v1");
  connection_result(app, 0);
  ImGui::Spacing();
  ImGui::TextUnformatted("Simulated user and judges (LLM user)");
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##user_base_url", "base URL (default: the agent's)", &s.user_base_url);
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##user_model", "model (default: the agent's)", &s.user_model);
  if (!s.user_base_url.empty()) {
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##user_api_key", "API key (optional)", &s.user_api_key, ImGuiInputTextFlags_Password);
  }
  if (ImGui::SmallButton("Test connection##user")) {
    app.on_connection_tested(1, false, "Testing...");
    test_connection(1, s.base_for(LlmRole::User), s.key_for(LlmRole::User));
  }
  connection_result(app, 1);
  ImGui::Spacing();
  if (ImGui::Button("Save in this browser")) app.save_settings();
  wrapped_hint("Keys stay in this browser: never in links or exported files.");
}

}  // namespace

void draw_choices(App& app, const std::vector<const EnvInfo*>& envs, Picker& picker);

void draw_setup_panel(App& app) {
  auto envs = Registry::instance().all();
  Picker& picker = app.picker();
  // New episode stays in view under the scrolling choices, whatever the environment's parameters.
  const float footer = 32 + ImGui::GetTextLineHeightWithSpacing() + 2 * ImGui::GetStyle().ItemSpacing.y;
  ImGui::BeginChild("setup_choices", ImVec2(0, -footer), false);
  draw_choices(app, envs, picker);
  ImGui::EndChild();
  if (ImGui::Button("New episode", ImVec2(-1, 32))) app.new_episode();
  locate_last_item(app, "new_episode");
  ImGui::TextDisabled("spec: %s", app.picker_spec().c_str());
}

// Everything above New episode: environment, parameters, task, players, model settings.
void draw_choices(App& app, const std::vector<const EnvInfo*>& envs, Picker& picker) {
  section("ENVIRONMENT");
  if (envs.empty()) {
    ImGui::TextWrapped("No environment is registered in this build.");
    return;
  }
  const EnvInfo* info = envs[std::clamp(picker.env, 0, static_cast<int>(envs.size()) - 1)];
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##env", fmt::format("{} ({})", info->title, info->name).c_str())) {
    for (std::size_t i = 0; i < envs.size(); ++i) {
      if (ImGui::Selectable(fmt::format("{} ({})", envs[i]->title, envs[i]->name).c_str(), static_cast<int>(i) == picker.env))
        app.select_env(static_cast<int>(i));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", envs[i]->description.c_str());
    }
    ImGui::EndCombo();
  }
  info = envs[std::clamp(picker.env, 0, static_cast<int>(envs.size()) - 1)];
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.7f, 0.72f, 0.78f, 1.0f));
  ImGui::TextWrapped("%s", info->description.c_str());
  ImGui::PopStyleColor();
  if (!info->params.empty() && ImGui::TreeNodeEx("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (const auto& p : info->params) draw_param(p, picker.params[p.name]);
    ImGui::TreePop();
  }

  section("TASK");
  if (ImGui::RadioButton("Built-in", !picker.from_file)) picker.from_file = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("From a data file", picker.from_file)) picker.from_file = true;
  if (!picker.from_file) {
    ImGui::SetNextItemWidth(-120);
    ImGui::InputScalar("seed", ImGuiDataType_U64, &picker.seed);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Seeds the task generator and the episode's own random choices");
    ImGui::SetNextItemWidth(-120);
    if (ImGui::InputInt("task index", &picker.task_index)) picker.task_index = std::max(0, picker.task_index);
  } else {
    if (ImGui::Button("Load data file...")) pick_file(static_cast<int>(FileKind::TaskData));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("A data file in the reference format of this environment");
    if (!picker.data_name.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("%s", picker.data_name.c_str());
      ImGui::SetNextItemWidth(-120);
      if (ImGui::BeginCombo("split", picker.split.c_str())) {
        for (const char* s : {"all", "train", "test"})
          if (ImGui::Selectable(s, picker.split == s)) {
            picker.split = s;
            app.reimport_tasks();
          }
        ImGui::EndCombo();
      }
      if (!picker.file_tasks.empty()) {
        picker.file_task = std::clamp(picker.file_task, 0, static_cast<int>(picker.file_tasks.size()) - 1);
        ImGui::SetNextItemWidth(-120);
        if (ImGui::BeginCombo("task", picker.file_tasks[picker.file_task].id.c_str())) {
          for (std::size_t i = 0; i < picker.file_tasks.size(); ++i)
            if (ImGui::Selectable(picker.file_tasks[i].id.c_str(), static_cast<int>(i) == picker.file_task))
              picker.file_task = static_cast<int>(i);
          ImGui::EndCombo();
        }
      }
    }
  }

  section("PLAYERS");
  ImGui::TextUnformatted("Simulated user:");
  ImGui::SameLine();
  if (ImGui::RadioButton("scripted", !picker.llm_oracle)) picker.llm_oracle = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("LLM", picker.llm_oracle)) picker.llm_oracle = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The user and judges are played by the model under Settings");
  ImGui::SameLine();
  ImGui::Checkbox("reasoning user", &picker.reasoning_user);
  locate_last_item(app, "reasoning_user");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A user with a persona, goals and a state who writes a rationale before each reply (shown under each reply)");
  ImGui::SetNextItemWidth(-120);
  if (ImGui::InputInt("max turns", &picker.max_turns)) picker.max_turns = std::clamp(picker.max_turns, 1, 1000);
  wrapped_hint("You play the agent; the scripted baseline or a model (autopilot) can take over at any turn.");

  section("MODEL SETTINGS");
  draw_settings(app);
}

}  // namespace rapport::web
