// The playground's entry point: a GLFW window on the page's canvas, Dear ImGui drawn with WebGL2
// at the screen's pixel density, and the browser's animation frames as the main loop, drawing
// only after something happened (input, a model's answer, the autopilot's next move).
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "web/app.h"
#include "web/bridge.h"
#include "web/fonts.h"
#include "web/input.h"
#include "web/ui.h"

namespace {

GLFWwindow* window = nullptr;

// Resizes the canvas' backing store and GLFW's window with it. Not glfwSetWindowSize: emscripten's
// takes a size equal to the screen's for a request to go fullscreen.
EM_JS(void, set_canvas_size, (int width, int height), { Browser.setCanvasSize(width, height); });
bool first_frame_sent = false;

// Keeps the canvas' backing store at CSS size × devicePixelRatio; ImGui lays out in CSS pixels.
float fit_canvas() {
  using namespace rapport::web;
  int css_width = 0, css_height = 0;
  canvas_size(css_width, css_height);
  const float scale = std::clamp(pixel_ratio(), 1.0f, 4.0f);
  const int width = static_cast<int>(std::lround(css_width * scale));
  const int height = static_cast<int>(std::lround(css_height * scale));
  int current_width = 0, current_height = 0;
  glfwGetWindowSize(window, &current_width, &current_height);
  if (width > 0 && height > 0 && (width != current_width || height != current_height)) {
    set_canvas_size(width, height);
    wake();
  }
  return scale;
}

void frame() {
  using namespace rapport::web;
  App& a = app();
  if (a.session().pump(a.settings())) wake();
  if (!take_frame()) return;  // idle: nothing to measure or draw (a resize wakes the app)
  const float scale = fit_canvas();
  a.frame_started();
  update_fonts(scale);
  apply_input();

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // The backend measured the window in device pixels (emscripten scales the mouse to the canvas'
  // backing store); ImGui works in CSS pixels and renders at device resolution.
  ImGuiIO& io = ImGui::GetIO();
  int fb_width = 0, fb_height = 0;
  glfwGetFramebufferSize(window, &fb_width, &fb_height);
  io.DisplaySize = ImVec2(fb_width / scale, fb_height / scale);
  io.DisplayFramebufferScale = ImVec2(scale, scale);
  if (io.MousePos.x > -FLT_MAX) io.MousePos = ImVec2(io.MousePos.x / scale, io.MousePos.y / scale);
  ImGui::NewFrame();
  draw_ui(a);
  ImGui::Render();

  glViewport(0, 0, fb_width, fb_height);
  glClearColor(0.11f, 0.12f, 0.14f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  a.frame_ended(io.WantTextInput);

  if (!first_frame_sent) {
    first_frame_sent = true;
    notify_first_frame();
  }
}

}  // namespace

int main() {
  if (!glfwInit()) {
    std::fprintf(stderr, "the playground could not start: GLFW failed to initialise\n");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  window = glfwCreateWindow(1280, 800, "Rapport playground", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "the playground could not start: this browser gave no WebGL2 context\n");
    return 1;
  }
  glfwMakeContextCurrent(window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed each frame; nothing to persist
  io.ConfigInputTextCursorBlink = false;  // a blinking cursor would need frames while idle
  rapport::web::setup_style();
  ImGui_ImplGlfw_InitForOpenGL(window, false);
  rapport::web::install_input(window);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  io.GetClipboardTextFn = [](void*) -> const char* { return rapport::web::clipboard().c_str(); };
  io.SetClipboardTextFn = [](void*, const char* text) {
    rapport::web::clipboard() = text;
    rapport::web::copy_to_clipboard(text);
  };

  rapport::web::app();  // loads settings and the environment list before the first frame
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
