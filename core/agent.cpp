#include "core/agent.h"

namespace rapport {

AgentMove AgentMove::tool(std::string choice, std::string content) {
  AgentMove m;
  m.action = action_from_tool(choice, content);
  m.choice = std::move(choice);
  m.content = std::move(content);
  return m;
}

}  // namespace rapport
