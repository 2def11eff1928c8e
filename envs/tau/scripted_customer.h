// What every TauGym domain's scripted customer shares: its memory across turns (the request it is
// on, whether it said yes to the agent's proposal, how often it had to repeat itself), carried in
// the reply state, and the replies that move it on. The domains keep what they hear in the agent's
// messages and what they answer to questions. Private to the scripted customers.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {

// A customer's last line: the text and the stop signal.
inline std::string stop_line(std::string_view text) { return fmt::format("{} {}", text, kStop); }

class ScriptedCustomerTurn {
 public:
  // request_text: the domain's wording of a request, for bringing up the next one.
  ScriptedCustomerTurn(const CustomerView& view, std::string (*request_text)(const Request&))
      : task_(*view.task),
        request_text_(request_text),
        message_(ascii_lower(view.agent_message)),
        request_(get_int(view.state, "request")),
        confirmed_(get_bool(view.state, "confirmed")),
        complaints_(get_int(view.state, "complaints")) {
    out_.state = view.state;
  }

  const TauTask& task() const { return task_; }
  // The agent's message, lower-cased.
  const std::string& message() const { return message_; }
  // Whether the customer said yes to the proposal the agent is now acting on.
  bool confirmed() const { return confirmed_; }
  // The request being worked on; null on an imported task, whose instruction is all the customer
  // knows.
  const Request* request() const {
    if (task_.requests.empty()) return nullptr;
    const auto last = static_cast<std::int64_t>(task_.requests.size()) - 1;
    return &task_.requests[static_cast<std::size_t>(std::clamp<std::int64_t>(request_, 0, last))];
  }

  // A reply that leaves the memory as it is.
  Ask<CustomerReply> say(std::string text) {
    out_.text = std::move(text);
    return Ask<CustomerReply>::now(out_);
  }
  Ask<CustomerReply> agree() {
    remember(request_, true, complaints_);
    return say("Yes, please go ahead.");
  }
  Ask<CustomerReply> disagree(const std::string& restated) {
    remember(request_, false, complaints_);
    return say("No, that's not what I asked for. " + restated);
  }
  // The current request is settled: on to the next one, or goodbye.
  Ask<CustomerReply> advance(std::string_view thanks) {
    if (request_ + 1 < static_cast<std::int64_t>(task_.requests.size())) {
      remember(request_ + 1, false, 0);
      return say(fmt::format("{} I also have another request: {}", thanks,
                             request_text_(task_.requests[static_cast<std::size_t>(request_ + 1)])));
    }
    remember(request_, false, 0);
    return say(stop_line(fmt::format("{} That's all I needed.", thanks)));
  }
  // The agent is not getting there: say it again, and give up at the limit-th time.
  Ask<CustomerReply> complain(const std::string& restated, std::int64_t limit) {
    remember(request_, confirmed_, complaints_ + 1);
    return say(complaints_ + 1 >= limit ? stop_line("Never mind, I'll try again another time.") : restated);
  }

 private:
  void remember(std::int64_t request, bool confirmed, std::int64_t complaints) {
    out_.state["request"] = request;
    out_.state["confirmed"] = confirmed;
    out_.state["complaints"] = complaints;
  }

  const TauTask& task_;
  std::string (*request_text_)(const Request&);
  std::string message_;
  std::int64_t request_;
  bool confirmed_;
  std::int64_t complaints_;
  CustomerReply out_;
};

}  // namespace rapport::tau
