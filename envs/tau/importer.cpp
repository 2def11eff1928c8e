// tau-bench's data for a domain (taubench-behaviour §1.1, §4): the database files (retail
// users.json, orders.json and products.json; airline flights.json, reservations.json and
// users.json: the folder's files tell which), and the task lists, either tau-bench's own Python
// sources (tasks_test.py, tasks_train.py, tasks_dev.py: `TASKS = [Task(user_id=..., actions=[...],
// ...), ...]`) or UserRL's JSON dumps (tau_test.json, tau_train.json). Task ids follow UserRL:
// retail-007, retail-train-007, retail-dev-007, airline-007.
#include <fmt/format.h>

#include <map>

#include "core/params.h"
#include "core/pynum.h"
#include "envs/tau/tau.h"

namespace rapport::tau {
namespace {

std::map<std::string, Db>& store() {
  static std::map<std::string, Db> s;
  return s;
}

// The restricted Python of tau-bench's task files: calls with keyword arguments (read as objects),
// dicts, lists, tuples, strings (adjacent literals concatenated), numbers, True/False/None, and
// comments.
class PyLiteral {
 public:
  explicit PyLiteral(std::string_view s) : s_(s) {}

  json::value value() {
    skip();
    if (pos_ >= s_.size()) fail("unexpected end of file");
    char c = s_[pos_];
    if (c == '[' || c == '(') return sequence(c == '[' ? ']' : ')');
    if (c == '{') return dict();
    if (c == '"' || c == '\'') return json::string(strings());
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) return number();
    std::string name = identifier();
    if (name.empty()) fail(fmt::format("unexpected '{}'", c));
    if (name == "True") return true;
    if (name == "False") return false;
    if (name == "None") return nullptr;
    skip();
    if (pos_ < s_.size() && s_[pos_] == '(') return call();
    fail(fmt::format("unknown name '{}'", name));
  }

