// Timers as data (after quinn-proto): a state machine owns one table of optional deadlines indexed by
// an enum; the host owns the single real timer and arms it at next_deadline(). Nothing here reads a
// clock: every deadline is an absolute time in milliseconds on the host's clock, passed in as `now`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

namespace echat::core {

using Millis = std::int64_t;  // host clock, milliseconds (Date.now() in the mini-program)
constexpr Millis kNever = std::numeric_limits<Millis>::max();  // no deadline (TimerTable::earliest)

// now + ms without overflow (the host's clock and the server's numbers are not trusted to be small).
inline Millis add_ms(Millis now, std::int64_t ms) {
  if (ms > 0 && now > kNever - ms) return kNever;
  return now + ms;
}

// The part of TimerTable that does not depend on its Id: one copy of the code for every table (wasm
// size), each holding room for the largest (kMaxTimers; the unused slots stay disarmed).
class TimerSlots {
 public:
  static constexpr std::size_t kMaxTimers = 4;

  void clear_all() {
    at_.fill(std::nullopt);
    first_ = kNever;
    armed_ = 0;
  }

  // The earliest armed deadline, kNever when none (next() without the optional, for the hot path):
  // kept as the table changes, not searched for: the lanes ask for it several times per input, and
  // each search is a loop interpreted where wasm is (iOS).
  Millis earliest() const { return first_; }

  // The earliest armed deadline, if any.
  std::optional<Millis> next() const { return armed_ ? std::optional<Millis>(first_) : std::nullopt; }

 protected:
  [[gnu::noinline]] void set_slot(std::size_t i, Millis deadline) {
    auto& slot = at_[i];
    const bool was_first = slot && *slot == first_;
    if (!slot) ++armed_;
    slot = deadline;
    // Alone (an open engine.io session's liveness deadline, moved later by every frame), it is the first.
    if (deadline <= first_ || armed_ == 1) {
      first_ = deadline;
    } else if (was_first) {
      first_ = scan();
    }
  }
  [[gnu::noinline]] void clear_slot(std::size_t i) {
    auto& slot = at_[i];
    if (!slot) return;
    const bool was_first = *slot == first_;
    slot.reset();
    --armed_;
    if (was_first) first_ = scan();
  }
  bool fire_slot(std::size_t i, Millis now) {
    const auto& slot = at_[i];
    if (!slot || *slot > now) return false;
    clear_slot(i);
    return true;
  }
  Millis scan() const {
    Millis best = kNever;
    for (const auto& slot : at_) {
      if (slot && *slot < best) best = *slot;
    }
    return best;
  }

  std::array<std::optional<Millis>, kMaxTimers> at_{};
  Millis first_ = kNever;  // the earliest of at_'s armed deadlines (kNever: none)
  unsigned char armed_ = 0;  // how many of at_ are
};

template <typename Id, std::size_t N>
class TimerTable : public TimerSlots {
  static_assert(N <= kMaxTimers);

 public:
  void set(Id id, Millis deadline) { set_slot(index(id), deadline); }
  void clear(Id id) { clear_slot(index(id)); }
  bool armed(Id id) const { return at_[index(id)].has_value(); }
  std::optional<Millis> deadline(Id id) const { return at_[index(id)]; }

  // True (and the timer is disarmed) when `id` was armed and its deadline is at or before `now`.
  bool fire_if_due(Id id, Millis now) { return fire_slot(index(id), now); }

 private:
  static std::size_t index(Id id) { return static_cast<std::size_t>(id); }
};

// Earliest of two optional deadlines.
inline std::optional<Millis> earliest(std::optional<Millis> a, std::optional<Millis> b) {
  if (!a) return b;
  if (!b) return a;
  return *a < *b ? a : b;
}

}  // namespace echat::core
