// Wasm build only: musl's snprintf/vsnprintf replaced by the integer-only formatter of
// src/core/small_printf.h (see there why: ~3 KB of the shipped .wasm.br).
#include <cstdarg>
#include <cstddef>
#include <cstdio>

#include <emscripten/console.h>

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

// libembind (built without RTTI) names types with sprintf(buf, "%p", ...), which LLVM turns into
// siprintf; defining both keeps musl's printf engine out of the link too.
extern "C" int siprintf(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(buf, static_cast<size_t>(-1) / 2, fmt, ap);
  va_end(ap);
  return n;
}

extern "C" int sprintf(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(buf, static_cast<size_t>(-1) / 2, fmt, ap);
  va_end(ap);
  return n;
}

// libc++ built without exceptions reports a failed check (std::string's out_of_range, ...) with
// fprintf(stderr, ...) before abort(): the message goes to the glue's err() through _emscripten_err
// instead of musl's stdio and printf engine (with floating point: ~10 KB of wasm).
extern "C" int fiprintf(FILE*, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  _emscripten_err(buf);
  return n;
}

extern "C" int fprintf(FILE*, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  _emscripten_err(buf);
  return n;
}
