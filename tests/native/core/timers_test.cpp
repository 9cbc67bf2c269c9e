#include <catch2/catch.hpp>

#include "core/random.h"
#include "core/timers.h"

using echat::core::Rng;
using echat::core::TimerTable;

namespace {
enum class T { A, B, C };
}

TEST_CASE("TimerTable: next deadline is the earliest armed one", "[core][timers]") {
  TimerTable<T, 3> timers;
  CHECK_FALSE(timers.next());
  timers.set(T::A, 500);
  timers.set(T::B, 200);
  CHECK(*timers.next() == 200);
  timers.clear(T::B);
  CHECK(*timers.next() == 500);
  CHECK_FALSE(timers.fire_if_due(T::A, 499));
  CHECK(timers.fire_if_due(T::A, 500));
  CHECK_FALSE(timers.armed(T::A));
  CHECK_FALSE(timers.fire_if_due(T::C, 10000));
  timers.set(T::C, 1);
  timers.clear_all();
  CHECK_FALSE(timers.next());
}

TEST_CASE("earliest() of optional deadlines", "[core][timers]") {
  using echat::core::earliest;
  CHECK_FALSE(earliest(std::nullopt, std::nullopt));
  CHECK(*earliest(5, std::nullopt) == 5);
  CHECK(*earliest(std::nullopt, 7) == 7);
  CHECK(*earliest(9, 3) == 3);
}

TEST_CASE("Rng: same seed, same sequence; unit values in [0,1)", "[core][random]") {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 1000; ++i) {
    const double x = a.next_unit();
    CHECK(x >= 0.0);
    CHECK(x < 1.0);
    CHECK(x == b.next_unit());
  }
  CHECK(a.next_u64() != c.next_u64());
}
