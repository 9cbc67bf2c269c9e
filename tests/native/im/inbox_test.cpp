// The inbox alone: ordering, duplicates, gaps (docs/protocol.md 11.6). No server, no clock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "im/inbox.h"

using echat::im::Inbox;
using echat::im::Message;
using V = Inbox::Verdict;

namespace {

std::vector<std::uint64_t> seqs(const std::vector<Message>& ms) {
  std::vector<std::uint64_t> out;
  for (const auto& m : ms) out.push_back(m.seq);
  return out;
}

// mid = 100 + seq in these tests.
Message message(std::uint64_t seq, std::uint64_t mid, std::string json, std::uint32_t ref = 0) {
  Message m;
  m.seq = seq;
  m.mid = mid;
  m.json = std::move(json);
  m.ref = ref;
  return m;
}
V offer(Inbox& in, std::uint64_t seq) { return in.offer(message(seq, 100 + seq, "{\"seq\":" + std::to_string(seq) + "}")); }

}  // namespace

TEST_CASE("inbox: in-order deliveries are handed over at once", "[im][inbox]") {
  Inbox in;
  CHECK(offer(in, 1) == V::Delivered);
  CHECK(offer(in, 2) == V::Delivered);
  const auto ready = in.take_ready();
  CHECK(seqs(ready) == std::vector<std::uint64_t>{1, 2});
  CHECK(ready[1].mid == 102);
  CHECK(ready[1].json == "{\"seq\":2}");
  CHECK(in.synced() == 2);
  CHECK_FALSE(in.has_gap());
  CHECK(in.take_ready().empty());
}

TEST_CASE("inbox: duplicates by seq and by mid are dropped", "[im][inbox]") {
  Inbox in;
  offer(in, 1);
  CHECK(offer(in, 1) == V::Duplicate);
  CHECK(in.offer(message(2, 101, "{}")) == V::Duplicate);  // a mid already handed over, under another seq
  CHECK(offer(in, 3) == V::Buffered);
  CHECK(offer(in, 3) == V::Duplicate);  // already buffered
  CHECK(seqs(in.take_ready()) == std::vector<std::uint64_t>{1});
}

TEST_CASE("inbox: a gap buffers until it is filled, then releases in order", "[im][inbox]") {
  Inbox in(4);
  CHECK(offer(in, 7) == V::Buffered);
  CHECK(offer(in, 6) == V::Buffered);
  CHECK(in.has_gap());
  CHECK(in.first_buffered() == 6u);
  CHECK(in.take_ready().empty());
  CHECK(offer(in, 5) == V::Delivered);
  CHECK(seqs(in.take_ready()) == std::vector<std::uint64_t>{5, 6, 7});
  CHECK(in.synced() == 7);
  CHECK_FALSE(in.has_gap());
}

TEST_CASE("inbox: seq and mid 0 are invalid; reset forgets the buffer", "[im][inbox]") {
  Inbox in;
  CHECK(in.offer(message(0, 5, "{}")) == V::Invalid);
  CHECK(in.offer(message(1, 0, "{}")) == V::Invalid);
  offer(in, 3);
  in.reset(10);
  CHECK_FALSE(in.has_gap());
  CHECK(offer(in, 10) == V::Duplicate);
  CHECK(offer(in, 11) == V::Delivered);
  CHECK(in.synced() == 11);
}

TEST_CASE("inbox: a full buffer drops its highest entries, which come back later", "[im][inbox]") {
  Inbox in(0, 3);
  CHECK(offer(in, 5) == V::Buffered);
  CHECK(offer(in, 4) == V::Buffered);
  CHECK(offer(in, 3) == V::Buffered);
  CHECK(offer(in, 2) == V::Buffered);  // evicts 5
  CHECK(in.buffered() == 3);
  CHECK(offer(in, 9) == V::Buffered);  // beyond everything: not kept
  CHECK(in.buffered() == 3);
  CHECK(offer(in, 1) == V::Delivered);
  CHECK(seqs(in.take_ready()) == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(offer(in, 5) == V::Delivered);  // the evicted one is not a duplicate
  CHECK(seqs(in.take_ready()) == std::vector<std::uint64_t>{5});
}

TEST_CASE("inbox: any arrival order with repeats yields 1..n exactly once", "[im][inbox]") {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    const std::uint64_t n = 1 + rng() % 40;
    std::vector<std::uint64_t> arrivals;
    for (std::uint64_t s = 1; s <= n; ++s) {
      arrivals.push_back(s);
      if (rng() % 3 == 0) arrivals.push_back(s);  // overlap of push and sync
    }
    std::shuffle(arrivals.begin(), arrivals.end(), rng);
    Inbox in(0, 1 + rng() % 50);
    std::vector<std::uint64_t> got;
    // Entries evicted from a small buffer are re-offered at the end (as a sync would fetch them).
    for (int pass = 0; pass < 100 && in.synced() < n; ++pass) {
      for (auto s : arrivals) offer(in, s);
      for (const auto& m : in.take_ready()) got.push_back(m.seq);
    }
    std::vector<std::uint64_t> want(n);
    for (std::uint64_t s = 0; s < n; ++s) want[s] = s + 1;
    REQUIRE(got == want);
  }
}

TEST_CASE("inbox: reset forgets remembered mids (a reset server reuses them)", "[im][inbox]") {
  Inbox in;
  CHECK(in.offer(message(1, 7, "{}")) == V::Delivered);
  CHECK(in.take_ready().size() == 1);
  in.reset(0);
  CHECK(in.offer(message(1, 7, "{}")) == V::Delivered);  // the new timeline's seq 1 has mid 7 again
  CHECK(in.take_ready().size() == 1);
}

TEST_CASE("inbox: host-kept messages it lets go are released (a full buffer, a reset)", "[im][inbox]") {
  Inbox in(0, 2);
  CHECK(in.offer(message(3, 103, "", 3)) == V::Buffered);
  CHECK(in.offer(message(4, 104, "", 4)) == V::Buffered);
  CHECK(in.take_released().empty());
  CHECK(in.offer(message(5, 105, "", 5)) == V::Buffered);  // full, and the highest: not kept
  CHECK(in.take_released() == std::vector<std::uint32_t>{5});
  CHECK(in.offer(message(2, 102, "", 2)) == V::Buffered);  // full: 4 goes
  CHECK(in.take_released() == std::vector<std::uint32_t>{4});
  CHECK(in.offer(message(1, 101, "", 1)) == V::Delivered);
  const auto ready = in.take_ready();
  CHECK(seqs(ready) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(ready[2].ref == 3);  // handed over with its ref: the caller lets it go
  CHECK(in.take_released().empty());
  CHECK(in.offer(message(6, 106, "", 6)) == V::Buffered);
  in.reset(0);
  CHECK(in.take_released() == std::vector<std::uint32_t>{6});
}
