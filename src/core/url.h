// Socket.IO URLs, parsed the way socket.io-client's io(url) reads them, and the Engine.IO URL built
// from them. No I/O; errors are Caller errors whose message names the part at fault
// ("url scheme", "url host", "url port", ...).
//
//   http://host[:port][/namespace][?query][#fragment]      also https://, ws://, wss://
//   host = a DNS name, an IPv4 address, or [IPv6]; no "user@"; a URL without a scheme gets https://
//   (as socket.io-client does outside a browser).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace echat::core {

struct Url {
  std::string scheme;          // "http", "https", "ws" or "wss" (lower case)
  std::string host;            // lower case; IPv6 without brackets ("::1")
  bool ipv6 = false;
  std::uint16_t port = 0;      // explicit, or the scheme's default (80 / 443)
  bool explicit_port = false;
  std::string path = "/";      // "/" when absent: the Socket.IO namespace
  std::string query;           // raw, without '?'; "" when absent (the fragment is dropped)

  bool secure() const { return scheme == "https" || scheme == "wss"; }
  // "host", "[::1]", with ":port" when the port is not the scheme's default.
  std::string authority() const;
};

Result<Url> parse_url(std::string_view text);

// Normalises an Engine.IO path option: leading and trailing '/' ("socket.io" -> "/socket.io/").
// Errors on '?', '#', spaces or control characters ("path: ...").
Result<std::string> normalize_path(std::string_view path);

// "ws[s]://authority" + normalized path: "ws://127.0.0.1:3000/socket.io/". http -> ws, https -> wss.
// `path` must already be normalized.
std::string engine_base_url(const Url& url, std::string_view normalized_path);

// encodeURIComponent: keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ), %XX (upper case) for every other byte.
std::string percent_encode(std::string_view component);

// "k1=v1&k2=v2" with both sides percent-encoded.
std::string encode_query(const std::vector<std::pair<std::string, std::string>>& pairs);

// Checks an already-encoded query ("a=1&b=x%20y"): no spaces, '#', control characters, non-ASCII
// bytes, or '%' not followed by two hex digits. A leading '?' or '&' is removed. Errors name `what`.
Result<std::string> check_encoded_query(std::string_view query, std::string_view what = "query");

}  // namespace echat::core
