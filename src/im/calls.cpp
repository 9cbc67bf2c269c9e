#include "im/calls.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace echat::im {

Call& Calls::admit(List::iterator at) {
  assert(at->phase == Call::Phase::Queued && !by_id_.count(at->id));
  by_id_[at->id] = pack(at);
  if (at->deadline) add(*at->deadline);
  phase_in(*at);
  return *at;
}

Call* Calls::find(std::uint64_t id) {
  const std::uint64_t* at = by_id_.find(id);
  return at ? &*unpack(*at) : nullptr;
}

Call* Calls::find_wire(Transport transport, std::uint64_t wire) {
  const std::uint64_t* id = by_wire_.find(wire_key(transport, wire));
  return id ? find(*id) : nullptr;
}

Call Calls::take(std::uint64_t id) {
  // Moved out first: erase() reads only the fields a move leaves as they were (kind, phase, transport,
  // wire and the times).
  Call* at = find(id);
  assert(at);
  Call c = std::move(*at);
  erase(id);
  return c;
}

void Calls::erase(std::uint64_t id) {
  const std::uint64_t* packed = by_id_.find(id);
  assert(packed);
  const List::iterator at = unpack(*packed);
  by_id_.erase(id);
  if (at->deadline) drop(*at->deadline);
  phase_out(*at);
  list_.erase(at);
}

void Calls::sent(Call& c, std::uint64_t wire, std::optional<Millis> attempt_deadline) {
  assert(c.phase == Call::Phase::Queued);
  phase_out(c);
  c.phase = Call::Phase::InFlight;
  c.wire = wire;
  c.attempt_deadline = attempt_deadline;
  phase_in(c);
}

void Calls::requeue(Call& c, Millis not_before) {
  phase_out(c);
  c.phase = Call::Phase::Queued;
  c.wire = 0;
  c.attempt_deadline.reset();
  c.not_before = not_before;
  phase_in(c);
}

void Calls::wait_over(Call& c) {
  assert(c.phase == Call::Phase::Queued);
  phase_out(c);
  c.not_before = 0;
  phase_in(c);
}

void Calls::add(Millis d) {
  // In at the back, then moved down past the later keys (none in the common case).
  const std::uint64_t key = deadline_key(d);
  deadlines_.push_back(key);
  for (std::size_t i = deadlines_.size() - 1; i > 0 && deadlines_[i - 1] > key; --i) {
    std::swap(deadlines_[i - 1], deadlines_[i]);
  }
}

void Calls::drop(Millis d) {
  // The earliest, as a rule (calls finish in the order they were made): no binary search.
  const auto it = deadlines_.front() == deadline_key(d)
                      ? deadlines_.begin()
                      : std::lower_bound(deadlines_.begin(), deadlines_.end(), deadline_key(d));
  assert(it != deadlines_.end() && *it == deadline_key(d));
  deadlines_.erase(it);
}

void Calls::phase_in(const Call& c) {
  if (c.attempt_deadline) add(*c.attempt_deadline);
  if (c.phase == Call::Phase::Queued) {
    ++queued_;
    queued_other_ += c.kind != Call::Kind::Outbox;
    if (c.not_before > 0) add(c.not_before);
  } else {
    outbox_out_ += c.kind == Call::Kind::Outbox;
    http_out_ += c.transport == Transport::Http;
    assert(!by_wire_.count(wire_key(c.transport, c.wire)));  // wire ids are never reused (the Manager's
                                                              // emit ids, the Client's HTTP ids)
    by_wire_[wire_key(c.transport, c.wire)] = c.id;
  }
}

void Calls::phase_out(const Call& c) {
  if (c.attempt_deadline) drop(*c.attempt_deadline);
  if (c.phase == Call::Phase::Queued) {
    --queued_;
    queued_other_ -= c.kind != Call::Kind::Outbox;
    if (c.not_before > 0) drop(c.not_before);
  } else {
    outbox_out_ -= c.kind == Call::Kind::Outbox;
    http_out_ -= c.transport == Transport::Http;
    by_wire_.erase(wire_key(c.transport, c.wire));
  }
}

#ifndef NDEBUG
void Calls::check() const {
  std::size_t entries = 0, queued = 0, other = 0, out = 0, http = 0;
  Millis first = core::kNever;
  const auto see = [&](Millis d) {
    ++entries;
    first = std::min(first, d);
  };
  for (auto it = list_.begin(); it != list_.end(); ++it) {
    const Call& c = *it;
    const std::uint64_t* at = by_id_.find(c.id);
    assert(at && unpack(*at) == it);
    if (c.deadline) see(*c.deadline);
    if (c.attempt_deadline) see(*c.attempt_deadline);
    if (c.phase == Call::Phase::Queued) {
      ++queued;
      other += c.kind != Call::Kind::Outbox;
      if (c.not_before > 0) see(c.not_before);
    } else {
      out += c.kind == Call::Kind::Outbox;
      http += c.transport == Transport::Http;
      const std::uint64_t* w = by_wire_.find(wire_key(c.transport, c.wire));
      assert(w && *w == c.id);
    }
  }
  assert(by_id_.size() == list_.size() && by_wire_.size() == list_.size() - queued);
  assert(std::is_sorted(deadlines_.begin(), deadlines_.end()));
  assert(entries == deadlines_.size() && first == earliest());
  assert(queued == queued_ && other == queued_other_ && out == outbox_out_ && http == http_out_);
  (void)entries, (void)first, (void)queued, (void)other, (void)out, (void)http;
}
#endif

}  // namespace echat::im
