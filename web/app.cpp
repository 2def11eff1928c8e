#include "web/app.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/params.h"
#include "core/registry.h"
#include "web/bridge.h"
#include "web/fonts.h"
#include "web/input.h"

namespace rapport::web {
namespace {

constexpr const char* kSettingsKey = "rapport.settings";

}  // namespace

App& app() {
  static App instance;
  return instance;
}

ShapingConfig ShapingChoice::config() const {
  ShapingConfig cfg;
  static const TurnCredit turns[] = {TurnCredit::Naive, TurnCredit::Equalized, TurnCredit::R2G, TurnCredit::EM};
  static const TrajectoryScore scores[] = {TrajectoryScore::Sum, TrajectoryScore::Mean, TrajectoryScore::R2G};
  cfg.turn = turns[std::clamp(turn, 0, 3)];
  cfg.score = scores[std::clamp(score, 0, 2)];
  cfg.gamma = gamma;
  cfg.em_k = em_k;
  return cfg;
}

App::App() {
  load_settings();
  auto all = Registry::instance().all();
  int start = 0;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i]->name == "function") start = static_cast<int>(i);
  if (!all.empty()) select_env(start);
}

void App::load_settings() {
  auto v = parse_json(storage_get(kSettingsKey));
  if (!v || !v->is_object()) return;
  const auto& o = v->get_object();
  settings_.base_url = get_string(o, "base_url");
  settings_.model = get_string(o, "model");
  settings_.user_model = get_string(o, "user_model");
  settings_.api_key = get_string(o, "api_key");
  settings_.search_url = get_string(o, "search_url");
  settings_.user_base_url = get_string(o, "user_base_url");
  settings_.user_api_key = get_string(o, "user_api_key");
}

void App::save_settings() {
  storage_set(kSettingsKey, to_json(json::object{{"base_url", settings_.base_url},
                                                 {"model", settings_.model},
                                                 {"user_model", settings_.user_model},
                                                 {"api_key", settings_.api_key},
                                                 {"search_url", settings_.search_url},
                                                 {"user_base_url", settings_.user_base_url},
                                                 {"user_api_key", settings_.user_api_key}}));
  set_notice("Settings saved in this browser only. They never go into links or exported files.");
}

void App::select_env(int index) {
  auto all = Registry::instance().all();
  if (index < 0 || index >= static_cast<int>(all.size())) return;
  picker_.env = index;
  picker_.params.clear();
  for (const auto& p : all[index]->params) picker_.params[p.name] = p.default_value;
  picker_.file_tasks.clear();
  picker_.data_name.clear();
  picker_.data_text.clear();
  picker_.from_file = false;
}

std::string App::picker_spec() const {
  auto all = Registry::instance().all();
  if (all.empty()) return "";
  const EnvInfo* info = all[std::clamp(picker_.env, 0, static_cast<int>(all.size()) - 1)];
  std::string args;
  for (const auto& p : info->params) {
    auto it = picker_.params.find(p.name);
    if (it == picker_.params.end() || it->second == p.default_value) continue;
    args += fmt::format("{}{}={}", args.empty() ? "" : ",", p.name, it->second);
  }
  return args.empty() ? info->name : fmt::format("{}({})", info->name, args);
}

void App::reimport_tasks() {
  picker_.file_tasks.clear();
  if (picker_.data_text.empty()) return;
  try {
    auto game = make_game(picker_spec());
    picker_.file_tasks = game->import_tasks(picker_.data_text, picker_.split);
    picker_.file_task = 0;
    set_notice(fmt::format("{}: {} tasks ({} split).", picker_.data_name, picker_.file_tasks.size(), picker_.split));
  } catch (const ConfigError& e) {
    set_error(fmt::format("{}: {}", picker_.data_name, e.what()));
  }
}

void App::load_task_file(const std::string& name, const std::string& text) {
  picker_.data_name = name;
  picker_.data_text = text;
  picker_.from_file = true;
  reimport_tasks();
}

