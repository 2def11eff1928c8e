// `rapport merge --out all.jsonl out.0.jsonl ... out.{N-1}.jsonl` joins the outputs of the N runs
// `rapport run --shard i/N` into the very file one unsharded run writes, byte for byte: shard i
// holds the GRPO groups of tasks i, i+N, ..., so the groups are taken from the shards in turn. A
// shard whose file is missing, whose run did not finish (its FILE.pending is still there), or
// that is not shard i of the same run (its FILE.run.json says) is named and nothing is written.
// `--cache-out FILE --caches C...` also joins the shards' SQLite caches into one.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "core/json.h"
#include "core/params.h"
#include "native/cache.h"
#include "native/cli/command.h"
#include "native/cli/flags.h"
#include "native/files.h"
#include "native/jsonl_file.h"

namespace rapport::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> files;
  int shards = 0;
  std::string out;
  std::vector<std::string> caches;
  std::string cache_out;
};

// A shard's lines, one GRPO group at a time.
class ShardReader {
 public:
  ShardReader(std::string path) : path_(std::move(path)), in_(path_) { advance(); }
  bool done() const { return !has_line_; }
  // The next group's lines, verbatim with their newlines.
  std::string next_group(std::int64_t* lines) {
    std::string text;
    const std::string group = group_;
    while (has_line_ && group_ == group) {
      text += line_;
      text += '\n';
      ++*lines;
      advance();
    }
    return text;
  }

 private:
  void advance() {
    has_line_ = false;
    while (std::getline(in_, line_)) {
      ++line_number_;
      if (line_.empty()) continue;
      if (in_.eof()) throw ConfigError(fmt::format("{}:{}: the last line is cut off (the run was killed): rerun that "
                                                   "shard with --resume",
                                                   path_, line_number_));
      auto v = parse_json(line_);
      if (!v || !v->is_object() || !v->get_object().contains("group"))
        throw ConfigError(fmt::format("{}:{}: not a trajectory line of rapport run", path_, line_number_));
      group_ = get_string(v->get_object(), "group");
      has_line_ = true;
      return;
    }
  }

  std::string path_;
  std::ifstream in_;
  std::string line_;
  std::string group_;
  bool has_line_ = false;
  std::int64_t line_number_ = 0;
};

// "out.{i}.jsonl" with --shards N → out.0.jsonl ... out.{N-1}.jsonl.
std::vector<std::string> shard_files(const MergeFlags& f) {
  if (f.files.size() == 1 && f.files[0].find("{i}") != std::string::npos) {
    if (f.shards < 1) throw ConfigError("a file pattern with {i} needs --shards N");
    std::vector<std::string> files;
    for (int i = 0; i < f.shards; ++i) {
      std::string name = f.files[0];
      name.replace(name.find("{i}"), 3, std::to_string(i));
      files.push_back(name);
    }
    return files;
  }
  if (f.shards > 0 && static_cast<int>(f.files.size()) != f.shards)
    throw ConfigError(fmt::format("--shards {} but {} files given: give shard 0 ... {} in order", f.shards,
                                  f.files.size(), f.shards - 1));
  return f.files;
}

// Each shard's FILE.run.json (rapport run writes it beside FILE) names its shard and its settings:
// the files must be shards 0 ... N-1 of one run, in that order. Shards without one are taken as
// given.
void check_shard_headers(const std::vector<std::string>& files) {
  const int n = static_cast<int>(files.size());
  std::optional<json::object> first;
  std::string first_file;
  for (int i = 0; i < n; ++i) {
    const std::string path = files[i] + ".run.json";
    if (!file_exists(path)) continue;
    auto v = parse_json(read_text_file(path, kMaxDataFileBytes));
    if (!v || !v->is_object()) throw ConfigError(fmt::format("{}: not the run header rapport run writes", path));
    json::object header = v->get_object();
    const std::string shard = get_string(header, "shard");
    if (shard != fmt::format("{}/{}", i, n))
      throw ConfigError(fmt::format("{} is shard {} of its run, but it is given as shard {}/{}: give shards 0/{} ... "
                                    "{}/{} of one run, in order",
                                    files[i], shard.empty() ? "?" : shard, i, n, n, n - 1, n));
    header.erase("shard");
    if (!first) {
      first = std::move(header);
      first_file = files[i];
    } else if (header != *first) {
      throw ConfigError(fmt::format("{} and {} come from runs with different settings (see their .run.json): merge the "
                                    "shards of one run",
                                    first_file, files[i]));
    }
  }
}

