// Data files under assets/ (our own task data), embedded into the programs at build time so that
// the same bytes are there natively and in the browser, with no file system.
#pragma once

#include <string_view>
#include <vector>

namespace rapport {

// The content of assets/<path>, e.g. asset("turtle/stories.json"). Empty if there is none.
std::string_view asset(std::string_view path);
std::vector<std::string_view> asset_paths();

}  // namespace rapport
