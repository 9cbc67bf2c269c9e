#include "core/base64.h"

#include <cstdint>

#include "core/json.h"

namespace echat::core {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for an alphabet character, -1 otherwise.
int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string describe_char(unsigned char c) {
  static const char hex[] = "0123456789abcdef";
  if (c >= 0x21 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  std::string s = "byte 0x";
  s += hex[c >> 4];
  s += hex[c & 0xf];
  return s;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  // Strip the padding (at most two '=' at the very end, and only on a multiple-of-4 length).
  std::size_t len = text.size();
  std::size_t pad = 0;
  while (len > 0 && text[len - 1] == '=' && pad < 3) {
    --len;
    ++pad;
  }
  // Characters first (the more useful message), then the length.
  for (std::size_t i = 0; i < len; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (sextet(c) >= 0) continue;
    if (c == '=') {
      return Error::peer("base64.bad_length",
                         "base64: '=' padding at offset " + core::decimal(i) + " before the end of the text");
    }
    return Error::peer("base64.bad_char",
                       "base64: invalid character " + describe_char(c) + " at offset " + core::decimal(i));
  }
  if (pad > 2) {
    return Error::peer("base64.bad_length", "base64: more than two '=' padding characters");
  }
  if (pad > 0 && text.size() % 4 != 0) {
    return Error::peer("base64.bad_length",
                       "base64: padded text of length " + core::decimal(text.size()) + " is not a multiple of 4");
  }
  if (len % 4 == 1) {
    return Error::peer("base64.bad_length",
                       "base64: " + core::decimal(len) + " data characters (1 mod 4) cannot encode whole bytes");
  }
  std::string out;
  out.reserve(len / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const int v = sextet(c);  // valid: checked above
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
    acc &= (1u << bits) - 1u;  // keep only the bits not yet emitted
  }
  return out;
}

}  // namespace echat::core
