// A map from 64-bit keys to 64-bit values in one flat table: open addressing with linear probing,
// Fibonacci hashing, at most half full, erase by shifting the probe run back (no tombstones). It
// replaces std::map<u64, u64> where the order of keys is never read (the inbox's remembered mids, the
// client's holders of host-kept messages): a delivery there did three tree walks, an allocation and a
// free, each dear where wasm is interpreted (WeChat on iOS; docs/benchmarks.md). Key 0 is kept apart
// (a slot whose key is 0 is empty). Every operation is O(1) expected and O(size) at worst: keys chosen
// to collide (a hostile server's mids) cost probes, never memory beyond twice the live entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace echat::core {

class U64Map {
 public:
  using u64 = std::uint64_t;

  // The value of key, or nullptr.
  const u64* find(u64 key) const {
    if (key == 0) return zero_ ? &zero_value_ : nullptr;
    const std::size_t i = slot(key);
    return i == kNone ? nullptr : &slots_[i].value;
  }
  u64* find(u64 key) { return const_cast<u64*>(static_cast<const U64Map&>(*this).find(key)); }
  std::size_t count(u64 key) const { return key == 0 ? (zero_ ? 1 : 0) : (slot(key) == kNone ? 0 : 1); }

  // The value of key, inserted as 0 when absent. One probe run finds the key or the empty slot where
  // it goes (a delivery inserts two keys: find, then insert, walked it twice, interpreted on iOS).
  u64& operator[](u64 key) {
    if (key == 0) {
      if (!zero_) zero_value_ = 0;
      zero_ = true;
      return zero_value_;
    }
    std::size_t i = 0;
    if (!slots_.empty()) {
      i = probe(key);
      if (slots_[i].key == key) return slots_[i].value;
    }
    if ((used_ + 1) * 2 > slots_.size()) {
      grow();
      i = probe(key);
    }
    ++used_;
    slots_[i].key = key;  // an empty slot's value is 0
    return slots_[i].value;
  }

  // Removes key; false when it was absent.
  bool erase(u64 key) {
    if (key == 0) {
      const bool had = zero_;
      zero_ = false;
      return had;
    }
    const std::size_t i = slot(key);
    if (i == kNone) return false;
    remove(i);
    return true;
  }
  // Removes the entry whose value find() or operator[] returned (no second probe for a key just found;
  // nothing inserted or erased since).
  void erase_found(const u64* value) {
    if (value == &zero_value_) {
      zero_ = false;
    } else {
      remove(static_cast<std::size_t>(reinterpret_cast<const char*>(value) - reinterpret_cast<const char*>(slots_.data())) /
             sizeof(Slot));
    }
  }

  std::size_t size() const { return used_ + (zero_ ? 1 : 0); }
  bool empty() const { return size() == 0; }
  // Forgets every entry; the table keeps its room.
  void clear() {
    for (Slot& s : slots_) s = Slot{};
    used_ = 0;
    zero_ = false;
  }
  // The slots the table holds: at most four times the most keys it held at once (16 at least).
  std::size_t footprint() const { return slots_.size(); }

 private:
  struct Slot {
    u64 key = 0;
    u64 value = 0;
  };

  static constexpr std::size_t kNone = ~std::size_t{0};

  // The index of key's slot (key != 0), or kNone.
  __attribute__((always_inline)) std::size_t slot(u64 key) const {
    if (slots_.empty()) return kNone;
    const std::size_t i = probe(key);
    return slots_[i].key == key ? i : kNone;
  }
  // The slot of key (key != 0, the table not empty), or the empty slot that ends its probe run.
  __attribute__((always_inline)) std::size_t probe(u64 key) const {
    std::size_t i = home(key);
    while (slots_[i].key != key && slots_[i].key != 0) i = (i + 1) & mask();
    return i;
  }
  // Empties slot `hole`: every later entry of its probe run whose home is not between the hole and
  // itself (cyclically) moves back into the hole, so that every key stays reachable from its home.
  void remove(std::size_t hole) {
    for (std::size_t j = (hole + 1) & mask(); slots_[j].key != 0; j = (j + 1) & mask()) {
      const std::size_t h = home(slots_[j].key);
      if (((j - h) & mask()) >= ((j - hole) & mask())) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --used_;
  }
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(u64 key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - bits_));
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    bits_ = old.empty() ? 4 : bits_ + 1;
    slots_.resize(std::size_t{1} << bits_);
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key != 0) (*this)[s.key] = s.value;
    }
  }

  std::vector<Slot> slots_;
  unsigned bits_ = 0;
  std::size_t used_ = 0;  // keys other than 0
  bool zero_ = false;
  u64 zero_value_ = 0;
};

}  // namespace echat::core
