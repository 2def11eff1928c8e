#include "core/share_link.h"

#include <fmt/format.h>

#include <memory>

#include "core/params.h"
#include "core/pynum.h"
#include "core/link_record.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/rng.h"
#include "core/sha256.h"

namespace rapport {
namespace {

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Extent of the text of a top-level member's value in JSON object text that is known to parse.
// Needed because a replay must match the record's exact bytes, not a re-serialisation of them.
class RawScanner {
 public:
  explicit RawScanner(std::string_view text) : text_(text) {}

  std::optional<std::string_view> member(std::string_view key) {
    skip_space();
    if (!at('{')) return std::nullopt;
    ++i_;
    while (true) {
      skip_space();
      if (!at('"')) return std::nullopt;
      std::size_t key_start = i_;
      skip_string();
      std::string_view raw_key = text_.substr(key_start + 1, i_ - key_start - 2);
      skip_space();
      if (!at(':')) return std::nullopt;
      ++i_;
      skip_space();
      std::size_t value_start = i_;
      skip_value();
      if (raw_key == key) return text_.substr(value_start, i_ - value_start);
      skip_space();
      if (!at(',')) return std::nullopt;
      ++i_;
    }
  }

 private:
  bool at(char c) const { return i_ < text_.size() && text_[i_] == c; }
  void skip_space() {
    while (i_ < text_.size() && (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == '\n' || text_[i_] == '\r')) ++i_;
  }
  void skip_string() {
    ++i_;  // opening quote
    while (i_ < text_.size() && text_[i_] != '"') i_ += text_[i_] == '\\' ? 2 : 1;
    ++i_;  // closing quote
  }
  void skip_value() {
    if (at('"')) return skip_string();
    if (at('{') || at('[')) {
      int depth = 0;
      do {
        if (at('"')) {
          skip_string();
          continue;
        }
        if (at('{') || at('[')) ++depth;
        if (at('}') || at(']')) --depth;
        ++i_;
      } while (depth > 0 && i_ < text_.size());
      return;
    }
    while (i_ < text_.size() && text_[i_] != ',' && text_[i_] != '}' && text_[i_] != ']' && text_[i_] != ' ' &&
           text_[i_] != '\n' && text_[i_] != '\r' && text_[i_] != '\t')
      ++i_;
  }

  std::string_view text_;
  std::size_t i_ = 0;
};

ShareSettings settings_from(const json::object& o) {
  // Only the known fields are read: whatever else a crafted file holds is dropped.
  ShareSettings s;
  s.max_turns = static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(get_int(o, "max_turns"), 1000000)));
  s.agent_model = get_string(o, "agent_model");
  s.user_model = get_string(o, "user_model");
  s.turn_credit = get_string(o, "turn_credit");
  s.trajectory_score = get_string(o, "trajectory_score");
  return s;
}

std::string shorten(std::string text) {
  constexpr std::size_t kMax = 90;
  if (text.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
    text = text.substr(0, cut) + "...";
  }
  return text;
}

bool is_number(const json::value& v) { return v.is_double() || v.is_int64() || v.is_uint64(); }

