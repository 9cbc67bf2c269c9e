// libFuzzer target: the URL helpers of src/core/url.h, which read what an application passes to io(url)
// and sdk.im.init (host, path, query).
//
// The whole input is one text, given to every helper:
//  - parse_url: an error names the part at fault ("url ...: "); a parsed Url is well-formed (known
//    scheme, lower-case host, port 1-65535 or the scheme's default, path starting with '/', no control
//    bytes) and survives a round trip: scheme://authority path?query parses back to the same Url;
//    engine_base_url of it is ws[s]://authority/.../;
//  - normalize_path: '/'-framed and idempotent, or an error naming "path";
//  - percent_encode: only unreserved bytes and %XX, decodes back to the input, and passes
//    check_encoded_query; encode_query of the input split at '&'/'=' passes it too;
//  - check_encoded_query: accepted text has no byte that needs encoding and is accepted again unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/url.h"
#include "fuzz_input.h"

using echat::fuzz::check;
namespace core = echat::core;

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // percent_encode writes upper case only
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_.!~*'()").find(c) != std::string_view::npos;
}

std::string decode(const std::string& enc) {
  std::string out;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (enc[i] != '%') {
      check(unreserved(enc[i]));
      out += enc[i];
      continue;
    }
    check(i + 2 < enc.size());
    const int hi = hex_value(enc[i + 1]);
    const int lo = hex_value(enc[i + 2]);
    check(hi >= 0 && lo >= 0);
    const char c = static_cast<char>(hi * 16 + lo);
    check(!unreserved(c));  // an unreserved byte is never encoded
    out += c;
    i += 2;
  }
  return out;
}

void check_url(const std::string& text) {
  auto r = core::parse_url(text);
  if (!r.ok()) {
    check(r.error().kind == core::ErrorKind::Caller);
    check(starts_with(r.error().message, "url"));
    return;
  }
  const core::Url& u = r.value();
  check(u.scheme == "http" || u.scheme == "https" || u.scheme == "ws" || u.scheme == "wss");
  check(!u.host.empty());
  for (const char c : u.host) check(!(c >= 'A' && c <= 'Z') && c != '/' && c != '@' && c != '[' && c != ']');
  check(u.port != 0);
  if (!u.explicit_port) check(u.port == (u.secure() ? 443 : 80));
  check(!u.path.empty() && u.path[0] == '/');
  for (const char c : u.path) check(static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '?' && c != '#');
  for (const char c : u.query) check(static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '#');

  std::string again = u.scheme + "://" + u.authority() + u.path;
  if (!u.query.empty()) again += "?" + u.query;
  auto r2 = core::parse_url(again);
  check(r2.ok());
  const core::Url& v = r2.value();
  check(v.scheme == u.scheme && v.host == u.host && v.ipv6 == u.ipv6 && v.port == u.port && v.path == u.path &&
        v.query == u.query);

  auto np = core::normalize_path("/engine.io");
  check(np.ok());
  const std::string base = core::engine_base_url(u, np.value());
  check(starts_with(base, u.secure() ? "wss://" : "ws://"));
  check(base.size() > np.value().size() && base.compare(base.size() - np.value().size(), std::string::npos, np.value()) == 0);
}

void check_path(const std::string& text) {
  auto r = core::normalize_path(text);
  if (!r.ok()) {
    check(starts_with(r.error().message, "path"));
    return;
  }
  const std::string& p = r.value();
  check(p.size() >= 1 && p.front() == '/' && p.back() == '/');
  auto r2 = core::normalize_path(p);
  check(r2.ok() && r2.value() == p);
}

void check_encoding(const std::string& text) {
  const std::string enc = core::percent_encode(text);
  check(decode(enc) == text);
  auto q = core::check_encoded_query(enc);
  check(q.ok());

  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= text.size() && pairs.size() < 16) {
    std::size_t amp = text.find('&', start);
    if (amp == std::string::npos) amp = text.size();
    const std::string part = text.substr(start, amp - start);
    const std::size_t eq = part.find('=');
    pairs.emplace_back(part.substr(0, eq), eq == std::string::npos ? "" : part.substr(eq + 1));
    start = amp + 1;
  }
  const std::string query = core::encode_query(pairs);
  auto q2 = core::check_encoded_query(query, "query");
  check(q2.ok());
  check(q2.value() == query);  // encode_query never starts with '?' or '&'
}

void check_query(const std::string& text) {
  auto r = core::check_encoded_query(text, "fuzz");
  if (!r.ok()) {
    check(starts_with(r.error().message, "fuzz: "));
    return;
  }
  const std::string& q = r.value();
  check(q.empty() || (q[0] != '?' && q[0] != '&'));
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto c = static_cast<unsigned char>(q[i]);
    check(c > 0x20 && c < 0x7f && c != '#');
  }
  auto r2 = core::check_encoded_query(q, "fuzz");
  check(r2.ok() && r2.value() == q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_url(text);
  check_path(text);
  check_encoding(text);
  check_query(text);
  return 0;
}
