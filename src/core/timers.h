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

template <typename Id, std::size_t N>
class TimerTable {
 public:
  void set(Id id, Millis deadline) { at_[index(id)] = deadline; }
  void clear(Id id) { at_[index(id)].reset(); }
  void clear_all() { at_.fill(std::nullopt); }
  bool armed(Id id) const { return at_[index(id)].has_value(); }
  std::optional<Millis> deadline(Id id) const { return at_[index(id)]; }

  // True (and the timer is disarmed) when `id` was armed and its deadline is at or before `now`.
  bool fire_if_due(Id id, Millis now) {
    auto& slot = at_[index(id)];
    if (!slot || *slot > now) return false;
    slot.reset();
    return true;
  }

  // The earliest armed deadline, kNever when none (next() without the optional, for the hot path).
  Millis earliest() const {
    Millis best = kNever;
    for (const auto& slot : at_) {
      if (slot && *slot < best) best = *slot;
    }
    return best;
  }

  // The earliest armed deadline, if any.
  std::optional<Millis> next() const {
    std::optional<Millis> best;
    for (const auto& slot : at_) {
      if (slot && (!best || *slot < *best)) best = slot;
    }
    return best;
  }

 private:
  static std::size_t index(Id id) { return static_cast<std::size_t>(id); }
  std::array<std::optional<Millis>, N> at_{};
};

// Earliest of two optional deadlines.
inline std::optional<Millis> earliest(std::optional<Millis> a, std::optional<Millis> b) {
  if (!a) return b;
  if (!b) return a;
  return *a < *b ? a : b;
}

}  // namespace echat::core
