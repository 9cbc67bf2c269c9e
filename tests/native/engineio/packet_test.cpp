#include <catch2/catch.hpp>

#include "core/base64.h"
#include "engineio/packet.h"
#include "engineio/support.h"

using namespace echat::engineio;
using eio_test::escape;

namespace {
const char* vname(Version v) { return v == Version::V3 ? "EIO3" : "EIO4"; }
}  // namespace

TEST_CASE("frame vectors from the engine.io-protocol suite decode and encode", "[engineio][packet]") {
  const auto vectors = eio_test::load_vectors();
  REQUIRE(vectors.size() > 40);
  int checked = 0;
  for (const auto& v : vectors) {
    for (Version ver : v.versions) {
      INFO("frames.tsv line " << v.line << " " << vname(ver) << " frame " << escape(v.frame.data));
      auto p = decode(v.frame, ver);
      if (v.kind == "error") {
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().code == v.error);
        CHECK(p.error().kind == echat::core::ErrorKind::Peer);
        CHECK(p.error().message.find("frame") != std::string::npos);
      } else {
        REQUIRE(p.ok());
        CHECK(p.value().type == v.packet.type);
        CHECK(p.value().binary == v.packet.binary);
        CHECK(escape(p.value().data) == escape(v.packet.data));
        if (v.kind == "ok") {
          const bool b64 = !v.frame.binary && !v.frame.data.empty() && v.frame.data[0] == 'b';
          const Frame f = encode(v.packet, ver, b64);
          CHECK(f.binary == v.frame.binary);
          CHECK(escape(f.data) == escape(v.frame.data));
        }
      }
      ++checked;
    }
  }
  CHECK(checked > 60);
}

TEST_CASE("every prefix of every valid frame decodes or is rejected cleanly", "[engineio][packet]") {
  for (const auto& v : eio_test::load_vectors()) {
    for (Version ver : v.versions) {
      for (std::size_t n = 0; n <= v.frame.data.size(); ++n) {
        const Frame prefix{v.frame.binary, v.frame.data.substr(0, n)};
        auto p = decode(prefix, ver);
        if (p.ok()) {
          // Whatever decoded must re-encode to a frame that decodes to the same packet.
          const bool b64 = !prefix.binary && !prefix.data.empty() && prefix.data[0] == 'b';
          auto again = decode(encode(p.value(), ver, b64), ver);
          REQUIRE(again.ok());
          CHECK(again.value().type == p.value().type);
          CHECK(again.value().data == p.value().data);
        } else {
          CHECK(p.error().kind == echat::core::ErrorKind::Peer);
          CHECK_FALSE(p.error().code.empty());
        }
        if (!prefix.binary && n > 0 && prefix.data[0] == '0') {
          auto hs = parse_handshake(std::string_view(prefix.data).substr(1));
          if (n < v.frame.data.size()) {
            CHECK_FALSE(hs.ok());  // a cut JSON object is never valid
          } else {
            CHECK(hs.ok());
          }
        }
      }
    }
  }
}

TEST_CASE("encode: text packets are the type digit then the data", "[engineio][packet]") {
  for (Version ver : {Version::V3, Version::V4}) {
    CHECK(encode({PacketType::Ping, false, ""}, ver).data == "2");
    CHECK(encode({PacketType::Pong, false, "probe"}, ver).data == "3probe");
    CHECK(encode({PacketType::Message, false, "hi"}, ver).data == "4hi");
    CHECK(encode({PacketType::Message, false, "hi"}, ver, true).data == "4hi");  // base64 only for binary
    CHECK_FALSE(encode({PacketType::Message, false, "hi"}, ver).binary);
    // `binary` on a non-message packet has no binary wire form: text.
    const Frame f = encode({PacketType::Ping, true, "x"}, ver);
    CHECK_FALSE(f.binary);
    CHECK(f.data == "2x");
  }
  CHECK(encode({PacketType::Message, true, "\x01\x02"}, Version::V3).data == std::string("\x04\x01\x02"));
  CHECK(encode({PacketType::Message, true, "\x01\x02"}, Version::V4).data == std::string("\x01\x02"));
  CHECK(encode({PacketType::Message, true, "\x01\x02\x03\x04"}, Version::V3, true).data == "b4AQIDBA==");
  CHECK(encode({PacketType::Message, true, "\x01\x02\x03\x04"}, Version::V4, true).data == "bAQIDBA==");
}

