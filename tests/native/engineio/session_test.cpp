// Session behaviour as transcripts: inputs with a fake clock, the outputs as readable lines.
#include <catch2/catch.hpp>

#include "engineio/session.h"
#include "engineio/support.h"

using namespace echat::engineio;
using eio_test::Driver;
using eio_test::kOpenV3;
using eio_test::kOpenV4;
using eio_test::Lines;
using eio_test::opts;

TEST_CASE("session: URL for both versions, with and without a query", "[engineio][session]") {
  Driver a(opts(Version::V3));
  a.s.open(0);
  CHECK(a.drain() == Lines{"open#1 ws://127.0.0.1:3000/socket.io/?EIO=3&transport=websocket"});
  Driver b(opts(Version::V4, "token=abc&x=1"));
  b.s.open(0);
  CHECK(b.drain() == Lines{"open#1 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&token=abc&x=1"});
  SessionOptions o = opts(Version::V4);
  o.base_url = "ws://h/socket.io/?t=1";
  Session c(o);
  CHECK(c.url() == "ws://h/socket.io/?t=1&EIO=4&transport=websocket");
}

TEST_CASE("session: connect_timeout 0 fails at once without opening a transport", "[engineio][session]") {
  SessionOptions o = opts(Version::V4);
  o.connect_timeout = 0;
  Driver d(o);
  d.s.open(1000);
  CHECK(d.drain() == Lines{"closed connect timeout [eio.connect_timeout] before_open"});
  CHECK(d.s.state() == State::Closed);
  CHECK_FALSE(d.s.next_deadline());
  // A later open() with the same options fails the same way, again without a transport.
  d.s.open(2000);
  CHECK(d.drain() == Lines{"closed connect timeout [eio.connect_timeout] before_open"});
}

TEST_CASE("session: EIO4 handshake, messages both ways, server close", "[engineio][session]") {
  Driver d(opts(Version::V4));
  CHECK(d.s.state() == State::Idle);
  CHECK_FALSE(d.s.next_deadline());
  d.s.open(1000);
  CHECK(d.s.state() == State::Opening);
  CHECK(*d.s.next_deadline() == 21000);  // connect timeout
  d.drain();
  d.s.on_transport_open(1010, 1);
  CHECK(d.drain().empty());
  d.text(1020, kOpenV4);
  CHECK(d.drain() == Lines{"opened s4"});
  CHECK(d.s.state() == State::Open);
  REQUIRE(d.s.handshake());
  CHECK(d.s.handshake()->ping_interval == 25000);
  CHECK(*d.s.next_deadline() == 1020 + 25000 + 20000);

  d.text(1030, "4hello");
  d.bin(1031, "\x01\x02");
  d.text(1032, "bAQIDBA==");
  CHECK(d.drain() == Lines{"message hello", "message bin:\\x01\\x02", "message bin:\\x01\\x02\\x03\\x04"});

  REQUIRE(d.s.send(1040, Frame{false, "42[\"hi\"]"}).ok());
  REQUIRE(d.s.send(1041, Frame{true, std::string("\x00\x01", 2)}).ok());
  CHECK(d.drain() == Lines{"send#1 442[\"hi\"]", "send#1 bin:\\x00\\x01"});

  d.text(1050, "1");
  CHECK(d.drain() == Lines{"close#1 1000 transport close", "closed transport close [eio.server_close]"});
  CHECK(d.s.state() == State::Closed);
  CHECK_FALSE(d.s.next_deadline());
}

TEST_CASE("session: EIO3 handshake, binary with 0x04, base64 b4", "[engineio][session]") {
  Driver d(opts(Version::V3));
  d.s.open(0);
  d.drain();
  d.text(5, kOpenV3);
  d.bin(6, std::string("\x04\x00\x01", 3));
  d.text(7, "b4AQIDBA==");
  CHECK(d.drain() == Lines{"opened s3", "message bin:\\x00\\x01", "message bin:\\x01\\x02\\x03\\x04"});
  REQUIRE(d.s.send(8, Frame{true, "\x01"}).ok());
  CHECK(d.drain() == Lines{"send#1 bin:\\x04\\x01"});
}

TEST_CASE("session: base64_binary sends binary as text", "[engineio][session]") {
  for (Version v : {Version::V3, Version::V4}) {
    SessionOptions o = opts(v);
    o.base64_binary = true;
    Driver d(o);
    d.s.open(0);
    d.text(1, v == Version::V3 ? kOpenV3 : kOpenV4);
    d.drain();
    REQUIRE(d.s.send(2, Frame{true, std::string("\x01\x02\x03\x04", 4)}).ok());
    REQUIRE(d.s.send(3, Frame{false, "x"}).ok());
    CHECK(d.drain() == Lines{v == Version::V3 ? "send#1 b4AQIDBA==" : "send#1 bAQIDBA==", "send#1 4x"});
  }
}

TEST_CASE("session: EIO3 client heartbeat on a fake clock", "[engineio][session][heartbeat]") {
  Driver d(opts(Version::V3));  // pingInterval 25000, pingTimeout 5000
  d.s.open(0);
  d.text(100, kOpenV3);
  d.drain();
  // Ping due at 25100; the liveness deadline (interval + timeout) at 30100.
  CHECK(*d.s.next_deadline() == 25100);
  d.s.on_timer(25099);  // early: nothing
  CHECK(d.drain().empty());
  d.s.on_timer(25100);
  CHECK(d.drain() == Lines{"send#1 2"});
  CHECK(*d.s.next_deadline() == 30100);  // pong expected within pingTimeout
  d.text(25200, "3");
  CHECK(d.drain().empty());
  CHECK(*d.s.next_deadline() == 50200);  // next ping pingInterval after the pong
  d.s.on_timer(50200);
  CHECK(d.drain() == Lines{"send#1 2"});
  // A message does not excuse a missing pong.
  d.text(52000, "4x");
  CHECK(d.drain() == Lines{"message x"});
  CHECK(*d.s.next_deadline() == 55200);
  d.s.on_timer(55200);
  CHECK(d.drain() == Lines{"close#1 1000 ping timeout", "closed ping timeout [eio.ping_timeout]"});
  CHECK(d.s.state() == State::Closed);
  REQUIRE(d.s.error());
  CHECK(d.s.error()->message == "eio: no pong within pingTimeout 5000 ms");
}

TEST_CASE("session: EIO4 never pings; answers server pings; any packet resets the timer",
          "[engineio][session][heartbeat]") {
  Driver d(opts(Version::V4));  // pingInterval 25000, pingTimeout 20000
  d.s.open(0);
  d.text(0, kOpenV4);
  d.drain();
  CHECK(*d.s.next_deadline() == 45000);
  d.s.on_timer(25000);
  CHECK(d.drain().empty());  // never a ping from the client
  d.text(25000, "2");
  CHECK(d.drain() == Lines{"send#1 3"});
  CHECK(*d.s.next_deadline() == 70000);
  d.text(40000, "4a");
  CHECK(*d.s.next_deadline() == 85000);
  d.text(41000, "6");
  CHECK(*d.s.next_deadline() == 86000);
  d.s.on_timer(85999);
  CHECK(d.drain() == Lines{"message a"});
  d.s.on_timer(86000);
  CHECK(d.drain() == Lines{"close#1 1000 ping timeout", "closed ping timeout [eio.ping_timeout]"});
}