void App::new_episode() {
  try {
    auto game = make_game(picker_spec());
    Task task;
    if (picker_.from_file) {
      if (picker_.file_tasks.empty()) throw ConfigError("load a data file with tasks first, or use the built-in tasks");
      task = picker_.file_tasks[std::clamp<std::size_t>(picker_.file_task, 0, picker_.file_tasks.size() - 1)];
    } else {
      std::uint64_t index = static_cast<std::uint64_t>(std::max(0, picker_.task_index));
      if (game->builtin_size() > 0 && index >= game->builtin_size())
        throw ConfigError(fmt::format("this environment has {} built-in tasks (index 0 to {})", game->builtin_size(),
                                      game->builtin_size() - 1));
      task = game->task(picker_.seed, index);
    }
    OracleKind kind = picker_.reasoning_user ? (picker_.llm_oracle ? OracleKind::ReasoningLlm : OracleKind::ReasoningScripted)
                                             : (picker_.llm_oracle ? OracleKind::Llm : OracleKind::Scripted);
    EpisodeOptions options{kind, picker_.seed};
    session_.start(std::move(game), std::move(task), options, std::max(1, picker_.max_turns));
    clear_messages();
  } catch (const std::exception& e) {
    set_error(e.what());
  }
}

bool App::start_episode(const std::string& spec, std::uint64_t seed, std::uint64_t task_index, OracleKind oracle,
                        int max_turns) {
  try {
    auto game = make_game(spec);
    Task task = game->task(seed, task_index);
    reflect_in_picker(game->spec(), seed);
    session_.start(std::move(game), std::move(task), EpisodeOptions{oracle, seed},
                   std::max(1, max_turns));
    clear_messages();
    return true;
  } catch (const std::exception& e) {
    set_error(e.what());
    return false;
  }
}

std::string App::play_scripted(const std::string& spec, std::uint64_t seed) {
  try {
    auto game = make_game(spec);
    Task task = game->task(seed, 0);
    RunSettings settings;
    settings.max_turns = picker_.max_turns;
    EpisodeOptions options{OracleKind::Scripted, seed};
    Trajectory t = run_episode(*game, task, options, game->scripted_agent(seed), settings,
                               [](const LlmRequest&) { return llm_failure("the scripted oracle asks no model"); });
    std::string record = to_json_line(t);
    ShareSettings share;
    share.max_turns = settings.max_turns;
    session_.view(std::move(t), share, std::nullopt);
    clear_messages();
    return record;
  } catch (const std::exception& e) {
    set_error(e.what());
    return to_json(json::object{{"error", e.what()}});
  }
}

std::string App::envelope(bool for_link) const {
  if (!session_.has_episode()) return "";
  ShareSettings settings = session_.share_settings();
  const auto c = shaping_.config();
  settings.turn_credit = std::string(to_string(c.turn));
  settings.trajectory_score = std::string(to_string(c.score));
  bool used_models = false;
  for (const auto& turn : session_.trajectory().turns) used_models = used_models || !turn.agent_calls.empty() || !turn.env_calls.empty();
  if (used_models && session_.live()) {
    settings.agent_model = settings_.model;
    settings.user_model = settings_.user_model;
  }
  if (session_.complete_turns() < session_.trajectory().turns.size()) {
    // A turn waiting for a model is not part of the episode yet.
    Trajectory t = session_.trajectory();
    t.turns.resize(session_.complete_turns());
    t.stop_reason.clear();
    return for_link ? share_link_envelope(t, settings) : share_envelope(t, settings);
  }
  return for_link ? share_link_envelope(session_.trajectory(), settings) : share_envelope(session_.trajectory(), settings);
}

void App::share() {
  if (!session_.has_episode()) return set_error("Start or open an episode first.");
  share_current_episode();
}

