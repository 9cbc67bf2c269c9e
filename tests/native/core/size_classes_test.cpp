// The wasm allocator's block sizes (toolchain/wasm/size_classes.h, used by toolchain/wasm/malloc_small.cpp,
// which only the wasm build links): every request fits its class's block, blocks are 8-byte multiples,
// a block wastes at most a quarter of its size, and classes grow with the request.
#include <catch2/catch.hpp>

#include <cstdint>

#include "../../../toolchain/wasm/size_classes.h"

using echat::wasm_heap::class_of;
using echat::wasm_heap::class_size;
using echat::wasm_heap::kClasses;
using echat::wasm_heap::kMaxTotal;

namespace {

void check(uint32_t total) {
  const uint32_t c = class_of(total);
  INFO("total " << total << " class " << c);
  REQUIRE(c < kClasses);
  const uint64_t size = class_size(c);
  REQUIRE(size >= total);
  REQUIRE(size % 8 == 0);
  REQUIRE((size <= 32 || size * 4 <= uint64_t{total} * 5 + 4 * 8));  // at most a quarter wasted (+ rounding)
  if (c > 0) REQUIRE(class_size(c - 1) < total);                      // the smallest class that fits
}

}  // namespace

TEST_CASE("wasm allocator: every size up to 256 KiB + 64 fits the smallest class that holds it") {
  uint32_t last = 0;
  for (uint32_t total = 1; total <= (1u << 18) + 64; ++total) {
    check(total);
    REQUIRE(class_of(total) >= last);
    last = class_of(total);
  }
}

TEST_CASE("wasm allocator: the largest sizes and every class's own size") {
  for (uint32_t total = kMaxTotal; total > kMaxTotal - 100000; --total) check(total);
  for (uint32_t shift = 18; shift < 31; ++shift) {
    for (int64_t d = -9; d <= 9; ++d) check(static_cast<uint32_t>((int64_t{1} << shift) + d));
  }
  REQUIRE(class_of(kMaxTotal) == kClasses - 1);
  for (uint32_t c = 0; c < kClasses; ++c) REQUIRE(class_of(class_size(c)) == c);
  REQUIRE(class_size(0) == 32);
  REQUIRE(class_size(1) == 40);
  REQUIRE(class_size(4) == 64);
  REQUIRE(class_size(5) == 80);
}
