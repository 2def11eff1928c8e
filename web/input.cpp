#include "web/input.h"

#include <GLFW/glfw3.h>

#include <deque>
#include <set>

#include "imgui.h"
#include "imgui_impl_glfw.h"

namespace rapport::web {
namespace {

struct InputEvent {
  enum Kind { kKey, kText, kPress } kind = kKey;
  int key = 0, scancode = 0, action = 0, mods = 0;  // a press: key is the mouse button
  std::string text;
};

std::deque<InputEvent> queue;
GLFWwindow* input_window = nullptr;
int awake_frames = 4;
long drawn = 0;

bool is_modifier(int key) {
  return key == GLFW_KEY_LEFT_SHIFT || key == GLFW_KEY_RIGHT_SHIFT || key == GLFW_KEY_LEFT_CONTROL ||
         key == GLFW_KEY_RIGHT_CONTROL || key == GLFW_KEY_LEFT_ALT || key == GLFW_KEY_RIGHT_ALT ||
         key == GLFW_KEY_LEFT_SUPER || key == GLFW_KEY_RIGHT_SUPER;
}

void on_key(GLFWwindow*, int key, int scancode, int action, int mods) {
  wake();
  if (action == GLFW_REPEAT) return;  // ImGui repeats held keys itself
  queue.push_back(InputEvent{InputEvent::kKey, key, scancode, action, mods, {}});
}

void on_mouse_button(GLFWwindow* window, int button, int action, int mods) {
  wake();
  // A press waits its turn among the keys (see apply_input). The backend latches presses and
  // reads releases from GLFW's live state, so a click shorter than a frame still counts.
  if (action == GLFW_PRESS) queue.push_back(InputEvent{InputEvent::kPress, button, 0, action, mods, {}});
  else ImGui_ImplGlfw_MouseButtonCallback(window, button, action, mods);
}

void on_cursor(GLFWwindow*, double, double) { wake(); }
void on_focus(GLFWwindow* window, int focused) {
  wake();
  ImGui_ImplGlfw_WindowFocusCallback(window, focused);
}

}  // namespace

void install_input(GLFWwindow* window) {
  input_window = window;
  glfwSetKeyCallback(window, on_key);
  glfwSetMouseButtonCallback(window, on_mouse_button);
  glfwSetCursorPosCallback(window, on_cursor);
  glfwSetWindowFocusCallback(window, on_focus);
}

void apply_input() {
  // A frame takes each key's change at most once, and never text and editing keys (Backspace,
  // Enter, arrows, shortcuts) out of order: what is left waits for the next frame. Printable
  // keys only matter to ImGui through the text they type.
  // A mouse press has a frame of its own, and what came after it waits for the next frame: the
  // text field a click activates ignores key presses (Enter, Ctrl+V) in the frame it is
  // activated, so a paste right after the click would be lost.
  std::set<int> changed;
  bool text = false, edited = false;
  while (!queue.empty()) {
    const InputEvent& e = queue.front();
    if (e.kind == InputEvent::kPress) {
      if (text || !changed.empty()) break;
      ImGui_ImplGlfw_MouseButtonCallback(input_window, e.key, e.action, e.mods);
      queue.pop_front();
      break;
    }
    if (e.kind == InputEvent::kText) {
      if (edited) break;
      ImGui::GetIO().AddInputCharactersUTF8(e.text.c_str());
      text = true;
    } else {
      if (changed.count(e.key)) break;
      const bool editing = e.action == GLFW_PRESS && !is_modifier(e.key) &&
                           (e.key >= GLFW_KEY_ESCAPE || (e.mods & (GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER)));
      if (text && editing) break;
      changed.insert(e.key);
      edited = edited || editing;
      ImGui_ImplGlfw_KeyCallback(input_window, e.key, e.scancode, e.action, e.mods);
    }
    queue.pop_front();
  }
  if (!queue.empty()) wake();
}

void queue_text(const std::string& utf8) {
  wake();
  if (!utf8.empty()) queue.push_back(InputEvent{InputEvent::kText, 0, 0, 0, 0, utf8});
}

void add_wheel(float dx, float dy) {
  wake();
  ImGuiIO& io = ImGui::GetIO();
  io.MouseWheelH += dx;
  io.MouseWheel += dy;
}

void wake(int frames) {
  if (awake_frames < frames) awake_frames = frames;
}

bool take_frame() {
  if (awake_frames <= 0) return false;
  --awake_frames;
  ++drawn;
  return true;
}

long frames_drawn() { return drawn; }

}  // namespace rapport::web
