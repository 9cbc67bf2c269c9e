// Wasm build only: musl's snprintf/vsnprintf replaced by the integer-only formatter of
// src/core/small_printf.h (see there why: ~3 KB of the shipped .wasm.br).
#include <cstdarg>
#include <cstddef>

#include "core/small_printf.h"

extern "C" int vsnprintf(char* buf, size_t cap, const char* fmt, va_list ap) {
  return echat::core::small_vsnprintf(buf, cap, fmt, ap);
}

extern "C" int snprintf(char* buf, size_t cap, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}
