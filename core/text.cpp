#include "core/text.h"

#include <algorithm>
#include <string>

#include "core/pynum.h"

namespace rapport {

bool mentions(std::string_view text, std::string_view keyword) {
  if (keyword.empty()) return false;
  std::string t = ascii_lower(text);
  std::string k = ascii_lower(keyword);
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
  };
  for (std::size_t at = t.find(k); at != std::string::npos; at = t.find(k, at + 1))
    if (at == 0 || !word_char(t[at - 1])) return true;
  return false;
}

std::string abbreviate(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      out += static_cast<char>(lead);
      ++i;
      continue;
    }
    // The length the lead byte announces, and the range its second byte must fall in (which
    // rules out overlong forms, surrogates and code points beyond U+10FFFF).
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    std::size_t good = length ? 1 : 0;
    while (good > 0 && good < length && i + good < text.size()) {
      const unsigned char c = byte(i + good);
      if (good == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) break;
      ++good;
    }
    if (length && good == length) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for the ill-formed part
      i += std::max<std::size_t>(good, 1);
    }
  }
  return out;
}

}  // namespace rapport
