// The C++ ends of the browser bridge: EM_JS calls into shell/playground.js (window.rapportPage)
// and the exported functions it calls back.
#include "web/bridge.h"

#include <emscripten/emscripten.h>

namespace rapport::web {
namespace {

EM_JS(void, js_fetch_start, (int id, const char* url, const char* body, const char* key, int timeout_ms), {
  rapportPage.fetchStart(id, UTF8ToString(url), UTF8ToString(body), UTF8ToString(key), timeout_ms);
});
EM_JS(void, js_fetch_cancel, (int id), { rapportPage.fetchCancel(id); });
EM_JS(char*, js_storage_get, (const char* key), {
  var value = rapportPage.storageGet(UTF8ToString(key));
  var size = lengthBytesUTF8(value) + 1;
  var ptr = _malloc(size);
  stringToUTF8(value, ptr, size);
  return ptr;
});
EM_JS(void, js_storage_set, (const char* key, const char* value), {
  rapportPage.storageSet(UTF8ToString(key), UTF8ToString(value));
});
EM_JS(void, js_share, (), { rapportPage.shareFromApp(); });
EM_JS(void, js_open_link, (const char* link), { rapportPage.openFromApp(UTF8ToString(link)); });
EM_JS(void, js_download, (const char* name, const char* text), {
  rapportPage.download(UTF8ToString(name), UTF8ToString(text));
});
EM_JS(void, js_pick_file, (int kind), { rapportPage.pickFile(kind); });
EM_JS(void, js_copy, (const char* text), { rapportPage.copy(UTF8ToString(text)); });
EM_JS(void, js_first_frame, (), { rapportPage.firstFrame(); });
EM_JS(double, js_pixel_ratio, (), { return window.devicePixelRatio || 1; });
EM_JS(void, js_test_connection, (int role, const char* base, const char* key), {
  rapportPage.testConnection(role, UTF8ToString(base), UTF8ToString(key));
});
EM_JS(char*, js_origin, (), {
  var value = rapportPage.origin();
  var size = lengthBytesUTF8(value) + 1;
  var ptr = _malloc(size);
  stringToUTF8(value, ptr, size);
  return ptr;
});
EM_JS(void, js_text_input, (int active), { rapportPage.textInput(active !== 0); });
EM_JS(void, js_mirror, (const char* json), { rapportPage.mirror(UTF8ToString(json)); });
EM_JS(void, js_sync_address, (int new_entry), { rapportPage.syncAddress(new_entry !== 0); });
EM_JS(int, js_canvas_width, (), { return rapportPage.canvasWidth(); });
EM_JS(int, js_canvas_height, (), { return rapportPage.canvasHeight(); });

}  // namespace

void fetch_start(int id, const std::string& url, const std::string& body, const std::string& api_key, int timeout_ms) {
  js_fetch_start(id, url.c_str(), body.c_str(), api_key.c_str(), timeout_ms);
}
void fetch_cancel(int id) { js_fetch_cancel(id); }

std::string storage_get(const std::string& key) {
  char* value = js_storage_get(key.c_str());
  std::string out(value);
  free(value);
  return out;
}
void storage_set(const std::string& key, const std::string& value) { js_storage_set(key.c_str(), value.c_str()); }

void share_current_episode() { js_share(); }
void open_link(const std::string& link) { js_open_link(link.c_str()); }
void download_file(const std::string& name, const std::string& text) { js_download(name.c_str(), text.c_str()); }
void pick_file(int kind) { js_pick_file(kind); }
void copy_to_clipboard(const std::string& text) { js_copy(text.c_str()); }
std::string& clipboard() {
  static std::string text;
  return text;
}

void notify_first_frame() { js_first_frame(); }
void test_connection(int role, const std::string& base_url, const std::string& api_key) {
  js_test_connection(role, base_url.c_str(), api_key.c_str());
}
std::string page_origin() {
  char* value = js_origin();
  std::string out(value);
  free(value);
  return out;
}
float pixel_ratio() { return static_cast<float>(js_pixel_ratio()); }
void set_text_input(bool active) { js_text_input(active ? 1 : 0); }
void publish_mirror(const std::string& json) { js_mirror(json.c_str()); }
void sync_address(bool new_entry) { js_sync_address(new_entry ? 1 : 0); }
void canvas_size(int& width, int& height) {
  width = js_canvas_width();
  height = js_canvas_height();
}

}  // namespace rapport::web
