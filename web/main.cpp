// The playground's entry point: a GLFW window on the page's canvas, Dear ImGui drawn with WebGL2,
// and the browser's animation frames as the main loop.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>

#include <cstdio>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "web/app.h"
#include "web/bridge.h"
#include "web/ui.h"

namespace {

GLFWwindow* window = nullptr;
bool first_frame_sent = false;

void frame() {
  using namespace rapport::web;
  int width = 0, height = 0;
  canvas_size(width, height);
  int current_width = 0, current_height = 0;
  glfwGetWindowSize(window, &current_width, &current_height);
  if (width > 0 && height > 0 && (width != current_width || height != current_height))
    glfwSetWindowSize(window, width, height);

  app().frame_started();
  app().session().pump(app().settings());

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  draw_ui(app());
  ImGui::Render();

  int fb_width = 0, fb_height = 0;
  glfwGetFramebufferSize(window, &fb_width, &fb_height);
  glViewport(0, 0, fb_width, fb_height);
  glClearColor(0.11f, 0.12f, 0.14f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

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
  int width = 1280, height = 800;
  rapport::web::canvas_size(width, height);
  window = glfwCreateWindow(width > 0 ? width : 1280, height > 0 ? height : 800, "Rapport playground", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "the playground could not start: this browser gave no WebGL2 context\n");
    return 1;
  }
  glfwMakeContextCurrent(window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed each frame; nothing to persist
  rapport::web::setup_style();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
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
