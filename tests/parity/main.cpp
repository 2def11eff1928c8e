// Prints, one JSON line each, scripted episodes of every registered environment (built-in tasks,
// fixed seeds). Built natively and as WebAssembly; the parity test requires identical output.
#include <cstdio>
#include <string>

#include "core/registry.h"
#include "core/runner.h"
#include "envs/search/search.h"

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  using namespace rapport;
  const int episodes = argc > 1 ? std::stoi(argv[1]) : 5;
  for (const auto* info : Registry::instance().all()) {
    auto game = make_game(info->name);
    for (int i = 0; i < episodes; ++i) {
      std::uint64_t seed = 1000 + static_cast<std::uint64_t>(i);
      Task task = game->task(seed, static_cast<std::uint64_t>(i));
      Trajectory t = run_episode(*game, task, EpisodeOptions{OracleKind::Scripted, seed}, game->scripted_agent(seed),
                                 RunSettings{16, "parity", i},
                                 [](const LlmRequest&) { return llm_failure("no model"); }, corpus_lookup);
      std::string line = to_json_line(t);
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
    }
  }
  return 0;
}
