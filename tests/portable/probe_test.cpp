// Damaged input thrown at the core's readers, for every environment: records (lines of a
// trajectories file) and share envelopes with one value replaced by a value of another type or
// size, or removed, then replayed; environment specs with broken syntax or values; and data files
// of the wrong shape. Each must be read, or refused with ConfigError; never another exception, a
// crash, or (under the asan preset) a sanitizer report.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/replay.h"
#include "core/runner.h"
#include "core/share_link.h"

using namespace rapport;

namespace {

// A path into a JSON document: object keys and array indices.
struct Step {
  std::string key;
  std::size_t index = 0;
  bool is_key = true;
};
using Path = std::vector<Step>;

std::string describe(const Path& path) {
  std::string out;
  for (const auto& s : path) out += s.is_key ? "." + s.key : fmt::format("[{}]", s.index);
  return out.empty() ? "(root)" : out;
}

void collect(const json::value& v, Path& at, std::vector<Path>& out) {
  out.push_back(at);
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      at.push_back({std::string(kv.key()), 0, true});
      collect(kv.value(), at, out);
      at.pop_back();
    }
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      at.push_back({"", i, false});
      collect(a[i], at, out);
      at.pop_back();
    }
  }
}

json::value* locate(json::value& root, const Path& path) {
  json::value* v = &root;
  for (const auto& s : path) v = s.is_key ? &v->as_object()[s.key] : &v->as_array()[s.index];
  return v;
}

// Values of every JSON type, and numbers at the edges of what a reader might convert them to.
const std::vector<json::value>& replacements() {
  static const std::vector<json::value> all = {
      nullptr, true, json::value(-1), json::value(0), json::value(1e308), json::value(-1e308),
      json::value(std::uint64_t(18446744073709551615ull)), json::value(std::int64_t(-9223372036854775807ll - 1)),
      json::value(0.5), json::value(""), json::value("x"), json::array{}, json::object{}, json::array{nullptr}};
  return all;
}

// Every path of `document` (at most `limit`, spread evenly) with every replacement, and with the
// key removed; `read` must accept each mutant or throw ConfigError.
void mutate_each(const json::value& document, std::size_t limit, const std::function<void(const json::value&)>& read) {
  std::vector<Path> paths;
  Path at;
  collect(document, at, paths);
  // Every key near the top (the structure readers check), and `limit` of the deeper values.
  std::vector<Path> chosen, deep;
  for (auto& p : paths) (p.size() <= 2 && chosen.size() < limit ? chosen : deep).push_back(std::move(p));
  const std::size_t stride = deep.size() > limit ? (deep.size() + limit - 1) / limit : 1;
  for (std::size_t p = 0; p < deep.size(); p += stride) chosen.push_back(deep[p]);
  for (const Path& path : chosen) {
    std::vector<json::value> mutants;
    for (const auto& r : replacements()) {
      json::value m = document;
      *locate(m, path) = r;
      mutants.push_back(std::move(m));
    }
    if (!path.empty() && path.back().is_key) {
      json::value m = document;
      Path parent(path.begin(), path.end() - 1);
      locate(m, parent)->as_object().erase(path.back().key);
      mutants.push_back(std::move(m));
    }
    for (std::size_t i = 0; i < mutants.size(); ++i) {
      INFO(fmt::format("at {} (mutant {}): {}", describe(path), i, to_json(mutants[i]).substr(0, 400)));
      try {
        read(mutants[i]);
      } catch (const ConfigError&) {
        // a clear refusal is the right answer
      } catch (const std::exception& e) {
        FAIL_CHECK(fmt::format("{} instead of ConfigError: {}", typeid(e).name(), e.what()));
      }
    }
  }
}

// Environments that other tests register for themselves (and that trust their own task data).
bool is_test_fixture(const std::string& name) { return name.size() > 5 && name.compare(name.size() - 5, 5, "_test") == 0; }

// One scripted episode of each environment, with a user who reasons (the richest records).
std::vector<Trajectory> scripted_episodes() {
  std::vector<Trajectory> out;
  auto no_model = [](const LlmRequest&) { return llm_failure("no model"); };
  auto no_search = [](const SearchRequest&) {
    SearchResponse r;
    r.ok = true;
    return r;
  };
  for (const auto* info : Registry::instance().all()) {
    if (is_test_fixture(info->name)) continue;
    auto game = make_game(info->name);
    Task task = game->task(7, 1);
    out.push_back(run_episode(*game, task, EpisodeOptions{OracleKind::ReasoningScripted, 7}, game->scripted_agent(7),
                              RunSettings{6, "probe", 0}, no_model, no_search));
  }
  return out;
}

}  // namespace

