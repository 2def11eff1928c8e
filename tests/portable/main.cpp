// Catch2 entry point for the portable tests (native and WebAssembly).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
