// A fake host clock for sans-I/O tests: time only moves when the test says so.
#pragma once

#include <cstdint>

namespace echat::testing {

struct FakeClock {
  std::int64_t now = 0;
  std::int64_t advance(std::int64_t ms) { return now += ms; }
};

}  // namespace echat::testing
