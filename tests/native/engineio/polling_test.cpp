// Long-polling: the payload codec (both versions, with the protocol documents' examples) and the session
// over HTTP requests, as transcripts.
#include <catch2/catch.hpp>

#include "engineio/payload.h"
#include "engineio/session.h"
#include "engineio/support.h"

using namespace echat::engineio;
using eio_test::Driver;
using eio_test::Lines;

namespace {

SessionOptions polling(Version v) {
  SessionOptions o = eio_test::opts(v);
  o.polling = true;
  return o;
}

std::string joined(const std::vector<Frame>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p.data;
  return out;
}

std::vector<std::string> texts(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(f.data);
  return out;
}

}  // namespace

TEST_CASE("payload: EIO4 packets joined by the record separator", "[engineio][polling]") {
  const std::vector<Frame> frames{{false, "4hello"}, {false, "2"}, {false, "bAQIDBA=="}};
  CHECK(joined(encode_payload(frames, Version::V4)) == "4hello\x1e" "2\x1e" "bAQIDBA==");
  auto back = decode_payload("4hello\x1e" "2\x1e" "bAQIDBA==", Version::V4);
  REQUIRE(back.ok());
  CHECK(texts(back.value()) == std::vector<std::string>{"4hello", "2", "bAQIDBA=="});
  CHECK(texts(decode_payload("6", Version::V4).value()) == std::vector<std::string>{"6"});
  CHECK(decode_payload("", Version::V4).error().code == "eio.bad_payload");
}

TEST_CASE("payload: EIO3 lengths count UTF-16 code units", "[engineio][polling]") {
  // "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
  const std::vector<Frame> frames{{false, "4hello"}, {false, "2"}, {false, "4\xc3\xa9"}, {false, "4\xf0\x9f\x98\x80"}};
  const std::string body = joined(encode_payload(frames, Version::V3));
  CHECK(body == "6:4hello1:22:4\xc3\xa9" "3:4\xf0\x9f\x98\x80");
  auto back = decode_payload(body, Version::V3);
  REQUIRE(back.ok());
  CHECK(texts(back.value()) == texts(frames));
  // A host-kept rest counts its own UTF-16 length into the prefix.
  std::vector<Frame> with_ext{{false, "42", 7, 10}};
  const auto pieces = encode_payload(with_ext, Version::V3);
  CHECK(pieces[0].data == "12:42");
  CHECK(pieces[0].ext == 7);
  // Malformed bodies name the offset.
  for (const char* bad : {"", "x:4a", "6:4hel", ":4", "12345678901:4"}) {
    auto r = decode_payload(bad, Version::V3);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "eio.bad_payload");
    CHECK(r.error().message.find("at byte") != std::string::npos);
  }
  CHECK(utf16_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == 5);
}

TEST_CASE("polling session: EIO4 handshake, one GET at a time, writes batched into one POST", "[engineio][polling]") {
  Driver d(polling(Version::V4));
  d.s.open(0);
  CHECK(d.drain() == Lines{"get#1.1 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=1"});
  d.s.on_http_response(10, 1, 1, 200, eio_test::kOpenV4);
  CHECK(d.drain() == Lines{"opened s4", "get#1.2 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=2&sid=s4"});
  // Two messages: the first goes at once, the second waits for the POST in flight.
  REQUIRE(d.s.send(20, Frame{false, "40"}).ok());
  REQUIRE(d.s.send(21, Frame{true, std::string("\x01\x02", 2)}).ok());
  REQUIRE(d.s.send(22, Frame{false, "42[\"a\"]"}).ok());
  CHECK(d.drain() == Lines{"post#1.3 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=3&sid=s4 body 440"});
  d.s.on_http_response(30, 1, 3, 200, "ok");
  CHECK(d.drain() == Lines{"post#1.4 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=4&sid=s4 body bAQI=\\x1e442[\"a\"]"});
  // The GET answers with a server ping and a message: pong, the message, the next GET.
  d.s.on_http_response(40, 1, 2, 200, "2\x1e" "440{\"sid\":\"x\"}");
  CHECK(d.drain() == Lines{"message 40{\"sid\":\"x\"}",
                           "get#1.5 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=5&sid=s4"});
  d.s.on_http_response(41, 1, 4, 200, "ok");
  CHECK(d.drain() == Lines{"post#1.6 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=6&sid=s4 body 3"});
  // A noop ends a GET early: nothing but the next GET. Late or unknown request ids are ignored.
  d.s.on_http_response(50, 1, 5, 200, "6");
  CHECK(d.drain() == Lines{"get#1.7 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=7&sid=s4"});
  d.s.on_http_response(51, 1, 5, 200, "4late");
  d.s.on_http_response(51, 9, 7, 200, "4late");
  CHECK(d.drain().empty());
  // close(): the close packet is POSTed, then the transport's requests are given up.
  d.s.close(60);
  CHECK(d.drain() == Lines{"post#1.8 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=8&sid=s4 body 1",
                           "close#1 1000 forced close", "closed forced close"});
}

TEST_CASE("polling session: EIO3 asks for base64, pings by POST, and decodes length-prefixed payloads",
          "[engineio][polling]") {
  Driver d(polling(Version::V3));
  d.s.open(0);
  CHECK(d.drain() == Lines{"get#1.1 http://127.0.0.1:3000/socket.io/?EIO=3&transport=polling&b64=1&t=1"});
  const std::string open = eio_test::kOpenV3;
  d.s.on_http_response(5, 1, 1, 200, std::to_string(open.size()) + ":" + open + "2:40");
  CHECK(d.drain() == Lines{"opened s3", "message 0",
                           "get#1.2 http://127.0.0.1:3000/socket.io/?EIO=3&transport=polling&b64=1&t=2&sid=s3"});
  d.s.on_timer(25005);  // pingInterval: the client pings, by POST
  CHECK(d.drain() == Lines{"post#1.3 http://127.0.0.1:3000/socket.io/?EIO=3&transport=polling&b64=1&t=3&sid=s3 body 1:2"});
  d.s.on_http_response(25010, 1, 3, 200, "ok");
  d.s.on_http_response(25020, 1, 2, 200, "1:3b4AQI=");  // malformed: "b4" with no length... is a parse error
  const Lines lines = d.drain();
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back().rfind("closed parse error [eio.bad_payload]", 0) == 0);
}

