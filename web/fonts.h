// The fonts the playground draws with: a small base font (Latin, Greek, Cyrillic, punctuation)
// that comes with the page, and a Hangul font and a CJK font, each fetched the first time text of
// its script is shown. Glyphs are
// rasterised at the screen's pixel density (crisp on high-DPI screens) and, beyond the base
// ranges, only for characters of text actually shown; others (emoji) draw as a fallback glyph.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::web {

// Text about to be drawn: characters outside the atlas are added at the next update_fonts.
void note_text(std::string_view utf8);
// Rebuilds the atlas when it lacks glyphs, a font arrived or the pixel density changed. Call
// between frames (before ImGui::NewFrame).
void update_fonts(float scale);
// Whether an on-demand font ("hangul", "cjk") has been asked for, and has arrived (for tests).
bool font_requested(std::string_view name);
bool font_loaded(std::string_view name);
// The page finished fetching a font ("hangul" or "cjk"); its bytes are fetched from the page.
void on_font_loaded(const std::string& name);
// Characters noted so far that the atlas draws as the fallback glyph (no font has them), or
// nothing while the atlas waits to be rebuilt (its answer would describe the old atlas).
std::optional<std::vector<unsigned>> missing_glyphs();
// The pixel density the atlas was rasterised for.
float font_scale();

}  // namespace rapport::web
