// im::SyncRun, the catch-up run (src/im/sync.h): every row of its transition table. The Client's use of
// it (pages from the synced position, a gap, the server's timeline reset) is in the transcripts
// (tests/native/data/im/sessions.txt) and session_test.cpp.
#include <catch2/catch.hpp>

#include "im/sync.h"

using echat::im::SyncRun;

TEST_CASE("sync run: pages until the server has no more", "[im][sync]") {
  SyncRun s;
  REQUIRE(s.state() == SyncRun::State::Idle);
  REQUIRE(s.want(10));  // Idle -> Paging, a page call now
  REQUIRE(s.running());
  REQUIRE(s.page());
  REQUIRE(s.from() == 10);
  s.page_sent(10);
  REQUIRE(s.page_from() == 10);
  s.handed(3);
  s.page_gone();
  REQUIRE(s.answered(13, true, false));  // more, and it moved: the next page
  REQUIRE(s.want(13));
  REQUIRE(s.from() == 10);  // the same run
  s.page_sent(13);
  s.handed(2);
  s.page_gone();
  REQUIRE(!s.answered(15, false, false));  // no more: Idle
  REQUIRE(s.state() == SyncRun::State::Idle);
  REQUIRE(s.count() == 5);
  s.handed(4);  // a live delivery between runs: not the run's
  REQUIRE(s.count() == 5);
}

TEST_CASE("sync run: a page that does not move ends the run, unless asked again meanwhile", "[im][sync]") {
  SyncRun s;
  REQUIRE(s.want(7));
  s.page_sent(7);
  REQUIRE(!s.want(7));  // a login while the page is out: one more page after it
  s.page_gone();
  REQUIRE(s.answered(7, true, true));  // did not move, but asked again
  REQUIRE(s.want(7));
  s.page_sent(7);
  s.page_gone();
  REQUIRE(!s.answered(7, true, true));  // "more" and a gap, but nothing moved: over (no loop)
  REQUIRE(!s.running());
}

TEST_CASE("sync run: a gap that moved asks again; a failure ends the run", "[im][sync]") {
  SyncRun s;
  REQUIRE(s.want(0));
  s.page_sent(0);
  s.page_gone();
  REQUIRE(s.answered(4, false, true));
  REQUIRE(s.want(4));
  s.page_sent(4);
  s.failed();  // an error code (the Client finishes the call: page_gone)
  s.page_gone();
  REQUIRE(s.state() == SyncRun::State::Idle);
  REQUIRE(s.want(4));  // the next run starts from where it is
  REQUIRE(s.from() == 4);
  REQUIRE(s.count() == 0);
}
