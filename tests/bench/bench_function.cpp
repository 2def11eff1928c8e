// FunctionGym throughput: environment steps per second (rule evaluation, Python-exact number
// formatting) and whole scripted episodes per second. Prints figures; asserts nothing.
#include <fmt/format.h>

#include <chrono>

#include "core/registry.h"
#include "core/runner.h"

using namespace rapport;
using Clock = std::chrono::steady_clock;

int main() {
  auto game = make_game("function(max_steps=1000)");
  const std::vector<std::string> actions = {"[action] 1 2 3 4", "[action] 7 -3 2.5 9", "[search] test",
                                            "[answer] 12.5", "[action] 0 0 1 2", "oops"};
  // Steps: one long episode per task, cycling through probe, search, wrong answer and bad input.
  const int tasks = 1000, steps_per_task = 1000;
  std::size_t steps = 0;
  double checksum = 0;
  auto start = Clock::now();
  for (int i = 0; i < tasks; ++i) {
    auto episode = game->new_episode(game->task(1, static_cast<std::uint64_t>(i)), {});
    for (int s = 0; s < steps_per_task; ++s) {
      auto flow = episode->step(actions[static_cast<std::size_t>(s) % actions.size()]);
      checksum += static_cast<double>(flow.value().observation.size());
      ++steps;
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print("FunctionGym steps:            {:>12.0f} steps/s  ({} steps in {:.2f} s)\n", steps / seconds, steps, seconds);

  // Whole episodes played by the scripted agent (search, six probes, answer).
  auto standard = make_game("function");
  const int episodes = 2000;
  std::size_t turns = 0;
  int solved = 0;
  start = Clock::now();
  for (int i = 0; i < episodes; ++i) {
    Trajectory t = run_episode(*standard, standard->task(2, static_cast<std::uint64_t>(i)), {},
                               standard->scripted_agent(2), RunSettings{20},
                               [](const LlmRequest&) { return llm_failure("none"); });
    turns += t.turns.size();
    solved += t.metrics.at("success").as_bool();
  }
  seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print("Scripted episodes (recorded): {:>12.0f} episodes/s, {:.0f} turns/s, solved {}/{}\n", episodes / seconds,
             turns / seconds, solved, episodes);
  fmt::print("(checksum {})\n", checksum);
  return 0;
}
