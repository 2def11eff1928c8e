#include "native/search_index.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "core/params.h"
#include "native/files.h"

namespace rapport {
namespace {

constexpr const char* kFormat = "rapport-search-index-1";

// Words that match nearly every passage: ignored, so that a query does not scan the whole index.
const std::set<std::string, std::less<>>& stop_words() {
  static const std::set<std::string, std::less<>> words = {
      "a", "an", "and", "are", "as", "at", "be", "by", "did", "does", "for", "from", "in", "is", "it", "of",
      "on", "or", "the", "to", "was", "what", "which", "who", "with"};
  return words;
}

void check(sqlite3* db, int rc, std::string_view what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw ConfigError(fmt::format("search index: {}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    throw ConfigError(fmt::format("search index: {}", why));
  }
}

void create_schema(sqlite3* db) {
  exec(db,
       "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "CREATE VIRTUAL TABLE passages USING fts5(pid UNINDEXED, title, text, tokenize='porter unicode61');"
       // Title words count twice as much as text words; pid is not searched.
       "INSERT INTO passages(passages, rank) VALUES('rank', 'bm25(0.0, 2.0, 1.0)');"
       "BEGIN");
}

// Writes passages one at a time inside one transaction.
class Writer {
 public:
  explicit Writer(sqlite3* db) : db_(db) {
    check(db_, sqlite3_prepare_v2(db_, "INSERT INTO passages(pid, title, text) VALUES(?, ?, ?)", -1, &insert_, nullptr),
          "prepare");
  }
  ~Writer() { sqlite3_finalize(insert_); }
  void add(const Passage& p) {
    sqlite3_bind_text(insert_, 1, p.id.data(), static_cast<int>(p.id.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, p.title.data(), static_cast<int>(p.title.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, p.text.data(), static_cast<int>(p.text.size()), SQLITE_STATIC);
    check(db_, sqlite3_step(insert_), "insert");
    sqlite3_reset(insert_);
    ++count_;
  }
  // Commits, merges the index segments into one (faster queries) and records the format.
  void finish() {
    exec(db_, "COMMIT; INSERT INTO passages(passages) VALUES('optimize');");
    std::string meta = fmt::format("INSERT INTO meta VALUES('format', '{}'), ('passages', '{}')", kFormat, count_);
    exec(db_, meta.c_str());
  }
  std::int64_t count() const { return count_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* insert_ = nullptr;
  std::int64_t count_ = 0;
};

// A new index is written beside its path and renamed onto it once complete, so a failed build
// leaves what was there as it was.
class PendingIndex {
 public:
  explicit PendingIndex(const std::string& path) : path_(path), partial_(path + ".partial") {
    require_replaceable(path_);
    require_replaceable(partial_);
    std::remove(partial_.c_str());
    if (sqlite3_open_v2(partial_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw ConfigError(fmt::format("cannot create search index '{}': {}", path, why));
    }
  }
  ~PendingIndex() {
    if (db_) sqlite3_close(db_);
    if (!done_) std::remove(partial_.c_str());
  }
  PendingIndex(const PendingIndex&) = delete;
  PendingIndex& operator=(const PendingIndex&) = delete;

  sqlite3* db() const { return db_; }
  void commit() {
    if (sqlite3_close(db_) != SQLITE_OK) throw ConfigError(fmt::format("cannot finish search index '{}'", path_));
    db_ = nullptr;
    if (std::rename(partial_.c_str(), path_.c_str()) != 0)
      throw ConfigError(fmt::format("cannot write search index '{}': {}", path_, std::strerror(errno)));
    done_ = true;
  }

 private:
  std::string path_, partial_;
  sqlite3* db_ = nullptr;
  bool done_ = false;
};

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string fts_query(std::string_view text) {
  std::vector<std::string> words;
  std::set<std::string> seen;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !stop_words().count(word) && seen.insert(word).second) words.push_back(word);
    word.clear();
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) word += c;
    else if (c >= 'A' && c <= 'Z') word += static_cast<char>(c - 'A' + 'a');
    else flush();
  }
  flush();
  std::string out;
  for (const auto& w : words) out += fmt::format("{}\"{}\"", out.empty() ? "" : " OR ", w);
  return out;
}

bool passage_from_corpus_line(std::string_view line, Passage& out, std::string& why) {
  auto v = parse_json(line);
  if (!v || !v->is_object()) {
    why = "not a JSON object";
    return false;
  }
  const auto& o = v->get_object();
  auto id = o.find("id");
  if (id == o.end()) id = o.find("_id");
  if (id == o.end() || !(id->value().is_string() || id->value().is_int64() || id->value().is_uint64())) {
    why = "no 'id'";
    return false;
  }
  std::string pid = id->value().is_string() ? std::string(id->value().get_string()) : to_json(id->value());
  if (auto c = o.find("contents"); c != o.end() && c->value().is_string()) {
    out = passage_from_contents(std::move(pid), c->value().get_string(), 0.0);
    return true;
  }
  auto title = o.find("title");
  auto text = o.find("text");
  if (text == o.end() || !text->value().is_string()) {
    why = "neither 'contents' nor 'text'";
    return false;
  }
  out.id = std::move(pid);
  out.title = title != o.end() && title->value().is_string() ? std::string(title->value().get_string()) : "";
  out.text = std::string(text->value().get_string());
  out.score = 0.0;
  return true;
}

IndexStats build_search_index(const std::string& corpus_path, const std::string& out_path,
                              const std::function<void(const IndexProgress&)>& progress) {
  auto start = std::chrono::steady_clock::now();
  require_regular_file(corpus_path, std::numeric_limits<std::uint64_t>::max());  // not a device read forever
  std::ifstream in(corpus_path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("cannot read corpus '{}'", corpus_path));
  std::error_code same_error;
  if (std::filesystem::equivalent(corpus_path, out_path, same_error))
    throw ConfigError(fmt::format("the index '{}' would replace its own corpus: name another file", out_path));
  IndexProgress p;
  p.bytes_total = file_size(corpus_path);
  PendingIndex index(out_path);
  sqlite3* db = index.db();
  create_schema(db);
  {
    Writer writer(db);
    std::string line;
    std::int64_t number = 0;
    Passage passage;
    std::string why;
    while (std::getline(in, line)) {
      ++number;
      p.bytes_read += static_cast<std::int64_t>(line.size()) + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!passage_from_corpus_line(line, passage, why))
        throw ConfigError(fmt::format("{}:{}: {} (expected {{\"id\", \"contents\"}} or {{\"id\", \"title\", \"text\"}})",
                                      corpus_path, number, why));
      writer.add(passage);
      p.passages = writer.count();
      if (progress && p.passages % 4096 == 0) progress(p);
    }
    writer.finish();
  }
  index.commit();
  if (progress) progress(p);
  return IndexStats{p.passages, seconds_since(start), file_size(out_path)};
}

IndexStats write_search_index(const std::vector<Passage>& passages, const std::string& out_path) {
  auto start = std::chrono::steady_clock::now();
  PendingIndex index(out_path);
  create_schema(index.db());
  {
    Writer writer(index.db());
    for (const auto& p : passages) writer.add(p);
    writer.finish();
  }
  index.commit();
  return IndexStats{static_cast<std::int64_t>(passages.size()), seconds_since(start), file_size(out_path)};
}

SearchIndex::SearchIndex(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ConfigError(fmt::format("search index '{}' does not exist (build one with: rapport index CORPUS.jsonl --out {})",
                                  path, path));
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError(fmt::format("cannot open search index '{}': {}", path, why));
  }
  sqlite3_stmt* meta = nullptr;
  std::string format;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'format'", -1, &meta, nullptr) == SQLITE_OK &&
      sqlite3_step(meta) == SQLITE_ROW)
    format = reinterpret_cast<const char*>(sqlite3_column_text(meta, 0));
  sqlite3_finalize(meta);
  if (format != kFormat) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConfigError(fmt::format("'{}' is not a search index built by `rapport index` (or an unfinished one)", path));
  }
  prepare();
}

