// The playground's Dear ImGui interface: setup (environment, task, who plays, model settings) on
// the left, the conversation and the composer in the middle, sharing, rewards and metrics on the
// right; on narrow screens (phones) the three panels are tabs. Immediate mode: everything is
// drawn from App each frame.
#pragma once

#include <string>

#include "web/app.h"

namespace rapport::web {

void setup_style();
void draw_ui(App& app);

// Records the centre and rectangle of the last ImGui item under `name` (App::locate).
void locate_last_item(App& app, const char* name);
// Before an item of width `width`: stays on the line when it fits, else starts a new one (rows of
// buttons wrap instead of running off a narrow panel). Not before a row's first item.
void flow(float width);
float button_width(const char* label, bool small = false);
// Numbers as people read them: at most 4 decimals (records keep the exact values).
std::string display_number(double x);

// Panels, one file each.
void draw_setup_panel(App& app);
void draw_conversation_panel(App& app);
void draw_results_panel(App& app);

}  // namespace rapport::web
