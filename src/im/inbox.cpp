#include "im/inbox.h"

#include <utility>

namespace echat::im {

void Inbox::reset(std::uint64_t synced) {
  // Forget the mids too: after a server reset the new timeline reuses mids, and the old ones would drop
  // its messages as duplicates (the position alone guards what was handed over before).
  synced_ = synced;
  for (const auto& [seq, m] : buffer_) {
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
  if (seq <= synced_ || mids_.count(mid) || buffer_.count(seq)) return Verdict::Duplicate;
  if (seq == synced_ + 1) {
    ready_.push_back(std::move(m));
    synced_ = seq;
    remember(mid);
    drain();
    return Verdict::Delivered;
  }
  if (buffer_.size() >= max_buffered_) {
    // Full: keep the lowest seqs (they unblock first). The dropped one comes back with the sync.
    auto last = std::prev(buffer_.end());
    if (last->first < seq) {
      if (m.ref != 0) released_.push_back(m.ref);
      return Verdict::Buffered;
    }
    mids_.erase(last->second.mid);
    if (last->second.ref != 0) released_.push_back(last->second.ref);
    buffer_.erase(last);
  }
  (void)mids_[mid];
  buffer_.emplace(seq, std::move(m));
  return Verdict::Buffered;
}

void Inbox::drain() {
  while (!buffer_.empty() && buffer_.begin()->first <= synced_ + 1) {
    auto node = buffer_.extract(buffer_.begin());
    Message& m = node.mapped();
    if (m.seq == synced_ + 1) {
      synced_ = m.seq;
      mid_order_.push_back(m.mid);  // already in mids_
      ready_.push_back(std::move(m));
    } else {
      mids_.erase(m.mid);  // cannot happen (seq <= synced_ is refused), kept for safety
      if (m.ref != 0) released_.push_back(m.ref);
    }
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
  return buffer_.begin()->first;
}

}  // namespace echat::im
