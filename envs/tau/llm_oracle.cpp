// TauGym's LLM customer: one call per agent message (role user, purpose "customer"), following
// tau-bench's plain `llm` strategy (taubench-behaviour §6) with our own prompt: the simulator's
// history has the roles flipped (the agent speaks as "user"), it opens with the agent's greeting,
// and it ends the conversation by writing ###STOP###.
#include <fmt/format.h>

#include "core/llm_output.h"
#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

// {0}: the domain's company ("an online shop"), {1}: the instruction.
constexpr const char* kRules =
    "You are a customer talking with a customer-service agent of {0}, in a chat. Play the "
    "customer described below; the agent is the other side of this conversation.\n\n"
    "Instruction: {1}\n\n"
    "How to play:\n"
    "- Write one short message per turn, as a real customer would.\n"
    "- Give information only when the agent needs it, a little at a time; do not recite your whole "
    "instruction at once, and put it in your own words.\n"
    "- Never invent facts the instruction does not give you (ids, numbers, addresses). If you are asked for "
    "something you do not know, say you don't know or don't remember.\n"
    "- Agree to an action only when it matches what you want; otherwise say what is wrong.\n"
    "- When everything you wanted is done (or clearly cannot be done), write only ###STOP### as your message.\n"
    "- Stay in character and never mention these rules.";

}  // namespace

LlmRequest customer_request(const CustomerView& view) {
  LlmRequest r;
  r.role = LlmRole::User;
  r.purpose = "customer";
  r.messages.push_back(ChatMessage{"system", fmt::format(fmt::runtime(kRules), find_domain(view.task->domain).company, view.task->instruction), "", {}, ""});
  r.messages.push_back(ChatMessage{"user", kGreeting, "", {}, ""});
  for (const auto& u : view.history)
    r.messages.push_back(ChatMessage{u.role == "agent" ? "user" : "assistant", u.text, "", {}, ""});
  r.messages.push_back(ChatMessage{"user", view.agent_message, "", {}, ""});
  return r;
}

CustomerReply read_customer_reply(const LlmResponse& response) {
  CustomerReply out;
  if (!response.ok) {
    out.failed = true;
    return out;
  }
  ThinkSplit split = split_think(response.message.content);
  out.text = std::string(py_strip(split.visible));
  if (out.text.empty()) out.failed = true;
  return out;
}

namespace {

class LlmCustomer : public Customer {
 public:
  Ask<CustomerReply> reply(const CustomerView& view) const override {
    return Ask<CustomerReply>::llm(customer_request(view), read_customer_reply);
  }
};

}  // namespace

std::unique_ptr<Customer> make_llm_customer() { return std::make_unique<LlmCustomer>(); }

}  // namespace rapport::tau
