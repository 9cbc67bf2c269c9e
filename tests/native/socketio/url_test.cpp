// core/url: socket.io URLs as io(url) reads them, and the Engine.IO base URL.
#include <catch2/catch.hpp>

#include "core/url.h"

using echat::core::parse_url;

TEST_CASE("url: schemes, hosts, ports, path and query", "[core][url]") {
  struct Case {
    const char* in;
    const char* scheme;
    const char* host;
    int port;
    bool explicit_port;
    const char* path;
    const char* query;
    const char* engine;  // engine_base_url with "/socket.io/"
  };
  const Case cases[] = {
      {"http://127.0.0.1:3000", "http", "127.0.0.1", 3000, true, "/", "", "ws://127.0.0.1:3000/socket.io/"},
      {"https://im.example.com", "https", "im.example.com", 443, false, "/", "", "wss://im.example.com/socket.io/"},
      {"ws://localhost:80/chat", "ws", "localhost", 80, true, "/chat", "", "ws://localhost/socket.io/"},
      {"wss://Example.COM:8443/admin?token=x&y=%20#frag", "wss", "example.com", 8443, true, "/admin", "token=x&y=%20",
       "wss://example.com:8443/socket.io/"},
      {"HTTP://[::1]:3000/", "http", "::1", 3000, true, "/", "", "ws://[::1]:3000/socket.io/"},
      {"http://[2001:db8::1]/x", "http", "2001:db8::1", 80, false, "/x", "", "ws://[2001:db8::1]/socket.io/"},
      {"http://[::ffff:192.168.0.1]:1", "http", "::ffff:192.168.0.1", 1, true, "/", "", "ws://[::ffff:192.168.0.1]:1/socket.io/"},
      {"http://[1:2:3:4:5:6:7:8]", "http", "1:2:3:4:5:6:7:8", 80, false, "/", "", "ws://[1:2:3:4:5:6:7:8]/socket.io/"},
      {"localhost:3000", "https", "localhost", 3000, true, "/", "", "wss://localhost:3000/socket.io/"},
      {"//im.example.com/ns", "https", "im.example.com", 443, false, "/ns", "", "wss://im.example.com/socket.io/"},
      {"  http://a-b_c.example:65535?q  ", "http", "a-b_c.example", 65535, true, "/", "q", "ws://a-b_c.example:65535/socket.io/"},
      {"https://host:443/", "https", "host", 443, true, "/", "", "wss://host/socket.io/"},
      {"http://example.com.", "http", "example.com.", 80, false, "/", "", "ws://example.com./socket.io/"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    auto r = parse_url(c.in);
    REQUIRE(r.ok());
    const auto& u = r.value();
    CHECK(u.scheme == c.scheme);
    CHECK(u.host == c.host);
    CHECK(u.port == c.port);
    CHECK(u.explicit_port == c.explicit_port);
    CHECK(u.path == c.path);
    CHECK(u.query == c.query);
    CHECK(echat::core::engine_base_url(u, "/socket.io/") == c.engine);
  }
}

TEST_CASE("url: errors name the part at fault", "[core][url]") {
  struct Case {
    const char* in;
    const char* part;
  };
  const Case cases[] = {
      {"", "url:"},
      {"   ", "url:"},
      {"ftp://x", "url scheme:"},
      {"http://", "url host:"},
      {"http:///path", "url host:"},
      {"http://user:pw@host", "url host:"},
      {"http://[::1", "url host:"},
      {"http://[::1]x", "url host:"},
      {"http://[:::1]", "url host:"},
      {"http://[1:2:3:4:5:6:7:8:9]", "url host:"},
      {"http://[1:2:3:4:5:6:7]", "url host:"},
      {"http://[12345::1]", "url host:"},
      {"http://[1::2::3]", "url host:"},
      {"http://[1:]", "url host:"},
      {"http://[::1.2.3]", "url host:"},
      {"http://256.1.1.1", "url host:"},
      {"http://1.2.3", "url host:"},
      {"http://01.2.3.4", "url host:"},
      {"http://1.2.3.4.5", "url host:"},
      {"http://a..b", "url host:"},
      {"http://.a", "url host:"},
      {"http://a b", "url host:"},
      {"http://a%20b", "url host:"},
      {"http://" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", "url host:"},
      {"http://:80", "url host:"},
      {"http://host:", "url port:"},
      {"http://host:0", "url port:"},
      {"http://host:65536", "url port:"},
      {"http://host:123456", "url port:"},
      {"http://host:8x", "url port:"},
      {"http://[::1]:", "url port:"},
      {"http://host/a b", "url path:"},
      {"http://host/?a\tb", "url query:"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    auto r = parse_url(c.in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Caller);
    CHECK(r.error().message.rfind(c.part, 0) == 0);
  }
}

TEST_CASE("url: path option normalisation", "[core][url]") {
  using echat::core::normalize_path;
  CHECK(normalize_path("/socket.io").value() == "/socket.io/");
  CHECK(normalize_path("socket.io").value() == "/socket.io/");
  CHECK(normalize_path("/socket.io/").value() == "/socket.io/");
  CHECK(normalize_path("").value() == "/");
  CHECK(normalize_path("/a/b").value() == "/a/b/");
  for (const char* bad : {"/a?b", "/a#b", "/a b", "/a\n"}) {
    auto r = normalize_path(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("path:", 0) == 0);
  }
}

TEST_CASE("url: percent-encoding is encodeURIComponent", "[core][url]") {
  using echat::core::percent_encode;
  CHECK(percent_encode("abcXYZ019-_.!~*'()") == "abcXYZ019-_.!~*'()");
  CHECK(percent_encode("a b&c=d/e?f#g%") == "a%20b%26c%3Dd%2Fe%3Ff%23g%25");
  CHECK(percent_encode("\xe4\xbd\xa0") == "%E4%BD%A0");  // 你
  CHECK(percent_encode(std::string("\0", 1)) == "%00");
  CHECK(echat::core::encode_query({{"token", "a b"}, {"uid", "1&2"}}) == "token=a%20b&uid=1%262");
  CHECK(echat::core::encode_query({}).empty());
}

TEST_CASE("url: already-encoded queries are checked", "[core][url]") {
  using echat::core::check_encoded_query;
  CHECK(check_encoded_query("a=1&b=x%20y").value() == "a=1&b=x%20y");
  CHECK(check_encoded_query("?a=1").value() == "a=1");
  CHECK(check_encoded_query("&&a=1").value() == "a=1");
  CHECK(check_encoded_query("").value().empty());
  for (const char* bad : {"a=1 2", "a=#", "a=%2", "a=%zz", "a=%", "a=\x01", "a=\xc3\xa4"}) {
    INFO(bad);
    auto r = check_encoded_query(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("query:", 0) == 0);
  }
  CHECK(check_encoded_query("a b", "url query").error().message.rfind("url query:", 0) == 0);
}
