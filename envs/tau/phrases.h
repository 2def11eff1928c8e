// What TauGym's scripted players (the customers and agents of every domain) read in each other's
// messages: a few plain phrase tests, shared so both sides of every domain hear the same thing.
#pragma once

#include <initializer_list>
#include <regex>
#include <string>

namespace rapport::tau {

// Whether `text` contains any of `words`.
inline bool has(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (text.find(w) != std::string::npos) return true;
  return false;
}

// The first match of `pattern` in `text` (or its `group`), empty when there is none.
inline std::string first_match(const std::string& text, const char* pattern, int group = 0) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern))) return m[group];
  return "";
}

// A lower-cased reply that agrees: "yes, ..." or, after an opening remark, "fair enough. yes, ...".
inline bool says_yes(const std::string& lower) {
  static const std::regex kYes(R"((^|[.!?,] )yes\b)");
  return std::regex_search(lower, kYes);
}

}  // namespace rapport::tau
