// Input from the page to Dear ImGui, and when to draw. ImGui 1.86 reads key states once per
// frame, so a key pressed and released between two frames would be lost: key and text events are
// queued and handed over a few per frame, in order (as later ImGui versions do). The wheel comes
// from the page (emscripten's GLFW passes raw, inverted pixel deltas), normalised to notches.
// Frames are drawn only after something happened: idle, the page costs nothing.
#pragma once

#include <string>

struct GLFWwindow;

namespace rapport::web {

// Installs the GLFW callbacks that feed the queue (instead of the backend's own).
void install_input(GLFWwindow* window);
// Hands queued events to ImGui; call once per frame before ImGui::NewFrame.
void apply_input();
void queue_text(const std::string& utf8);
// One notch of a mouse wheel is 1; positive dy scrolls the content up (towards its start).
void add_wheel(float dx, float dy);

// Asks for the next few frames to be drawn (layout settles over two or three).
void wake(int frames = 4);
// Whether this animation frame should draw, counting it when so.
bool take_frame();
long frames_drawn();

}  // namespace rapport::web