void App::on_link_ready(const std::string& url, bool copied) {
  link_ = url;
  if (copied)
    set_notice(fmt::format("Link copied ({} characters): it replays this episode exactly, with no key.", url.size()));
  else
    set_notice(fmt::format("Link ready ({} characters), in the address bar and the box under Share: this browser "
                           "gave the page no clipboard access, so copy it from there.",
                           url.size()));
}

void App::on_address_cleared() {
  session_.clear();
  address_serial_ = session_.serial();
  address_progress_.clear();
  clear_messages();
}

bool App::reflect_in_picker(const std::string& spec, std::uint64_t seed) {
  auto all = Registry::instance().all();
  const std::string name = spec.substr(0, spec.find('('));
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i]->name != name) continue;
    select_env(static_cast<int>(i));
    picker_.seed = seed;
    // "name(a=1,b=x)": the parameters as the spec gives them.
    if (auto open = spec.find('('); open != std::string::npos && spec.back() == ')') {
      std::string_view args(spec.data() + open + 1, spec.size() - open - 2);
      while (!args.empty()) {
        std::size_t comma = args.find(',');
        std::string_view item = args.substr(0, comma);
        if (auto eq = item.find('='); eq != std::string_view::npos) {
          std::string key(item.substr(0, eq));
          if (picker_.params.count(key)) picker_.params[key] = std::string(item.substr(eq + 1));
        }
        if (comma == std::string_view::npos) break;
        args.remove_prefix(comma + 1);
      }
    }
    return true;
  }
  return false;
}

std::optional<std::string> App::link_bytes(const std::string& link) {
  try {
    opening_link_ = parse_share_fragment(link);
    return opening_link_->compressed;
  } catch (const ConfigError& e) {
    on_link_failed(e.what());
    return std::nullopt;
  }
}

std::string App::open_envelope(const std::string& text, bool from_link) {
  try {
    SharedEpisode episode = from_link && opening_link_ ? open_shared_envelope(*opening_link_, text)
                                                       : parse_share_envelope(text);
    ReplayOutcome outcome = replay_shared(episode);
    json::object result{{"ok", true},
                        {"identical", outcome.identical},
                        {"difference", outcome.difference},
                        {"turns", outcome.trajectory.turns.size()},
                        {"record", outcome.record_text}};
    if (outcome.identical)
      set_notice(fmt::format("Replayed {} turns of {}: identical to the shared record. Fork from any turn to continue.",
                             outcome.trajectory.turns.size(), outcome.trajectory.env));
    else
      set_error("The replay differs from the shared record (showing the replay): " + outcome.difference);
    Trajectory shown = outcome.trajectory;
    reflect_in_picker(shown.env, shown.seed);
    session_.view(std::move(shown), episode.settings, std::move(outcome));
    if (from_link) {
      // The address bar already shows this link.
      address_serial_ = session_.serial();
      address_progress_ = fmt::format("{}/{}", session_.complete_turns(), session_.trajectory().stop_reason);
    }
    return to_json(result);
  } catch (const std::exception& e) {
    std::string message = fmt::format("This {} could not be opened: {}", from_link ? "link" : "file", e.what());
    set_error(message);
    return to_json(json::object{{"ok", false}, {"error", message}});
  }
}

void App::on_link_failed(const std::string& message) { set_error("This link could not be opened: " + message); }

void App::export_file() {
  if (!session_.has_episode()) return set_error("Start or open an episode first.");
  const Trajectory& t = session_.trajectory();
  std::string name = fmt::format("rapport-{}-{}.json", t.env.substr(0, t.env.find('(')), t.task_id);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') c = '_';
  download_file(name, envelope(false));
  set_notice("Exported " + name + " (no keys or endpoints inside). Import it here, or: rapport replay " + name);
}

void App::on_file(FileKind kind, const std::string& name, const std::string& text) {
  if (kind == FileKind::TaskData) return load_task_file(name, text);
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  if (!t.empty() && t.front() == '{') open_envelope(text, false);
  else open_link(std::string(t));
}

void App::frame_started() {
  ++frames_;
  rects_.clear();
  mirror_.clear();
}