std::string difference_at(const json::value& e, const json::value& a, const std::string& path) {
  const std::string where = path.empty() ? "the record" : path;
  if (e.is_object() && a.is_object()) {
    const auto& eo = e.get_object();
    const auto& ao = a.get_object();
    for (const auto& member : eo) {
      std::string key(member.key());
      std::string sub = path.empty() ? key : path + "." + key;
      auto it = ao.find(member.key());
      if (it == ao.end()) return fmt::format("{}: in the record but not in the replay", sub);
      if (auto d = difference_at(member.value(), it->value(), sub); !d.empty()) return d;
    }
    for (const auto& member : ao)
      if (!eo.contains(member.key()))
        return fmt::format("{}: in the replay but not in the record", path.empty() ? std::string(member.key())
                                                                                   : path + "." + std::string(member.key()));
    return {};
  }
  if (e.is_array() && a.is_array()) {
    const auto& ea = e.get_array();
    const auto& aa = a.get_array();
    for (std::size_t i = 0; i < ea.size() && i < aa.size(); ++i)
      if (auto d = difference_at(ea[i], aa[i], fmt::format("{}[{}]", path, i)); !d.empty()) return d;
    if (ea.size() != aa.size())
      return fmt::format("{}: {} items in the record, {} in the replay", where, ea.size(), aa.size());
    return {};
  }
  std::string et = to_json(e), at = to_json(a);
  if (et == at && (e.kind() == a.kind() || (is_number(e) && is_number(a)))) return {};
  return fmt::format("{}: {} in the record, {} in the replay", where, shorten(et), shorten(at));
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) |
                      std::uint8_t(bytes[i + 2]);
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    out += kBase64Url[(n >> 6) & 63];
    out += kBase64Url[n & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    if (rest == 2) out += kBase64Url[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

json::object settings_record(const ShareSettings& s) {
  json::object settings;
  if (s.max_turns > 0) settings["max_turns"] = s.max_turns;
  if (!s.agent_model.empty()) settings["agent_model"] = s.agent_model;
  if (!s.user_model.empty()) settings["user_model"] = s.user_model;
  if (!s.turn_credit.empty()) settings["turn_credit"] = s.turn_credit;
  if (!s.trajectory_score.empty()) settings["trajectory_score"] = s.trajectory_score;
  return settings;
}

std::string share_envelope(const Trajectory& trajectory, const ShareSettings& s) {
  // The record goes last, written once: its bytes are what a replay must reproduce.
  return fmt::format(R"({{"format":"{}","version":{},"settings":{},"record":{}}})", kShareFormat, kShareFileVersion,
                     to_json(settings_record(s)), to_json_line(trajectory));
}

std::string share_link_envelope(const Trajectory& trajectory, const ShareSettings& s) {
  return fmt::format(R"({{"format":"{}","version":{},"settings":{},"record_sha256":"{}","link_record":{}}})", kShareFormat,
                     kShareVersion, to_json(settings_record(s)), sha256_hex(to_json_line(trajectory)),
                     to_json(link_record(trajectory)));
}

SharedEpisode parse_share_envelope(std::string_view text) {
  text = py_strip(text);
  auto parsed = parse_json(text);
  if (!parsed) throw ConfigError("the episode is not valid JSON");
  if (!parsed->is_object()) throw ConfigError("the episode is not a JSON object");
  const auto& o = parsed->get_object();
  SharedEpisode episode;
  const json::value* record = nullptr;
  if (o.contains("format")) {
    std::string format = get_string(o, "format");
    if (format != kShareFormat)
      throw ConfigError(fmt::format("this is not a Rapport episode (its format is '{}', expected '{}')", shorten(format),
                                    kShareFormat));
    std::int64_t version = get_int(o, "version", 0);
    if (version > kShareVersion)
      throw ConfigError(fmt::format("this episode was saved by a newer Rapport (episode format {}); this build reads "
                                    "format {}",
                                    version, kShareVersion));
    if (version < 1) throw ConfigError("the episode has no valid 'version'");
    if (auto s = o.find("settings"); s != o.end() && s->value().is_object()) episode.settings = settings_from(s->value().get_object());
    if (version >= 3) {
      auto compact = o.find("link_record");
      if (compact == o.end() || !compact->value().is_object()) throw ConfigError("the episode has no 'link_record' object");
      std::string sha = get_string(o, "record_sha256");
      if (sha.size() != 64) throw ConfigError("the episode has no valid 'record_sha256'");
      RebuiltEpisode rebuilt = rebuild_link_record(compact->value(), sha, episode.settings.max_turns);
      episode.trajectory = std::move(rebuilt.trajectory);
      episode.record_text = std::move(rebuilt.record_text);
      episode.difference = std::move(rebuilt.difference);
      return episode;
    }
    auto it = o.find("record");
    if (it == o.end() || !it->value().is_object()) throw ConfigError("the episode has no 'record' object");
    record = &it->value();
    auto raw = RawScanner(text).member("record");
    if (!raw) throw ConfigError("the episode's record could not be located in its text");
    episode.record_text = std::string(*raw);
  } else if (o.contains("env") && o.contains("turns")) {
    record = &*parsed;  // a bare trajectory record, e.g. one line of a trajectories file
    episode.record_text = std::string(text);
    // `rapport run` adds the call statistics of the run beside the record; they are not replayed.
    if (o.contains("llm_calls")) {
      json::object bare = o;
      bare.erase("llm_calls");
      episode.record_text = to_json(bare);
    }
  } else {
    throw ConfigError("this is neither a Rapport episode nor a trajectory record (it has no 'format' or 'env')");
  }
  episode.trajectory = trajectory_from_record(*record);
  return episode;
}

std::string share_fragment(std::string_view compressed, std::string_view envelope) {
  return fmt::format("e{}.{:016x}.{}", kShareVersion, fnv1a64(envelope), base64url_encode(compressed));
}

ShareFragment parse_share_fragment(std::string_view link) {
  std::string_view s = py_strip(link);
  if (s.size() > kMaxShareLinkChars)
    throw ConfigError(fmt::format("the link is too long ({} characters; the limit is {})", s.size(), kMaxShareLinkChars));
  if (auto hash = s.find('#'); hash != std::string_view::npos) s = s.substr(hash + 1);
  if (s.empty()) throw ConfigError("the link holds no episode (there is nothing after '#')");
  const std::string not_a_link = fmt::format("this is not a Rapport episode link (the part after '#' should start with 'e{}.')", kShareVersion);
  if (s[0] != 'e') throw ConfigError(not_a_link);
  std::size_t i = 1;
  int version = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && version < 100000) version = version * 10 + (s[i++] - '0');
  if (i == 1 || i >= s.size() || s[i] != '.' || version == 0) throw ConfigError(not_a_link);
  if (version > kShareVersion)
    throw ConfigError(fmt::format("this link was made by a newer Rapport (episode format {}); this build reads format {}",
                                  version, kShareVersion));
  ++i;
  ShareFragment out;
  out.version = version;
  if (s.size() < i + 17 || s[i + 16] != '.')
    throw ConfigError("the link is damaged: its checksum is missing or cut short");
  for (std::size_t k = i; k < i + 16; ++k) {
    char c = s[k];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) throw ConfigError("the link is damaged: its checksum is not hexadecimal");
    out.checksum = (out.checksum << 4) | std::uint64_t(digit);
  }
  std::string_view payload = s.substr(i + 17);
  if (payload.empty()) throw ConfigError("the link is damaged: it holds no episode data");
  auto bytes = base64url_decode(payload);
  if (!bytes) {
    std::size_t bad = 0;
    while (bad < payload.size() && base64url_value(payload[bad]) >= 0) ++bad;
    while (bad < payload.size() && payload[bad] == '=') ++bad;
    if (bad < payload.size()) {
      unsigned char c = static_cast<unsigned char>(payload[bad]);
      throw ConfigError(fmt::format("the link is damaged: character {} of its data ({}) cannot occur in an episode "
                                    "link",
                                    bad + 1, c >= 0x20 && c < 0x7f ? fmt::format("'{}'", char(c)) : fmt::format("byte {}", int(c))));
    }
    throw ConfigError("the link is damaged: its data was cut short");
  }
  out.compressed = std::move(*bytes);
  return out;
}

