// Small text helpers: matching shared by the scripted oracles, and text made safe to show and store.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rapport {

// Whether `keyword` occurs in `text` starting at a word boundary, ignoring ASCII case: "price"
// matches "Prices?" but not "caprice". Empty keywords never match.
bool mentions(std::string_view text, std::string_view keyword);

// `text` for a message: whole when short, else its first `max` bytes (whole UTF-8 characters)
// and how long it was, so that a 64 MB input is never echoed in full.
std::string abbreviate(std::string_view text, std::size_t max = 200);

// `text` with every byte that does not belong to a well-formed UTF-8 character replaced by U+FFFD
// (each maximal ill-formed part once, as Python's decode(errors="replace") does): what enters a
// record from outside (a terminal, a file) is always valid UTF-8.
std::string valid_utf8(std::string_view text);

}  // namespace rapport
