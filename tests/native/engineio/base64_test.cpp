#include <catch2/catch.hpp>

#include "core/base64.h"

using echat::core::base64_decode;
using echat::core::base64_encode;

TEST_CASE("base64: RFC 4648 test vectors", "[core][base64]") {
  const std::pair<const char*, const char*> v[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, coded] : v) {
    CHECK(base64_encode(plain) == coded);
    auto d = base64_decode(coded);
    REQUIRE(d.ok());
    CHECK(d.value() == plain);
  }
  CHECK(base64_encode(std::string("\x01\x02\x03\x04", 4)) == "AQIDBA==");
  CHECK(base64_encode("\xff\xfe\xfd") == "//79");
  CHECK(base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64: unpadded input is accepted", "[core][base64]") {
  CHECK(base64_decode("Zg").value() == "f");
  CHECK(base64_decode("Zm8").value() == "fo");
  CHECK(base64_decode("AQIDBA").value() == std::string("\x01\x02\x03\x04", 4));
}

TEST_CASE("base64: every byte value round-trips at every length", "[core][base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::string s = all.substr(all.size() - n);
    auto d = base64_decode(base64_encode(s));
    REQUIRE(d.ok());
    CHECK(d.value() == s);
  }
}

TEST_CASE("base64: bad characters and lengths are Peer errors", "[core][base64]") {
  struct Case { const char* text; const char* code; const char* needle; };
  const Case cases[] = {
      {"A", "base64.bad_length", "1 mod 4"},
      {"AAAAA", "base64.bad_length", "1 mod 4"},
      {"=", "base64.bad_length", "not a multiple of 4"},
      {"A=", "base64.bad_length", "not a multiple of 4"},
      {"AA=", "base64.bad_length", "not a multiple of 4"},
      {"A===", "base64.bad_length", "more than two"},
      {"====", "base64.bad_length", "offset 0"},
      {"AB=C", "base64.bad_length", "offset 2"},
      {"A=BC", "base64.bad_length", "offset 1"},
      {"AB CD", "base64.bad_char", "byte 0x20"},
      {"AB\nCD==", "base64.bad_char", "byte 0x0a at offset 2"},
      {"AB-_", "base64.bad_char", "'-' at offset 2"},
      {"ABC\xff", "base64.bad_char", "byte 0xff at offset 3"},
      {"AB.=", "base64.bad_char", "'.'"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = base64_decode(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Peer);
    CHECK(r.error().code == c.code);
    CHECK(r.error().message.find(c.needle) != std::string::npos);
  }
}

TEST_CASE("base64: every prefix of a valid text decodes or fails cleanly", "[core][base64]") {
  const std::string text = "SGVsbG8sIOS9oOWlvSE=";
  for (std::size_t n = 0; n <= text.size(); ++n) {
    auto r = base64_decode(text.substr(0, n));
    if (n % 4 == 1) CHECK_FALSE(r.ok());
    if (r.ok()) {
      const std::size_t data_chars = n - (n == text.size() ? 1 : 0);  // the text ends in one '='
      CHECK(r.value().size() == data_chars * 6 / 8);
    }
  }
}
