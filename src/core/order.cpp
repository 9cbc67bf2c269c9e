#include "core/order.h"

#include <algorithm>

namespace echat::core {

std::vector<std::size_t> stable_order(std::size_t n, PositionCompare compare, const void* ctx) {
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < n; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [compare, ctx](std::size_t a, std::size_t b) {
    const int c = compare(ctx, a, b);
    return c < 0 || (c == 0 && a < b);
  });
  return order;
}

}  // namespace echat::core
