#include "native/share_codec.h"

#include <zlib.h>

#include <fmt/format.h>

#include "core/params.h"
#include "core/pynum.h"

namespace rapport {

std::string deflate_raw(std::string_view bytes) {
  z_stream z{};
  // windowBits -15: raw deflate, no zlib header, as CompressionStream('deflate-raw').
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

std::string inflate_raw(std::string_view bytes, std::size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[1 << 15];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
    if (out.size() > limit) {
      inflateEnd(&z);
      throw ConfigError(fmt::format("the link is damaged or hostile: its episode inflates beyond {} bytes", limit));
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended before the stream did
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw ConfigError("the link is damaged: its data does not decompress (it may have been cut short)");
  return out;
}

std::string make_share_link(const Trajectory& trajectory, const ShareSettings& settings, std::string_view base_url) {
  std::string envelope = share_link_envelope(trajectory, settings);
  return fmt::format("{}#{}", base_url, share_fragment(deflate_raw(envelope), envelope));
}

SharedEpisode read_shared_episode(std::string_view link_or_text) {
  std::string_view text = py_strip(link_or_text);
  if (!text.empty() && text.front() == '{') {
    try {
      return parse_share_envelope(text);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("the episode file cannot be read: {}", e.what()));
    }
  }
  ShareFragment fragment = parse_share_fragment(text);
  return open_shared_envelope(fragment, inflate_raw(fragment.compressed));
}

}  // namespace rapport
