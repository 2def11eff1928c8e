// Helpers for native end-to-end tests: temporary folders, reading files, and running the real
// `rapport` binary (optionally killing it part-way).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/trajectory.h"
#include "native/endpoint.h"
#include "native/scheduler.h"

namespace rapport {
class FakeOpenAiServer;
}

namespace rapport::testing {

// An endpoint on the fake server with short timeouts and backoffs, for end-to-end tests.
Endpoint fake_endpoint(const FakeOpenAiServer& server, std::string name, double timeout_s = 5);
// Every trajectory of a JSONL file, in order.
std::vector<Trajectory> read_trajectories(const std::string& path);

// `tasks` built-in tasks of env_spec for `seed`, `samples` each, played by the LLM agent with LLM
// users, the policy's and the user's models at the fake server (the judge falls back to the
// user's), written to `out`.
RunOptions llm_batch(const FakeOpenAiServer& server, std::string env_spec, std::size_t tasks, std::uint64_t seed,
                     int samples, std::string out);
// Every task of a reference-format data file's split, played once by the scripted agent and user.
RunOptions data_file_batch(std::string env_spec, std::string data_file, std::string split, std::string out);
// Runs the batch, checks that all `episodes` finished with no failed model call, and returns
// their trajectories.
std::vector<Trajectory> run_episodes(const RunOptions& options, std::size_t episodes);

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
