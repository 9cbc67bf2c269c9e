#include "im/inbox.h"

#include <utility>

namespace echat::im {

void Inbox::reset(std::uint64_t synced) {
  // Forget the mids too: after a server reset the new timeline reuses mids, and the old ones would drop
  // its messages as duplicates (the position alone guards what was handed over before).
  synced_ = synced;
  for (const std::uint32_t slot : order_) {
    if (const std::uint32_t ref = slots_[slot].ref) released_.push_back(ref);
  }
  order_.clear();
  slots_.clear();
  free_.clear();
  for (const auto& m : ready_) {
    if (m.ref != 0) released_.push_back(m.ref);
  }
  ready_.clear();
  mids_.clear();
  mid_order_.clear();
}

Inbox::Verdict Inbox::offer(Message m) {
  const std::uint64_t seq = m.seq;
  const std::uint64_t mid = m.mid;
  if (seq == 0 || mid == 0) return Verdict::Invalid;
  if (seq <= synced_ || mids_.count(mid)) return Verdict::Duplicate;
  const std::size_t at = lower_bound(seq);
  if (at < order_.size() && slots_[order_[at]].seq == seq) return Verdict::Duplicate;
  if (seq == synced_ + 1) {
    ready_.push_back(std::move(m));
    synced_ = seq;
    remember(mid);
    drain();
    return Verdict::Delivered;
  }
  if (order_.size() >= max_buffered_) {
    // Full: keep the lowest seqs (they unblock first). The dropped one comes back with the sync.
    const std::uint32_t last = order_.back();
    if (slots_[last].seq < seq) {
      if (m.ref != 0) released_.push_back(m.ref);
      return Verdict::Buffered;
    }
    mids_.erase(slots_[last].mid);
    let_go(last);
    order_.pop_back();  // `at` stays in range: it is not past the last (its seq > seq)
  }
  (void)mids_[mid];
  std::uint32_t slot;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(std::move(m));
  } else {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = std::move(m);
  }
  // In at the back, then moved down to its place (the common gap fills in order: no move at all).
  order_.push_back(slot);
  for (std::size_t i = order_.size() - 1; i > at; --i) std::swap(order_[i - 1], order_[i]);
  return Verdict::Buffered;
}

void Inbox::let_go(std::uint32_t slot) {
  if (const std::uint32_t ref = slots_[slot].ref) released_.push_back(ref);
  free_.push_back(slot);
}

void Inbox::drain() {
  // The leading run that became deliverable, taken out at once (not one by one from the front).
  std::size_t n = 0;
  for (; n < order_.size() && slots_[order_[n]].seq <= synced_ + 1; ++n) {
    const std::uint32_t slot = order_[n];
    Message& m = slots_[slot];
    if (m.seq == synced_ + 1) {
      synced_ = m.seq;
      mid_order_.push_back(m.mid);  // already in mids_
      ready_.push_back(std::move(m));
      free_.push_back(slot);
    } else {
      mids_.erase(m.mid);  // cannot happen (seq <= synced_ is refused), kept for safety
      let_go(slot);
    }
  }
  order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(n));
  if (order_.empty()) {  // nothing buffered: no slot is in use
    slots_.clear();
    free_.clear();
  }
  forget_old_mids();
}

void Inbox::forget_old_mids() {
  while (mid_order_.size() > remembered_mids_) {
    mids_.erase(mid_order_.front());
    mid_order_.pop_front();
  }
}

void Inbox::advance(std::uint64_t mid) {
  // remember() and forget_old_mids() written out: the delivery lane's every message, where each call is
  // dear (interpreted wasm on iOS). One mid in, so at most one out (every input leaves at most
  // remembered_mids_).
  ++synced_;
  (void)mids_[mid];
  mid_order_.push_back(mid);
  if (mid_order_.size() > remembered_mids_) {
    mids_.erase(mid_order_.front());
    mid_order_.pop_front();
  }
}

void Inbox::remember(std::uint64_t mid) {
  (void)mids_[mid];
  mid_order_.push_back(mid);
}

std::vector<Message> Inbox::take_ready() {
  std::vector<Message> out;
  out.swap(ready_);
  return out;
}

std::vector<std::uint32_t> Inbox::take_released() {
  std::vector<std::uint32_t> out;
  out.swap(released_);
  return out;
}

std::optional<std::uint64_t> Inbox::first_buffered() const {
  if (order_.empty()) return std::nullopt;
  return slots_[order_.front()].seq;
}

std::size_t Inbox::lower_bound(std::uint64_t seq) const {
  std::size_t lo = 0, hi = order_.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (slots_[order_[mid]].seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace echat::im
