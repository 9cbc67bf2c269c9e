// A catch-up run (issue 13): message/sync pages from the synced position until the server has nothing
// more, then one Sync output {from, to, count}. A small machine owned by the Client, which makes each
// page call (Call::Kind::Sync, first in call order: deliveries before the app's calls after a login)
// and offers the pages' messages to the Inbox; this says when a page is wanted and when the run ends.
//
//   state    on                                                    to
//   Idle     want(synced)          (a login, a gap)                Paging  (a run from `synced`; make a page call)
//   Paging   want()                with a page call queued or out  Paging  (again: one more page after it)
//   Paging   want()                with none (the last answered)   Paging  (make the next page call)
//   Paging   page_sent(synced)                                     Paging  (the page asks from there)
//   Paging   answered: more and moved, again, or a gap that moved  Paging  (the Client calls want())
//   Paging   answered: otherwise                                   Idle    (the Sync output)
//   Paging   failed (an error code; the server's timeline reset)   Idle
//
// A page call that is repeated (a lost connection, a 503) stays the run's page. The Client reports
// every page call's end (answered, failed, or finished with the session): page_gone().
#pragma once

#include <cstddef>
#include <cstdint>

namespace echat::im {

class SyncRun {
 public:
  enum class State : unsigned char { Idle, Paging };

  State state() const { return running_ ? State::Paging : State::Idle; }
  bool running() const { return running_; }
  std::uint64_t from() const { return from_; }            // the synced seq the run started from
  std::uint64_t count() const { return count_; }          // messages handed over during the run
  std::uint64_t page_from() const { return page_from_; }  // the fromSeq of the last page sent
  bool page() const { return page_; }                     // a page call is queued or out

  // A run is wanted. True: make a page call now (the run starts, or goes on, from `synced`). False: a
  // page call is queued or out; one more page follows it.
  bool want(std::uint64_t synced) {
    if (page_) {
      again_ = true;
      return false;
    }
    if (!running_) {
      running_ = true;
      from_ = synced;
      count_ = 0;
    }
    again_ = false;
    page_ = true;
    return true;
  }
  void page_sent(std::uint64_t synced) { page_from_ = synced; }
  void page_gone() { page_ = false; }
  void handed(std::size_t n) {
    if (running_) count_ += n;
  }
  // A page's answer, its messages offered: true when another page is wanted (call want()); false when
  // the run is over (Idle).
  bool answered(std::uint64_t synced, bool has_more, bool gap) {
    const bool advanced = synced > page_from_;
    if ((has_more && advanced) || again_ || (gap && advanced)) return true;
    running_ = false;
    return false;
  }
  void failed() { running_ = false; }

 private:
  bool running_ = false;
  bool page_ = false;   // a page call is in the call queue
  bool again_ = false;  // want() came while it was: one more page after it
  std::uint64_t from_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t page_from_ = 0;
};

}  // namespace echat::im
