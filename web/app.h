// The playground application: what the person has chosen (environment, parameters, task, who
// plays), the current Session, model settings, and the messages shown. The UI (ui_*.cpp) draws it
// and calls it; the page (through hooks.cpp) and the bridge call it back.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/environment.h"
#include "core/shaping.h"
#include "web/session.h"

namespace rapport::web {

enum class FileKind { Episode = 1, TaskData = 2 };

struct Picker {
  int env = 0;                                // index into Registry::all()
  std::map<std::string, std::string> params;  // values as text, for the current environment
  bool from_file = false;
  std::uint64_t seed = 0;
  int task_index = 0;
  std::string data_name;       // the loaded data file
  std::string data_text;
  std::string split = "all";
  std::vector<Task> file_tasks;
  int file_task = 0;
  bool llm_oracle = false;
  bool reasoning_user = false;  // a user who reasons before replying (core/user_episode.h)
  int max_turns = 30;
};

struct ShapingChoice {
  int turn = 1;   // naive, equalized, r2g, em
  int score = 1;  // sum, mean, r2g
  float gamma = 0.8f;
  float em_k = 2.0f;
  ShapingConfig config() const;
};

class App {
 public:
  App();

  Session& session() { return session_; }
  Picker& picker() { return picker_; }
  ModelSettings& settings() { return settings_; }
  ShapingChoice& shaping() { return shaping_; }

  // The spec the picker describes, e.g. "function(difficulty=hard)".
  std::string picker_spec() const;
  void select_env(int index);  // resets parameters to their defaults
  void new_episode();
  // Starts a live episode directly (the test hook); false with the error shown on bad input.
  bool start_episode(const std::string& spec, std::uint64_t seed, std::uint64_t task_index, OracleKind oracle,
                     int max_turns);
  void load_task_file(const std::string& name, const std::string& text);
  void reimport_tasks();

  // Plays a scripted episode (scripted agent and oracle) to the end and shows it; the record's
  // JSON, or {"error": ...}. The browser tests' hook.
  std::string play_scripted(const std::string& spec, std::uint64_t seed);

  // Share links and files.
  void share();  // asynchronous: on_link_ready
  // The episode's envelope: compact for a link (version 3, rebuilt by replaying), full for a file.
  std::string envelope(bool for_link) const;
  // `copied`: the browser let the page write the clipboard.
  void on_link_ready(const std::string& url, bool copied);
  // The address bar went to a page without a link (Back before the first episode).
  void on_address_cleared();
  // The outcome of Test connection for role 0 (agent) or 1 (simulated user).
  void on_connection_tested(int role, bool ok, const std::string& message) {
    connection_[role ? 1 : 0] = {ok, message};
  }
  const std::pair<bool, std::string>& connection(int role) const { return connection_[role ? 1 : 0]; }
  // A link's compressed bytes (for the page to inflate); remembers its checksum for open_envelope.
  std::optional<std::string> link_bytes(const std::string& link);
  // Opens an inflated link envelope or an exported file's text: replays it and shows it. The
  // outcome as JSON: {"ok", "error", "identical", "difference", "turns"}.
  std::string open_envelope(const std::string& text, bool from_link);
  void on_link_failed(const std::string& message);
  void export_file();
  void on_file(FileKind kind, const std::string& name, const std::string& text);

  void save_settings();
  void frame_started();
  // After a drawn frame: keeps the page's text field, accessible mirror and address bar current.
  void frame_ended(bool text_input);
  // Sets the picker to an environment spec, e.g. "travel(aspects=2)"; false when unknown here.
  bool reflect_in_picker(const std::string& spec, std::uint64_t seed);

  const std::string& error() const { return error_; }
  const std::string& notice() const { return notice_; }
  const std::string& link() const { return link_; }
  void set_error(std::string message) { error_ = std::move(message); notice_.clear(); }
  void set_notice(std::string message) { notice_ = std::move(message); error_.clear(); }
  void clear_messages() { error_.clear(); notice_.clear(); }
  std::string state_json() const;
  // An episode kept to compare with the one shown (two forks side by side).
  std::optional<Trajectory>& pinned() { return pinned_; }
  // Remembers where a widget was drawn this frame (the centre of ImGui's last item), so tests can
  // click it with a real mouse instead of guessing pixels.
  void locate(const std::string& name, float x, float y) { widgets_[name] = {x, y}; }
  // Also remembers a widget's rectangle and the visible rectangle of the panel it is drawn in,
  // so tests can check nothing is clipped or overlaps.
  void locate_rect(const std::string& name, float x0, float y0, float x1, float y1, float cx0, float cy0, float cx1,
                   float cy1) {
    rects_[name] = {x0, y0, x1, y1, cx0, cy0, cx1, cy1};
  }
  // Text for the accessible mirror, in drawing order this frame.
  void mirror_line(std::string who, std::string text) { mirror_.push_back({std::move(who), std::move(text)}); }
  void mirror_rect(float x, float y, float w, float h) { mirror_rect_ = {x, y, w, h}; }
  // A scrolling panel's position and its end, for tests.
  void note_scroll(const std::string& name, float y, float max) { scrolls_[name] = {y, max}; }
  long frames() const { return frames_; }

 private:
  void load_settings();

  Session session_;
  Picker picker_;
  ModelSettings settings_;
  ShapingChoice shaping_;
  std::optional<ShareFragment> opening_link_;
  std::string error_;
  std::string notice_;
  std::string link_;
  long frames_ = 0;
  std::map<std::string, std::pair<float, float>> widgets_;
  std::map<std::string, std::array<float, 8>> rects_;
  std::vector<std::pair<std::string, std::string>> mirror_;
  std::map<std::string, std::pair<float, float>> scrolls_;
  std::array<float, 4> mirror_rect_{};
  std::string mirror_sent_;
  std::pair<bool, std::string> connection_[2];
  std::optional<Trajectory> pinned_;
  bool text_input_ = false;
  // What the address bar shows: the episode (serial) and its progress when last synced.
  int address_serial_ = 0;
  std::string address_progress_;
};

App& app();

}  // namespace rapport::web
