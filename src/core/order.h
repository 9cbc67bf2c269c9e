// The core's one sort: the positions 0..n-1 of a sequence, ordered by a three-way comparison, ties by
// position (a stable order). Every std::sort over its own element type and comparator is a separate
// instantiation of libc++'s introsort (~1.3 KB of wasm each); the JSON parser, the outbox and the
// conversation list share this one instead.
#pragma once

#include <cstddef>
#include <vector>

namespace echat::core {

// compare(ctx, a, b): < 0 when position a goes before b, > 0 after, 0 when they are equal.
using PositionCompare = int (*)(const void* ctx, std::size_t a, std::size_t b);

std::vector<std::size_t> stable_order(std::size_t n, PositionCompare compare, const void* ctx);

// stable_order with any callable int(std::size_t a, std::size_t b).
template <class Compare>
std::vector<std::size_t> stable_order(std::size_t n, const Compare& compare) {
  return stable_order(
      n, [](const void* ctx, std::size_t a, std::size_t b) { return (*static_cast<const Compare*>(ctx))(a, b); },
      &compare);
}

// A three-way comparison of two ordered values.
template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace echat::core