int merge(const MergeFlags& f) {
  const std::vector<std::string> files = shard_files(f);
  const int n = static_cast<int>(files.size());
  std::vector<std::string> problems;
  for (int i = 0; i < n; ++i) {
    if (!file_exists(files[i]))
      problems.push_back(fmt::format("shard {}/{} is missing: {} does not exist", i, n, files[i]));
    else if (file_exists(files[i] + ".pending"))
      problems.push_back(fmt::format("shard {}/{} is incomplete: {}.pending is still there (its run did not finish); "
                                     "rerun it with --shard {}/{} --resume",
                                     i, n, files[i], i, n));
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "rapport merge: " << p << "\n";
    std::cerr << fmt::format("rapport merge: {} of {} shards not ready; nothing written\n", problems.size(), n);
    return kExitFailed;
  }
  for (const auto& file : files) require_regular_file(file);  // a device (/dev/zero) would be read forever
  // One file given as two shards would repeat its groups; an output written over a shard would lose it.
  for (int i = 0; i < n; ++i) {
    std::error_code error;
    if (std::filesystem::equivalent(files[i], f.out, error))
      throw ConfigError(fmt::format("--out {} is shard {}/{} itself: name a new file", f.out, i, n));
    for (int j = 0; j < i; ++j)
      if (std::filesystem::equivalent(files[j], files[i], error))
        throw ConfigError(fmt::format("shards {}/{} and {}/{} are the same file ({}): give each shard's own --out file", j,
                                      n, i, n, files[i]));
  }

  check_shard_headers(files);

  std::vector<ShardReader> readers;
  for (const auto& file : files) readers.emplace_back(file);
  std::int64_t lines = 0, groups = 0;
  {
    ReplacingFile out(f.out);
    std::string batch;
    // Task k is group k/N of shard k%N: take one group from each shard in turn. Once a shard has
    // run out, every later one must have too, in that very round (shard sizes differ by at most 1).
    for (int round = 0;; ++round) {
      int ended_at = -1;
      for (int i = 0; i < n; ++i) {
        if (readers[i].done()) {
          if (ended_at < 0) ended_at = i;
          continue;
        }
        if (ended_at >= 0)
          throw ConfigError(fmt::format("shard {}/{} ({}) ended after {} groups but shard {} goes on: these files are "
                                        "not the shards of one run (same options, --shard 0/{} ... {}/{}, in order)",
                                        ended_at, n, files[ended_at], round, i, n, n - 1, n));
        batch += readers[i].next_group(&lines);
        ++groups;
      }
      if (batch.size() > (1 << 22) || ended_at >= 0) {
        out.write(batch);
        batch.clear();
      }
      if (ended_at >= 0) break;
    }
    out.commit();
  }
  std::cerr << fmt::format("merged {} shards: {} groups, {} trajectories into {}\n", n, groups, lines, f.out);

  if (!f.cache_out.empty()) {
    CompletionCache cache(f.cache_out, CacheMode::ReadWrite);
    std::int64_t added = 0;
    for (const auto& c : f.caches) added += cache.merge_from(c);
    std::cerr << fmt::format("merged {} caches: {} entries added, {} in {}\n", f.caches.size(), added, cache.entries(),
                             f.cache_out);
  }
  return kExitOk;
}

void install(CLI::App& app) {
  auto f = std::make_shared<MergeFlags>();
  auto* cmd = app.add_subcommand(
      "merge",
      "Join the outputs of `rapport run --shard i/N` (and their caches) into the file one unsharded run writes");
  cmd->add_option("files", f->files, "The shards' --out files, shard 0 first; or one pattern with {i} and --shards N")
      ->required();
  cmd->add_option("--shards", f->shards, "N: how many shards the run was split into")->check(integer_in(1, 1000000));
  cmd->add_option("--out,-o", f->out, "The merged JSONL file")->required();
  cmd->add_option("--caches", f->caches, "The shards' SQLite caches to join")->check(CLI::ExistingFile);
  cmd->add_option("--cache-out", f->cache_out, "The joined cache (created or added to)");
  cmd->callback([f] {
    if (!f->caches.empty() && f->cache_out.empty()) throw ConfigError("--caches needs --cache-out FILE");
    if (int code = merge(*f); code != kExitOk) throw CLI::RuntimeError(code);
  });
}

RAPPORT_CLI_COMMAND(55, install);

}  // namespace
}  // namespace rapport::cli
