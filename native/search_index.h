// The built-in retrieval backend's index: passages in an SQLite FTS5 table (Porter stemming over
// Unicode words), ranked by BM25 with the title weighted above the text. Built from a JSONL corpus
// by `rapport index`, or in memory from the built-in corpus.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/search.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rapport {

// How far a build has gone, for progress bars.
struct IndexProgress {
  std::int64_t passages = 0;
  std::int64_t bytes_read = 0;
  std::int64_t bytes_total = 0;  // of the corpus file
};

struct IndexStats {
  std::int64_t passages = 0;
  double seconds = 0;
  std::int64_t bytes_on_disk = 0;
};

class SearchIndex {
 public:
  // Opens an index file built by build_search_index, read-only. Throws ConfigError naming the
  // path and the problem.
  explicit SearchIndex(const std::string& path);
  // An index of `passages` held in memory.
  explicit SearchIndex(const std::vector<Passage>& passages);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // The k best passages for a free-text query (its words, any of them; a few very common English
  // words ignored), best first. A query with no words gives no passages.
  SearchResponse search(std::string_view query, int k);
  std::int64_t size() const;

 private:
  void prepare();
  sqlite3* db_ = nullptr;
  sqlite3_stmt* query_ = nullptr;
};

// The FTS5 query for free text: its distinct lower-cased words, quoted, joined by OR.
std::string fts_query(std::string_view text);

// Reads one corpus line: {"id", "contents"} (title on the first line) or {"id", "title", "text"}.
// Returns false, with why, for a line that is neither.
bool passage_from_corpus_line(std::string_view line, Passage& out, std::string& why);

// Streams a JSONL corpus into a new index file at out_path (replacing it). Bad lines are errors
// naming the line. `progress` is called every few thousand passages and at the end.
IndexStats build_search_index(const std::string& corpus_path, const std::string& out_path,
                              const std::function<void(const IndexProgress&)>& progress = {});
// Writes `passages` into a new index file (the built-in corpus, tests).
IndexStats write_search_index(const std::vector<Passage>& passages, const std::string& out_path);

}  // namespace rapport
