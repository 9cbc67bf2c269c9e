#include "core/order.h"

#include <algorithm>

namespace echat::core {

// A bottom-up merge sort of the positions: stable by construction (a tie keeps the earlier position
// first), n log n comparisons, and a few hundred bytes of wasm where libc++'s introsort (std::sort with
// the position as the tie-break) was ~2 KB.
std::vector<std::size_t> stable_order(std::size_t n, PositionCompare compare, const void* ctx) {
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < n; ++k) order[k] = k;
  std::vector<std::size_t> merged(n);
  for (std::size_t width = 1; width < n; width *= 2) {
    for (std::size_t lo = 0; lo < n; lo += 2 * width) {
      const std::size_t mid = std::min(lo + width, n);
      const std::size_t hi = std::min(lo + 2 * width, n);
      std::size_t a = lo, b = mid, out = lo;
      while (a < mid && b < hi) merged[out++] = compare(ctx, order[b], order[a]) < 0 ? order[b++] : order[a++];
      while (a < mid) merged[out++] = order[a++];
      while (b < hi) merged[out++] = order[b++];
    }
    order.swap(merged);
  }
  return order;
}

}  // namespace echat::core