TEST_CASE("probe: every value of a record, damaged, is read and replayed or refused clearly", "[probe]") {
  for (const auto& t : scripted_episodes()) {
    INFO(t.env);
    json::value record = to_record(t);
    // The task data is what the environment trusts most: every value of it, then the rest.
    mutate_each(record.at("task"), 20, [&](const json::value& task) {
      json::value m = record;
      m.as_object()["task"] = task;
      replay_trajectory(trajectory_from_record(m));
    });
    mutate_each(record, 12, [](const json::value& m) { replay_trajectory(trajectory_from_record(m)); });
  }
}

TEST_CASE("probe: damaged share envelopes are opened and replayed or refused clearly", "[probe]") {
  // The envelope around the record (the record itself is probed above).
  const Trajectory t = scripted_episodes().front();
  ShareSettings settings{6, "agent-model", "user-model", "equalized", "mean"};
  json::value envelope = *parse_json(share_envelope(t, settings));
  const json::value record = envelope.at("record");
  envelope.as_object().erase("record");
  mutate_each(envelope, 20, [&](const json::value& m) {
    json::value whole = m;
    if (whole.is_object()) whole.as_object()["record"] = record;
    replay_shared(parse_share_envelope(to_json(whole)));
  });
  for (const char* text : {"", "{", "[]", "null", "1e999", "\"e2.\"", "{\"format\":\"rapport-episode\"}",
                           "{\"format\":\"rapport-episode\",\"version\":99,\"record\":{}}"}) {
    INFO(text);
    CHECK_THROWS_AS(parse_share_envelope(text), ConfigError);
  }
}

TEST_CASE("probe: broken environment specs are refused clearly", "[probe]") {
  const std::vector<std::string> specs = {
      "", " ", "(", ")", "()", "tau(", "tau(domain=", "tau(domain=)", "tau(domain", "tau(=retail)", "tau domain=retail",
      "travel(tier=hard))", "travel((tier=hard)", "travel(tier=hard,tier=easy)", "travel(,)", "travel(tier=hard,)",
      "function(difficulty=impossible)", "function(no_such=1)", "function(max_steps=-1)", "function(max_steps=0)",
      "function(max_steps=99999999999999999999)", "function(max_steps=nan)", "function(max_steps=1e999)",
      "function(max_steps=1.5)", "no_such_env", "FUNCTION", "function\n", std::string("function\0x", 10),
      "function(difficulty=\xff\xfe)", std::string(100000, '('), "function(" + std::string(100000, 'a') + "=1)"};
  for (const auto& spec : specs) {
    INFO(spec.substr(0, 80));
    try {
      auto game = make_game(spec);
      // A spec that is accepted must give a playable environment.
      Task task = game->task(0, 0);
      CHECK_NOTHROW(game->new_episode(task, EpisodeOptions{OracleKind::Scripted, 0}));
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).size() < 1000);  // names the problem without echoing a huge spec
    }
  }
}

TEST_CASE("probe: data files of the wrong shape are refused clearly by every environment", "[probe]") {
  const std::vector<std::string> texts = {
      "", " ", "\n\n", "not json", "{", "[", "[1, 2", "null", "0", "-1", "1e999", "\"text\"", "[]", "{}", "[null]",
      "[[]]", "[{}]", "[1, 2, 3]", "[\"a\"]", "{\"a\": 1}", "{\"a\": []}", "{\"a\": {}}", "{\"a\": null}",
      "{\"1\": {}}", "{\"train\": 5, \"test\": []}", "{\"train\": [{}], \"test\": [{}]}",
      "[{\"id\": 5, \"task\": 7}]", "[{\"id\": \"x\", \"task\": \"t\", \"missing_details\": [{}]}]",
      "{\"data\": [{}]}", "{\"a\": {\"initial_description\": 5, \"dimensions\": \"hotel\"}}",
      "[{\"question\": 5, \"answer\": []}]", "[{\"rule\": \"x+\", \"test_case\": \"1\"}]",
      "{\"1\": {\"story\": [], \"answer\": 1, \"title\": null}}", "{}\n{}\n", "{\"q\": 1}\n[1]\n",
      std::string(1 << 16, '['), std::string("\x00\x01\xff", 3)};
  const std::vector<std::pair<std::string, std::string>> folder_texts = {
      {"tasks.json", "[{}]"}, {"users.json", "{\"u\": 5}"}, {"orders.json", "[]"}, {"products.json", "null"}};
  for (const auto* info : Registry::instance().all()) {
    if (is_test_fixture(info->name)) continue;
    auto game = make_game(info->name);
    for (const auto& text : texts) {
      for (const char* split : {"all", "test", "bogus"}) {
        INFO(info->name << " split " << split << ": " << text.substr(0, 80));
        try {
          auto tasks = game->import_tasks(text, split);
          for (const auto& t : tasks) CHECK_NOTHROW(game->new_episode(t, EpisodeOptions{OracleKind::Scripted, 0}));
        } catch (const ConfigError&) {
        }
      }
    }
    INFO(info->name << ": a folder of wrong-shaped files");
    try {
      game->import_folder(folder_texts, "all");
    } catch (const ConfigError&) {
    }
  }
}
