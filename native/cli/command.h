// `rapport` subcommands register themselves here, one file per command (like environments).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace rapport::cli {

struct Command {
  int order;  // position in `rapport --help`
  std::function<void(CLI::App&)> install;
};

std::vector<Command>& commands();
inline bool add_command(int order, std::function<void(CLI::App&)> install) {
  commands().push_back({order, std::move(install)});
  return true;
}

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;   // bad configuration, files or arguments
inline constexpr int kExitFailed = 1;  // the work itself failed
inline constexpr int kExitInfra = 3;   // `rapport run`: some episodes failed on model infrastructure

#define RAPPORT_CLI_COMMAND(order, install_function) \
  static const bool RAPPORT_CLI_CONCAT(rapport_cli_command_, __LINE__) = ::rapport::cli::add_command(order, install_function)
#define RAPPORT_CLI_CONCAT_INNER(a, b) a##b
#define RAPPORT_CLI_CONCAT(a, b) RAPPORT_CLI_CONCAT_INNER(a, b)

}  // namespace rapport::cli
