// Manager edge cases: protocol 4 auth as query, timeouts of buffered emits, odd server packets.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::socketio::Manager;
using echat::socketio::ManagerOptions;
using echat::socketio::ManagerState;
using echat::socketio::SocketState;
using Strings = std::vector<std::string>;

namespace {
ManagerOptions opts(int protocol) {
  ManagerOptions o = Harness::base_options();
  o.protocol = protocol;
  o.randomization_factor = 0;
  return o;
}
}  // namespace

TEST_CASE("edge: protocol 4 auth object becomes the namespace query", "[socketio][manager][p4]") {
  Harness h(opts(3));
  h.connect("/");
  h.take_wire();
  h.connect("/chat", "{\"token\":\"a b&c\",\"n\":5,\"ok\":true,\"none\":null,\"obj\":{\"x\":1}}");
  CHECK(h.take_wire() == Strings{"send #1 40/chat?n=5&none=&obj=%7B%22x%22%3A1%7D&ok=true&token=a%20b%26c,"});
  REQUIRE(h.server.connects.size() == 1);
  CHECK(h.server.connects[0].query == "n=5&none=&obj=%7B%22x%22%3A1%7D&ok=true&token=a%20b%26c");
  // Protocol 5 sends the auth object itself.
  Harness h5(opts(4));
  h5.connect("/chat", "{\"token\":\"a b&c\"}");
  CHECK(h5.take_wire().back() == "send #1 40/chat,{\"token\":\"a b&c\"}");
}

TEST_CASE("edge: a buffered emit whose ack times out is never sent", "[socketio][manager][ack]") {
  Harness h(opts(4));
  h.hold_open = true;
  REQUIRE(h.m.connect_socket(0, "/", "").ok());
  h.pump();
  Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = 100;
  const auto a = h.emit("/", "[\"message-with-ack\",\"a\"]", {}, o);
  o.ack_timeout = 100000;
  const auto b = h.emit("/", "[\"message-with-ack\",\"b\"]", {}, o);
  h.clock.advance(150);
  h.m.on_timer(h.now());
  h.pump();
  CHECK(h.take_log() == Strings{"ack / #" + std::to_string(a) + " error: operation has timed out"});
  // Now the link comes up: only b goes out.
  const auto t = h.held.back();
  auto greeting = h.server.accept(t, h.urls.back());
  h.open.insert(t);
  h.m.on_transport_open(h.now(), t);
  h.deliver(t, *greeting);
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /", "ack / #" + std::to_string(b) + " ok [\"b\"]"});
  REQUIRE(h.server.events.size() == 1);
  CHECK(h.server.events[0].data == "[\"message-with-ack\",\"b\"]");
}

TEST_CASE("edge: DISCONNECT or CONNECT_ERROR in unexpected states", "[socketio][manager]") {
  {  // DISCONNECT for a namespace still waiting for its CONNECT answer: refused
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.hold_open = false;
    REQUIRE(h.m.connect_socket(h.now(), "/late", "").ok());
    // (the peer does not know /late; answer by hand before it would)
    h.m.on_frame(h.now(), h.conn(), {false, "41/late,"});
    h.pump();
    const Strings log = h.take_log();
    REQUIRE(!log.empty());
    CHECK(log[0] == "connect_error /late: io server disconnect");
    CHECK(h.m.socket_state("/late") == SocketState::Inactive);
  }
  {  // CONNECT_ERROR on a connected namespace: treated as a server disconnect
    Harness h(opts(4));
    h.connect("/");
    h.connect("/chat");
    h.take_log();
    h.server_send({{false, "44/chat,{\"message\":\"kicked\"}"}});
    CHECK(h.take_log() == Strings{"disconnect /chat: io server disconnect"});
    CHECK(h.m.state() == ManagerState::Open);
  }
  {  // Packets for namespaces nobody wants are ignored
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.server_send({{false, "42/other,[\"x\"]"}, {false, "43/other,1[]"}, {false, "44/other,\"no\""},
                   {false, "41/other,"}, {false, "40/other,{\"sid\":\"z\"}"}});
    CHECK(h.take_log().empty());
    CHECK(h.m.state() == ManagerState::Open);
  }
  {  // A duplicate CONNECT for a connected namespace changes nothing
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.server_send({{false, "40{\"sid\":\"again\"}"}});
    CHECK(h.take_log().empty());
  }
}

TEST_CASE("edge: going online after reconnect_failed starts again", "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.reconnection_attempts = 1;
  Harness h(o);
  h.reachable = false;
  h.connect("/");
  h.advance(10000);
  CHECK(h.take_log().back() == "reconnect_failed");
  CHECK(h.m.state() == ManagerState::Idle);
  h.reachable = true;
  h.m.set_online(h.now(), false);
  h.m.set_online(h.now(), true);
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
}

TEST_CASE("edge: reconnection_attempts = 0 gives up at once; delay 0 retries immediately", "[socketio][manager][reconnect]") {
  {
    ManagerOptions o = opts(4);
    o.reconnection_attempts = 0;
    Harness h(o);
    h.reachable = false;
    h.connect("/");
    CHECK(h.take_log().back() == "reconnect_failed");
    CHECK_FALSE(h.m.next_deadline());
  }
  {
    ManagerOptions o = opts(4);
    o.reconnection_delay = 0;
    o.reconnection_delay_max = 0;
    o.reconnection_attempts = 3;
    Harness h(o);
    h.reachable = false;
    h.connect("/");
    h.advance(0);
    CHECK(h.open_times == std::vector<std::int64_t>{0, 0, 0, 0});
    CHECK(h.take_log().back() == "reconnect_failed");
  }
}

TEST_CASE("edge: the server closes the link before the open packet (auto: EIO3, then a real failure)", "[socketio][manager][auto]") {
  ServerPeerOptions s;
  s.accept_eio3 = false;
  s.accept_eio4 = false;
  Harness h(opts(0), s);
  h.connect("/");
  CHECK(h.urls.size() == 2);
  const Strings log = h.take_log();
  REQUIRE(log.size() == 2);
  CHECK(log[0] == "manager error: eio.transport_error");
  CHECK(h.m.state() == ManagerState::WaitingReconnect);
  CHECK_FALSE(h.m.remembered_version());
}

TEST_CASE("edge: close() during a backoff and during opening", "[socketio][manager]") {
  Harness h(opts(4));
  h.reachable = false;
  h.connect("/");
  CHECK(h.m.state() == ManagerState::WaitingReconnect);
  h.m.close(h.now());
  h.pump();
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK_FALSE(h.m.next_deadline());
  h.advance(100000);
  CHECK(h.urls.size() == 1);
  Harness h2(opts(0));
  h2.hold_open = true;
  h2.connect("/");
  h2.m.close(h2.now());
  h2.pump();
  CHECK(h2.take_wire().back() == "close #1 1000 forced close");
  CHECK(h2.m.state() == ManagerState::Idle);
  h2.advance(100000);
  CHECK(h2.urls.size() == 1);  // no EIO3 fallback after a close()
}