TEST_CASE("decode: the netty 0x04 prefix on EIO4 can be switched off", "[engineio][packet]") {
  const Frame f{true, std::string("\x04\x01", 2)};
  DecodeOptions keep;
  keep.strip_v4_binary_prefix = false;
  auto p = decode(f, Version::V4, keep);
  REQUIRE(p.ok());
  CHECK(p.value().data == std::string("\x04\x01", 2));
  auto q = decode(f, Version::V4);
  REQUIRE(q.ok());
  CHECK(q.value().data == "\x01");
  // On EIO3 the option changes nothing: the type byte is always required.
  auto r = decode(f, Version::V3, keep);
  REQUIRE(r.ok());
  CHECK(r.value().data == "\x01");
}

TEST_CASE("decode errors name the frame, truncated and printable", "[engineio][packet]") {
  const std::string long_frame = "x" + std::string(5000, 'a');
  auto p = decode(Frame{false, long_frame}, Version::V4);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == "eio.bad_packet_type");
  CHECK(p.error().message.find("'x'") != std::string::npos);
  CHECK(p.error().message.find("5001 bytes") != std::string::npos);
  CHECK(p.error().message.size() < 200);

  auto q = decode(Frame{true, std::string("\x07\x00\x01", 3)}, Version::V3);
  REQUIRE_FALSE(q.ok());
  CHECK(q.error().message.find("0x07") != std::string::npos);
  CHECK(q.error().message.find("binary 07 00 01") != std::string::npos);
}

TEST_CASE("describe_frame: printable, bounded, valid UTF-8", "[engineio][packet]") {
  CHECK(describe_frame(Frame{false, "4hi"}) == "text \"4hi\" (3 bytes)");
  CHECK(describe_frame(Frame{false, "x"}) == "text \"x\" (1 byte)");
  CHECK(describe_frame(Frame{false, std::string("a\0\"\\\x7f", 5)}) == "text \"a\\x00\\\"\\\\\\x7f\" (5 bytes)");
  CHECK(describe_frame(Frame{true, ""}) == "binary (0 bytes)");
  CHECK(describe_frame(Frame{false, "4你好"}) == "text \"4你好\" (7 bytes)");
  // Invalid UTF-8 (lone continuation, truncated sequence, overlong, surrogate) is escaped.
  CHECK(describe_frame(Frame{false, "\x80"}) == "text \"\\x80\" (1 byte)");
  CHECK(describe_frame(Frame{false, "\xe4\xbd"}) == "text \"\\xe4\\xbd\" (2 bytes)");
  CHECK(describe_frame(Frame{false, "\xc0\xaf"}) == "text \"\\xc0\\xaf\" (2 bytes)");
  CHECK(describe_frame(Frame{false, "\xed\xa0\x80"}) == "text \"\\xed\\xa0\\x80\" (3 bytes)");
  CHECK(describe_frame(Frame{false, "\xe0\x80\x80"}) == "text \"\\xe0\\x80\\x80\" (3 bytes)");
  CHECK(describe_frame(Frame{false, "\xf0\x80\x80\x80"}).find("\\xf0") != std::string::npos);
  CHECK(describe_frame(Frame{false, "\xf4\x90\x80\x80"}).find("\\xf4") != std::string::npos);
  CHECK(describe_frame(Frame{false, "\xf0\x9f\x98\x80"}) == "text \"\xf0\x9f\x98\x80\" (4 bytes)");
  // A long frame is cut at about 64 bytes, never inside a character.
  std::string zh;
  for (int i = 0; i < 40; ++i) zh += "你";
  const std::string d = describe_frame(Frame{false, zh});
  CHECK(d.find("...\"") != std::string::npos);
  CHECK(d.find("(120 bytes)") != std::string::npos);
  CHECK(d.size() < 100);
  const std::string b = describe_frame(Frame{true, std::string(100, '\x01')});
  CHECK(b.find("...") != std::string::npos);
  CHECK(b.size() < 100);
}

// ---- handshake ----

