// The block sizes of the wasm build's allocator (toolchain/wasm/malloc_small.cpp), apart so that the
// native tests check them (tests/native/core/size_classes_test.cpp): 32 bytes, then four steps per
// power of two (40, 48, 56, 64, 80, 96, 112, 128, 160, ...), every one a multiple of 8, so a block
// wastes at most a quarter of its size.
#pragma once

#include <cstdint>

namespace echat::wasm_heap {

constexpr uint32_t kClasses = 1 + (31 - 5) * 4;
constexpr uint32_t kMaxTotal = 0x7fff0000u;  // the largest block asked for (header included)

// A block's total size (header included, 1..kMaxTotal) -> its class.
constexpr uint32_t class_of(uint32_t total) {
  if (total <= 32) return 0;
  const uint32_t v = total - 1;
  const uint32_t e = 31 - static_cast<uint32_t>(__builtin_clz(v));  // 2^e <= v < 2^(e+1), e >= 5
  return (e - 5) * 4 + (v >> (e - 2)) - 3;                             // v >> (e-2) is 4..7
}

// A class -> the size of its blocks.
constexpr uint32_t class_size(uint32_t c) {
  if (c == 0) return 32;
  const uint32_t e = (c - 1) / 4 + 5;
  return ((c - 1) % 4 + 5) << (e - 2);
}

}  // namespace echat::wasm_heap
