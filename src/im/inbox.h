// The inbox: turns deliveries that arrive in any order, possibly twice (offline push at login, sync
// pages and live pushes overlap), into one gap-free, duplicate-free stream in seq order
// (docs/protocol.md section 11.6). Pure data structure: no I/O, no clock, no JSON parsing.
//
// `synced` is the highest seq up to which every delivery has been handed to the application; the
// Client persists it. A delivery with seq <= synced, or whose mid was already seen, is a duplicate.
// A delivery beyond synced + 1 is buffered and reported as a gap (the Client then syncs from `synced`).
// The buffer is only an optimisation: message/sync returns every delivery after fromSeq, so dropping
// buffered entries when the buffer is full never loses a message; it is fetched again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/queue.h"
#include "core/u64map.h"
#include "im/types.h"

namespace echat::im {

class Inbox {
 public:
  enum class Verdict : unsigned char {
    Delivered,  // handed over now (possibly with buffered successors); see take_ready()
    Buffered,   // ahead of a gap: kept until the gap is filled
    Duplicate,  // already handed over, or already buffered
    Invalid,    // seq or mid is 0
  };

  explicit Inbox(std::uint64_t synced = 0, std::size_t max_buffered = 2000, std::size_t remembered_mids = 4096)
      : synced_(synced), max_buffered_(max_buffered), remembered_mids_(remembered_mids) {}

  // Restores the persisted position (forgets the buffer and every remembered mid).
  void reset(std::uint64_t synced);

  // m.seq and m.mid decide; the rest is kept as it is. A Duplicate or Invalid message is not kept.
  Verdict offer(Message m);

  // The common case on its own (the wasm hot path: Client::deliver_fast): whether offer() of this seq
  // and mid would deliver that message alone (seq == synced + 1, nothing buffered or ready, mid unseen);
  // then advance(mid) is that offer() without keeping the message (the caller hands it over itself).
  bool next_alone(std::uint64_t seq, std::uint64_t mid) const {
    return seq != 0 && mid != 0 && seq == synced_ + 1 && order_.empty() && ready_.empty() && !mids_.count(mid);
  }
  void advance(std::uint64_t mid);

  // Messages that became deliverable, in seq order (each exactly once).
  std::vector<Message> take_ready();

  std::uint64_t synced() const { return synced_; }
  // True when a buffered delivery waits behind a missing seq (synced + 1 has not arrived).
  bool has_gap() const { return !order_.empty(); }
  // The lowest buffered seq, if any.
  std::optional<std::uint64_t> first_buffered() const;
  std::size_t buffered() const { return order_.size(); }
  // Host-kept objects (Message::ref) of buffered messages the inbox let go (a full buffer, a reset).
  std::vector<std::uint32_t> take_released();

 private:
  void remember(std::uint64_t mid);
  void drain();
  // The first position in order_ whose message's seq is not below `seq` (order_.size() when none).
  std::size_t lower_bound(std::uint64_t seq) const;
  void forget_old_mids();
  // Frees the slot of a buffered message that leaves without being handed over.
  void let_go(std::uint32_t slot);

  std::uint64_t synced_;
  std::size_t max_buffered_;
  std::size_t remembered_mids_;
  // The buffer (seq > synced_ + 1, at most max_buffered_): the messages stay in their slots while the
  // index order_ is what moves. A hostile server that withholds seq 1 and sends the rest in reverse made
  // each offer into a vector of Messages in seq order swap up to max_buffered_ of them (4 strings each);
  // now as many 4-byte slot numbers move.
  std::vector<Message> slots_;       // at most max_buffered_: a free one (free_) is reused before it grows
  std::vector<std::uint32_t> free_;  // slots_ that keep nothing (their old message, moved from or not)
  std::vector<std::uint32_t> order_;  // the slots of the buffered messages, in seq order
  // mids handed over recently, and buffered ones (the value is unused; the client's refs_ type)
  core::U64Map mids_;
  core::Queue<std::uint64_t> mid_order_;     // eviction order of handed-over mids
  std::vector<Message> ready_;
  std::vector<std::uint32_t> released_;
};

}  // namespace echat::im