  std::size_t pos() const { return pos_; }
  void seek(std::size_t p) { pos_ = p; }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1 + static_cast<std::size_t>(std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(std::min(pos_, s_.size())), '\n'));
    throw ConfigError(fmt::format("line {}: {}", line, what));
  }
  void skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\') {
        ++pos_;
      } else {
        break;
      }
    }
  }
  std::string identifier() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.')) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(fmt::format("expected '{}'", c));
  }
  json::value sequence(char close) {
    ++pos_;
    json::array out;
    while (!eat(close)) {
      out.push_back(value());
      if (!eat(',')) {
        expect(close);
        break;
      }
    }
    return out;
  }
  json::value dict() {
    ++pos_;
    json::object out;
    while (!eat('}')) {
      json::value key = value();
      expect(':');
      out[py_str(key)] = value();
      if (!eat(',')) {
        expect('}');
        break;
      }
    }
    return out;
  }
  json::value call() {
    ++pos_;
    json::object out;
    while (!eat(')')) {
      skip();
      std::string key = identifier();
      if (key.empty()) fail("expected a keyword argument");
      expect('=');
      out[key] = value();
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return out;
  }
  std::string strings() {
    std::string out = string_literal();
    for (;;) {
      std::size_t save = pos_;
      skip();
      if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
        out += string_literal();
      } else {
        pos_ = save;
        return out;
      }
    }
  }
  std::string string_literal() {
    char q = s_[pos_];
    bool triple = s_.substr(pos_, 3) == std::string(3, q);
    pos_ += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      char c = s_[pos_];
      if (triple ? s_.substr(pos_, 3) == std::string(3, q) : c == q) {
        pos_ += triple ? 3 : 1;
        return out;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '\n': break;
          case 'u': {
            if (pos_ + 4 > s_.size()) fail("bad \\u escape");
            unsigned cp = static_cast<unsigned>(std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16));
            pos_ += 4;
            if (cp < 0x80) out += static_cast<char>(cp);
            else if (cp < 0x800) out += {static_cast<char>(0xc0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3f))};
            else out += {static_cast<char>(0xe0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)), static_cast<char>(0x80 | (cp & 0x3f))};
            break;
          }
          default: out += e;
        }
        continue;
      }
      out += c;
      ++pos_;
    }
  }
  json::value number() {
    std::size_t start = pos_;
    if (s_[pos_] == '-' || s_[pos_] == '+') ++pos_;
    bool is_float = false;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' || s_[pos_] == '_' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E')) {
      if (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E') is_float = true;
      ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    if (is_float) {
      auto d = py_float(text);
      if (!d) fail("bad number " + text);
      return *d;
    }
    std::erase(text, '_');
    try {
      return static_cast<std::int64_t>(std::stoll(text));
    } catch (const std::exception&) {
      fail("bad number " + text);
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

TauTask task_from_object(const json::object& o, std::string id) {
  TauTask t;
  t.id = std::move(id);
  t.source = "tau-bench";
  t.user_id = get_string(o, "user_id");
  t.instruction = get_string(o, "instruction");
  if (auto a = o.find("actions"); a != o.end() && a->value().is_array()) {
    for (const auto& x : a->value().get_array()) {
      if (!x.is_object()) throw ConfigError(t.id + ": an action is not an object");
      const auto& xo = x.get_object();
      // tau-bench's Action(name=..., kwargs=...); the older files say arguments.
      auto kw = xo.find("kwargs");
      if (kw == xo.end()) kw = xo.find("arguments");
      t.actions.push_back({get_string(xo, "name"), kw != xo.end() && kw->value().is_object() ? kw->value().get_object() : json::object{}});
    }
  }
  if (auto a = o.find("outputs"); a != o.end() && a->value().is_array())
    for (const auto& x : a->value().get_array()) t.outputs.push_back(py_str(x));
  return t;
}

std::string base_name(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string id_prefix(const Domain& domain, std::string_view split) {
  return split == "test" ? fmt::format("{}-", domain.name) : fmt::format("{}-{}-", domain.name, split);
}

// The domain whose table files the folder holds most of (all of them, when it is complete).
const Domain& folder_domain(const std::map<std::string, const std::string*>& by_name) {
  const Domain* best = nullptr;
  std::size_t best_found = 0;
  bool best_complete = false;
  for (const Domain* d : domains()) {
    std::size_t found = 0;
    for (const char* t : d->tables) found += by_name.count(fmt::format("{}.json", t));
    bool complete = found == d->tables.size();
    if (!best || (complete && !best_complete) || (complete == best_complete && found > best_found)) {
      best = d;
      best_found = found;
      best_complete = complete;
    }
  }
  return *best;
}

std::string table_list(const Domain& domain) {
  std::string out;
  for (std::size_t i = 0; i < domain.tables.size(); ++i)
    out += fmt::format("{}{}.json", i == 0 ? "" : (i + 1 == domain.tables.size() ? " and " : ", "), domain.tables[i]);
  return out;
}

}  // namespace

std::vector<TauTask> parse_tau_task_source(std::string_view text, std::string_view prefix) {
  std::size_t first = text.find("Task(");
  if (first == std::string_view::npos) throw ConfigError("no Task(...) entries");
  std::size_t open = text.rfind('[', first);
  if (open == std::string_view::npos) throw ConfigError("no task list");
  PyLiteral p(text);
  p.seek(open);
  json::value list = p.value();
  std::vector<TauTask> out;
  std::size_t i = 0;
  for (const auto& item : list.get_array()) {
    if (!item.is_object()) throw ConfigError(fmt::format("task {} is not a Task(...)", i));
    out.push_back(task_from_object(item.get_object(), fmt::format("{}{:03d}", prefix, i++)));
  }
  return out;
}

void import_store(const std::string& hash, Db db) { store()[hash] = std::move(db); }

const Db* imported_db(const std::string& hash) {
  auto it = store().find(hash);
  return it == store().end() ? nullptr : &it->second;
}

std::vector<TauTask> import_tau_folder(const std::vector<std::pair<std::string, std::string>>& files, std::string_view split) {
  std::map<std::string, const std::string*> by_name;
  for (const auto& [path, text] : files) by_name.emplace(base_name(path), &text);
  const Domain& domain = folder_domain(by_name);
  Db db;
  for (const char* t : domain.tables) {
    std::string name = fmt::format("{}.json", t);
    auto it = by_name.find(name);
    if (it == by_name.end())
      throw ConfigError(fmt::format("tau: the data folder has no {} (it needs {})", name, table_list(domain)));
    auto v = parse_json(*it->second);
    if (!v || !v->is_object()) throw ConfigError(fmt::format("tau: {} is not a JSON object", name));
    db[t] = std::move(v->get_object());
  }
  std::string hash = db_hash(db);
  import_store(hash, std::move(db));

  std::vector<TauTask> tasks;
  bool found = false;
  for (const char* s : {"test", "train", "dev"}) {
    if (split != "all" && split != s) continue;
    if (auto it = by_name.find(fmt::format("tasks_{}.py", s)); it != by_name.end()) {
      found = true;
      try {
        for (auto& t : parse_tau_task_source(*it->second, id_prefix(domain, s))) tasks.push_back(std::move(t));
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("tau: tasks_{}.py: {}", s, e.what()));
      }
    } else if (auto js = by_name.find(fmt::format("tau_{}.json", s)); js != by_name.end()) {
      found = true;
      auto v = parse_json(*js->second);
      if (!v || !v->is_array()) throw ConfigError(fmt::format("tau: tau_{}.json is not a JSON list", s));
      for (const auto& item : v->get_array()) {
        if (!item.is_object()) throw ConfigError(fmt::format("tau: tau_{}.json: an item is not an object", s));
        const auto& io = item.get_object();
        std::string id = get_string(io, "id");
        if (id.rfind(domain.name, 0) != 0) continue;  // the folder holds one domain; the dump holds both
        auto info = io.find("info");
        if (info == io.end() || !info->value().is_object() || !info->value().get_object().contains("task") ||
            !info->value().get_object().at("task").is_object())
          throw ConfigError(fmt::format("tau: tau_{}.json: item {} has no info.task", s, id));
        TauTask t = task_from_object(info->value().get_object().at("task").get_object(), id);
        t.opening = get_string(io, "obs");
        tasks.push_back(std::move(t));
      }
    }
  }
  if (!found)
    throw ConfigError(fmt::format("tau: the data folder has no task file for split '{}' (tasks_<split>.py or tau_<split>.json)", split));
  for (auto& t : tasks) {
    t.db_ref = hash;
    t.domain = domain.name;
    // tau-bench's customer writes its own first message; without a recorded one ours opens plainly.
    if (t.opening.empty()) t.opening = "Hi, I need some help with my account.";
  }
  return tasks;
}

}  // namespace rapport::tau
