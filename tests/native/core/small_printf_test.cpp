#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "core/small_printf.h"

namespace {

std::string small(std::size_t cap, const char* fmt, ...) {
  std::string buf(cap, '#');
  va_list ap;
  va_start(ap, fmt);
  const int n = echat::core::small_vsnprintf(cap ? &buf[0] : nullptr, cap, fmt, ap);
  va_end(ap);
  return std::to_string(n) + ":" + (cap ? std::string(buf.c_str()) : std::string());
}

std::string libc(std::size_t cap, const char* fmt, ...) {
  std::string buf(cap, '#');
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(cap ? &buf[0] : nullptr, cap, fmt, ap);
  va_end(ap);
  return std::to_string(n) + ":" + (cap ? std::string(buf.c_str()) : std::string());
}

}  // namespace

// The format calls nlohmann/json makes, and the rest of what the formatter claims, against the C library.
#define SAME(cap, ...) CHECK(small(cap, __VA_ARGS__) == libc(cap, __VA_ARGS__))

TEST_CASE("small_vsnprintf matches the C library on the supported formats", "[core][printf]") {
  SAME(16, "\\u%04x", 0x1f);
  SAME(16, "\\u%04x\\u%04x", 0xd83d, 0xde00);
  SAME(16, "<U+%.4X>", 0x7);
  SAME(32, "%d|%i|%u", -42, 0, 4000000000u);
  SAME(32, "%ld|%lld|%zu|%llx", -7L, -9000000000LL, std::size_t(12), 0xdeadbeefcafeULL);
  SAME(32, "%5d|%-5d|%05d", 42, 42, -42);
  SAME(32, "%s-%.2s-%6s-%-6s|", "abc", "xyz", "r", "l");
  SAME(32, "%c%c%%", 'o', 'k');
  SAME(32, "%hhu %hd", 255, -3);
  int x = 0;
  SAME(32, "%p", static_cast<void*>(&x));  // libembind names types with "%p"
}

TEST_CASE("small_vsnprintf truncates like the C library", "[core][printf]") {
  SAME(4, "\\u%04x", 0x1f);
  SAME(1, "abc");
  SAME(0, "%d", 12345);
  SAME(6, "%s", "exactly");
}

TEST_CASE("small_vsnprintf prints unsupported conversions as '?'", "[core][printf]") {
  CHECK(small(16, "%f|%e", 1.5, 2.5) == "3:?|?");
  CHECK(small(16, "100%") == "4:100?");
}
