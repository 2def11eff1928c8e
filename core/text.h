// Small text matching shared by the scripted oracles.
#pragma once

#include <string_view>

namespace rapport {

// Whether `keyword` occurs in `text` starting at a word boundary, ignoring ASCII case: "price"
// matches "Prices?" but not "caprice". Empty keywords never match.
bool mentions(std::string_view text, std::string_view keyword);

}  // namespace rapport
