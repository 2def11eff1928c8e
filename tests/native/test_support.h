// Helpers for native end-to-end tests: temporary folders, reading files, and running the real
// `rapport` binary (optionally killing it part-way).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/trajectory.h"
#include "native/endpoint.h"

namespace rapport {
class FakeOpenAiServer;
}

namespace rapport::testing {

// An endpoint on the fake server with short timeouts and backoffs, for end-to-end tests.
Endpoint fake_endpoint(const FakeOpenAiServer& server, std::string name, double timeout_s = 5);
// Every trajectory of a JSONL file, in order.
std::vector<Trajectory> read_trajectories(const std::string& path);


// A fresh folder under /tmp, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);  // "" when missing
std::vector<std::string> read_lines(const std::string& path);
bool file_exists(const std::string& path);

struct CliResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr
};

// Runs the rapport binary (RAPPORT_CLI) with `args` (and `input` on its stdin) and waits for it.
CliResult run_cli(const std::vector<std::string>& args, const std::string& input = "");

// Starts the binary, waits until `ready()` is true (polled every 10 ms, at most timeout_s), then
// kills it with SIGKILL. Returns false when the program ended before it could be killed.
bool run_cli_and_kill(const std::vector<std::string>& args, const std::function<bool()>& ready, double timeout_s);

}  // namespace rapport::testing
