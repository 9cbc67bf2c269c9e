#include "im/calls.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace echat::im {

Call& Calls::push_back(Call c) {
  assert(c.phase == Call::Phase::Queued && !by_id_.count(c.id));
  list_.push_back(std::move(c));
  by_id_[list_.back().id] = std::prev(list_.end());
  track(list_.back());
  return list_.back();
}

Call& Calls::push_front(Call c) {
  assert(c.phase == Call::Phase::Queued && !by_id_.count(c.id));
  list_.push_front(std::move(c));
  by_id_[list_.front().id] = list_.begin();
  track(list_.front());
  return list_.front();
}

Call* Calls::find(std::uint64_t id) {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &*it->second;
}

Call* Calls::find_wire(Transport transport, std::uint64_t wire) {
  const auto it = by_wire_.find(wire_key(transport, wire));
  return it == by_wire_.end() ? nullptr : find(it->second);
}

Call Calls::take(std::uint64_t id) {
  const auto it = by_id_.find(id);
  assert(it != by_id_.end());
  const List::iterator at = it->second;
  by_id_.erase(it);
  untrack(*at);
  Call c = std::move(*at);
  list_.erase(at);
  return c;
}

void Calls::sent(Call& c, std::uint64_t wire, std::optional<Millis> attempt_deadline) {
  assert(c.phase == Call::Phase::Queued);
  untrack(c);
  c.phase = Call::Phase::InFlight;
  c.wire = wire;
  c.attempt_deadline = attempt_deadline;
  track(c);
}

void Calls::requeue(Call& c, Millis not_before) {
  untrack(c);
  c.phase = Call::Phase::Queued;
  c.wire = 0;
  c.attempt_deadline.reset();
  c.not_before = not_before;
  track(c);
}

void Calls::wait_over(Call& c) {
  assert(c.phase == Call::Phase::Queued);
  untrack(c);
  c.not_before = 0;
  track(c);
}

void Calls::track(const Call& c) {
  const auto add = [&](Millis d) { ++deadlines_[deadline_key(d)]; };
  if (c.deadline) add(*c.deadline);
  if (c.attempt_deadline) add(*c.attempt_deadline);
  if (c.phase == Call::Phase::Queued) {
    ++queued_;
    queued_other_ += c.kind != Call::Kind::Outbox;
    if (c.not_before > 0) add(c.not_before);
  } else {
    outbox_out_ += c.kind == Call::Kind::Outbox;
    http_out_ += c.transport == Transport::Http;
    const bool fresh = by_wire_.emplace(wire_key(c.transport, c.wire), c.id).second;
    assert(fresh);  // wire ids are never reused (the Manager's emit ids, the Client's HTTP ids)
    (void)fresh;
  }
}

void Calls::untrack(const Call& c) {
  const auto drop = [&](Millis d) {
    const auto it = deadlines_.find(deadline_key(d));
    if (--it->second == 0) deadlines_.erase(it);
  };
  if (c.deadline) drop(*c.deadline);
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
    const auto id = by_id_.find(c.id);
    assert(id != by_id_.end() && id->second == it);
    if (c.deadline) see(*c.deadline);
    if (c.attempt_deadline) see(*c.attempt_deadline);
    if (c.phase == Call::Phase::Queued) {
      ++queued;
      other += c.kind != Call::Kind::Outbox;
      if (c.not_before > 0) see(c.not_before);
    } else {
      out += c.kind == Call::Kind::Outbox;
      http += c.transport == Transport::Http;
      const auto w = by_wire_.find(wire_key(c.transport, c.wire));
      assert(w != by_wire_.end() && w->second == c.id);
    }
  }
  assert(by_id_.size() == list_.size() && by_wire_.size() == list_.size() - queued);
  std::size_t kept = 0;
  for (const auto& [key, count] : deadlines_) {
    assert(count > 0);
    kept += count;
  }
  assert(entries == kept && first == earliest());
  (void)kept;
  assert(queued == queued_ && other == queued_other_ && out == outbox_out_ && http == http_out_);
  (void)entries, (void)first, (void)queued, (void)other, (void)out, (void)http;
}
#endif

}  // namespace echat::im
