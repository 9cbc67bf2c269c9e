// Catch2 (v2, Debian's catch2 package) entry point for the native suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
