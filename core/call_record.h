// How trajectory records store model calls, so that a record grows linearly with its episode.
//
// Record format 2 (records with "record_version": 2). Calls are numbered from 0 in record order:
// turn by turn, the agent's calls, then the environment's. A call is
//   {"request": R, "response": {...}}
// and may carry a "kind"; a call without one is a completion (other kinds are never the base of a
// delta). R is the full request record (to_record(LlmRequest)) for the first call of a
// conversation; any later call of it (the latest earlier completion with the same role and
// purpose) is written as what is new since that call:
//   {"base": N, "keep": K, <frame members that changed>, "messages": [the messages added]}
// meaning: call N's messages up to K, then the added ones; call N's frame (request_frame_record:
// sampling, tools, tool_choice and whatever else a request records) with the members written
// here replaced, a member written as null being removed. The full request is rebuilt exactly.
//
// Record format 1 (no "record_version"): every request in full. Both are read; records are
// written in the current format.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/llm.h"

namespace rapport {

inline constexpr int kRecordVersion = 2;

struct LlmExchange {
  LlmRequest request;
  LlmResponse response;
};

// Writes the calls of one record, in record order.
class CallRecordWriter {
 public:
  json::object write(const LlmExchange& call);

 private:
  struct Latest {
    std::size_t index;
    const LlmRequest* request;  // valid while the record is written
    json::object frame;
  };
  std::size_t next_ = 0;
  std::map<std::pair<LlmRole, std::string>, Latest> latest_;  // by role and purpose
};

// Reads the calls of one record, in record order. Throws ConfigError naming `where` for a call
// that cannot be read (a base that is not an earlier completion, more messages kept than it has).
class CallRecordReader {
 public:
  explicit CallRecordReader(int version) : version_(version) {}
  LlmExchange read(const json::value& record, const std::string& where);

 private:
  int version_;
  std::vector<LlmRequest> requests_;  // every call so far, by number
};

}  // namespace rapport
