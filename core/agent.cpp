#include "core/agent.h"

namespace rapport {

AgentMove AgentMove::tool(std::string choice, std::string content) {
  AgentMove m;
  m.action = action_from_tool(choice, content);
  m.choice = std::move(choice);
  m.content = std::move(content);
  return m;
}

AgentMove AgentMove::call(const std::string& tool, const json::object& arguments) {
  AgentMove m;
  m.action = tool_action(tool, arguments);
  m.choice = tool;
  m.content = to_json(arguments);
  return m;
}

}  // namespace rapport
