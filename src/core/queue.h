// A first-in first-out sequence on one vector and an offset: push at the back, take from the front in
// O(1) amortised, iterate in order, erase anywhere. It replaces std::deque, whose block map costs ~3 KB
// of wasm (issue 10, goal 4). The taken slots at the front are reset at once (they hold nothing) and
// dropped when they are at least half of the vector, so the vector is at most twice the live entries
// (plus 64).
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace echat::core {

template <class T>
class Queue {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

  bool empty() const { return head_ == items_.size(); }
  // The slots the vector holds, the taken ones at the front included: at most 2 * size() + 64.
  std::size_t footprint() const { return items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& operator[](std::size_t i) { return items_[head_ + i]; }
  const T& operator[](std::size_t i) const { return items_[head_ + i]; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return items_.back(); }
  const T& back() const { return items_.back(); }

  void push_back(const T& value) { items_.push_back(value); }
  void push_back(T&& value) { items_.push_back(std::move(value)); }
  T& emplace_back() { return items_.emplace_back(); }  // a T made in place, at the back
  void pop_front() {
    if (head_ + 1 == items_.size()) {  // the last one goes: no empty T built to reset its slot first
      clear();
      return;
    }
    T& slot = items_[head_];  // reset in place: no empty T built and moved in
    slot.~T();
    ::new (static_cast<void*>(&slot)) T();
    if (++head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), begin());
      head_ = 0;
    }
  }
  void erase(iterator at) {
    if (at == begin()) {
      pop_front();
    } else {
      items_.erase(at);
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace echat::core
