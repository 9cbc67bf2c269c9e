// im::Calls, the IM session's call queue (src/im/calls.h): order, lookups by id and by wire id, the
// transitions, and the counts and earliest deadline it keeps, against a plain model that walks every
// call (the way the Client found them before).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "im/calls.h"

using echat::im::Call;
using echat::im::Calls;
using echat::im::Millis;
using echat::im::Transport;

namespace {

Call make(std::uint64_t id, Call::Kind kind, Transport t, std::optional<Millis> deadline = std::nullopt) {
  Call c;
  c.id = id;
  c.kind = kind;
  c.transport = t;
  c.deadline = deadline;
  return c;
}

std::vector<std::uint64_t> order(const Calls& calls) {
  std::vector<std::uint64_t> ids;
  for (const Call& c : calls) ids.push_back(c.id);
  return ids;
}

// What the Client computed by walking every call.
struct Walked {
  std::size_t queued = 0, other = 0, outbox_out = 0, http_out = 0;
  Millis earliest = echat::core::kNever;
};
Walked walk(const Calls& calls) {
  Walked w;
  const auto see = [&](Millis d) { w.earliest = std::min(w.earliest, d); };
  for (const Call& c : calls) {
    if (c.deadline) see(*c.deadline);
    if (c.attempt_deadline) see(*c.attempt_deadline);
    if (c.phase == Call::Phase::Queued) {
      ++w.queued;
      w.other += c.kind != Call::Kind::Outbox;
      if (c.not_before > 0) see(c.not_before);
    } else {
      w.outbox_out += c.kind == Call::Kind::Outbox;
      w.http_out += c.transport == Transport::Http;
    }
  }
  return w;
}

void same_as_walk(const Calls& calls) {
  const Walked w = walk(calls);
  REQUIRE(calls.queued() == w.queued);
  REQUIRE(calls.queued_other() == w.other);
  REQUIRE(calls.outbox_out() == w.outbox_out);
  REQUIRE(calls.http_out() == w.http_out);
  REQUIRE(calls.earliest() == w.earliest);
  calls.check();
}

}  // namespace

TEST_CASE("calls keep their order; the session's own calls go first", "[im][calls]") {
  Calls calls;
  REQUIRE(calls.empty());
  REQUIRE(calls.earliest() == echat::core::kNever);
  calls.push_back(make(1, Call::Kind::App, Transport::Socket, 5000));
  calls.push_back(make(2, Call::Kind::Outbox, Transport::Socket));
  calls.push_front(make(3, Call::Kind::Sync, Transport::Socket));
  calls.push_front(make(4, Call::Kind::ConversationList, Transport::Socket));
  REQUIRE(order(calls) == std::vector<std::uint64_t>{4, 3, 1, 2});
  REQUIRE(calls.queued() == 4);
  REQUIRE(calls.queued_other() == 3);
  REQUIRE(calls.earliest() == 5000);
  REQUIRE(calls.find(2)->kind == Call::Kind::Outbox);
  REQUIRE(calls.find(9) == nullptr);

  // Taking one from the middle leaves the others (and references to them) where they were.
  Call& two = *calls.find(2);
  const Call one = calls.take(1);
  REQUIRE(one.id == 1);
  REQUIRE(&two == calls.find(2));
  REQUIRE(order(calls) == std::vector<std::uint64_t>{4, 3, 2});
  REQUIRE(calls.find(1) == nullptr);
  REQUIRE(calls.earliest() == echat::core::kNever);
  same_as_walk(calls);
}

