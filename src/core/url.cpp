#include "core/url.h"

#include "core/json.h"

namespace echat::core {
namespace {

Error bad(std::string_view part, std::string_view text, std::string_view why) {
  std::string m(part);
  m += ": ";
  m += why;
  m += " (in \"";
  m += text.substr(0, 200);
  m += "\")";
  return Error::caller("arg.invalid", std::move(m));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool valid_ipv4(std::string_view h) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    unsigned v = 0;
    while (i < h.size() && is_digit(h[i]) && i - start < 3) v = v * 10 + static_cast<unsigned>(h[i++] - '0');
    if (i == start || v > 255 || (i - start > 1 && h[start] == '0')) return false;
    ++parts;
    if (i == h.size()) break;
    if (h[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

// Hex groups separated by ':', at most one "::", optionally an IPv4 tail.
bool valid_ipv6(std::string_view h) {
  if (h.empty()) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (h.size() >= 2 && h[0] == ':' && h[1] == ':') {
    compressed = true;
    i = 2;
    if (i == h.size()) return true;
  } else if (h[0] == ':') {
    return false;
  }
  while (i < h.size()) {
    const std::size_t start = i;
    while (i < h.size() && is_hex(h[i]) && i - start < 5) ++i;
    if (i < h.size() && h[i] == '.') {  // IPv4 tail
      if (!valid_ipv4(h.substr(start))) return false;
      groups += 2;
      i = h.size();
      break;
    }
    if (i == start || i - start > 4) return false;
    ++groups;
    if (i == h.size()) break;
    if (h[i] != ':') return false;
    ++i;
    if (i < h.size() && h[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == h.size()) break;
    } else if (i == h.size()) {
      return false;  // trailing single ':'
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

// Letters, digits, '-', '_' (seen in the field), dots between non-empty labels of at most 63 bytes.
bool valid_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_')) return false;
    if (++label > 63) return false;
  }
  return label > 0 || h.size() > 1;  // a single trailing dot is allowed ("example.com.")
}

bool all_digits_and_dots(std::string_view h) {
  for (const char c : h) {
    if (!is_digit(c) && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string Url::authority() const {
  std::string out = ipv6 ? "[" + host + "]" : host;
  const std::uint16_t def = secure() ? 443 : 80;
  if (explicit_port && port != def) out += ":" + core::decimal(port);
  return out;
}

namespace {

// What is wrong with `text` as a URL: nullptr when nothing (`url` filled), else the reason (a literal, or
// `detail` when it quotes the text) with `part` set to the part at fault. parse_url builds the one error.
const char* url_problem(std::string_view text, Url& url, const char*& part, std::string& detail) {
  auto fail = [&](const char* at, const char* why) {
    part = at;
    return why;
  };
  std::string_view rest = text;
  // Trim surrounding whitespace (users paste URLs).
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.empty()) return fail("url", "empty");

  const std::size_t sep = rest.find("://");
  if (sep != std::string_view::npos && sep > 0 && rest.substr(0, sep).find_first_of("/?#") == std::string_view::npos) {
    for (const char c : rest.substr(0, sep)) url.scheme += lower(c);
    if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss") {
      return fail("url scheme", (detail = "\"" + url.scheme + "\" is not http, https, ws or wss").c_str());
    }
    rest.remove_prefix(sep + 3);
  } else if (rest.size() >= 2 && rest[0] == '/' && rest[1] == '/') {
    url.scheme = "https";
    rest.remove_prefix(2);
  } else {
    url.scheme = "https";
  }

  const std::size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return fail("url host", "user information (\"user@\") is not supported");
  }
  if (authority.empty()) return fail("url host", "missing");

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("url host", "'[' without ']'");
    host = authority.substr(1, close - 1);
    if (!valid_ipv6(host)) return fail("url host", "invalid IPv6 address");
    url.ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("url host", "unexpected characters after ']'");
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return fail("url host", "missing");
    if (all_digits_and_dots(host) ? !valid_ipv4(host) : !valid_name(host)) {
      return fail("url host", (detail = "\"" + std::string(host) + "\" is not a valid host name or IPv4 address").c_str());
    }
  }
  for (const char c : host) url.host += lower(c);

  if (has_port) {
    if (port.empty() || port.size() > 5) return fail("url port", "must be 1-65535");
    unsigned v = 0;
    for (const char c : port) {
      if (!is_digit(c)) return fail("url port", "must be decimal digits");
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return fail("url port", "must be 1-65535");
    url.port = static_cast<std::uint16_t>(v);
    url.explicit_port = true;
  } else {
    url.port = url.secure() ? 443 : 80;
  }

  const std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  const std::size_t qmark = rest.find('?');
  std::string_view path = rest.substr(0, qmark);
  if (qmark != std::string_view::npos) url.query = std::string(rest.substr(qmark + 1));
  for (const char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail("url path", "spaces or control characters");
    }
  }
  for (const char c : url.query) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail("url query", "spaces or control characters");
    }
  }
  url.path = path.empty() ? "/" : std::string(path);
  return nullptr;
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  const char* part = nullptr;
  std::string detail;
  if (const char* why = url_problem(text, url, part, detail)) return bad(part, text, why);
  return url;
}

Result<std::string> normalize_path(std::string_view path) {
  for (const char c : path) {
    if (c == '?' || c == '#' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Error::caller("arg.invalid", "path: may not contain '?', '#', spaces or control characters");
    }
  }
  std::string out;
  if (path.empty() || path[0] != '/') out += '/';
  out += path;
  if (out.back() != '/') out += '/';
  return out;
}

std::string engine_base_url(const Url& url, std::string_view normalized_path) {
  std::string out = url.secure() ? "wss://" : "ws://";
  out += url.authority();
  out += normalized_path;
  return out;
}

std::string percent_encode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '!' || ch == '~' ||
        ch == '*' || ch == '\'' || ch == '(' || ch == ')') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string encode_query(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

Result<std::string> check_encoded_query(std::string_view q, std::string_view what) {
  while (!q.empty() && (q.front() == '?' || q.front() == '&')) q.remove_prefix(1);
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto c = static_cast<unsigned char>(q[i]);
    if (c <= 0x20 || c >= 0x7f || c == '#') {
      return Error::caller("arg.invalid", std::string(what) + ": byte " + core::decimal(i) +
                                              " must be percent-encoded (spaces, '#', control and non-ASCII)");
    }
    if (c == '%' && (i + 2 >= q.size() || !is_hex(q[i + 1]) || !is_hex(q[i + 2]))) {
      return Error::caller("arg.invalid", std::string(what) + ": '%' at byte " + core::decimal(i) +
                                              " is not followed by two hex digits");
    }
  }
  return std::string(q);
}

}  // namespace echat::core
