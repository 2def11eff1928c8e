// Prints, one JSON line each, scripted episodes of every registered environment (built-in tasks,
// fixed seeds; each domain of an environment that has several) with the scripted oracle and with
// the scripted reasoning user, then the usersim bench over a slice of the adversarial set, then the
// share-link envelopes of LLM-played episodes and the records they rebuild. Built natively and as
// WebAssembly; the parity test
// requires identical output.
#include <cstdio>
#include <string>

#include "core/registry.h"
#include "core/runner.h"
#include "core/share_link.h"
#include "core/usersim.h"
#include "envs/search/search.h"
#include "tests/portable/llm_episodes.h"

namespace {
void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

// Searches answered from the built-in corpus by title or substring (the FTS5 index is native;
// this proves the environment and agent logic around it).
rapport::SearchResponse corpus_lookup(const rapport::SearchRequest& request) {
  rapport::SearchResponse r;
  r.ok = true;
  for (const auto& p : rapport::search::builtin_corpus()) {
    if (static_cast<int>(r.passages.size()) >= request.k) break;
    if (p.title == request.query || p.text.find(request.query) != std::string::npos)
      r.passages.push_back({p.id, p.title, p.text, 1.0 / static_cast<double>(r.passages.size() + 3)});
  }
  return r;
}

// Every environment with its defaults, and once in each other value of a `domain` parameter.
std::vector<std::string> played_specs() {
  std::vector<std::string> out;
  for (const auto* info : rapport::Registry::instance().all()) {
    out.push_back(info->name);
    for (const auto& p : info->params)
      if (p.name == "domain")
        for (const auto& v : p.choices)
          if (v != p.default_value) out.push_back(info->name + "(" + p.name + "=" + v + ")");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rapport;
  const int episodes = argc > 1 ? std::stoi(argv[1]) : 5;
  auto no_model = [](const LlmRequest&) { return llm_failure("no model"); };
  for (OracleKind oracle : {OracleKind::Scripted, OracleKind::ReasoningScripted}) {
    for (const auto& spec : played_specs()) {
      auto game = make_game(spec);
      for (int i = 0; i < episodes; ++i) {
        std::uint64_t seed = 1000 + static_cast<std::uint64_t>(i);
        Task task = game->task(seed, static_cast<std::uint64_t>(i));
        Trajectory t = run_episode(*game, task, EpisodeOptions{oracle, seed}, game->scripted_agent(seed), RunSettings{16, "parity", i}, no_model, corpus_lookup);
        print_line(to_json_line(t));
      }
    }
  }
  for (SimulatorKind sim : {SimulatorKind::ReasoningScripted, SimulatorKind::Complying}) {
    BenchRun run = run_turn_bench(adversarial_probes(3, 2), sim, false, no_model);
    print_line(to_json(run.table.to_json()));
    print_line(to_json(run.replies));
  }
  for (const Trajectory& t : {test::llm_travel_episode(16), test::llm_function_episode(16)}) {
    const std::string envelope = share_link_envelope(t, ShareSettings{16, "", "", "", ""});
    print_line(envelope);
    print_line(parse_share_envelope(envelope).record_text);
  }
  return 0;
}
