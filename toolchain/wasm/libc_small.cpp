// Wasm build only: memcpy (below), and the printf family that the core and libc++ reach, on the
// integer-only formatter of src/core/small_printf.h instead of musl's printf engine (which brings
// floating-point formatting with soft-float long double: ~10 KB of wasm, ~5 KB of the shipped .br).
//  - snprintf/vsnprintf: what libc++ still formats with them (nlohmann/json's escapes were the
//    first reason; the wasm no longer links nlohmann, core::Json writes its own);
//  - sprintf/siprintf: libembind named types with them (sprintf(buf, "%p", ...), which LLVM turns into
//    siprintf) while the boundary used embind; the linker drops them while nothing calls them;
//  - fprintf/fiprintf: libc++ without exceptions reports a failed check (std::string's out_of_range,
//    ...) to stderr before abort(): _emscripten_err writes it to fd 2, which js-shim/loader.js logs.
#include <cstdarg>
#include <cstddef>
#include <cstdio>

#include <emscripten/console.h>

#include "core/small_printf.h"

namespace {

constexpr size_t kUnbounded = static_cast<size_t>(-1) / 2;  // sprintf: the caller sized the buffer

int print_err(const char* fmt, va_list ap) {
  char buf[512];
  const int n = echat::core::small_vsnprintf(buf, sizeof buf, fmt, ap);
  _emscripten_err(buf);
  return n;
}

}  // namespace

// Each variadic entry point only collects its arguments.
#define ECHAT_VARIADIC(call) \
  va_list ap;                \
  va_start(ap, fmt);         \
  const int n = call;        \
  va_end(ap);                \
  return n

extern "C" int vsnprintf(char* buf, size_t cap, const char* fmt, va_list ap) {
  return echat::core::small_vsnprintf(buf, cap, fmt, ap);
}
extern "C" int snprintf(char* buf, size_t cap, const char* fmt, ...) { ECHAT_VARIADIC(vsnprintf(buf, cap, fmt, ap)); }
extern "C" int sprintf(char* buf, const char* fmt, ...) { ECHAT_VARIADIC(vsnprintf(buf, kUnbounded, fmt, ap)); }
extern "C" int siprintf(char* buf, const char* fmt, ...) { ECHAT_VARIADIC(vsnprintf(buf, kUnbounded, fmt, ap)); }
extern "C" int fprintf(FILE*, const char* fmt, ...) { ECHAT_VARIADIC(print_err(fmt, ap)); }
extern "C" int fiprintf(FILE*, const char* fmt, ...) { ECHAT_VARIADIC(print_err(fmt, ap)); }

// memcpy: 32 bytes per turn, then 8, then byte by byte (wasm loads and stores need no alignment).
// Emscripten's is ~480 B of aligned loops; the core copies mostly short strings.
// no_builtin: the loops must not be turned back into a call to memcpy.
namespace {
inline void copy8(unsigned char* d, const unsigned char* s) {
  unsigned long long v;
  __builtin_memcpy(&v, s, 8);
  __builtin_memcpy(d, &v, 8);
}
}  // namespace

extern "C" __attribute__((no_builtin("memcpy"))) void* memcpy(void* __restrict dest, const void* __restrict src,
                                                               size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    copy8(d, s);
    copy8(d + 8, s + 8);
    copy8(d + 16, s + 16);
    copy8(d + 24, s + 24);
  }
  for (; n >= 8; n -= 8, d += 8, s += 8) copy8(d, s);
  while (n--) *d++ = *s++;
  return dest;
}

// strlen: byte by byte (musl's reads a word at a time: 121 B of code for the error messages' and
// libc++'s few C strings).
extern "C" __attribute__((no_builtin("strlen"))) size_t strlen(const char* s) {
  const char* p = s;
  while (*p) ++p;
  return static_cast<size_t>(p - s);
}
