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

// Tells the page (and tests) that ImGui has drawn its first frame.
void notify_first_frame();
// The canvas' size in CSS pixels, as the page laid it out.
void canvas_size(int& width, int& height);

}  // namespace rapport::web
