// A fake host clock for sans-I/O tests: time only moves when the test says so.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

namespace echat::testing {

struct FakeClock {
  std::int64_t now = 0;
  std::int64_t advance(std::int64_t ms) { return now += ms; }
};

// Lets time pass up to clock.now + ms, firing in time order the core's deadlines (core.on_timer) and,
// when `server_pings` is set, the in-memory server's heartbeat pings (next_ping: transport -> due time;
// each ping is re-armed one ping_interval later and handed to fire_ping). pump() runs before each step
// and at the end, so outputs produced by one step are delivered before the next.
template <typename Core, typename Pump, typename FirePing>
void advance_time(FakeClock& clock, std::int64_t ms, Core& core, bool server_pings,
                  std::map<std::uint32_t, std::int64_t>& next_ping, std::int64_t ping_interval, Pump pump,
                  FirePing fire_ping) {
  const std::int64_t target = clock.now + ms;
  for (int guard = 0; guard < 100000; ++guard) {
    pump();
    std::optional<std::int64_t> next = core.next_deadline();
    std::optional<std::uint32_t> ping_conn;
    if (server_pings) {
      for (const auto& [t, at] : next_ping) {
        if (!next || at < *next) {
          next = at;
          ping_conn = t;
        }
      }
    }
    if (!next || *next > target) break;
    clock.now = std::max(clock.now, *next);
    if (ping_conn) {
      next_ping[*ping_conn] = clock.now + ping_interval;
      fire_ping(*ping_conn);
    } else {
      core.on_timer(clock.now);
    }
  }
  clock.now = std::max(clock.now, target);
  pump();
}

}  // namespace echat::testing
