// rapport: the native command-line front end. Each subcommand lives in its own file.
#include <algorithm>
#include <iostream>
#include <new>
#include <stdexcept>

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
    // --help and --version end with 0, and commands end with their own code (RuntimeError);
    // every other flag error is a usage error, whatever code CLI11 gives it.
    int code = app.exit(e);
    if (code == kExitOk || dynamic_cast<const CLI::RuntimeError*>(&e)) return code;
    return kExitUsage;
  } catch (const rapport::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory: the job is too large for this machine (lower the counts or the input sizes)\n";
    return kExitUsage;
  } catch (const std::length_error& e) {
    std::cerr << "error: a size is beyond what this machine can hold (" << e.what() << "): lower the counts or the input sizes\n";
    return kExitUsage;
  }
  return kExitOk;
}
