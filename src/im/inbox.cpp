#include "im/inbox.h"

#include <utility>

namespace echat::im {

void Inbox::reset(std::uint64_t synced) {
  // Forget the mids too: after a server reset the new timeline reuses mids, and the old ones would drop
  // its messages as duplicates (the position alone guards what was handed over before).
  synced_ = synced;
  for (const auto& m : buffer_) {
    if (m.ref != 0) released_.push_back(m.ref);
  }
  buffer_.clear();
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
  auto at = lower_bound(seq);
  if (at != buffer_.end() && at->seq == seq) return Verdict::Duplicate;
  if (seq == synced_ + 1) {
    ready_.push_back(std::move(m));
    synced_ = seq;
    remember(mid);
    drain();
    return Verdict::Delivered;
  }
  if (buffer_.size() >= max_buffered_) {
    // Full: keep the lowest seqs (they unblock first). The dropped one comes back with the sync.
    const Message& last = buffer_.back();
    if (last.seq < seq) {
      if (m.ref != 0) released_.push_back(m.ref);
      return Verdict::Buffered;
    }
    mids_.erase(last.mid);
    if (last.ref != 0) released_.push_back(last.ref);
    buffer_.pop_back();  // `at` stays valid: it is not past the last (last.seq > seq)
  }
  (void)mids_[mid];
  // In at the back, then moved down to its place (the common gap fills in order: no move at all).
  const std::size_t place = static_cast<std::size_t>(at - buffer_.begin());
  buffer_.push_back(std::move(m));
  for (std::size_t i = buffer_.size() - 1; i > place; --i) std::swap(buffer_[i - 1], buffer_[i]);
  return Verdict::Buffered;
}

void Inbox::drain() {
  // The leading run that became deliverable, taken out at once (not one by one from the front).
  auto it = buffer_.begin();
  for (; it != buffer_.end() && it->seq <= synced_ + 1; ++it) {
    Message& m = *it;
    if (m.seq == synced_ + 1) {
      synced_ = m.seq;
      mid_order_.push_back(m.mid);  // already in mids_
      ready_.push_back(std::move(m));
    } else {
      mids_.erase(m.mid);  // cannot happen (seq <= synced_ is refused), kept for safety
      if (m.ref != 0) released_.push_back(m.ref);
    }
  }
  buffer_.erase(buffer_.begin(), it);
  forget_old_mids();
}

void Inbox::forget_old_mids() {
  while (mid_order_.size() > remembered_mids_) {
    mids_.erase(mid_order_.front());
    mid_order_.pop_front();
  }
}

void Inbox::advance(std::uint64_t mid) {
  ++synced_;
  remember(mid);
  forget_old_mids();
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
  if (buffer_.empty()) return std::nullopt;
  return buffer_.front().seq;
}

std::vector<Message>::iterator Inbox::lower_bound(std::uint64_t seq) {
  std::size_t lo = 0, hi = buffer_.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (buffer_[mid].seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return buffer_.begin() + static_cast<std::ptrdiff_t>(lo);
}

}  // namespace echat::im
