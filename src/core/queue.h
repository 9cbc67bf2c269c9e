// A first-in first-out sequence in a ring: push at the back, take from the front in O(1), iterate in
// order (random access), erase anywhere. It replaces std::deque, whose block map costs ~3 KB of wasm
// (issue 10, goal 4), and then a vector with a moving front, which built an empty T in every slot it
// took from and moved the live ones down from time to time (an outbox entry made, moved and destroyed
// twice per message sent: dear where wasm is interpreted, WeChat on iOS; docs/benchmarks.md). Here a
// slot holds a T only while it is live: a push makes one in place, a take destroys it, and nothing
// moves but when the ring grows (its room doubles: at most twice the most entries held at once, 16 at
// least; the room is kept, as a vector's).
#pragma once

#include <cstddef>
#include <iterator>
#include <new>
#include <utility>

namespace echat::core {

template <class T>
class Queue {
 public:
  // A position: the queue and an index from its front (random access, for std::lower_bound and such).
  template <class Q, class V>
  class Iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = V*;
    using reference = V&;

    Iter() = default;
    Iter(Q* q, std::size_t i) : q_(q), i_(i) {}
    operator Iter<const Queue, const T>() const { return {q_, i_}; }  // NOLINT: iterator to const_iterator

    V& operator*() const { return (*q_)[i_]; }
    V* operator->() const { return &(*q_)[i_]; }
    V& operator[](difference_type n) const { return (*q_)[i_ + static_cast<std::size_t>(n)]; }
    Iter& operator++() { ++i_; return *this; }
    Iter& operator--() { --i_; return *this; }
    Iter operator++(int) { Iter was = *this; ++i_; return was; }
    Iter operator--(int) { Iter was = *this; --i_; return was; }
    Iter& operator+=(difference_type n) { i_ += static_cast<std::size_t>(n); return *this; }
    Iter& operator-=(difference_type n) { i_ -= static_cast<std::size_t>(n); return *this; }
    Iter operator+(difference_type n) const { return {q_, i_ + static_cast<std::size_t>(n)}; }
    Iter operator-(difference_type n) const { return {q_, i_ - static_cast<std::size_t>(n)}; }
    difference_type operator-(const Iter& o) const { return static_cast<difference_type>(i_ - o.i_); }
    bool operator==(const Iter& o) const { return i_ == o.i_; }
    bool operator!=(const Iter& o) const { return i_ != o.i_; }
    bool operator<(const Iter& o) const { return i_ < o.i_; }
    bool operator>(const Iter& o) const { return i_ > o.i_; }
    bool operator<=(const Iter& o) const { return i_ <= o.i_; }
    bool operator>=(const Iter& o) const { return i_ >= o.i_; }
    std::size_t index() const { return i_; }

   private:
    Q* q_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = Iter<Queue, T>;
  using const_iterator = Iter<const Queue, const T>;

  Queue() = default;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  Queue(Queue&& o) noexcept { take(o); }
  Queue& operator=(Queue&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~Queue() { release(); }

  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // The slots the ring holds: at most twice the most entries held at once (16 at least).
  std::size_t footprint() const { return cap_; }
  T& operator[](std::size_t i) { return ring_[(head_ + i) & (cap_ - 1)]; }
  const T& operator[](std::size_t i) const { return ring_[(head_ + i) & (cap_ - 1)]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  // A T made in place, at the back.
  T& emplace_back() {
    if (size_ == cap_) grow();
    T* at = &(*this)[size_];
    ::new (static_cast<void*>(at)) T();
    ++size_;
    return *at;
  }
  void push_back(T value) { emplace_back() = std::move(value); }  // (a copy first: `value` may be an entry)
  void pop_front() {
    ring_[head_].~T();
    head_ = --size_ == 0 ? 0 : (head_ + 1) & (cap_ - 1);
  }
  // Erases the entry at `at`; the later ones move up by one.
  void erase(const_iterator at) {
    std::size_t i = at.index();
    if (i == 0) {
      pop_front();
      return;
    }
    for (; i + 1 < size_; ++i) (*this)[i] = std::move((*this)[i + 1]);
    (*this)[i].~T();
    --size_;
  }
  void clear() {
    while (size_ > 0) pop_front();
  }

 private:
  void grow() {
    const std::size_t cap = cap_ == 0 ? 16 : cap_ * 2;
    T* ring = static_cast<T*>(::operator new(cap * sizeof(T)));
    for (std::size_t i = 0; i < size_; ++i) {
      T& from = (*this)[i];
      ::new (static_cast<void*>(ring + i)) T(std::move(from));
      from.~T();
    }
    ::operator delete(ring_);
    ring_ = ring;
    cap_ = cap;
    head_ = 0;
  }
  void release() {
    clear();
    ::operator delete(ring_);
    ring_ = nullptr;
    cap_ = 0;
  }
  void take(Queue& o) {
    ring_ = std::exchange(o.ring_, nullptr);
    cap_ = std::exchange(o.cap_, 0);
    head_ = std::exchange(o.head_, 0);
    size_ = std::exchange(o.size_, 0);
  }

  T* ring_ = nullptr;
  std::size_t cap_ = 0;   // 0 or a power of two
  std::size_t head_ = 0;  // the front's slot
  std::size_t size_ = 0;
};

}  // namespace echat::core