SearchIndex::SearchIndex(const std::vector<Passage>& passages) {
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    throw ConfigError("search index: cannot open an in-memory database");
  create_schema(db_);
  Writer writer(db_);
  for (const auto& p : passages) writer.add(p);
  writer.finish();
  prepare();
}

SearchIndex::~SearchIndex() {
  sqlite3_finalize(query_);
  sqlite3_close(db_);
}

void SearchIndex::prepare() {
  check(db_,
        sqlite3_prepare_v2(db_, "SELECT pid, title, text, rank FROM passages WHERE passages MATCH ? ORDER BY rank LIMIT ?",
                           -1, &query_, nullptr),
        "prepare query");
}

SearchResponse SearchIndex::search(std::string_view text, int k) {
  SearchResponse r;
  r.ok = true;
  std::string q = fts_query(text);
  if (q.empty() || k <= 0) return r;
  sqlite3_bind_text(query_, 1, q.data(), static_cast<int>(q.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(query_, 2, k);
  int rc;
  auto column = [&](int i) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(query_, i));
    return t ? std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(query_, i))) : std::string();
  };
  while ((rc = sqlite3_step(query_)) == SQLITE_ROW)
    // BM25 as SQLite gives it is lower-is-better; scores are higher-is-better.
    r.passages.push_back({column(0), column(1), column(2), -sqlite3_column_double(query_, 3)});
  if (rc != SQLITE_DONE) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_reset(query_);
    return search_failure("search index: " + why);
  }
  sqlite3_reset(query_);
  return r;
}

std::int64_t SearchIndex::size() const {
  sqlite3_stmt* s = nullptr;
  std::int64_t n = 0;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM passages", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

}  // namespace rapport
