// rapport: the native command-line front end. Each subcommand lives in its own file.
#include <algorithm>
#include <iostream>

#include "core/params.h"
#include "native/cli/command.h"

namespace rapport::cli {
std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}
}  // namespace rapport::cli

int main(int argc, char** argv) {
  using namespace rapport::cli;
  CLI::App app{"rapport: environments for training and evaluating LLM agents that must understand their users.\n"
               "Run `rapport <command> --help` for a command's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rapport 0.1.0");
  auto& all = commands();
  std::stable_sort(all.begin(), all.end(), [](const Command& a, const Command& b) { return a.order < b.order; });
  for (auto& c : all) c.install(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const rapport::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}
