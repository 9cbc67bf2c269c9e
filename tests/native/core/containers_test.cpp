// core::Queue against std::deque, core::stable_order against std::stable_sort, core::U64Map against
// std::map: the same results for random operations and inputs (src/core/queue.h, src/core/order.h,
// src/core/u64map.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/order.h"
#include "core/queue.h"
#include "core/u64map.h"

using echat::core::Queue;

namespace {

template <class A, class B>
void require_same(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

}  // namespace

TEST_CASE("core::Queue: random pushes, pops and erases match std::deque", "[core][containers]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    Queue<std::string> q;
    std::deque<std::string> d;
    int next = 0;
    for (int step = 0; step < 2000; ++step) {
      const unsigned op = rng() % 10;
      if (op < 5 || d.empty()) {
        // Long strings, so a slot left holding its old value would show in a sanitizer run.
        const std::string v = std::to_string(next++) + std::string(40, 'x');
        q.push_back(v);
        d.push_back(v);
      } else if (op < 8) {
        REQUIRE(q.front() == d.front());
        q.pop_front();
        d.pop_front();
      } else if (op < 9) {
        const auto at = static_cast<std::ptrdiff_t>(rng() % d.size());
        q.erase(q.begin() + at);
        d.erase(d.begin() + at);
      } else if (rng() % 50 == 0) {
        q.clear();
        d.clear();
      }
      require_same(q, d);
      REQUIRE(q.empty() == d.empty());
      if (!d.empty()) REQUIRE(q.back() == d.back());
    }
  }
}

TEST_CASE("core::Queue: a long run of push then pop keeps the ring near the live size", "[core][containers]") {
  Queue<std::uint64_t> q;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    q.push_back(i);
    if (q.size() > 100) q.pop_front();
    REQUIRE(q.footprint() <= 2 * q.size() + 64);
  }
  REQUIRE(q.size() == 100);
  REQUIRE(q.front() == 99900);
  REQUIRE(q.back() == 99999);
}

namespace {

// A T that counts the live ones and the moves made of it.
struct Counted {
  static inline int live = 0, moved = 0, assigned = 0;
  std::uint64_t v = 0;
  Counted() { ++live; }
  Counted(Counted&& o) noexcept : v(o.v) { ++live, ++moved; }
  Counted& operator=(Counted&& o) noexcept { v = o.v; ++assigned; return *this; }
  ~Counted() { --live; }
};

}  // namespace

// A slot holds a T only while it is live, and a queue taken from at the front and pushed at the back
// moves nothing but when its ring grows (the vector with a moving front made an empty T in each slot
// it took from and moved the live ones down: twice per message sent, docs/benchmarks.md).
TEST_CASE("core::Queue: as many Ts as entries; entries move only when the ring grows", "[core][containers]") {
  {
    Queue<Counted> q;
    for (std::uint64_t i = 0; i < 100000; ++i) {
      q.emplace_back().v = i;
      if (q.size() > 100) q.pop_front();
      REQUIRE(Counted::live == static_cast<int>(q.size()));
    }
    CHECK(Counted::moved <= 16 + 32 + 64);  // the growths to 128 slots
    CHECK(Counted::assigned == 0);
    CHECK(q.footprint() == 128);
    CHECK(q.front().v == 99900);
    q.erase(q.begin() + 50);  // the later ones move up: 49 assignments
    CHECK(Counted::assigned == 49);
    CHECK(Counted::live == 99);
    CHECK(q[50].v == 99951);
    Queue<Counted> other = std::move(q);  // the ring changes hands: nothing made or moved
    CHECK(Counted::live == 99);
    CHECK(q.empty());
    CHECK(other.back().v == 99999);
  }
  CHECK(Counted::live == 0);
}

TEST_CASE("core::stable_order: the order std::stable_sort gives, ties by position", "[core][containers]") {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::vector<int> keys(rng() % 60);
    for (int& k : keys) k = static_cast<int>(rng() % 8);  // many ties
    std::vector<std::size_t> expected(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) expected[i] = i;
    std::stable_sort(expected.begin(), expected.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    const auto got = echat::core::stable_order(
        keys.size(), [&](std::size_t a, std::size_t b) { return echat::core::three_way(keys[a], keys[b]); });
    REQUIRE(got == expected);
  }
}

namespace {

void require_same_map(echat::core::U64Map& m, const std::map<std::uint64_t, std::uint64_t>& expected,
                      const std::vector<std::uint64_t>& probes) {
  REQUIRE(m.size() == expected.size());
  for (std::uint64_t k : probes) {
    const auto it = expected.find(k);
    const std::uint64_t* v = m.find(k);
    REQUIRE((v != nullptr) == (it != expected.end()));
    REQUIRE(m.count(k) == expected.count(k));
    if (v) REQUIRE(*v == it->second);
  }
}

}  // namespace

TEST_CASE("core::U64Map: random inserts, updates and erases match std::map", "[core][containers]") {
  std::mt19937_64 rng(5);
  // Keys from a small range (many repeats and erases of present keys), 0 and the largest key included;
  // then from a range of multiples of 2^40, which all land on few homes (long probe runs).
  for (const std::uint64_t spread : {std::uint64_t{300}, std::uint64_t{1} << 40}) {
    echat::core::U64Map m;
    std::map<std::uint64_t, std::uint64_t> expected;
    std::vector<std::uint64_t> probes{0, ~std::uint64_t{0}};
    for (int step = 0; step < 20000; ++step) {
      std::uint64_t k = spread == 300 ? rng() % 300 : (rng() % 64) * spread;
      if (step % 97 == 0) k = step % 2 ? 0 : ~std::uint64_t{0};
      if (probes.size() < 400) probes.push_back(k);
      switch (rng() % 4) {
        case 0:
        case 1: {
          const std::uint64_t v = rng();
          m[k] += v;
          expected[k] += v;
          break;
        }
        case 2:  // erase_found: the slot find() gave, as erase(k) would
          if (const std::uint64_t* v = m.find(k)) {
            REQUIRE(*v == expected.at(k));
            m.erase_found(v);
            expected.erase(k);
            REQUIRE(m.find(k) == nullptr);
            break;
          }
          REQUIRE(expected.count(k) == 0);
          [[fallthrough]];
        default:
          REQUIRE(m.erase(k) == (expected.erase(k) == 1));
      }
      if (step % 500 == 0) require_same_map(m, expected, probes);
    }
    require_same_map(m, expected, probes);
    REQUIRE(m.footprint() <= 4 * 400);  // never more than the keys it held at once needed
    m.clear();
    REQUIRE(m.empty());
    REQUIRE(m.find(0) == nullptr);
    REQUIRE(m.count(probes[5]) == 0);
  }
}

TEST_CASE("core::U64Map: a sliding window of keys (the inbox's mids) keeps the table small", "[core][containers]") {
  echat::core::U64Map m;
  for (std::uint64_t mid = 1; mid <= 100000; ++mid) {
    REQUIRE(m.count(mid) == 0);
    m[mid] = mid;
    if (mid > 4096) REQUIRE(m.erase(mid - 4096));
    REQUIRE(m.size() == std::min<std::uint64_t>(mid, 4096));
  }
  for (std::uint64_t mid = 100000 - 4095; mid <= 100000; ++mid) REQUIRE(*m.find(mid) == mid);
  REQUIRE(m.footprint() <= 16384);
}
