// The wasm build's memcpy, memmove and memset (toolchain/wasm/copy_small.h, which only the wasm build links as
// the C functions) against the C library's: every length up to 80 bytes, every source and destination
// offset in one buffer (overlapping both ways, apart, the same), and the bytes around left alone.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "../../../toolchain/wasm/copy_small.h"

namespace {

constexpr std::size_t kBuffer = 200;

std::vector<unsigned char> pattern() {
  std::vector<unsigned char> b(kBuffer);
  for (std::size_t i = 0; i < kBuffer; ++i) b[i] = static_cast<unsigned char>(i * 7 + 3);
  return b;
}

}  // namespace

TEST_CASE("wasm libc: move() is memmove for every length and overlap, both directions") {
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t from = 0; from + n <= kBuffer && from <= 100; from += (n > 20 ? 3 : 1)) {
      for (std::size_t to = 0; to + n <= kBuffer && to <= 100; ++to) {
        auto got = pattern();
        auto want = pattern();
        void* r = echat::wasm_libc::move<echat::wasm_libc::copy>(got.data() + to, got.data() + from, n);
        std::memmove(want.data() + to, want.data() + from, n);
        INFO("n " << n << " from " << from << " to " << to);
        REQUIRE(r == got.data() + to);
        REQUIRE(got == want);
      }
    }
  }
}

TEST_CASE("wasm libc: copy() is memcpy for every length and alignment, and copies forward") {
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t from = 0; from < 8; ++from) {
      for (std::size_t to = 0; to < 8; ++to) {
        auto src = pattern();
        std::vector<unsigned char> got(kBuffer, 0xEE);
        std::vector<unsigned char> want(kBuffer, 0xEE);
        void* r = echat::wasm_libc::copy(got.data() + to, src.data() + from, n);
        std::memcpy(want.data() + to, src.data() + from, n);
        INFO("n " << n << " from " << from << " to " << to);
        REQUIRE(r == got.data() + to);
        REQUIRE(got == want);
      }
    }
  }
  // move() relies on it copying forward when dest lies below src, overlapping.
  for (std::size_t n = 1; n <= 80; ++n) {
    for (std::size_t gap = 1; gap <= 40; ++gap) {
      auto got = pattern();
      auto want = pattern();
      echat::wasm_libc::copy(got.data() + 10, got.data() + 10 + gap, n);
      std::memmove(want.data() + 10, want.data() + 10 + gap, n);
      INFO("n " << n << " gap " << gap);
      REQUIRE(got == want);
    }
  }
}

TEST_CASE("wasm libc: fill() is memset for every length, offset and byte, and leaves the bytes around alone") {
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t at = 0; at <= 17; ++at) {
      for (const int c : {0, 0x5a, 0xff, -1, 0x1ab}) {  // memset takes the int's low byte
        auto got = pattern();
        auto want = pattern();
        void* r = echat::wasm_libc::fill(got.data() + at, c, n);
        std::memset(want.data() + at, c, n);
        INFO("n " << n << " at " << at << " c " << c);
        REQUIRE(r == got.data() + at);
        REQUIRE(got == want);
      }
    }
  }
}
