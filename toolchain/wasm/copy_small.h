// The wasm build's memcpy, memmove and memset bodies (toolchain/wasm/libc_small.cpp defines the C functions with
// them), here so that the native tests can check them against the C library's
// (tests/native/core/copy_small_test.cpp): every length and overlap, both directions.
// no_builtin: the loops must not be turned back into calls to memcpy/memmove (the functions themselves;
// a clang attribute: GCC, which builds the native tests, has none and needs none there). always_inline:
// with attributes other than the C functions', the optimiser kept them out of line (memcpy a call to
// copy(), one more call per copy).
#pragma once

#include <cstddef>

#if defined(__clang__)
#define ECHAT_NO_BUILTIN_COPY __attribute__((no_builtin("memcpy", "memmove", "memset"), always_inline))
#else
#define ECHAT_NO_BUILTIN_COPY
#endif

namespace echat::wasm_libc {

inline void copy8(unsigned char* d, const unsigned char* s) {
  unsigned long long v;
  __builtin_memcpy(&v, s, 8);
  __builtin_memcpy(d, &v, 8);
}

inline void copy4(unsigned char* d, const unsigned char* s) {
  unsigned v;
  __builtin_memcpy(&v, s, 4);
  __builtin_memcpy(d, &v, 4);
}

// 32 bytes per turn, then the rest (under 32) in at most five steps of 16, 8, 4, 2 and 1 bytes (wasm
// loads and stores need no alignment). Emscripten's memcpy is ~480 B of aligned loops; the core copies
// mostly short strings, and in an interpreter (WeChat on iOS) every loop turn costs: a rest copied 8 then
// 1 byte per turn was ~9 turns per copy (bench/jsc/calls.js). Forward, each piece loaded before it is
// stored, in order (no restrict: the compiler may not reorder them), so that move() may copy through it
// when dest lies below src.
ECHAT_NO_BUILTIN_COPY inline void* copy(void* dest, const void* src, std::size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    copy8(d, s);
    copy8(d + 8, s + 8);
    copy8(d + 16, s + 16);
    copy8(d + 24, s + 24);
  }
  if (n & 16) {
    copy8(d, s);
    copy8(d + 8, s + 8);
    d += 16;
    s += 16;
  }
  if (n & 8) {
    copy8(d, s);
    d += 8;
    s += 8;
  }
  if (n & 4) {
    copy4(d, s);
    d += 4;
    s += 4;
  }
  if (n & 2) {
    d[0] = s[0];
    d[1] = s[1];
    d += 2;
    s += 2;
  }
  if (n & 1) *d = *s;
  return dest;
}

// Forward (memcpy: copy() or a function that copies as it does) unless dest lies inside (src, src + n);
// then from the end, 8 bytes per turn.
// Emscripten's -Oz libc copies every byte backwards whenever dest lies above src, overlapping or not,
// and libc++'s std::string assign/append/insert copy with memmove (char_traits::move): a string filled
// from a lower address (the stack, the host's shared region) paid one interpreted loop turn per byte on
// iOS (found in the send lane's profile, docs/benchmarks.md).
template <void* (*Forward)(void*, const void*, std::size_t)>
ECHAT_NO_BUILTIN_COPY inline void* move(void* dest, const void* src, std::size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d <= s || d >= s + n) return Forward(dest, src, n);
  d += n;
  s += n;
  for (; n >= 8; n -= 8) {
    d -= 8;
    s -= 8;
    copy8(d, s);
  }
  while (n--) *--d = *--s;
  return dest;
}

// memset: 32 bytes per turn, then 8, then byte by byte (what it zeroes is mostly structs of 8-byte
// multiples). Emscripten's -Oz libc (emscripten_memset.c) sets one byte per loop turn, and every
// value-initialised struct the core builds (an outbox entry, a call, a queue slot reset in place) is a
// memset: ~64 interpreted turns for an OutboxEntry on iOS; 8 bytes per turn was still ~16 per memset
// of a sent message (bench/jsc/calls.js).
ECHAT_NO_BUILTIN_COPY inline void* fill(void* dest, int c, std::size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const unsigned long long v = 0x0101010101010101ULL * static_cast<unsigned char>(c);
  for (; n >= 32; n -= 32, d += 32) {
    __builtin_memcpy(d, &v, 8);
    __builtin_memcpy(d + 8, &v, 8);
    __builtin_memcpy(d + 16, &v, 8);
    __builtin_memcpy(d + 24, &v, 8);
  }
  for (; n >= 8; n -= 8, d += 8) __builtin_memcpy(d, &v, 8);
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dest;
}

}  // namespace echat::wasm_libc
