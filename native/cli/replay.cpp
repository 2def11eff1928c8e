// `rapport replay LINK_OR_FILE`: opens a share link (full URL, fragment) or an exported episode
// file, replays it with this build's environment code and the recorded model responses, and says
// whether the replay reproduces the record byte for byte (exit 0) or where it diverges (exit 1).
#include <fmt/format.h>

#include <filesystem>
#include <algorithm>
#include <iostream>

#include "core/params.h"
#include "core/pynum.h"
#include "native/cli/command.h"
#include "native/files.h"
#include "native/share_codec.h"

namespace rapport::cli {
namespace {

struct ReplayOptions {
  std::string source;
  std::string out;
  bool print_link = false;
  std::string link_base;
};

std::string read_source(const std::string& source) {
  // A share link never names an existing file; a path that exists is read.
  std::error_code ec;
  if (source.find('#') == std::string::npos && std::filesystem::is_regular_file(source, ec)) {
    std::string text = read_text_file(source);
    std::size_t lines = 0;
    for (std::size_t at = 0; at < text.size();) {
      std::size_t end = std::min(text.find('\n', at), text.size());
      if (text.find_first_not_of(" \t\r", at) < end) ++lines;
      at = end + 1;
    }
    if (lines > 1)
      throw ConfigError(fmt::format("'{}' holds {} trajectories; replay takes one: a share link, an exported episode or "
                                    "one line (e.g. sed -n 3p {} > one.jsonl)",
                                    source, lines, source));
    return text;
  }
  if (std::filesystem::is_directory(source, ec)) throw ConfigError(fmt::format("'{}' is a folder, not a file", source));
  return source;
}

int replay(const ReplayOptions& options) {
  SharedEpisode episode = read_shared_episode(read_source(options.source));
  const Trajectory& t = episode.trajectory;
  // The record is untrusted: a megabyte of "env" is named by its start, not echoed.
  auto brief = [](const std::string& s) { return s.size() > 80 ? s.substr(0, 80) + "..." : s; };
  std::cout << fmt::format("Replaying {} · task {} · seed {} · {} turns · agent {} · oracle {}{}\n", brief(t.env),
                           brief(t.task_id), t.seed, t.turns.size(), brief(t.agent), brief(t.oracle),
                           t.stop_reason.empty() ? " · unfinished" : " · " + t.stop_reason);
  ReplayOutcome outcome = replay_shared(episode);
  if (!options.out.empty()) write_text_file(options.out, outcome.record_text + "\n");
  if (options.print_link) std::cout << make_share_link(t, episode.settings, options.link_base) << "\n";
  if (outcome.identical) {
    std::cout << fmt::format("byte-identical: the replay reproduces the record exactly ({} bytes, total reward {})\n",
                             outcome.record_text.size(), py_repr(outcome.trajectory.total_reward()));
    return kExitOk;
  }
  std::cout << fmt::format("diverges: {}\n", outcome.difference);
  return kExitFailed;
}

void install(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Replay a share link or exported episode and check it byte for byte");
  cmd->add_option("source", options->source, "Share link (URL or '#e1...' fragment) or episode/trajectory file")
      ->required();
  cmd->add_option("--out", options->out, "Write the replayed trajectory record to this file");
  cmd->add_flag("--print-link", options->print_link, "Print the episode's share link");
  cmd->add_option("--link-base", options->link_base, "URL the printed link starts with, e.g. http://127.0.0.1:8080/");
  cmd->callback([options] {
    if (int code = replay(*options); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(60, install);

}  // namespace
}  // namespace rapport::cli
