// The built-in search backend at scale: writes a generated corpus of one million passages (JSONL,
// {"id", "title", "text"}), builds the FTS5 index from it as `rapport index` does, then times
// queries of two to four words. Prints build speed (passages/s), query latency p50/p99, and the
// index size on disk. Run by hand: build/release/tests/bench_search [passages] [folder]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/rng.h"
#include "native/search_index.h"

using namespace rapport;

namespace {

// A vocabulary of made-up words with Zipf-like frequencies, so that posting lists range from a
// few passages to a large share of the corpus, as in natural text.
std::vector<std::string> vocabulary(std::size_t n) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "an", "el", "or", "us", "ib", "et", "om"};
  Rng rng(42);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < n; ++i) {
    std::string w;
    int parts = 2 + static_cast<int>(rng.below(3));
    for (int p = 0; p < parts; ++p) w += kSyllables[rng.below(16)];
    words.push_back(w + std::to_string(i % 97));
  }
  return words;
}

struct Zipf {
  std::vector<double> cumulative;
  explicit Zipf(std::size_t n) {
    double sum = 0;
    for (std::size_t i = 1; i <= n; ++i) cumulative.push_back(sum += 1.0 / std::pow(static_cast<double>(i), 1.07));
    for (auto& c : cumulative) c /= sum;
  }
  std::size_t draw(Rng& rng) const {
    return static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), rng.uniform()) - cumulative.begin());
  }
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is known
  const long passages = argc > 1 ? std::atol(argv[1]) : 1000000;
  const std::string folder = argc > 2 ? argv[2] : "/tmp";
  const std::string corpus = fmt::format("{}/bench_search_{}.jsonl", folder, ::getpid());
  const std::string index_path = fmt::format("{}/bench_search_{}.db", folder, ::getpid());
  const auto words = vocabulary(200000);
  const Zipf zipf(words.size());

  auto t0 = std::chrono::steady_clock::now();
  {
    Rng rng(7);
    std::ofstream out(corpus, std::ios::binary);
    std::string line;
    for (long i = 0; i < passages; ++i) {
      std::string title = words[zipf.draw(rng)] + " " + words[zipf.draw(rng)];
      std::string text;
      int n = 40 + static_cast<int>(rng.below(60));  // 40-99 words, like Wikipedia passages of 100 tokens
      for (int w = 0; w < n; ++w) text += (w ? " " : "") + words[zipf.draw(rng)];
      line = fmt::format("{{\"id\": \"{}\", \"title\": \"{}\", \"text\": \"{}\"}}\n", i, title, text);
      out << line;
    }
  }
  std::printf("corpus: %ld passages written in %.1f s\n", passages, ms_since(t0) / 1000);

  IndexStats stats = build_search_index(corpus, index_path);
  std::printf("index build: %lld passages in %.1f s = %.0f passages/s\n", static_cast<long long>(stats.passages), stats.seconds,
              stats.passages / stats.seconds);
  std::printf("index size on disk: %.1f MiB (%.0f bytes/passage)\n", stats.bytes_on_disk / (1024.0 * 1024.0),
              static_cast<double>(stats.bytes_on_disk) / static_cast<double>(stats.passages));

  SearchIndex index(index_path);
  Rng rng(99);
  std::vector<double> latencies;
  std::size_t results = 0;
  const int queries = 300;
  for (int q = 0; q < queries; ++q) {
    std::string query;
    int n = 2 + static_cast<int>(rng.below(3));
    // The corpus's 50 most frequent words play the part of the stop words that queries drop.
    for (int w = 0; w < n; ++w) {
      std::size_t rank;
      do rank = zipf.draw(rng);
      while (rank < 50);
      query += (w ? " " : "") + words[rank];
    }
    auto t = std::chrono::steady_clock::now();
    SearchResponse r = index.search(query, 5);
    latencies.push_back(ms_since(t));
    results += r.passages.size();
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[static_cast<std::size_t>(p * (latencies.size() - 1))]; };
  std::printf("queries: %d of 2-4 words (no top-50 words), top 5 (%.2f results each): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", queries,
              static_cast<double>(results) / queries, pct(0.5), pct(0.99), latencies.back());
  std::remove(corpus.c_str());
  std::remove(index_path.c_str());
  return 0;
}