void App::frame_ended(bool text_input) {
  if (text_input != text_input_) {
    text_input_ = text_input;
    set_text_input(text_input);
  }
  json::array lines;
  for (const auto& [who, text] : mirror_) lines.push_back(json::object{{"who", who}, {"text", text}});
  std::string mirror = to_json(json::object{
      {"lines", std::move(lines)},
      {"rect", json::array{mirror_rect_[0], mirror_rect_[1], mirror_rect_[2], mirror_rect_[3]}}});
  if (mirror != mirror_sent_) {
    mirror_sent_ = mirror;
    publish_mirror(mirror);
  }
  // The address bar follows the episode; a turn waiting for a model is not in it (envelope(true)).
  if (!session_.has_episode()) return;
  std::string progress = fmt::format("{}/{}", session_.complete_turns(), session_.trajectory().stop_reason);
  if (session_.serial() != address_serial_) {
    address_serial_ = session_.serial();
    address_progress_ = progress;
    sync_address(true);
  } else if (progress != address_progress_) {
    address_progress_ = progress;
    sync_address(false);
  }
}

std::string App::state_json() const {
  json::object o{{"frames", frames_},
                 {"has_episode", session_.has_episode()},
                 {"live", session_.live()},
                 {"viewing", session_.viewing()},
                 {"finished", session_.finished()},
                 {"awaiting_move", session_.awaiting_move()},
                 {"calling_model", session_.calling_model()},
                 {"model_error", session_.model_error()},
                 {"error", error_},
                 {"notice", notice_},
                 {"link", link_},
                 {"spec", picker_spec()},
                 {"text_input", text_input_},
                 {"cjk_font_requested", font_requested("cjk")},
                 {"cjk_font_loaded", font_loaded("cjk")},
                 {"hangul_font_requested", font_requested("hangul")},
                 {"hangul_font_loaded", font_loaded("hangul")},
                 {"frames_drawn", frames_drawn()},
                 {"complete_turns", session_.complete_turns()},
                 {"autorun", session_.autorun().has_value()}};
  json::array movers;
  for (Mover m : session_.movers())
    movers.push_back(json::string(m == Mover::Person ? "person" : m == Mover::Scripted ? "scripted"
                                                             : m == Mover::Model    ? "model"
                                                                                    : "recorded"));
  o["movers"] = std::move(movers);
  json::object rects;
  for (const auto& [name, r] : rects_) {
    json::array a;
    for (float v : r) a.push_back(v);
    rects[name] = std::move(a);
  }
  o["rects"] = std::move(rects);
  json::object scrolls;
  for (const auto& [name, at] : scrolls_) scrolls[name] = json::array{at.first, at.second};
  o["scroll"] = std::move(scrolls);
  o["font_scale"] = font_scale();
  o["connection"] = json::array{json::array{connection_[0].first, connection_[0].second},
                                json::array{connection_[1].first, connection_[1].second}};
  if (auto missing = missing_glyphs()) {
    o["glyphs_missing"] = json::value_from(*missing);
  } else {
    o["glyphs_missing"] = nullptr;  // the atlas is about to be rebuilt
  }
  if (session_.has_episode()) {
    const Trajectory& t = session_.trajectory();
    o["env"] = t.env;
    o["task_id"] = t.task_id;
    o["turns"] = t.turns.size();
    o["stop_reason"] = t.stop_reason;
    o["record"] = to_json_line(t);
  }
  if (const auto& check = session_.replay_check()) {
    o["replay_identical"] = check->identical;
    o["replay_difference"] = check->difference;
  }
  json::object widgets;
  for (const auto& [name, at] : widgets_) widgets[name] = json::array{at.first, at.second};
  o["widgets"] = std::move(widgets);
  json::array envs;
  for (const auto* info : Registry::instance().all()) envs.push_back(json::string(info->name));
  o["environments"] = std::move(envs);
  return to_json(o);
}

}  // namespace rapport::web
