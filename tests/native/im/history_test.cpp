// im::FreshHistory, the first catch-up of a fresh install (src/im/history.h): every row of its table and
// each `keep`. The Client's use of it (history marks, what reaches the app) is in session_test.cpp and the
// transcripts.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "im/history.h"

using echat::im::FreshHistory;
using echat::im::Message;

namespace {

// A message of conversation `conv` ("P2P/<user>" or "P2R/<room>") as alice sees it.
Message msg(std::uint64_t seq, std::uint32_t ref, const std::string& conv, bool mine = false) {
  Message m;
  m.seq = seq;
  m.mid = seq;
  m.ref = ref;
  m.facts.way = conv.substr(0, 3);
  const std::string other = conv.substr(4);
  if (m.facts.way == "P2P" && !mine) {
    m.facts.form_user = other;
    m.facts.to_target = "alice";
  } else {
    m.facts.form_user = "alice";
    m.facts.to_target = other;
  }
  return m;
}

std::vector<std::uint64_t> seqs(const std::vector<Message>& ms) {
  std::vector<std::uint64_t> out;
  for (const auto& m : ms) out.push_back(m.seq);
  return out;
}

}  // namespace

TEST_CASE("fresh history: decided at the first login only", "[im][history]") {
  FreshHistory h;
  REQUIRE(h.state() == FreshHistory::State::Undecided);
  h.logged_in(0, -1);
  REQUIRE(h.fresh());
  h.logged_in(12, -1);  // a later login changes nothing
  REQUIRE(h.fresh());
  REQUIRE(h.over().empty());
  REQUIRE(h.state() == FreshHistory::State::Live);
  h.logged_in(0, -1);  // decided once per Client
  REQUIRE(h.state() == FreshHistory::State::Live);
  REQUIRE(h.over().empty());  // Live: nothing

  FreshHistory synced_before;
  synced_before.logged_in(5, 3);
  REQUIRE(synced_before.state() == FreshHistory::State::Live);
}

TEST_CASE("fresh history: the verdict follows keep", "[im][history]") {
  FreshHistory all, none, last;
  all.logged_in(0, -1);
  none.logged_in(0, 0);
  last.logged_in(0, 2);
  REQUIRE(all.verdict() == FreshHistory::Verdict::Hand);
  REQUIRE(none.verdict() == FreshHistory::Verdict::Skip);
  REQUIRE(last.verdict() == FreshHistory::Verdict::Keep);
}

TEST_CASE("fresh history: the last N of each conversation, in seq order", "[im][history]") {
  FreshHistory h;
  h.logged_in(0, 2);
  REQUIRE(!h.keep(msg(1, 11, "P2P/bob"), "alice"));
  REQUIRE(!h.keep(msg(2, 12, "P2R/7"), "alice"));
  REQUIRE(!h.keep(msg(3, 13, "P2P/bob", true), "alice"));  // alice to bob: the same conversation
  REQUIRE(!h.keep(msg(4, 16, "P2R/bob"), "alice"));        // a room named bob is another
  auto dropped = h.keep(msg(5, 14, "P2P/bob"), "alice");   // bob has 2: the oldest (seq 1) goes
  REQUIRE(dropped);
  REQUIRE(*dropped == 11);
  dropped = h.keep(msg(6, 15, "P2P/bob"), "alice");
  REQUIRE(dropped);
  REQUIRE(*dropped == 13);
  REQUIRE(h.kept() == 4);
  REQUIRE(seqs(h.over()) == std::vector<std::uint64_t>{2, 4, 5, 6});
  REQUIRE(h.kept() == 0);
  REQUIRE(!h.fresh());
}
