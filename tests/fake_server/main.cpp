// The fake model server as a program, for tests in other languages (the Python client's) and
// benchmarks: `fake_openai_server [--latency S]` prints its base URL on the first line and serves
// until SIGTERM. Every simulated user or judge request gets the same JSON reply (fields that the
// environments' parsers read: response, judgment, verdict, scores ...), an agent request a finish
// call; deterministic, so two runs against it produce the same episodes.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "tests/native/fake_openai_server.h"

int main(int argc, char** argv) {
  rapport::FakeServerOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--latency") == 0 && i + 1 < argc) {
      options.latency_s = std::atof(argv[++i]);
    } else {
      std::cerr << "usage: fake_openai_server [--latency SECONDS]\n";
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's thread inherits the mask
  rapport::FakeOpenAiServer server(
      [](const rapport::json::object& body) {
        if (rapport::fake::has_tools(body)) return rapport::FakeReply::tool_call("finish", "");
        return rapport::FakeReply::text(
            "{\"thought\": \"I consider the message.\", \"response\": \"Yes, that is right.\", \"judgment\": \"No\", "
            "\"verdict\": \"no\", \"feedback\": \"Not quite.\", \"scores\": [], \"is_correct\": false}");
      },
      options);
  std::cout << server.base_url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
