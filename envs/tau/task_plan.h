// How a generated TauGym task of each tier is planned, the same for every domain (the domain
// gives the request kinds): easy is one plain request about a record whose id the customer knows;
// medium one rich request (more to read and check) about a record named without its id; hard a
// first request (often one the policy must refuse, or a figure to report) and then a write, each
// rich or not and the ids known or not by a coin flip. Private to the task generators.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/rng.h"
#include "envs/tau/tau.h"

namespace rapport::tau {

struct TierKinds {
  std::vector<std::string> easy, medium, hard_first, hard_write;
};

struct TierPlan {
  std::vector<std::pair<std::string, bool>> requests;  // kind, rich
  bool knows_id = true;
};

// The draws are part of every generated task: their order must not change.
inline TierPlan plan_tier(std::string_view tier, Rng& rng, const TierKinds& kinds) {
  TierPlan plan;
  if (tier == "easy") {
    plan.requests = {{rng.pick(kinds.easy), false}};
  } else if (tier == "medium") {
    plan.requests = {{rng.pick(kinds.medium), true}};
    plan.knows_id = false;
  } else {
    std::string first = rng.pick(kinds.hard_first), second = rng.pick(kinds.hard_write);
    plan.requests = {{first, rng.chance(0.5)}, {second, rng.chance(0.5)}};
    plan.knows_id = rng.chance(0.5);
  }
  return plan;
}

// Makes the plan's requests with the domain's builder (`b.make(request, kind, knows_id, rich)`,
// which also writes their gold actions); false when this customer's records cannot serve one.
template <class Builder>
bool make_requests(Builder& b, const TierPlan& plan, std::vector<Request>& out) {
  for (const auto& [kind, rich] : plan.requests) {
    Request r;
    if (!b.make(r, kind, plan.knows_id, rich)) return false;
    out.push_back(std::move(r));
  }
  return true;
}

// "\n1. ...\n2. ..." in the customer's words (the domain's request_text), for the instruction.
inline std::string numbered_requests(const std::vector<Request>& requests, std::string (*words)(const Request&)) {
  std::string out;
  for (std::size_t i = 0; i < requests.size(); ++i) out += fmt::format("\n{}. {}", i + 1, words(requests[i]));
  return out;
}

}  // namespace rapport::tau
