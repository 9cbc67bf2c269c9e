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

#include "copy_small.h"
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

// memcpy, memmove and memset: toolchain/wasm/copy_small.h (tested natively there). memmove has its own
// forward loop (copy() inlined, +156 B of wasm): every std::copy of chars and every std::string
// assign/append is a memmove, and calling memcpy from it was one more interpreted call per copy on iOS.
extern "C" __attribute__((no_builtin("memcpy"))) void* memcpy(void* dest, const void* src, size_t n) {
  return echat::wasm_libc::copy(dest, src, n);
}
extern "C" __attribute__((no_builtin("memmove"))) void* memmove(void* dest, const void* src, size_t n) {
  return echat::wasm_libc::move<echat::wasm_libc::copy>(dest, src, n);
}
extern "C" __attribute__((no_builtin("memset"))) void* memset(void* dest, int c, size_t n) {
  return echat::wasm_libc::fill(dest, c, n);
}

// strlen: byte by byte (musl's reads a word at a time: 121 B of code for the error messages' and
// libc++'s few C strings).
extern "C" __attribute__((no_builtin("strlen"))) size_t strlen(const char* s) {
  const char* p = s;
  while (*p) ++p;
  return static_cast<size_t>(p - s);
}