TEST_CASE("polling session: HTTP errors and failures close with transport error; the connect timeout holds",
          "[engineio][polling]") {
  Driver a(polling(Version::V4));
  a.s.open(0);
  a.drain();
  a.s.on_http_response(1, 1, 1, 400, "{\"code\":3,\"message\":\"Bad request\"}");
  CHECK(a.drain() == Lines{"close#1 1000 transport error", "closed transport error [eio.poll_error] before_open"});
  REQUIRE(a.s.error());
  CHECK(a.s.error()->message.find("GET answered HTTP 400") != std::string::npos);

  Driver b(polling(Version::V4));
  b.s.open(0);
  b.s.on_http_response(1, 1, 1, 200, eio_test::kOpenV4);
  b.drain();
  b.s.on_http_error(2, 1, 2, "request:fail timeout");
  CHECK(b.drain() == Lines{"close#1 1000 transport error", "closed transport error [eio.poll_error]"});
  CHECK(b.s.error()->message.find("GET failed") != std::string::npos);

  Driver c(polling(Version::V4));
  c.s.open(0);
  c.drain();
  c.s.on_timer(20000);
  CHECK(c.drain() == Lines{"close#1 1000 connect timeout", "closed connect timeout [eio.connect_timeout] before_open"});
}

TEST_CASE("polling session: upgrade to a WebSocket after the probe, writes that waited go on it", "[engineio][polling]") {
  SessionOptions o = polling(Version::V4);
  o.upgrade = true;
  Driver d(o);
  d.s.open(0);
  d.drain();
  d.s.on_http_response(1, 1, 1, 200, R"(0{"sid":"U","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000})");
  CHECK(d.drain() == Lines{"opened U", "open#2 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&sid=U",
                           "get#1.2 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=2&sid=U"});
  d.s.on_transport_open(2, 2);
  CHECK(d.drain() == Lines{"send#2 2probe"});
  REQUIRE(d.s.send(3, Frame{false, "40"}).ok());  // polling still carries the session meanwhile
  CHECK(d.drain() == Lines{"post#1.3 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=3&sid=U body 440"});
  d.s.on_frame(4, 2, Frame{false, "3probe"});
  CHECK(d.drain().empty());  // paused: a GET and a POST are still in flight
  REQUIRE(d.s.send(5, Frame{false, "42[\"waits\"]"}).ok());
  CHECK(d.drain().empty());
  d.s.on_http_response(6, 1, 3, 200, "ok");
  // The last GET brings a message (then the server's noop): the switch is due at once, but as the next
  // input's first step, so that what the layer above writes on reading the message goes after "5".
  d.s.on_http_response(7, 1, 2, 200, "440{\"sid\":\"S\"}\x1e" "6");
  CHECK(d.drain() == Lines{"message 40{\"sid\":\"S\"}"});
  CHECK(*d.s.next_deadline() == 7);
  REQUIRE(d.s.send(7, Frame{false, "42[\"answer\"]"}).ok());
  CHECK(d.drain() == Lines{"send#2 5", "upgraded #2", "send#2 442[\"waits\"]", "send#2 442[\"answer\"]"});
  CHECK(d.s.transport() == 2);
  // From now on a WebSocket session: frames in and out on #2, late HTTP answers ignored.
  d.s.on_frame(8, 2, Frame{false, "2"});
  d.s.on_http_response(9, 1, 2, 200, "4late");
  CHECK(d.drain() == Lines{"send#2 3"});
  REQUIRE(d.s.send(10, Frame{false, "x"}).ok());
  CHECK(d.drain() == Lines{"send#2 4x"});
}

TEST_CASE("polling session: a failed probe is closed and polling goes on", "[engineio][polling]") {
  SessionOptions o = polling(Version::V4);
  o.upgrade = true;
  for (int how = 0; how < 3; ++how) {
    INFO("how " << how);
    Driver d(o);
    d.s.open(0);
    d.s.on_http_response(1, 1, 1, 200, R"(0{"sid":"U","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000})");
    d.drain();
    if (how == 0) {
      d.s.on_transport_error(2, 2, "Unexpected server response: 400");
      CHECK(d.drain() == Lines{"close#2 1000 probe failed"});
    } else if (how == 1) {
      d.s.on_transport_close(2, 2, 1006, "");
      CHECK(d.drain().empty());
    } else {
      d.s.on_transport_open(2, 2);
      d.s.on_frame(3, 2, Frame{false, "3nope"});
      CHECK(d.drain() == Lines{"send#2 2probe", "close#2 1000 probe failed"});
    }
    d.s.on_http_response(5, 1, 2, 200, "6");
    CHECK(d.drain() == Lines{"get#1.3 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=3&sid=U"});
    CHECK(d.s.transport() == 1);
  }
  // No "websocket" in upgrades: no probe at all.
  Driver n(o);
  n.s.open(0);
  n.s.on_http_response(1, 1, 1, 200, R"(0{"sid":"U","upgrades":[],"pingInterval":25000,"pingTimeout":20000})");
  CHECK(n.drain() == Lines{"get#1.1 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=1", "opened U",
                           "get#1.2 http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t=2&sid=U"});
}
