// Native and WebAssembly builds of the same core give byte-identical trajectories.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 65536> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  CHECK(pclose(pipe) == 0);
  return out;
}

}  // namespace

TEST_CASE("parity: scripted episodes of every environment are identical natively and in WebAssembly", "[parity]") {
  INFO("build the WebAssembly preset first: cmake --preset wasm && cmake --build --preset wasm");
  REQUIRE(std::filesystem::exists(RAPPORT_PARITY_WASM));
  std::string native = capture(std::string(RAPPORT_PARITY_NATIVE) + " 4");
  // Through a file: node drops the end of piped output when a program exits (over 1 MB here).
  const std::string wasm_out = (std::filesystem::temp_directory_path() / "rapport_parity_wasm.txt").string();
  std::string wasm = capture("node --no-experimental-fetch " + std::string(RAPPORT_PARITY_WASM) + " 4 > '" + wasm_out +
                             "' && cat '" + wasm_out + "'");
  std::filesystem::remove(wasm_out);
  REQUIRE(native.size() > 1000);
  // Compare line by line so a failure names the first episode that differs.
  std::size_t line = 0, a = 0, b = 0;
  while (a < native.size() && b < wasm.size()) {
    std::size_t ea = native.find('\n', a), eb = wasm.find('\n', b);
    INFO("episode line " << line);
    REQUIRE(native.substr(a, ea - a) == wasm.substr(b, eb - b));
    a = ea + 1;
    b = eb + 1;
    ++line;
  }
  CHECK(native == wasm);
}