TEST_CASE("parse_handshake: the suite's open packets", "[engineio][handshake]") {
  auto a = parse_handshake(R"({"sid":"abc","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  REQUIRE(a.ok());
  CHECK(a.value().sid == "abc");
  CHECK(a.value().upgrades == std::vector<std::string>{"websocket"});
  CHECK(a.value().ping_interval == 300);
  CHECK(a.value().ping_timeout == 200);
  REQUIRE(a.value().max_payload);
  CHECK(*a.value().max_payload == 1000000);

  // EIO3 / netty: no maxPayload; netty-socketio's pingTimeout 60000.
  auto b = parse_handshake(R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":60000})");
  REQUIRE(b.ok());
  CHECK_FALSE(b.value().max_payload);
  CHECK(b.value().upgrades.empty());
  CHECK(b.value().ping_timeout == 60000);

  // upgrades missing, unknown members, integral floats
  auto c = parse_handshake(R"({"sid":"x","pingInterval":25000.0,"pingTimeout":5e3,"extra":{"a":[1,2]}})");
  REQUIRE(c.ok());
  CHECK(c.value().ping_interval == 25000);
  CHECK(c.value().ping_timeout == 5000);
}

TEST_CASE("parse_handshake: bad open packets are Peer errors naming the field", "[engineio][handshake]") {
  struct Case { const char* json; const char* needle; };
  const Case cases[] = {
      {"", "invalid JSON"},
      {"{", "invalid JSON"},
      {"not json", "invalid JSON"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":1} trailing)", "invalid JSON"},
      {"[]", "array where an object"},
      {"\"sid\"", "string where an object"},
      {"null", "null where an object"},
      {R"({"pingInterval":1,"pingTimeout":1})", "missing \"sid\""},
      {R"({"sid":5,"pingInterval":1,"pingTimeout":1})", "\"sid\" is a number"},
      {R"({"sid":"","pingInterval":1,"pingTimeout":1})", "empty \"sid\""},
      {R"({"sid":"x","upgrades":"websocket","pingInterval":1,"pingTimeout":1})", "\"upgrades\" is a string"},
      {R"({"sid":"x","upgrades":[1],"pingInterval":1,"pingTimeout":1})", "\"upgrades\" holds a number"},
      {R"({"sid":"x","pingTimeout":1})", "missing \"pingInterval\""},
      {R"({"sid":"x","pingInterval":1})", "missing \"pingTimeout\""},
      {R"({"sid":"x","pingInterval":"25000","pingTimeout":1})", "\"pingInterval\" is a string"},
      {R"({"sid":"x","pingInterval":null,"pingTimeout":1})", "\"pingInterval\" is a null"},
      {R"({"sid":"x","pingInterval":true,"pingTimeout":1})", "\"pingInterval\" is a boolean"},
      {R"({"sid":"x","pingInterval":0,"pingTimeout":1})", "\"pingInterval\" 0 out of range"},
      {R"({"sid":"x","pingInterval":-5,"pingTimeout":1})", "\"pingInterval\" -5 out of range"},
      {R"({"sid":"x","pingInterval":2147483648,"pingTimeout":1})", "\"pingInterval\" 2147483648 out of range"},
      {R"({"sid":"x","pingInterval":1.5,"pingTimeout":1})", "\"pingInterval\" is not an integer"},
      {R"({"sid":"x","pingInterval":1e300,"pingTimeout":1})", "\"pingInterval\" out of range"},
      {R"({"sid":"x","pingInterval":-0.0,"pingTimeout":1})", "\"pingInterval\" out of range"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":0})", "\"pingTimeout\" 0 out of range"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":[]})", "\"pingTimeout\" is a array"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":1,"maxPayload":"1e6"})", "\"maxPayload\" is a string"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":1,"maxPayload":0})", "\"maxPayload\" 0 out of range"},
      {R"({"sid":"x","pingInterval":1,"pingTimeout":1,"maxPayload":18446744073709551615})", "\"maxPayload\""},
      {"{\"sid\":\"\xff\",\"pingInterval\":1,\"pingTimeout\":1}", "invalid JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = parse_handshake(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Peer);
    CHECK(r.error().code == "eio.bad_open");
    CHECK(r.error().message.find(c.needle) != std::string::npos);
    CHECK(r.error().message.find("open packet") != std::string::npos);
  }
}

TEST_CASE("parse_handshake: deep nesting and huge input do not crash", "[engineio][handshake]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = parse_handshake(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.size() < 300);
  const std::string deep_member = R"({"sid":"x","pingInterval":1,"pingTimeout":1,"x":)" + std::string(50000, '[') +
                                  std::string(50000, ']') + "}";
  CHECK(parse_handshake(deep_member).ok());
}

#include <filesystem>
#include <fstream>
#include <iterator>

TEST_CASE("the committed fuzz seeds decode or fail cleanly", "[engineio][packet][fuzz]") {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_FUZZ_CORPUS_DIR) / "engineio_decode";
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) continue;
    const Frame f{(bytes[0] & 1) != 0, bytes.substr(1)};
    for (Version v : {Version::V3, Version::V4}) {
      auto p = decode(f, v);
      if (!p.ok()) CHECK(p.error().kind == echat::core::ErrorKind::Peer);
    }
    ++n;
  }
  CHECK(n >= 5);
}
