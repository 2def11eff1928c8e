// `rapport index`: builds the built-in search backend's index (SQLite FTS5, BM25) from a corpus in
// the common JSONL form, streaming, with a progress bar; `--search index:PATH` then uses it.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "envs/search/search.h"
#include "native/cli/command.h"
#include "native/search_index.h"

namespace rapport::cli {
namespace {

struct IndexOptions {
  std::string corpus;
  std::string out;
  bool quiet = false;
};

std::string bar(const IndexProgress& p, double seconds) {
  double share = p.bytes_total > 0 ? std::min(1.0, static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total)) : 0;
  int filled = static_cast<int>(share * 30);
  return fmt::format("[{}{}] {:5.1f}% · {} passages · {:.0f}/s", std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(30 - filled), '.'), share * 100, p.passages,
                     seconds > 0 ? static_cast<double>(p.passages) / seconds : 0.0);
}

int build_index(const IndexOptions& o) {
  IndexStats stats;
  if (o.corpus == "builtin") {
    stats = write_search_index(search::builtin_corpus(), o.out);
  } else {
    const bool live = !o.quiet && isatty(STDERR_FILENO);
    auto start = std::chrono::steady_clock::now();
    auto last = start;
    stats = build_search_index(o.corpus, o.out, [&](const IndexProgress& p) {
      auto now = std::chrono::steady_clock::now();
      if (o.quiet || (now - last < std::chrono::milliseconds(live ? 200 : 10000) && p.bytes_read < p.bytes_total)) return;
      last = now;
      double s = std::chrono::duration<double>(now - start).count();
      if (live) std::cerr << "\r\033[K" << bar(p, s) << std::flush;
      else std::cerr << bar(p, s) << "\n";
    });
    if (live) std::cerr << "\n";
  }
  if (!o.quiet)
    std::cout << fmt::format("{} passages indexed in {:.1f} s ({:.0f}/s) · {} ({:.1f} MiB); search it with --search index:{}\n",
                             stats.passages, stats.seconds, stats.seconds > 0 ? stats.passages / stats.seconds : 0.0, o.out,
                             static_cast<double>(stats.bytes_on_disk) / (1024.0 * 1024.0), o.out);
  return kExitOk;
}

void install(CLI::App& app) {
  auto o = std::make_shared<IndexOptions>();
  auto* cmd = app.add_subcommand("index",
                                 "Build a search index (SQLite FTS5, BM25) from a JSONL corpus, for --search index:PATH.\n"
                                 "Each line: {\"id\", \"contents\"} (title on the first line) or {\"id\", \"title\", \"text\"}.");
  cmd->add_option("corpus", o->corpus, "The corpus JSONL file, or 'builtin' for SearchGym's own corpus")->required();
  cmd->add_option("--out,-o", o->out, "The index file to write (replaced)")->required();
  cmd->add_flag("--quiet,-q", o->quiet, "No progress bar and no summary");
  cmd->callback([o] {
    if (int code = build_index(*o); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(45, install);

}  // namespace
}  // namespace rapport::cli
