// `rapport envs`: every environment with its parameters and defaults.
#include <fmt/format.h>

#include <iostream>

#include "core/registry.h"
#include "native/cli/command.h"

namespace rapport::cli {
namespace {

void install(CLI::App& app) {
  auto* cmd = app.add_subcommand("envs", "List every environment with its parameters and defaults");
  cmd->callback([] {
    for (const auto* info : Registry::instance().all()) {
      std::cout << fmt::format("{} ({})\n  {}\n", info->name, info->title, info->description);
      for (const auto& p : info->params)
        std::cout << fmt::format("    {:<26} {:<14} {}  [{}]\n", p.name, p.default_value, p.help, p.describe());
      std::cout << fmt::format("  example: rapport play --env '{}'\n\n", info->name);
    }
  });
}

RAPPORT_CLI_COMMAND(10, install);

}  // namespace
}  // namespace rapport::cli