SharedEpisode open_shared_envelope(const ShareFragment& fragment, std::string_view envelope) {
  if (fnv1a64(envelope) != fragment.checksum)
    throw ConfigError("the link is damaged or was altered: its content does not match its checksum");
  try {
    return parse_share_envelope(envelope);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("the link's episode cannot be read: {}", e.what()));
  }
}

// --- Replaying ---------------------------------------------------------------------------------

RunSettings replay_settings(const SharedEpisode& episode) {
  const Trajectory& t = episode.trajectory;
  RunSettings settings;
  settings.group = t.group;
  settings.sample = t.sample;
  settings.pause_between_turns = true;
  const int recorded = static_cast<int>(t.turns.size());
  if (episode.settings.max_turns > 0) settings.max_turns = episode.settings.max_turns;
  else settings.max_turns = t.stop_reason == "max_turns" ? recorded : recorded + 1;
  return settings;
}

ReplayOutcome replay_shared(const SharedEpisode& episode) {
  if (!episode.difference.empty()) {
    // A compact record whose rebuilding replay already departed from it: that replay is the outcome.
    ReplayOutcome out;
    out.trajectory = episode.trajectory;
    out.record_text = episode.record_text;
    out.difference = episode.difference;
    return out;
  }
  const Trajectory& t = episode.trajectory;
  auto game = make_game(t.env);
  auto oracle = parse_oracle_kind(t.oracle);
  if (!oracle) throw ConfigError(fmt::format("the episode's oracle '{}' is unknown (valid: scripted, llm)", shorten(t.oracle)));
  Task task{t.task_id, t.task};
  auto recorded = std::make_shared<const Trajectory>(t);
  ReplayResponder responder(recorded);
  RunSettings settings = replay_settings(episode);
  settings.adjust_request = [&](LlmRequest& r) { responder.adopt_host_settings(r); };
  EpisodeRunner runner(*game, task, EpisodeOptions{*oracle, t.seed}, std::make_unique<ReplayAgent>(recorded, true),
                       settings);
  std::string mismatch;
  while (true) {
    if (auto call = runner.next_call()) {
      try {
        if (call->search) runner.supply(responder.search(*call->search));
        else runner.supply(responder.respond(*call->completion));
      } catch (const ReplayMismatch& e) {
        mismatch = e.what();  // the episode now asks for something the record lacks
        break;
      }
      continue;
    }
    // Paused before a move: an unfinished record is replayed as far as it went.
    if (runner.finished() || runner.trajectory().turns.size() >= t.turns.size()) break;
  }
  ReplayOutcome out;
  out.trajectory = runner.take_trajectory();
  // Shaping belongs to the record's group, which a single episode cannot recompute.
  out.trajectory.shaping = t.shaping;
  out.record_text = to_json_line(out.trajectory);
  // A record of an earlier format is reproduced in today's: its content must come back exactly.
  const std::string expected_text =
      t.record_version == kRecordVersion ? episode.record_text : to_json_line(episode.trajectory);
  out.identical = mismatch.empty() && out.record_text == expected_text;
  if (!mismatch.empty()) {
    out.difference = mismatch;
  } else if (!out.identical) {
    auto expected = parse_json(expected_text);
    out.difference = expected ? first_difference(*expected, json::value(to_record(out.trajectory))) : "";
    if (out.difference.empty()) out.difference = "the records hold the same values but are written differently";
    if (out.trajectory.fingerprint != t.fingerprint)
      out.difference = fmt::format("the environment has changed since the episode was recorded (recorded with {}, this "
                                   "build has {}); first difference: {}",
                                   shorten(t.fingerprint), out.trajectory.fingerprint, out.difference);
  }
  return out;
}

std::string first_difference(const json::value& expected, const json::value& actual) {
  return difference_at(expected, actual, "");
}

}  // namespace rapport
