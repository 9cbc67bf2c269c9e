// What every fuzz target shares: reading a fuzz input as a script of bytes and length-prefixed
// strings, and an invariant check that aborts (libFuzzer records the input as a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace echat::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

struct Reader {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  // A string of up to 255 bytes: one length byte, then the bytes (cut short at the end of the input).
  std::string bytes() {
    std::size_t len = byte();
    if (len > n) len = n;
    std::string s(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

}  // namespace echat::fuzz
