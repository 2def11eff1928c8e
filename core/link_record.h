// The compact record a share link carries (envelope version 3): only what a replay cannot rebuild.
// The environment's own code rebuilds the rest when the link is opened, and the rebuilt record
// must hash to the SHA-256 of the original, so a link still replays byte for byte while its size
// grows with what was said and decided, not with prompts that repeat the conversation.
//
// Kept: the episode's identity (env, fingerprint, task id, seed, oracle, agent, group, sample), the
// task itself unless the environment generates it again from (seed, index) ("task_index"), the
// stop reason and shaping, and per turn the move, the model responses, searches, the last turn's
// observation (it may be a note of the agent's), a digest of the full turn record ("digest") and
// 4-hex digests of the parts a replay rebuilds ("parts": observation; reward and ending; info;
// environment calls; agent calls), which name what differs when a turn replays differently.
// Dropped, rebuilt by the replay: system prompt, opening, tools, metrics and totals; each turn's
// observation, reward, flags and info; the messages of the environment's model requests (their
// frame, which may hold host settings such as max_tokens, is kept as changes per role and purpose).
// An agent request's added messages that repeat what the record already holds are references:
//   {"is": "response"}                  the response of the call the request is based on
//   {..., "content_is": "observation"}   a message whose content is the previous turn's observation
#pragma once

#include <string>

#include "core/json.h"
#include "core/trajectory.h"

namespace rapport {

// The compact record of `t` and the SHA-256 (hex) of its full record text, to_json_line(t).
json::object link_record(const Trajectory& t);

struct RebuiltEpisode {
  Trajectory trajectory;  // the replayed episode, in full
  std::string record_text;
  // Empty when the rebuilt record hashes to `record_sha256`; otherwise where the replay departs
  // from the recorded episode, for people.
  std::string difference;
};

// Replays a compact record with the environment's own code. `max_turns` is the author's turn
// limit, 0 when not known. Throws ConfigError for a record that cannot be read or an unknown
// environment; a replay that departs from the record is reported in `difference`.
RebuiltEpisode rebuild_link_record(const json::value& compact, const std::string& record_sha256, int max_turns);

}  // namespace rapport
