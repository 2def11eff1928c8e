// The browser side of the playground, behind a small C++ interface: model calls with fetch
// (asynchronous, cancellable), settings in localStorage, share links (location.hash and the
// browser's deflate-raw streams), files to download or open, the clipboard. Implemented in
// bridge.cpp with JavaScript from shell/playground.js; results come back through App.
#pragma once

#include <string>

namespace rapport::web {

// POSTs `body` to `url` (with a bearer key when not empty). The outcome arrives through
// App::on_fetch_done(id, ...). Aborted by fetch_cancel or after timeout_ms.
void fetch_start(int id, const std::string& url, const std::string& body, const std::string& api_key, int timeout_ms);
void fetch_cancel(int id);

// localStorage; empty when absent or when storage is unavailable.
std::string storage_get(const std::string& key);
void storage_set(const std::string& key, const std::string& value);

// Compresses the current episode into a link, puts it in the address bar and copies it; the link
// comes back through App::on_link_ready.
void share_current_episode();
// Opens a link (URL or fragment) or exported file text; the outcome arrives through App.
void open_link(const std::string& link);

void download_file(const std::string& name, const std::string& text);
// Asks the browser for a file; its text arrives through App::on_file(kind, name, text).
void pick_file(int kind);
void copy_to_clipboard(const std::string& text);
// What ImGui pastes: the browser's clipboard as the page last saw it in a paste event (emscripten's
// GLFW has no clipboard).
std::string& clipboard();

// The page's devicePixelRatio (2 on most phones and high-DPI laptops).
float pixel_ratio();
// Whether ImGui edits text now: the page's hidden text field then asks for a virtual keyboard.
void set_text_input(bool active);
// The transcript and results as text, for the page's accessible mirror (screen readers, text
// selection); `json` is {"title", "lines": [{"who", "text"}], "rect": [x, y, w, h]}.
void publish_mirror(const std::string& json);
// Puts the current episode's link in the address bar (and browser storage, the autosave): a new
// history entry for a new episode, else the current entry updated.
void sync_address(bool new_entry);

// Tries an endpoint (its /models) with a key; the diagnosis arrives through
// App::on_connection_tested(role, ok, message). Role 0: the agent's, 1: the simulated user's.
void test_connection(int role, const std::string& base_url, const std::string& api_key);
// The page's origin, e.g. "http://127.0.0.1:8080" (where `rapport serve` may offer a demo model).
std::string page_origin();

// Tells the page (and tests) that ImGui has drawn its first frame.
void notify_first_frame();
// The canvas' size in CSS pixels, as the page laid it out.
void canvas_size(int& width, int& height);

}  // namespace rapport::web
