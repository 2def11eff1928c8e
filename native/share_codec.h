// Share links on native hosts: core/share_link.h with zlib's raw deflate at the edge, so links made
// in the browser (CompressionStream 'deflate-raw') open here and links made here open there.
#pragma once

#include <string>
#include <string_view>

#include "core/share_link.h"

namespace rapport {

std::string deflate_raw(std::string_view bytes);
// Throws ConfigError when the bytes are not raw deflate or inflate to more than `limit` bytes.
std::string inflate_raw(std::string_view bytes, std::size_t limit = kMaxShareEnvelopeBytes);

// "<base_url>#e3...." (just "#e3...." for an empty base): the compact envelope of a link.
std::string make_share_link(const Trajectory& trajectory, const ShareSettings& settings, std::string_view base_url = "");

// A link (full URL, "#fragment" or the bare fragment), or the text of an exported episode file or a
// trajectory record. Throws ConfigError saying what is wrong.
SharedEpisode read_shared_episode(std::string_view link_or_text);

}  // namespace rapport
