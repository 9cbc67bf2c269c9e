// im::Lifecycle, the session's life (src/im/lifecycle.h): every row of its transition table. The
// Client's use of it (the states a session shows, its one end, its one Ready) is in the transcripts
// (tests/native/data/im/sessions.txt) and session_test.cpp.
#include <catch2/catch.hpp>

#include "im/lifecycle.h"

using echat::im::Lifecycle;
using echat::im::State;

TEST_CASE("lifecycle: start once, show states, ready once", "[im][lifecycle]") {
  Lifecycle l;
  REQUIRE(l.unstarted());
  REQUIRE(l.state() == State::Idle);
  REQUIRE(!l.ready_now());  // not running
  REQUIRE(l.start());
  REQUIRE(l.running());
  REQUIRE(!l.start());  // one start per Client
  REQUIRE(l.show(State::Connecting));
  REQUIRE(!l.show(State::Connecting));  // no change, no StateChanged
  REQUIRE(!l.ready_now());              // not connected yet
  REQUIRE(l.show(State::Connected));
  REQUIRE(l.ready_now());
  REQUIRE(!l.ready_now());  // once per Client
  REQUIRE(l.show(State::Reconnecting));
  REQUIRE(l.show(State::Connected));
  REQUIRE(!l.ready_now());  // a later login is not a second Ready
  REQUIRE(!l.down());
  REQUIRE(l.show(State::Disconnected));  // the reconnection attempts ran out
  REQUIRE(l.down());                     // a wake or the network may revive it
}

TEST_CASE("lifecycle: the end is sticky and keeps its first code and message", "[im][lifecycle]") {
  Lifecycle l;
  REQUIRE(l.start());
  REQUIRE(l.end(401, "token expired"));
  REQUIRE(l.ended());
  REQUIRE(!l.end(-1004, "closed"));  // a close() after a fatal error changes nothing
  REQUIRE(l.end_code() == 401);
  REQUIRE(l.end_message() == "token expired");
  REQUIRE(!l.start());
  REQUIRE(l.show(State::Disconnected));  // the Client shows the end
  REQUIRE(!l.down());                    // ended: nothing revives it
  REQUIRE(!l.ready_now());
}

TEST_CASE("lifecycle: a close before start ends it; it never starts", "[im][lifecycle]") {
  Lifecycle l;
  REQUIRE(l.end(-1004, "closed"));
  REQUIRE(l.ended());
  REQUIRE(!l.unstarted());  // load() is refused after the end too
  REQUIRE(!l.start());
}
