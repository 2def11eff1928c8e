// Rollout throughput: `rapport run`'s scheduler with an LLM agent against the fake server on
// loopback, for several model latencies and numbers of episodes in flight. Prints achieved agent
// turns per second against the ideal (in flight ÷ latency), the CPU the process used (runner and
// fake server together), the trajectory bytes written per turn, and the memory per in-flight
// episode. Each configuration runs in its own child process, so that memory figures start from a
// clean heap. Then the size of records and share links by episode length (no server).
//
//   bench_runner                       200 ms × 1024, 4096 in flight, 16-turn episodes
//   bench_runner --full                latencies 50, 200, 1000 ms × 64, 1024, 4096 in flight
//   bench_runner --quick               200 ms × 64, 1024
//   bench_runner --latency 200 --inflight 1024 --turns 6
//   bench_runner --sizes               only the record and link sizes
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "native/scheduler.h"
#include "native/share_codec.h"
#include "tests/portable/llm_episodes.h"
// The fake server is test code: compiled into this program directly.
#include "tests/native/fake_openai_server.cpp"

using namespace rapport;

namespace {

int turns_per_episode = 16;  // a search, probes, a finish
constexpr int kRounds = 3;   // episodes per slot: the middle of the run is the steady state

// A FunctionGym policy that plays turns_per_episode turns.
FakeReply policy(const json::object& body) {
  int seen = fake::count_messages(body, "tool");
  if (seen == 0) return FakeReply::tool_call("search", "test");
  if (seen < turns_per_episode - 1) return FakeReply::tool_call("action", fmt::format("{} 2 3 4", seen + 1));
  return FakeReply::tool_call("finish", "");
}

double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

struct Result {
  double achieved = 0;  // turns per second in the steady state
  double episodes_per_s = 0;
  double runner_us = 0;  // CPU per turn of the runner's thread (scheduler, episodes, HTTP client)
  double server_us = 0;  // CPU per turn of the fake server's thread
  double cores = 0;      // cores busy, both threads
  double mib_per_episode = 0;
  double bytes_per_turn = 0;  // trajectory file bytes per agent turn
  long failed = 0;
};

Result measure(int latency_ms, int in_flight) {
  FakeServerOptions options;
  options.latency_s = latency_ms / 1000.0;
  FakeOpenAiServer server(policy, options);
  RunOptions o;
  o.env_spec = "function";
  o.tasks.count = static_cast<std::size_t>(in_flight) * kRounds;
  o.agent = "llm";
  o.concurrency = in_flight;
  o.progress = ProgressMode::Off;
  o.out = fmt::format("/tmp/bench_runner_{}.jsonl", getpid());
  o.overwrite = true;
  Endpoint e;
  e.name = "policy";
  e.base_url = server.base_url();
  e.model = "bench";
  e.timeout_s = 60;
  o.endpoints.policy = e;

  struct Sample {
    double t, runner_cpu, cpu, rss;
    std::int64_t turns, in_flight, episodes;
  };
  std::vector<Sample> samples;
  const double rss_before = rss_mib();
  RunResult r = run_batch(
      o, nullptr,
      [&](const RunCounters& c) {
        // The tick runs on the runner's thread.
        samples.push_back({c.elapsed_s, cpu_seconds(RUSAGE_THREAD), cpu_seconds(RUSAGE_SELF), rss_mib(), c.turns,
                           c.in_flight, c.episodes_done});
      },
      0.25);
  // The steady state: every slot busy.
  const Sample* first = nullptr;
  const Sample* last = nullptr;
  for (const auto& s : samples) {
    if (s.in_flight != in_flight) continue;
    if (!first) first = &s;
    last = &s;
  }
  Result result;
  result.failed = r.counters.failed_calls;
  {
    std::ifstream written(o.out, std::ios::binary | std::ios::ate);
    if (written && r.counters.turns > 0) result.bytes_per_turn = static_cast<double>(written.tellg()) / r.counters.turns;
  }
  std::remove(o.out.c_str());
  if (first && last && last->t > first->t) {
    const double span = last->t - first->t;
    result.achieved = (last->turns - first->turns) / span;
    result.episodes_per_s = (last->episodes - first->episodes) / span;
    const double turns = static_cast<double>(last->turns - first->turns);
    result.runner_us = 1e6 * (last->runner_cpu - first->runner_cpu) / turns;
    result.server_us = 1e6 * ((last->cpu - first->cpu) - (last->runner_cpu - first->runner_cpu)) / turns;
    result.cores = (last->cpu - first->cpu) / span;
    double peak = 0;
    for (const Sample* s = first; s <= last; ++s) peak = std::max(peak, s->rss);
    result.mib_per_episode = (peak - rss_before) / in_flight;
  }
  return result;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

std::vector<int> parse_list(const char* text) {
  std::vector<int> out;
  std::string s = text;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    out.push_back(std::atoi(s.substr(start, comma - start).c_str()));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Record and link size by episode length: bytes per turn should not grow with the turn's position.
void print_record_sizes() {
  std::printf("\nrecord sizes (LLM agent with canned completions; travel with the LLM user simulator)\n");
  std::printf("%6s %16s %14s %16s %14s %18s %22s\n", "turns", "function bytes", "bytes/turn", "travel bytes", "bytes/turn",
              "travel link chars", "full-record link chars");
  for (int turns : {4, 8, 16, 32}) {
    Trajectory f = test::llm_function_episode(turns);
    Trajectory t = test::llm_travel_episode(turns);
    ShareSettings settings;
    settings.max_turns = turns;
    const double fb = static_cast<double>(to_json_line(f).size()), tb = static_cast<double>(to_json_line(t).size());
    // The link as it was before compact records: the full record's envelope (what files hold).
    const std::string full = share_envelope(t, settings);
    std::printf("%6d %16.0f %14.0f %16.0f %14.0f %18zu %22zu\n", turns, fb, fb / f.turns.size(), tb, tb / t.turns.size(),
                make_share_link(t, settings).size(), share_fragment(deflate_raw(full), full).size() + 1);
  }
  std::printf("aims: a 16-turn function trajectory under 12 KB, a 16-turn LLM travel link under 8k characters\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> latencies{200}, in_flights{1024, 4096};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--sizes") {
      print_record_sizes();
      return 0;
    }
    if (a == "--full") {
      latencies = {50, 200, 1000};
      in_flights = {64, 1024, 4096};
    } else if (a == "--turns" && i + 1 < argc) {
      turns_per_episode = std::max(2, std::atoi(argv[++i]));
    } else if (a == "--quick") {
      latencies = {200};
      in_flights = {64, 1024};
    } else if (a == "--latency" && i + 1 < argc) {
      latencies = parse_list(argv[++i]);
    } else if (a == "--inflight" && i + 1 < argc) {
      in_flights = parse_list(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_runner [--sizes | --full | --quick] [--latency MS[,MS...]] [--inflight N[,N...]] [--turns N]\n");
      return 2;
    }
  }
  // Thousands of connections, on both ends of loopback.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  std::printf("rapport run throughput: FunctionGym, LLM agent (%d turns per episode) against the fake server on loopback\n",
              turns_per_episode);
  std::printf(
      "CPU per turn of the runner's thread and of the fake server's thread; cores: both together; capacity: the turns/s\n"
      "the runner's thread could sustain with a core of its own (1 / its CPU per turn). %ld cores online, load %s\n\n",
      sysconf(_SC_NPROCESSORS_ONLN), load_average().c_str());
  std::printf("%8s %10s %14s %10s %8s %11s %10s %10s %6s %10s %12s %11s\n", "latency", "in flight", "ideal turns/s",
              "turns/s", "% ideal", "episodes/s", "runner µs", "server µs", "cores", "capacity", "KiB/episode",
              "bytes/turn");
  for (int latency : latencies) {
    for (int n : in_flights) {
      int pipe_fds[2];
      if (pipe(pipe_fds) != 0) return 1;
      pid_t pid = fork();
      if (pid == 0) {
        close(pipe_fds[0]);
        Result r = measure(latency, n);
        [[maybe_unused]] auto w = write(pipe_fds[1], &r, sizeof r);
        _exit(0);
      }
      close(pipe_fds[1]);
      Result r;
      bool ok = read(pipe_fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
      close(pipe_fds[0]);
      int status = 0;
      waitpid(pid, &status, 0);
      if (!ok) {
        std::printf("%6d ms %10d   (failed)\n", latency, n);
        continue;
      }
      const double ideal = n / (latency / 1000.0);
      std::printf("%6d ms %10d %14.0f %10.0f %7.1f%% %11.1f %10.1f %10.1f %6.2f %10.0f %12.1f %11.0f%s\n", latency, n,
                  ideal, r.achieved, 100 * r.achieved / ideal, r.episodes_per_s, r.runner_us, r.server_us, r.cores,
                  r.runner_us > 0 ? 1e6 / r.runner_us : 0.0, r.mib_per_episode * 1024, r.bytes_per_turn,
                  r.failed ? fmt::format("  ({} failed calls)", r.failed).c_str() : "");
      std::fflush(stdout);
    }
  }
  std::printf("\naims: at least 90%% of ideal with 4096 episodes in flight at 200 ms latency on 2 cores, runner CPU at most "
              "40 µs per turn (load now %s)\n",
              load_average().c_str());
  print_record_sizes();
  return 0;
}
