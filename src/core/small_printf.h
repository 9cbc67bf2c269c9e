// An integer-only vsnprintf: %d %i %u %x %X %p %c %s %%, flags '0' and '-', width, precision, length
// modifiers l ll z h hh; anything else prints as '?'. Same return value and truncation rules as C's.
//
// Why: the wasm build replaces musl's snprintf/vsnprintf with this one (toolchain/wasm/libc_small.cpp).
// libc++ and libembind reach the printf family, and musl's printf engine brings floating-point (long
// double, soft-float) formatting: ~10 KB of wasm, ~3 KB of the shipped .wasm.br. tests/native/core/small_printf_test.cpp compares it with the C library.
// Consequence for src/: never format floating point through printf or std::to_string(double) (both end
// here and print '?'); the core has no need for it (core::Json keeps numbers as text).
// toolchain/build.sh refuses %f/%g/%e formats.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace echat::core {

int small_vsnprintf(char* buf, std::size_t cap, const char* fmt, va_list ap);

}  // namespace echat::core
