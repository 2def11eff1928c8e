#include "web/fonts.h"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_internal.h"
#include "web/input.h"

namespace rapport::web {
namespace {

constexpr float kFontSize = 14.0f;  // CSS pixels

// Always in the atlas: what most European text needs.
const ImWchar kBaseRanges[] = {0x0020, 0x017F, 0x0370, 0x03FF, 0x0400, 0x04FF, 0x2000, 0x206F,
                               0x20AC, 0x20AC, 0x2190, 0x2193, 0x2212, 0x2212, 0x25B2, 0x25BC,
                               0xFFFD, 0xFFFD, 0};

bool in_base(ImWchar c) {
  for (int i = 0; kBaseRanges[i]; i += 2)
    if (c >= kBaseRanges[i] && c <= kBaseRanges[i + 1]) return true;
  return false;
}

// Hangul: jamo, compatibility jamo, extended jamo and syllables (Droid Sans Fallback has almost
// none of the syllables; the Hangul font, from Nanum Gothic, has them all).
bool is_hangul(ImWchar c) {
  return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) || (c >= 0xA960 && c <= 0xA97F) ||
         (c >= 0xAC00 && c <= 0xD7FF);
}

bool is_cjk(ImWchar c) {
  return !is_hangul(c) && ((c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF));
}

// Fonts fetched the first time text of their script is shown, merged into the atlas in this
// order (the first to have a glyph draws it).
struct OnDemandFont {
  const char* name;
  bool (*wanted)(ImWchar);
  std::vector<char> bytes;
  bool requested = false;
};

EM_JS(int, js_font_size, (const char* name), { return rapportPage.fontSize(UTF8ToString(name)); });
EM_JS(void, js_font_copy, (const char* name, void* to), { rapportPage.fontCopy(UTF8ToString(name), to); });
EM_JS(void, js_font_request, (const char* name), { rapportPage.fontRequest(UTF8ToString(name)); });

std::vector<char> font_bytes(const char* name) {
  std::vector<char> out(static_cast<std::size_t>(std::max(0, js_font_size(name))));
  if (!out.empty()) js_font_copy(name, out.data());
  return out;
}

struct Fonts {
  std::vector<char> base = font_bytes("ui");
  std::vector<OnDemandFont> on_demand{{"hangul", is_hangul, {}}, {"cjk", is_cjk, {}}};
  std::set<ImWchar> extra;  // characters shown beyond the base ranges
  bool dirty = true;
  float built_scale = 0;
  std::vector<ImWchar> ranges;  // must outlive the atlas build
};

Fonts& fonts() {
  static Fonts f;
  return f;
}

}  // namespace

void note_text(std::string_view utf8) {
  Fonts& f = fonts();
  const char* at = utf8.data();
  const char* end = at + utf8.size();
  while (at < end) {
    if (static_cast<unsigned char>(*at) < 0x80) {
      ++at;
      continue;
    }
    unsigned int c = 0;
    at += std::max(1, ImTextCharFromUtf8(&c, at, end));
    if (c > IM_UNICODE_CODEPOINT_MAX || in_base(static_cast<ImWchar>(c))) continue;
    if (f.extra.insert(static_cast<ImWchar>(c)).second) {
      f.dirty = true;
      for (OnDemandFont& font : f.on_demand) {
        if (font.requested || !font.wanted(static_cast<ImWchar>(c))) continue;
        font.requested = true;
        js_font_request(font.name);
      }
    }
  }
}

void update_fonts(float scale) {
  Fonts& f = fonts();
  if (!f.dirty && scale == f.built_scale) return;
  f.dirty = false;
  f.built_scale = scale;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  f.ranges.assign(std::begin(kBaseRanges), std::end(kBaseRanges) - 1);
  for (ImWchar c : f.extra) {
    f.ranges.push_back(c);
    f.ranges.push_back(c);
  }
  f.ranges.push_back(0);
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  cfg.OversampleH = scale >= 2 ? 1 : 2;
  cfg.OversampleV = 1;
  if (!f.base.empty()) {
    io.Fonts->AddFontFromMemoryTTF(f.base.data(), static_cast<int>(f.base.size()), kFontSize * scale, &cfg,
                                   f.ranges.data());
  } else {
    cfg.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&cfg);
  }
  for (OnDemandFont& font : f.on_demand) {
    if (font.bytes.empty() || f.extra.empty()) continue;
    cfg.MergeMode = true;
    io.Fonts->AddFontFromMemoryTTF(font.bytes.data(), static_cast<int>(font.bytes.size()), kFontSize * scale, &cfg,
                                   f.ranges.data() + (std::size(kBaseRanges) - 1));
  }
  io.Fonts->Build();
  io.FontGlobalScale = 1.0f / scale;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  wake();
}

std::optional<std::vector<unsigned>> missing_glyphs() {
  ImFont* font = ImGui::GetIO().Fonts->Fonts.empty() ? nullptr : ImGui::GetIO().Fonts->Fonts[0];
  if (!font || fonts().dirty) return std::nullopt;
  std::vector<unsigned> out;
  for (ImWchar c : fonts().extra)
    if (!font->FindGlyphNoFallback(c)) out.push_back(c);
  return out;
}

float font_scale() { return fonts().built_scale; }

bool font_requested(std::string_view name) {
  for (const OnDemandFont& font : fonts().on_demand)
    if (name == font.name) return font.requested;
  return false;
}

bool font_loaded(std::string_view name) {
  for (const OnDemandFont& font : fonts().on_demand)
    if (name == font.name) return !font.bytes.empty();
  return false;
}

void on_font_loaded(const std::string& name) {
  for (OnDemandFont& font : fonts().on_demand) {
    if (name != font.name) continue;
    font.bytes = font_bytes(font.name);
    fonts().dirty = true;
    wake();
  }
}

}  // namespace rapport::web
