// Share links and exported episodes. An episode travels as its trajectory record (environment
// spec, task, seed, transcript, every model call and response) plus a few settings, never a
// secret, in a versioned envelope. Links carry it compressed in the URL fragment:
//
//   #e3.<16 hex: FNV-1a of the envelope text>.<base64url of the raw-deflated envelope>
//
// Links carry version 3 envelopes: the compact record of core/link_record.h (what a replay cannot
// rebuild) and the SHA-256 of the full record, rebuilt by replaying when the link is opened.
// Exported files carry version 2 envelopes: the full record of format 2 (model calls as deltas,
// core/call_record.h). Version 1 and 2 links and files, with format-1 or 2 records, still open.
//
// Compression happens at the edges (the browser's CompressionStream, native zlib); this file does
// the portable rest: the envelope, base64url, validation with clear messages, size limits, and
// replaying a shared record with the environment's own code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/runner.h"
#include "core/trajectory.h"

namespace rapport {

inline constexpr int kShareVersion = 3;       // the newest envelope this build reads; links are written in it
inline constexpr int kShareFileVersion = 2;   // envelopes with the full record, for files
inline constexpr std::string_view kShareFormat = "rapport-episode";
// Browsers keep URLs of a few megabytes; a link longer than this is refused before decoding.
inline constexpr std::size_t kMaxShareLinkChars = 4u << 20;
// Inflating stops here, so a crafted link cannot exhaust memory.
inline constexpr std::size_t kMaxShareEnvelopeBytes = 32u << 20;

// What travels with an episode besides its record. Only these fields are written or read:
// API keys and endpoint addresses never enter a link or an exported file.
struct ShareSettings {
  int max_turns = 0;  // the runner's turn limit; 0 when not known
  std::string agent_model;
  std::string user_model;
  std::string turn_credit;  // shaping methods the author had selected, e.g. "equalized"
  std::string trajectory_score;
};

struct SharedEpisode {
  Trajectory trajectory;
  ShareSettings settings;
  // The record exactly as it was written in the envelope: what a replay must reproduce. A record
  // of an older format is compared as this build writes it (its content, in today's format).
  // For a version 3 envelope, the record its replay rebuilt.
  std::string record_text;
  // Version 3: empty when the rebuilt record is the recorded one byte for byte (its SHA-256), else
  // where the replay departed from it; the trajectory is then the replay.
  std::string difference;
};

// The envelope of a file, JSON: {"format":"rapport-episode","version":2,"settings":{...},"record":{...}}.
std::string share_envelope(const Trajectory& trajectory, const ShareSettings& settings);
// The envelope of a link: {"format":"rapport-episode","version":3,"settings":{...},
// "record_sha256":"<hex>","link_record":{...}}.
std::string share_link_envelope(const Trajectory& trajectory, const ShareSettings& settings);
// Reads an envelope of any version, or a bare trajectory record (one line of a trajectories
// file); a version 3 envelope is rebuilt by replaying it. Throws ConfigError saying what is wrong.
SharedEpisode parse_share_envelope(std::string_view text);

// Fragment text (without '#') for compressed envelope bytes; `envelope` is the uncompressed text,
// whose checksum the fragment carries.
std::string share_fragment(std::string_view compressed, std::string_view envelope);

struct ShareFragment {
  int version = 0;
  std::uint64_t checksum = 0;
  std::string compressed;  // raw deflate bytes
};
// Accepts a full URL, "#fragment" or the bare fragment. Throws ConfigError for text that is not an
// episode link, a newer version, a link that is too long, or damaged base64url.
ShareFragment parse_share_fragment(std::string_view link);
// Checks the inflated envelope against the fragment's checksum, then parses it. Throws ConfigError.
SharedEpisode open_shared_envelope(const ShareFragment& fragment, std::string_view envelope);

std::string base64url_encode(std::string_view bytes);
// nullopt on a character outside the base64url alphabet or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// --- Replaying a record --------------------------------------------------------------------

// The runner settings a record was made with, as far as the record tells.
RunSettings replay_settings(const SharedEpisode& episode);

struct ReplayOutcome {
  Trajectory trajectory;    // the replayed episode
  std::string record_text;  // its record, as written
  bool identical = false;   // byte for byte equal to the shared record
  std::string difference;   // where the two first differ, for people; empty when identical
};

// Replays a shared episode with no model (core/replay.h's ReplayAgent and ReplayResponder): the
// environment's own code runs again, its model calls answered from the record. An unfinished
// episode is replayed as far as it went. Throws ConfigError when the environment or oracle is
// unknown to this build; a replay that asks for calls the record lacks is reported as a difference.
ReplayOutcome replay_shared(const SharedEpisode& episode);

// Where two JSON values first differ, as "turns[2].observation: \"a…\" vs \"b…\""; empty when equal.
std::string first_difference(const json::value& expected, const json::value& actual);

}  // namespace rapport
