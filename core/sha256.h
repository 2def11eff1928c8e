// SHA-256 (FIPS 180-4) of bytes, as lower-case hex. Part of the portable core because the
// WebAssembly build has no crypto library; environments use it for reference-exact digests
// (e.g. tau-bench's database hash).
#pragma once

#include <string>
#include <string_view>

namespace rapport {

std::string sha256_hex(std::string_view bytes);

}  // namespace rapport
