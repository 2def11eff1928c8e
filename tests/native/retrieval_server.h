// A retrieval server of our own for tests: POST /retrieve in the protocol of search-agent RL
// training, answered from a SearchIndex, on an ephemeral loopback port, in a thread of its own.
// Boost.Beast, one request per connection.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace rapport {

class SearchIndex;

class LoopbackRetrievalServer {
 public:
  explicit LoopbackRetrievalServer(SearchIndex& index);
  ~LoopbackRetrievalServer();
  LoopbackRetrievalServer(const LoopbackRetrievalServer&) = delete;
  LoopbackRetrievalServer& operator=(const LoopbackRetrievalServer&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT/retrieve
  int queries() const { return queries_; }
  // Stops accepting; later requests are refused (connection errors).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace rapport
