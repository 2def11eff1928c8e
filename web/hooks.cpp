// Functions the page calls: bridge callbacks (fetch results, links, files) and the test hook
// behind window.rapport. Strings returned stay valid until the next call of the same function.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "web/app.h"
#include "web/bridge.h"
#include "web/fonts.h"
#include "web/input.h"

using rapport::web::app;

namespace {
std::string returned_text;
std::string link_buffer;
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void rapport_fetch_done(int id, int status, const char* body, const char* error, double ms) {
  rapport::web::wake();
  app().session().on_fetch_done(id, status, body, error, ms);
}

EMSCRIPTEN_KEEPALIVE const char* rapport_envelope() {
  returned_text = app().envelope(true);
  return returned_text.c_str();
}

// The fragment for compressed bytes of `envelope` (what rapport_envelope returned).
EMSCRIPTEN_KEEPALIVE const char* rapport_fragment(const std::uint8_t* compressed, int size, const char* envelope) {
  returned_text = rapport::share_fragment(std::string_view(reinterpret_cast<const char*>(compressed), size), envelope);
  return returned_text.c_str();
}

EMSCRIPTEN_KEEPALIVE void rapport_link_ready(const char* url, int copied) {
  rapport::web::wake();
  app().on_link_ready(url, copied != 0);
}

EMSCRIPTEN_KEEPALIVE void rapport_connection_tested(int role, int ok, const char* message) {
  rapport::web::wake();
  app().on_connection_tested(role, ok != 0, message);
}

EMSCRIPTEN_KEEPALIVE void rapport_address_cleared() { app().on_address_cleared(); }

// Something happened on the page that may change what is drawn.
EMSCRIPTEN_KEEPALIVE void rapport_wake() { rapport::web::wake(); }

// A wheel turned over the canvas, in notches (positive: towards the start of the content).
EMSCRIPTEN_KEEPALIVE void rapport_wheel(double dx, double dy) {
  rapport::web::wake();
  rapport::web::add_wheel(static_cast<float>(dx), static_cast<float>(dy));
}

// Text the person typed, composed (IME) or pasted without a shortcut, from the page's text field.
EMSCRIPTEN_KEEPALIVE void rapport_text(const char* text) {
  rapport::web::wake();
  rapport::web::note_text(text);
  rapport::web::queue_text(text);
}

EMSCRIPTEN_KEEPALIVE void rapport_font_loaded(const char* name) { rapport::web::on_font_loaded(name); }

// Parses a link; returns the size of its compressed bytes (at rapport_link_data()), or -1 after
// showing the error (rapport_error() tells it).
EMSCRIPTEN_KEEPALIVE int rapport_link_begin(const char* link) {
  rapport::web::wake();
  auto bytes = app().link_bytes(link);
  if (!bytes) return -1;
  link_buffer = std::move(*bytes);
  return static_cast<int>(link_buffer.size());
}
EMSCRIPTEN_KEEPALIVE const char* rapport_link_data() { return link_buffer.data(); }

EMSCRIPTEN_KEEPALIVE const char* rapport_link_finish(const char* envelope) {
  rapport::web::wake();
  returned_text = app().open_envelope(envelope, true);
  return returned_text.c_str();
}

EMSCRIPTEN_KEEPALIVE void rapport_link_failed(const char* message) {
  rapport::web::wake();
  app().on_link_failed(message);
}

EMSCRIPTEN_KEEPALIVE void rapport_file(int kind, const char* name, const char* text) {
  rapport::web::wake();
  app().on_file(static_cast<rapport::web::FileKind>(kind), name, text);
}

// Opens the text of an exported episode file (or a trajectory record), as Import file does.
EMSCRIPTEN_KEEPALIVE const char* rapport_import(const char* text) {
  rapport::web::wake();
  returned_text = app().open_envelope(text, false);
  return returned_text.c_str();
}

// Downloads the current episode as a file, as Export file does.
EMSCRIPTEN_KEEPALIVE void rapport_export() {
  rapport::web::wake();
  app().export_file();
}

// The text of a browser paste event; ImGui pastes it on Ctrl+V.
EMSCRIPTEN_KEEPALIVE void rapport_paste(const char* text) {
  rapport::web::wake();
  rapport::web::note_text(text);
  rapport::web::clipboard() = text;
}

EMSCRIPTEN_KEEPALIVE const char* rapport_error() { return app().error().c_str(); }

EMSCRIPTEN_KEEPALIVE const char* rapport_play_scripted(const char* spec, const char* seed) {
  rapport::web::wake();
  returned_text = app().play_scripted(spec, std::strtoull(seed, nullptr, 10));
  return returned_text.c_str();
}

// oracle: 0 scripted, 1 llm, 2 reasoning-scripted, 3 reasoning (OracleKind's order).
EMSCRIPTEN_KEEPALIVE int rapport_new_episode(const char* spec, const char* seed, const char* task_index, int oracle,
                                             int max_turns) {
  rapport::web::wake();
  return app().start_episode(spec, std::strtoull(seed, nullptr, 10), std::strtoull(task_index, nullptr, 10),
                             static_cast<rapport::OracleKind>(std::clamp(oracle, 0, 3)), max_turns)
             ? 1
             : 0;
}

// The person's move, as the composer sends it; 0 when the episode is not waiting for one.
EMSCRIPTEN_KEEPALIVE int rapport_move(const char* choice, const char* content) {
  rapport::web::wake();
  auto& session = app().session();
  if (!session.awaiting_move()) return 0;
  session.move(rapport::web::NextMove{rapport::web::Mover::Person, choice, content});
  return 1;
}

// The autopilot: "model" or "scripted", one step or to the end.
EMSCRIPTEN_KEEPALIVE int rapport_autopilot(const char* mover, int to_end) {
  rapport::web::wake();
  using rapport::web::Mover;
  auto& session = app().session();
  if (!session.awaiting_move()) return 0;
  Mover m = std::string(mover) == "model" ? Mover::Model : Mover::Scripted;
  if (to_end) session.run_to_end(m);
  else session.move(rapport::web::NextMove{m, "", ""});
  return 1;
}

EMSCRIPTEN_KEEPALIVE int rapport_fork(int turns) {
  rapport::web::wake();
  try {
    app().session().fork(static_cast<std::size_t>(turns < 0 ? 0 : turns));
    return 1;
  } catch (const std::exception& e) {
    app().set_error(e.what());
    return 0;
  }
}

// Model settings for this page only (the Settings panel saves them in browser storage).
EMSCRIPTEN_KEEPALIVE void rapport_use_settings(const char* base_url, const char* model, const char* user_model,
                                               const char* api_key) {
  rapport::web::wake();
  auto& s = app().settings();
  s.base_url = base_url;
  s.model = model;
  s.user_model = user_model;
  s.api_key = api_key;
}

EMSCRIPTEN_KEEPALIVE const char* rapport_state() {
  returned_text = app().state_json();
  return returned_text.c_str();
}

}  // extern "C"