TEST_CASE("a call in flight is found by its wire id on its transport only", "[im][calls]") {
  Calls calls;
  Call& a = calls.push_back(make(1, Call::Kind::Outbox, Transport::Socket, 9000));
  Call& b = calls.push_back(make(2, Call::Kind::App, Transport::Http, 8000));
  calls.sent(a, 7);
  calls.sent(b, 7, 4000);  // the same number on the other transport: another call
  REQUIRE(calls.find_wire(Transport::Socket, 7) == &a);
  REQUIRE(calls.find_wire(Transport::Http, 7) == &b);
  REQUIRE(calls.find_wire(Transport::Socket, 8) == nullptr);
  REQUIRE(calls.outbox_out() == 1);
  REQUIRE(calls.http_out() == 1);
  REQUIRE(calls.queued() == 0);
  REQUIRE(calls.earliest() == 4000);
  same_as_walk(calls);

  // A repeat: queued again (no wire, no attempt deadline), waiting until 6000.
  calls.requeue(b, 6000);
  REQUIRE(b.phase == Call::Phase::Queued);
  REQUIRE(b.wire == 0);
  REQUIRE(!b.attempt_deadline);
  REQUIRE(calls.find_wire(Transport::Http, 7) == nullptr);
  REQUIRE(calls.earliest() == 6000);
  REQUIRE(calls.http_out() == 0);
  REQUIRE(calls.queued_other() == 1);
  calls.wait_over(b);
  REQUIRE(b.not_before == 0);
  REQUIRE(calls.earliest() == 8000);
  same_as_walk(calls);

  // Finished in flight: its wire id answers nothing any more.
  (void)calls.take(1);
  REQUIRE(calls.find_wire(Transport::Socket, 7) == nullptr);
  REQUIRE(calls.outbox_out() == 0);
  same_as_walk(calls);
}

TEST_CASE("random transitions keep the counts, deadlines and indexes of a walk", "[im][calls]") {
  const auto seed = GENERATE(range(1, 41));
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  Calls calls;
  std::vector<std::uint64_t> model;  // ids in call order
  std::uint64_t next_id = 1, next_wire = 1;
  for (int step = 0; step < 400; ++step) {
    const std::size_t op = pick(6);
    if (op <= 1 || model.empty()) {
      const auto kind = static_cast<Call::Kind>(pick(4));
      const Transport t = pick(2) ? Transport::Socket : Transport::Http;
      std::optional<Millis> deadline;
      if (pick(2)) deadline = static_cast<Millis>(1000 + pick(50));  // repeats on purpose: a multiset
      Call c = make(next_id++, kind, t, deadline);
      if (pick(5) == 0) {
        calls.push_front(std::move(c));
        model.insert(model.begin(), next_id - 1);
      } else {
        calls.push_back(std::move(c));
        model.push_back(next_id - 1);
      }
    } else {
      const std::uint64_t id = model[pick(model.size())];
      Call& c = *calls.find(id);
      REQUIRE(c.id == id);
      if (op == 2) {
        (void)calls.take(id);
        model.erase(std::find(model.begin(), model.end(), id));
      } else if (op == 3 && c.phase == Call::Phase::Queued) {
        const std::uint64_t wire = next_wire++;
        std::optional<Millis> attempt;
        if (c.transport == Transport::Http) attempt = static_cast<Millis>(1000 + pick(50));
        calls.sent(c, wire, attempt);
        REQUIRE(calls.find_wire(c.transport, wire) == &c);
      } else if (op == 4) {
        calls.requeue(c, pick(2) ? static_cast<Millis>(1000 + pick(50)) : 0);
      } else if (c.phase == Call::Phase::Queued && c.not_before > 0) {
        calls.wait_over(c);
      }
    }
    REQUIRE(order(calls) == model);
    REQUIRE(calls.size() == model.size());
    same_as_walk(calls);
  }
}

// The deadlines are kept as counts under a key with the sign bit flipped (calls.h deadline_key): equal
// deadlines are counted, not merged, and negative times (a host clock before its epoch) sort first.
TEST_CASE("equal and negative deadlines: earliest() is the least left", "[im][calls]") {
  Calls calls;
  calls.push_back(make(1, Call::Kind::App, Transport::Socket, 5000));
  calls.push_back(make(2, Call::Kind::App, Transport::Socket, 5000));
  calls.push_back(make(3, Call::Kind::App, Transport::Socket, -20));
  calls.push_back(make(4, Call::Kind::App, Transport::Socket, 1));
  REQUIRE(calls.earliest() == -20);
  same_as_walk(calls);
  (void)calls.take(3);
  REQUIRE(calls.earliest() == 1);
  (void)calls.take(4);
  REQUIRE(calls.earliest() == 5000);
  (void)calls.take(1);  // the other 5000 is still there
  REQUIRE(calls.earliest() == 5000);
  same_as_walk(calls);
  (void)calls.take(2);
  REQUIRE(calls.earliest() == echat::core::kNever);
  same_as_walk(calls);
}
