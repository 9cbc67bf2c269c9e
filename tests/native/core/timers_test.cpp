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

TEST_CASE("TimerTable: earliest() kept through random sets, clears and firings matches a search", "[core][timers]") {
  // earliest() is updated as the table changes, not searched for: every way a deadline moves (later,
  // earlier, the earliest one cleared or fired, ties, kNever itself) must leave it the minimum.
  Rng rng(7);
  TimerTable<T, 3> timers;
  std::optional<echat::core::Millis> at[3];
  for (int step = 0; step < 20000; ++step) {
    const auto id = static_cast<T>(rng.next_u64() % 3);
    const auto i = static_cast<std::size_t>(id);
    const echat::core::Millis d = rng.next_u64() % 50 == 0 ? echat::core::kNever
                                                           : static_cast<echat::core::Millis>(rng.next_u64() % 40);
    switch (rng.next_u64() % 5) {
      case 0:
      case 1:
        timers.set(id, d);
        at[i] = d;
        break;
      case 2:
        timers.clear(id);
        at[i].reset();
        break;
      case 3: {
        const bool due = at[i] && *at[i] <= d;
        REQUIRE(timers.fire_if_due(id, d) == due);
        if (due) at[i].reset();
        break;
      }
      default:
        if (step % 100 == 0) {
          timers.clear_all();
          for (auto& a : at) a.reset();
        }
    }
    echat::core::Millis best = echat::core::kNever;
    for (const auto& a : at) {
      if (a && *a < best) best = *a;
    }
    REQUIRE(timers.earliest() == best);
    REQUIRE(timers.next() == echat::core::earliest(echat::core::earliest(at[0], at[1]), at[2]));
  }
}
