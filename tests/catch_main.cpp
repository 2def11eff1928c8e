// Catch2's entry point, compiled once for both test programs (Catch2 2 is header-only, and its
// implementation is the slowest file of the suite to compile).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
