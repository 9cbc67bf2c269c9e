// The inbox alone: ordering, duplicates, gaps (docs/protocol.md 11.6). No server, no clock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
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

// A hostile server withholds seq 1 and sends the rest in reverse: each offer lands before every
// buffered one (the buffer's worst order). Each message must come out once, in order, as it went in.
TEST_CASE("inbox: 2,000 offers in reverse order are delivered in order, exactly once", "[im][inbox]") {
  Inbox in;  // max_buffered 2000
  for (std::uint64_t s = 2001; s >= 2; --s) {
    REQUIRE(offer(in, s) == V::Buffered);
    if (s % 10 == 0) REQUIRE(offer(in, s + 1) == V::Duplicate);  // already buffered (its seq and mid)
  }
  CHECK(in.buffered() == 2000);
  CHECK(in.first_buffered() == std::optional<std::uint64_t>(2));
  CHECK(in.take_ready().empty());
  CHECK(offer(in, 1) == V::Delivered);
  const auto ready = in.take_ready();
  REQUIRE(ready.size() == 2001);
  for (std::uint64_t s = 1; s <= 2001; ++s) {
    const Message& m = ready[s - 1];
    REQUIRE(m.seq == s);
    REQUIRE(m.mid == 100 + s);
    REQUIRE(m.json == "{\"seq\":" + std::to_string(s) + "}");  // each slot's own message
  }
  CHECK_FALSE(in.has_gap());
  CHECK(in.synced() == 2001);
  for (std::uint64_t s = 1; s <= 2001; s += 100) CHECK(offer(in, s) == V::Duplicate);
  CHECK(in.take_ready().empty());
  CHECK(in.take_released().empty());
}

// The buffer's slots are reused as messages leave (delivered, evicted, refused): against a plain model
// (a std::map by seq), every verdict, every message handed over and every ref released is the same.
TEST_CASE("inbox: random offers, evictions and resets match a plain model", "[im][inbox]") {
  struct Model {
    std::uint64_t synced = 0;
    std::size_t max_buffered;
    std::size_t remembered;
    std::map<std::uint64_t, Message> buffer;
    std::set<std::uint64_t> mids;
    std::vector<std::uint64_t> mid_order;
    std::vector<Message> ready;
    std::vector<std::uint32_t> released;

    void remember_ready(const Message& m) {
      mids.insert(m.mid);
      mid_order.push_back(m.mid);
    }
    V offer(Message m) {
      if (m.seq == 0 || m.mid == 0) return V::Invalid;
      if (m.seq <= synced || mids.count(m.mid) || buffer.count(m.seq)) return V::Duplicate;
      if (m.seq == synced + 1) {
        synced = m.seq;
        remember_ready(m);
        ready.push_back(std::move(m));
        while (!buffer.empty() && buffer.begin()->first == synced + 1) {
          synced = buffer.begin()->first;
          mid_order.push_back(buffer.begin()->second.mid);
          ready.push_back(std::move(buffer.begin()->second));
          buffer.erase(buffer.begin());
        }
        while (mid_order.size() > remembered) {
          mids.erase(mid_order.front());
          mid_order.erase(mid_order.begin());
        }
        return V::Delivered;
      }
      if (buffer.size() >= max_buffered) {
        auto last = std::prev(buffer.end());
        if (last->first < m.seq) {
          if (m.ref) released.push_back(m.ref);
          return V::Buffered;
        }
        mids.erase(last->second.mid);
        if (last->second.ref) released.push_back(last->second.ref);
        buffer.erase(last);
      }
      mids.insert(m.mid);
      buffer.emplace(m.seq, std::move(m));
      return V::Buffered;
    }
  };
  std::mt19937 rng(77);
  std::uint32_t next_ref = 1;
  for (int round = 0; round < 60; ++round) {
    const std::size_t max_buffered = 1 + rng() % 12;
    const std::size_t remembered = 4 + rng() % 20;
    Inbox in(0, max_buffered, remembered);
    Model model{0, max_buffered, remembered, {}, {}, {}, {}, {}};
    for (int step = 0; step < 400; ++step) {
      if (rng() % 150 == 0) {
        in.reset(model.synced / 2);
        for (auto& [seq, m] : model.buffer) {
          if (m.ref) model.released.push_back(m.ref);
        }
        for (auto& m : model.ready) {
          if (m.ref) model.released.push_back(m.ref);
        }
        model.buffer.clear();
        model.ready.clear();
        model.mids.clear();
        model.mid_order.clear();
        model.synced /= 2;
        continue;
      }
      // seqs around the position (some behind it, some far ahead); mids mostly 1000 + seq, some reused
      const std::uint64_t seq = model.synced + 1 + rng() % 20 - std::min<std::uint64_t>(model.synced, 3);
      const std::uint64_t mid = rng() % 10 == 0 ? 1000 + rng() % (seq + 1) : 1000 + seq;
      const std::uint32_t ref = rng() % 2 ? next_ref++ : 0;
      const Message m = message(seq, mid, std::to_string(seq) + "/" + std::to_string(mid), ref);
      REQUIRE(in.offer(m) == model.offer(m));
      REQUIRE(in.buffered() == model.buffer.size());
      REQUIRE(in.synced() == model.synced);
      if (rng() % 4 == 0) {
        const auto got = in.take_ready();
        REQUIRE(got.size() == model.ready.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
          REQUIRE(got[i].seq == model.ready[i].seq);
          REQUIRE(got[i].mid == model.ready[i].mid);
          REQUIRE(got[i].ref == model.ready[i].ref);
          REQUIRE(got[i].json == model.ready[i].json);
        }
        model.ready.clear();
        REQUIRE(in.take_released() == model.released);
        model.released.clear();
      }
    }
  }
}
