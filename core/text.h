// Small text matching shared by the scripted oracles.
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

}  // namespace rapport
