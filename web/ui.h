// The playground's Dear ImGui interface: setup (environment, task, who plays, model settings) on
// the left, the conversation and the composer in the middle, rewards, metrics and sharing on the
// right. Immediate mode: everything is drawn from App each frame.
#pragma once

#include "web/app.h"

namespace rapport::web {

void setup_style();
void draw_ui(App& app);

// Records the centre of the last ImGui item under `name` (App::locate).
void locate_last_item(App& app, const char* name);

// Panels, one file each.
void draw_setup_panel(App& app);
void draw_conversation_panel(App& app);
void draw_results_panel(App& app);

}  // namespace rapport::web
