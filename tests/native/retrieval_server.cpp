#include "tests/native/retrieval_server.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "core/json.h"
#include "core/search.h"
#include "native/search_index.h"

namespace rapport {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct LoopbackRetrievalServer::Impl {
  explicit Impl(SearchIndex& i) : index(i), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  SearchIndex& index;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  int port = 0;

  http::response<http::string_body> answer(const http::request<http::string_body>& req, std::atomic<int>& queries) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    res.set(http::field::content_type, "application/json");
    if (req.method() != http::verb::post || req.target() != "/retrieve") {
      res.result(http::status::not_found);
      res.body() = R"({"error": "POST /retrieve"})";
    } else if (auto v = parse_json(req.body()); !v || !v->is_object() || !v->get_object().contains("queries") ||
                                                !v->get_object().at("queries").is_array()) {
      res.result(http::status::bad_request);
      res.body() = R"({"error": "expected {\"queries\": [...], \"topk\": k}"})";
    } else {
      const auto& o = v->get_object();
      int k = static_cast<int>(get_int(o, "topk", 3));
      std::vector<SearchResponse> results;
      for (const auto& q : o.at("queries").get_array()) {
        ++queries;
        results.push_back(index.search(q.is_string() ? std::string_view(q.get_string()) : std::string_view(), k));
      }
      res.result(http::status::ok);
      res.body() = retrieval_response_body(results);
    }
    res.prepare_payload();
    return res;
  }
};

LoopbackRetrievalServer::LoopbackRetrievalServer(SearchIndex& index) : impl_(std::make_unique<Impl>(index)) {
  impl_->port = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] {
    while (!impl_->stopping) {
      tcp::socket socket(impl_->io);
      boost::system::error_code ec;
      impl_->acceptor.accept(socket, ec);
      if (ec || impl_->stopping) break;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      auto res = impl_->answer(req, queries_);
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
  });
}

LoopbackRetrievalServer::~LoopbackRetrievalServer() { stop(); }

std::string LoopbackRetrievalServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/retrieve"; }

void LoopbackRetrievalServer::stop() {
  if (!thread_.joinable()) return;
  impl_->stopping = true;
  // Wakes the blocking accept.
  boost::system::error_code ec;
  tcp::socket poke(impl_->io);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(impl_->port)), ec);
  thread_.join();
  impl_->acceptor.close(ec);
}

}  // namespace rapport
