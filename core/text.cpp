#include "core/text.h"

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

}  // namespace rapport
