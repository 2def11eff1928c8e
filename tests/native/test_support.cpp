#include "tests/native/test_support.h"

#include <catch2/catch.hpp>

#include "native/trajectory_files.h"
#include "tests/native/fake_openai_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rapport::testing {

Endpoint fake_endpoint(const FakeOpenAiServer& server, std::string name, double timeout_s) {
  Endpoint e;
  e.name = std::move(name);
  e.base_url = server.base_url();
  e.model = "fake-model";
  e.timeout_s = timeout_s;
  e.backoff_initial_s = 0.01;
  e.backoff_max_s = 0.05;
  return e;
}

std::vector<Trajectory> read_trajectories(const std::string& path) {
  std::vector<Trajectory> out;
  for_each_trajectory(path, [&](const Trajectory& t, const json::object&) { out.push_back(t); });
  return out;
}

RunOptions llm_batch(const FakeOpenAiServer& server, std::string env_spec, std::size_t tasks, std::uint64_t seed,
                     int samples, std::string out) {
  RunOptions o;
  o.env_spec = std::move(env_spec);
  o.tasks.count = tasks;
  o.tasks.seed = seed;
  o.samples = samples;
  o.agent = "llm";
  o.user = OracleKind::Llm;
  o.concurrency = 8;
  o.progress = ProgressMode::Off;
  o.endpoints.policy = fake_endpoint(server, "policy");
  o.endpoints.user = fake_endpoint(server, "user");
  o.out = std::move(out);
  return o;
}

RunOptions data_file_batch(std::string env_spec, std::string data_file, std::string split, std::string out) {
  RunOptions o;
  o.env_spec = std::move(env_spec);
  o.tasks.data_file = std::move(data_file);
  o.tasks.split = std::move(split);
  o.tasks.count = 0;  // the whole split
  o.progress = ProgressMode::Off;
  o.out = std::move(out);
  return o;
}

std::vector<Trajectory> run_episodes(const RunOptions& options, std::size_t episodes) {
  RunResult r = run_batch(options, nullptr);
  CHECK(r.counters.episodes_done == static_cast<std::int64_t>(episodes));
  CHECK(r.counters.failed_calls == 0);
  std::vector<Trajectory> ts = read_trajectories(options.out);
  REQUIRE(ts.size() == episodes);
  return ts;
}


TempDir::TempDir() {
  char pattern[] = "/tmp/rapport-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& output_path, const std::string& input_path = "/dev/null") {
  std::vector<std::string> all{RAPPORT_CLI};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, input_path.c_str(), O_RDONLY, 0);
  // Run in the output's (temporary) folder, so that default output files land there too.
  std::string folder = output_path.substr(0, output_path.find_last_of('/'));
  posix_spawn_file_actions_addchdir_np(&actions, folder.c_str());
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + RAPPORT_CLI);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args, const std::string& input) {
  TempDir dir;
  std::string output = dir.file("output.txt");
  std::string input_path = dir.file("input.txt");
  std::ofstream(input_path, std::ios::binary) << input;
  CliResult r;
  r.exit_code = wait_for(spawn(args, output, input_path));
  r.output = read_file(output);
  return r;
}

bool run_cli_and_kill(const std::vector<std::string>& args, const std::function<bool()>& ready, double timeout_s) {
  TempDir dir;
  pid_t pid = spawn(args, dir.file("output.txt"));
  auto start = std::chrono::steady_clock::now();
  while (!ready() && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < timeout_s) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;  // it finished first
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) return false;
  kill(pid, SIGKILL);
  wait_for(pid);
  return true;
}

}  // namespace rapport::testing
