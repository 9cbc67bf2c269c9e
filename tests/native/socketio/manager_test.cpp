// Manager sessions against the in-memory server peer: handshakes of both protocol generations, events,
// acks, binary, buffers, namespaces, reconnection, protocol selection.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::socketio::Manager;
using echat::socketio::ManagerOptions;
using echat::socketio::ManagerState;
using echat::socketio::SocketState;
using Strings = std::vector<std::string>;

namespace {

ManagerOptions opts(int protocol = 0) {
  ManagerOptions o = Harness::base_options();
  o.protocol = protocol;
  return o;
}

const std::string kPh0 = "{\"_placeholder\":true,\"num\":0}";
const std::string kPh1 = "{\"_placeholder\":true,\"num\":1}";

}  // namespace

TEST_CASE("manager: protocol 5 handshake over Engine.IO 4", "[socketio][manager]") {
  Harness h(opts(4));
  h.connect("/");
  CHECK(h.take_wire() == Strings{"open #1 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket", "send #1 40"});
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
  CHECK(h.m.state() == ManagerState::Open);
  CHECK(h.m.socket_state("/") == SocketState::Connected);
  REQUIRE(h.events.size() == 2);
  const auto& c = std::get<echat::socketio::SocketConnect>(h.events[1]);
  CHECK(c.sid.rfind("s", 0) == 0);
  CHECK_FALSE(c.pid);
  CHECK(h.server.violations.empty());
}

TEST_CASE("manager: protocol 4 handshake over Engine.IO 3 (root connected by the server)", "[socketio][manager]") {
  Harness h(opts(3), [] {
    ServerPeerOptions s;
    s.protected_namespaces = {"/admin"};
    return s;
  }());
  h.connect("/");
  CHECK(h.take_wire() == Strings{"open #1 ws://127.0.0.1:3000/socket.io/?EIO=3&transport=websocket"});
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
  const auto& c = std::get<echat::socketio::SocketConnect>(h.events[1]);
  CHECK(c.sid == "sid1");  // the engine sid
  h.connect("/admin", "{\"token\":\"secret\"}");
  CHECK(h.take_wire() == Strings{"send #1 40/admin?token=secret,"});
  CHECK(h.take_log() == Strings{"connect /admin"});
  CHECK(std::get<echat::socketio::SocketConnect>(h.events.back()).sid == "/admin#sid1");
  CHECK(h.server.violations.empty());
}

TEST_CASE("manager: auto protocol against a v3-only server falls back to EIO3 and remembers it", "[socketio][manager][auto]") {
  ServerPeerOptions s;
  s.accept_eio4 = false;  // netty-socketio 1.7.x before 1.7.22
  Harness h(opts(0), s);
  h.connect("/");
  h.connect("/admin");
  REQUIRE(h.urls.size() == 2);
  CHECK(h.urls[0].find("EIO=4") != std::string::npos);
  CHECK(h.urls[1].find("EIO=3") != std::string::npos);
  CHECK(h.take_log() == Strings{"manager open", "connect /", "connect /admin"});  // the EIO4 refusal is silent
  CHECK(h.m.remembered_version() == echat::engineio::Version::V3);
  // A server restart: the reconnect goes straight to EIO3, and both namespaces are re-connected.
  h.server_restart();
  h.advance(10000);
  REQUIRE(h.urls.size() == 3);
  CHECK(h.urls[2].find("EIO=3") != std::string::npos);
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close",
                                "disconnect /admin: transport close", "reconnect_attempt 1", "manager open",
                                "reconnect 1", "connect /", "connect /admin"});
  CHECK(h.server.violations.empty());
}

TEST_CASE("manager: auto protocol against a v4 server stays on EIO4", "[socketio][manager][auto]") {
  Harness h(opts(0));
  h.connect("/admin");
  CHECK(h.urls.size() == 1);
  CHECK(h.take_log() == Strings{"manager open", "connect /admin"});
  CHECK(h.m.remembered_version() == echat::engineio::Version::V4);
  CHECK(h.m.engine_version() == echat::engineio::Version::V4);
}

TEST_CASE("manager: auto protocol against a protocol 4 server on EIO4 (CONNECT without sid) retries with EIO3",
          "[socketio][manager][auto]") {
  ServerPeerOptions s;
  s.protocol_on_eio4 = 4;  // netty-socketio 1.7.22+: EIO4 framing, Socket.IO protocol 4
  Harness h(opts(0), s);
  h.connect("/");
  REQUIRE(h.urls.size() == 2);
  CHECK(h.urls[0].find("EIO=4") != std::string::npos);
  CHECK(h.urls[1].find("EIO=3") != std::string::npos);
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
  CHECK(h.m.remembered_version() == echat::engineio::Version::V3);
  // No ReconnectAttempt was spent on it.
  CHECK(h.m.reconnect_attempts() == 0);
}

TEST_CASE("manager: forced protocol 4 (EIO4) to a protocol 4 server reports the mismatch", "[socketio][manager][auto]") {
  ServerPeerOptions s;
  s.protocol_on_eio4 = 4;
  s.namespaces = {"/", "/admin"};
  Harness h(opts(4), s);
  h.connect("/admin");
  const Strings log = h.take_log();
  REQUIRE(log.size() >= 2);
  CHECK(log[0] == "manager open");
  CHECK(log[1].rfind("connect_error /admin: the server answered CONNECT without a sid", 0) == 0);
  CHECK(h.m.socket_state("/admin") == SocketState::Inactive);
}

TEST_CASE("manager: events both ways, with binary attachments", "[socketio][manager]") {
  for (int protocol : {3, 4}) {
    INFO("EIO" << protocol);
    Harness h(opts(protocol));
    h.connect("/");
    h.take_log();
    h.take_wire();
    h.emit("/", "[\"message\",1,\"2\",{\"3\":[true]}]");
    CHECK(h.take_log() == Strings{"event / [\"message-back\",1,\"2\",{\"3\":[true]}]"});
    h.emit("/", "[\"message\"," + kPh0 + "," + kPh1 + "]", {std::string("\x01\x02\x03"), std::string("\x04\x05\x06")});
    CHECK(h.take_log() == Strings{"event / [\"message-back\"," + kPh0 + "," + kPh1 + "] <bin 010203> <bin 040506>"});
    const Strings wire = h.take_wire();
    REQUIRE(wire.size() == 4);
    CHECK(wire[1] == "send #1 452-[\"message\"," + kPh0 + "," + kPh1 + "]");
    CHECK(wire[2] == (protocol == 3 ? "send #1 <bin 04010203>" : "send #1 <bin 010203>"));
    CHECK(wire[3] == (protocol == 3 ? "send #1 <bin 04040506>" : "send #1 <bin 040506>"));
    h.server_emit("/", "[\"news\",{\"a\":1}," + kPh0 + "]", {"\xff"});
    CHECK(h.take_log() == Strings{"event / [\"news\",{\"a\":1}," + kPh0 + "] <bin ff>"});
    CHECK(h.server.violations.empty());
  }
}

TEST_CASE("manager: acks from the server (plain and binary), ids per namespace", "[socketio][manager][ack]") {
  Harness h(opts(4));
  h.connect("/");
  h.connect("/admin");
  h.take_log();
  Manager::EmitOptions ack;
  ack.want_ack = true;
  const auto id1 = h.emit("/", "[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", {}, ack);
  const auto id2 = h.emit("/admin", "[\"message-with-ack\"," + kPh0 + "]", {"\x01"}, ack);
  CHECK(id1 == 1);
  CHECK(id2 == 2);
  CHECK(h.take_log() == Strings{"ack / #1 ok [1,\"2\",{\"3\":[false]}]", "ack /admin #2 ok [" + kPh0 + "] <bin 01>"});
  const Strings wire = h.take_wire();
  CHECK(std::find(wire.begin(), wire.end(), "send #1 420[\"message-with-ack\",1,\"2\",{\"3\":[false]}]") != wire.end());
  CHECK(std::find(wire.begin(), wire.end(), "send #1 451-/admin,0[\"message-with-ack\"," + kPh0 + "]") != wire.end());
  // An unknown or repeated ack id from the server is ignored.
  h.server_send({{false, "43/admin,0[]"}, {false, "4399[]"}});
  CHECK(h.take_log().empty());
}

TEST_CASE("manager: the server asks for an ack; the app answers once", "[socketio][manager][ack]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  h.emit("/", "[\"ask\"]");
  CHECK(h.take_log() == Strings{"event / [\"question\",42] ack=7"});
  auto r = h.m.ack(h.now(), "/", 7, "[\"answer\"]", {});
  REQUIRE(r.ok());
  h.pump();
  REQUIRE(h.server.client_acks.size() == 1);
  CHECK(h.server.client_acks[0].id == 7u);
  CHECK(h.server.client_acks[0].data == "[\"answer\"]");
  auto again = h.m.ack(h.now(), "/", 7, "[]", {});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "sio.unknown_ack_id");
  CHECK(again.error().kind == echat::core::ErrorKind::Caller);
  // Binary ack.
  h.server_emit("/", "[\"file?\"]", {}, 9);
  REQUIRE(h.m.ack(h.now(), "/", 9, "[" + kPh0 + "]", {"\x07\x08"}).ok());
  h.pump();
  CHECK(h.server.client_acks.back().type == 6);
  CHECK(h.server.client_acks.back().attachments == Strings{"\x07\x08"});
  CHECK(h.take_wire().back() == "send #1 <bin 0708>");
  // Bad answers are caller errors.
  h.server_emit("/", "[\"q\"]", {}, 10);
  CHECK(h.m.ack(h.now(), "/", 10, "{}", {}).error().message.rfind("args:", 0) == 0);
  CHECK(h.m.ack(h.now(), "/nope", 10, "[]", {}).error().code == "sio.not_connected");
  CHECK(h.m.ack(h.now(), "bad", 10, "[]", {}).error().message.rfind("nsp:", 0) == 0);
}

TEST_CASE("manager: ack timeouts, and late acks after a timeout are ignored", "[socketio][manager][ack]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = 500;
  const auto id = h.emit("/", "[\"silent\"]", {}, o);
  CHECK(*h.m.next_deadline() <= h.now() + 500);
  h.advance(499);
  CHECK(h.take_log().empty());
  h.advance(1);
  CHECK(h.take_log() == Strings{"ack / #" + std::to_string(id) + " error: operation has timed out"});
  h.server_send({{false, "430[\"late\"]"}});
  CHECK(h.take_log().empty());
}

TEST_CASE("manager: pending acks fail when the connection drops; buffered ones survive", "[socketio][manager][ack]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  Manager::EmitOptions o;
  o.want_ack = true;
  h.emit("/", "[\"silent\"]", {}, o);
  h.server_restart();
  // While disconnected, an emit with an ack waits in the buffer.
  const auto queued = h.emit("/", "[\"message-with-ack\",\"q\"]", {}, o);
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close",
                                "ack / #1 error: socket has been disconnected"});
  h.advance(10000);
  CHECK(h.take_log() == Strings{"reconnect_attempt 1", "manager open", "reconnect 1", "connect /",
                                "ack / #" + std::to_string(queued) + " ok [\"q\"]"});
}

TEST_CASE("manager: send buffer is flushed in order after CONNECT; volatile emits are dropped", "[socketio][manager][buffer]") {
  Harness h(opts(4));
  h.hold_open = true;
  REQUIRE(h.m.connect_socket(h.now(), "/", "").ok());
  h.pump();
  h.emit("/", "[\"echo\",1]");
  Manager::EmitOptions vol;
  vol.is_volatile = true;
  h.emit("/", "[\"echo\",\"volatile\"]", {}, vol);
  vol.want_ack = true;
  const auto vid = h.emit("/", "[\"echo\",\"volatile-ack\"]", {}, vol);
  h.emit("/", "[\"echo\",2]");
  h.emit("/", "[\"echo\"," + kPh0 + "]", {"\x03"});
  CHECK(h.take_log() == Strings{"ack / #" + std::to_string(vid) + " error: socket has been disconnected"});
  // Now let the link through.
  h.hold_open = false;
  const auto t = h.held.back();
  auto greeting = h.server.accept(t, h.urls.back());
  h.open.insert(t);
  h.m.on_transport_open(h.now(), t);
  h.deliver(t, *greeting);
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /", "event / [\"echo\",1]", "event / [\"echo\",2]",
                                "event / [\"echo\"," + kPh0 + "] <bin 03>"});
  // Connected: a volatile emit goes out.
  Manager::EmitOptions v2;
  v2.is_volatile = true;
  h.emit("/", "[\"echo\",\"now\"]", {}, v2);
  CHECK(h.take_log() == Strings{"event / [\"echo\",\"now\"]"});
}

TEST_CASE("manager: several namespaces over one connection", "[socketio][manager][nsp]") {
  Harness h(opts(4));
  h.connect("/");
  h.connect("/chat");
  h.connect("/admin");
  CHECK(h.urls.size() == 1);
  h.take_log();
  h.emit("/chat", "[\"echo\",\"c\"]");
  h.emit("/admin", "[\"echo\",\"a\"]");
  h.emit("/", "[\"echo\",\"r\"]");
  CHECK(h.take_log() == Strings{"event /chat [\"echo\",\"c\"]", "event /admin [\"echo\",\"a\"]", "event / [\"echo\",\"r\"]"});
  // Server disconnects /chat: only /chat is gone, no reconnect for it.
  h.server_disconnect("/chat");
  CHECK(h.take_log() == Strings{"disconnect /chat: io server disconnect"});
  CHECK(h.m.socket_state("/chat") == SocketState::Inactive);
  CHECK(h.m.state() == ManagerState::Open);
  // The app disconnects /admin: DISCONNECT goes out.
  h.m.disconnect_socket(h.now(), "/admin");
  h.pump();
  CHECK(h.take_log() == Strings{"disconnect /admin: io client disconnect"});
  CHECK(h.take_wire().back() == "send #1 41/admin,");
  // A restart re-connects only "/".
  h.server_restart();
  h.advance(10000);
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close", "reconnect_attempt 1",
                                "manager open", "reconnect 1", "connect /"});
  // The last socket going away closes the connection.
  h.m.disconnect_socket(h.now(), "/");
  h.pump();
  CHECK(h.take_log() == Strings{"disconnect /: io client disconnect", "manager close: forced close"});
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK(h.open.empty());
  CHECK_FALSE(h.m.next_deadline());
}

TEST_CASE("manager: CONNECT_ERROR in both shapes; no retry for that namespace", "[socketio][manager][nsp]") {
  for (int protocol : {3, 4}) {
    INFO("EIO" << protocol);
    ServerPeerOptions s;
    s.protected_namespaces = {"/admin"};
    Harness h(opts(protocol), s);
    h.connect("/");
    h.connect("/admin", "{\"token\":\"wrong\"}");
    h.connect("/nope");
    const Strings log = h.take_log();
    if (protocol == 4) {
      CHECK(log == Strings{"manager open", "connect /", "connect_error /admin: Not authorized",
                           "connect_error /nope: Invalid namespace"});
      const auto& e = std::get<echat::socketio::SocketConnectError>(h.events[2]);
      CHECK(e.data_json == "{\"message\":\"Not authorized\",\"data\":{\"code\":401}}");
      CHECK_FALSE(e.active);
    } else {
      CHECK(log == Strings{"manager open", "connect /", "connect_error /admin: Not authorized",
                           "connect_error /nope: Invalid namespace"});
      CHECK(std::get<echat::socketio::SocketConnectError>(h.events[2]).data_json == "\"Not authorized\"");
    }
    CHECK(h.m.socket_state("/admin") == SocketState::Inactive);
    // A reconnect does not retry them.
    h.server_restart();
    h.advance(10000);
    for (const auto& line : h.take_log()) CHECK(line.find("/admin") == std::string::npos);
    // Retrying by hand with the right token works.
    h.connect("/admin", "{\"token\":\"secret\"}");
    CHECK(h.take_log() == Strings{"connect /admin"});
  }
}

TEST_CASE("manager: refusal of the only namespace closes the connection", "[socketio][manager][nsp]") {
  ServerPeerOptions s;
  s.string_errors = true;  // python-socketio / netty style
  Harness h(opts(4), s);
  h.connect("/x");
  CHECK(h.take_log() == Strings{"manager open", "connect_error /x: Invalid namespace", "manager close: forced close"});
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK_FALSE(h.m.next_deadline());
}

TEST_CASE("manager: server DISCONNECT with a payload (python-socketio) is a server disconnect", "[socketio][manager][quirk]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  h.server_send({{false, "41{\"reason\":\"bye\"}"}});
  CHECK(h.take_log() == Strings{"disconnect /: io server disconnect", "manager close: forced close"});
  h.advance(60000);
  CHECK(h.take_log().empty());  // no reconnect after io server disconnect
  CHECK(h.urls.size() == 1);
}

TEST_CASE("manager: netty's 0x04 prefix on EIO4 binary attachments", "[socketio][manager][quirk]") {
  ServerPeerOptions s;
  s.eio3_binary_prefix_on_eio4 = true;
  ManagerOptions o = opts(4);
  o.strip_v4_binary_prefix = true;  // the app knows its server is netty-socketio on EIO4
  Harness h(o, s);
  h.connect("/");
  h.take_log();
  h.server_emit("/", "[\"bin\"," + kPh0 + "]", {"\x01\x02"});
  CHECK(h.take_log() == Strings{"event / [\"bin\"," + kPh0 + "] <bin 0102>"});
}

TEST_CASE("manager: reconnect backoff follows the exact schedule for a seed", "[socketio][manager][reconnect]") {
  for (std::uint64_t seed : {1ull, 42ull, 0xdeadbeefull}) {
    INFO("seed " << seed);
    ManagerOptions o = opts(4);
    o.seed = seed;
    o.reconnection_attempts = 8;
    Harness h(o);
    h.reachable = false;
    h.connect("/");
    h.advance(200000);
    // Expected: socket.io-client's backoff with the same random stream.
    echat::core::Rng rng(seed);
    std::vector<std::int64_t> want{0};
    std::int64_t t = 0;
    for (int attempt = 0; attempt < 8; ++attempt) {
      double ms = 1000.0 * std::pow(2.0, attempt);
      const double r = rng.next_unit();
      const double dev = std::floor(r * 0.5 * ms);
      ms = (static_cast<long long>(std::floor(r * 10)) & 1) == 0 ? ms - dev : ms + dev;
      ms = std::min(ms, 5000.0);
      t += static_cast<std::int64_t>(ms);
      want.push_back(t);
    }
    CHECK(h.open_times == want);
    const Strings log = h.take_log();
    REQUIRE(log.size() >= 4);
    CHECK(log[0] == "manager error: eio.transport_error");
    CHECK(log[1].rfind("connect_error /: eio: WebSocket error: ", 0) == 0);
    CHECK(log[1].find("connect ECONNREFUSED") != std::string::npos);
    CHECK(log[1].find("(active)") != std::string::npos);
    CHECK(log[2] == "reconnect_attempt 1");
    CHECK(log[3] == "manager error: eio.transport_error");
    CHECK(log.back() == "reconnect_failed");
    CHECK(std::count(log.begin(), log.end(), "reconnect_error: eio.transport_error") == 8);
    CHECK(h.m.state() == ManagerState::Idle);
    CHECK_FALSE(h.m.next_deadline());
  }
}

TEST_CASE("manager: backoff without jitter doubles and caps; attempts reset after a reconnect", "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  Harness h(o);
  h.connect("/");
  h.take_log();
  h.reachable = false;
  h.server_restart();
  h.advance(1000 + 2000 + 4000 + 5000 + 5000 - 1);
  CHECK(h.open_times == std::vector<std::int64_t>{0, 1000, 3000, 7000, 12000});
  h.reachable = true;
  h.advance(1);
  CHECK(h.open_times.back() == 17000);
  const Strings log = h.take_log();
  CHECK(log.back() == "connect /");
  CHECK(std::find(log.begin(), log.end(), "reconnect 5") != log.end());
  CHECK(h.m.reconnect_attempts() == 0);
  // The next drop starts again at 1000 ms.
  h.server_restart();
  h.advance(999);
  CHECK(h.open_times.size() == 6);
  h.advance(1);
  CHECK(h.open_times.size() == 7);
  CHECK(h.open_times.back() == 18000);
}

TEST_CASE("manager: timeout 0 fails every attempt at once without a transport; set_reconnect_options steers the cycle",
          "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  o.timeout = 0;
  o.reconnection_attempts = 2;
  Harness h(o);
  h.connect("/");
  h.advance(1000 + 2000);
  CHECK(h.open_times.empty());  // no transport was opened
  const Strings log = h.take_log();
  REQUIRE_FALSE(log.empty());
  CHECK(log.back() == "reconnect_failed");
  CHECK(std::count(log.begin(), log.end(), "reconnect_attempt 1") == 1);
  CHECK(std::count(log.begin(), log.end(), "reconnect_attempt 2") == 1);

  // The setters' fields only; the rest (url, protocol, seed) are kept; a bad value changes nothing.
  ManagerOptions next = o;
  next.url = "ftp://ignored";
  next.timeout = 20000;
  next.reconnection_delay = 10;
  REQUIRE(h.m.set_reconnect_options(next).ok());
  ManagerOptions bad = next;
  bad.randomization_factor = 2;
  CHECK(h.m.set_reconnect_options(bad).error().message.rfind("randomization_factor:", 0) == 0);
  h.connect("/");
  CHECK(h.take_log().back() == "connect /");
  CHECK(h.open_times.size() == 1);
  h.reachable = false;
  h.server_restart();
  h.advance(10);  // the new reconnection_delay
  CHECK(h.open_times.size() == 2);
}

TEST_CASE("manager: drop_connection closes with forced close and reconnects; nothing without a connection",
          "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  Harness h(o);
  h.m.drop_connection(h.now());  // no connection yet
  CHECK(h.take_log().empty());
  h.connect("/");
  REQUIRE(h.take_log() == Strings{"manager open", "connect /"});
  REQUIRE(h.events.size() == 2);
  CHECK_FALSE(std::get<echat::socketio::ManagerOpen>(h.events[0]).sid.empty());
  h.m.drop_connection(h.now());
  h.pump();
  CHECK(h.take_log() == Strings{"manager close: forced close", "disconnect /: forced close"});
  CHECK(h.m.socket_state("/") != SocketState::Inactive);
  h.advance(1000);
  const Strings log = h.take_log();
  CHECK(std::find(log.begin(), log.end(), "reconnect 1") != log.end());
  CHECK(log.back() == "connect /");
  CHECK(h.m.state() == ManagerState::Open);
}

TEST_CASE("manager: wake() attempts at once during a backoff; set_online pauses and resumes", "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  Harness h(o);
  h.connect("/");
  h.reachable = false;
  h.server_restart();
  h.advance(1000);  // attempt 1 fails, next in 2000
  CHECK(h.open_times.size() == 2);
  h.clock.advance(500);
  h.m.wake(h.now());
  h.pump();
  CHECK(h.open_times.size() == 3);  // attempt 2 now, not at 3000
  CHECK(h.open_times.back() == 1500);
  // Offline: the pending backoff is paused, no attempt however long we wait.
  h.m.set_online(h.now(), false);
  h.pump();
  CHECK_FALSE(h.m.next_deadline());
  h.advance(60000);
  CHECK(h.open_times.size() == 3);
  h.m.wake(h.now());  // waking while offline does nothing either
  h.pump();
  CHECK(h.open_times.size() == 3);
  // Online: at once.
  h.reachable = true;
  h.m.set_online(h.now(), true);
  h.pump();
  CHECK(h.open_times.size() == 4);
  CHECK(h.m.socket_state("/") == SocketState::Connected);
}

TEST_CASE("manager: connecting while offline waits for online", "[socketio][manager][reconnect]") {
  Harness h(opts(4));
  h.m.set_online(0, false);
  h.connect("/");
  CHECK(h.urls.empty());
  CHECK(h.m.state() == ManagerState::WaitingReconnect);
  h.m.set_online(5, true);
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
}

TEST_CASE("manager: wake() while connected checks the heartbeat against the wall clock", "[socketio][manager][heartbeat]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  // The app was suspended for a minute: no timer fired, no server ping arrived.
  h.clock.advance(60000);
  h.m.wake(h.now());
  h.pump();
  const Strings log = h.take_log();
  REQUIRE(log.size() >= 2);
  CHECK(log[0] == "manager close: ping timeout");
  CHECK(log[1] == "disconnect /: ping timeout");
}

TEST_CASE("manager: EIO4 ping timeout when the server goes silent; EIO3 client pings", "[socketio][manager][heartbeat]") {
  {
    Harness h(opts(4));
    h.connect("/");
    h.advance(100000);  // the server pings every 25 s; the client answers
    CHECK(h.server.connection(h.conn())->pongs == 4);
    CHECK(h.take_log() == Strings{"manager open", "connect /"});
    h.server_heartbeat = false;
    h.advance(45000);
    CHECK(h.take_log() == Strings{"manager close: ping timeout", "disconnect /: ping timeout"});
    h.advance(10000);
    CHECK(h.take_log() == Strings{"reconnect_attempt 1", "manager open", "reconnect 1", "connect /"});
  }
  {
    Harness h(opts(3));
    h.connect("/");
    h.advance(100000);
    CHECK(h.server.connection(h.conn())->pings == 4);
    CHECK(h.take_log() == Strings{"manager open", "connect /"});
    CHECK(h.server.violations.empty());
  }
}

TEST_CASE("manager: connect timeout; auto mode tries EIO3 once before counting a failure", "[socketio][manager][auto]") {
  ManagerOptions o = opts(0);
  o.randomization_factor = 0;
  Harness h(o);
  h.hold_open = true;
  h.connect("/");
  h.advance(20000);
  CHECK(h.urls.size() == 2);  // EIO4 timed out -> EIO3 at once
  CHECK(h.take_log().empty());
  h.advance(20000);
  CHECK(h.take_log() == Strings{"manager error: eio.connect_timeout",
                                "connect_error /: timeout (active)"});
  CHECK(h.m.state() == ManagerState::WaitingReconnect);
  h.advance(1000);
  CHECK(h.take_log() == Strings{"reconnect_attempt 1"});
  CHECK(h.urls.size() == 3);
  CHECK(h.urls[2].find("EIO=4") != std::string::npos);  // nothing worked yet: EIO4 first again
  CHECK(h.wire.back().rfind("open #3", 0) == 0);
}

TEST_CASE("manager: reconnection off: one failure, no retry; connect_socket tries again", "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.reconnection = false;
  Harness h(o);
  h.reachable = false;
  h.connect("/");
  h.advance(100000);
  const Strings failed = h.take_log();
  REQUIRE(failed.size() == 2);
  CHECK(failed[0] == "manager error: eio.transport_error");
  CHECK(failed[1].rfind("connect_error /: eio: WebSocket error: ", 0) == 0);
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK(h.urls.size() == 1);
  h.reachable = true;
  h.connect("/");
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
  // A drop is not followed by a reconnect either.
  h.server_restart();
  h.advance(100000);
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close"});
  CHECK(h.urls.size() == 2);
}

TEST_CASE("manager: close() turns everything off", "[socketio][manager]") {
  Harness h(opts(4));
  h.connect("/");
  h.connect("/chat");
  h.take_log();
  Manager::EmitOptions o;
  o.want_ack = true;
  h.emit("/", "[\"silent\"]", {}, o);
  h.m.close(h.now());
  h.pump();
  // socket.io-client's order: "disconnect", then the socket's acks fail.
  CHECK(h.take_log() == Strings{"disconnect /: io client disconnect", "ack / #1 error: socket has been disconnected",
                                "disconnect /chat: io client disconnect", "manager close: forced close"});
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK_FALSE(h.m.next_deadline());
  h.advance(100000);
  CHECK(h.take_log().empty());
  // And it can start afresh.
  h.connect("/");
  CHECK(h.take_log() == Strings{"manager open", "connect /"});
}

TEST_CASE("manager: parse errors: ManagerError naming the frame, then reconnect", "[socketio][manager][malformed]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  h.server_send({{false, "4abc"}});
  const Strings log = h.take_log();
  CHECK(log == Strings{"manager error: sio.bad_type", "manager close: parse error", "disconnect /: parse error"});
  const auto& err = std::get<echat::socketio::ManagerError>(h.events[2]).error;
  CHECK(err.kind == echat::core::ErrorKind::Peer);
  CHECK(err.message.find("`abc`") != std::string::npos);
  h.advance(10000);
  CHECK(h.take_log() == Strings{"reconnect_attempt 1", "manager open", "reconnect 1", "connect /"});
}

TEST_CASE("manager: every malformed packet vector is a parse error, never a crash", "[socketio][manager][malformed]") {
  const Strings bad = {"4", "47", "4x", "42", "42[]", "42[\"connect\"]", "42{}", "42abc[\"a\"]", "40[]", "4012", "44123",
                       "43[]", "4399999999999999999999[]", "45[\"a\"]", "4565-[\"a\"]", "451-{}", "42[\"a\"",
                       "451-[\"a\",{\"_placeholder\":true,\"num\":1}]"};
  for (const auto& frame : bad) {
    INFO(frame);
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    std::vector<WireFrame> frames{{false, frame}};
    if (frame.rfind("451-", 0) == 0) frames.push_back({true, "x"});
    h.server_send(frames);
    const Strings log = h.take_log();
    REQUIRE(log.size() >= 2);
    CHECK(log[0].rfind("manager error: sio.", 0) == 0);
    CHECK(log[1] == "manager close: parse error");
    CHECK(h.m.state() == ManagerState::WaitingReconnect);
  }
  // Binary where none is expected, and text while attachments are awaited.
  {
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.server_send({{true, "zz"}});
    CHECK(h.take_log().front() == "manager error: sio.unexpected_binary");
  }
  {
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.server_send({{false, "451-[\"a\"," + kPh0 + "]"}, {false, "42[\"b\"]"}});
    CHECK(h.take_log().front() == "manager error: sio.unexpected_text");
  }
  // Engine.IO level garbage: the session's error names the frame, then the connection closes.
  {
    Harness h(opts(4));
    h.connect("/");
    h.take_log();
    h.server_send({{false, "9"}});
    const Strings log = h.take_log();
    REQUIRE(log.size() >= 2);
    CHECK(log[0] == "manager error: eio.bad_packet_type");
    CHECK(log[1] == "manager close: parse error");
  }
}

TEST_CASE("manager: events that arrive before the CONNECT answer are delivered after it", "[socketio][manager]") {
  Harness h(opts(4));
  h.hold_open = true;
  REQUIRE(h.m.connect_socket(0, "/", "").ok());
  h.pump();
  const auto t = h.held.back();
  h.m.on_transport_open(0, t);
  h.m.on_frame(0, t, {false, "0{\"sid\":\"x\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}"});
  h.m.on_frame(0, t, {false, "42[\"early\"]"});
  h.m.on_frame(0, t, {false, "40{\"sid\":\"abc\",\"pid\":\"p\"}"});
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /", "event / [\"early\"]"});
  const auto& c = std::get<echat::socketio::SocketConnect>(h.events[1]);
  CHECK(c.sid == "abc");
  CHECK(c.pid == std::optional<std::string>("p"));
}

TEST_CASE("manager: late events from an old transport are ignored", "[socketio][manager]") {
  Harness h(opts(4));
  h.connect("/");
  const auto old = h.conn();
  h.server_restart();
  h.advance(10000);
  h.take_log();
  h.take_wire();
  h.m.on_frame(h.now(), old, {false, "42[\"ghost\"]"});
  h.m.on_transport_close(h.now(), old, 1006, "");
  h.m.on_transport_error(h.now(), old, "x");
  h.m.on_transport_open(h.now(), old);
  h.m.on_frame(h.now(), 0, {false, "42[\"ghost\"]"});
  h.m.on_frame(h.now(), 9999, {false, "42[\"ghost\"]"});
  CHECK(h.m.take_outputs().empty());
  CHECK(h.m.socket_state("/") == SocketState::Connected);
}

TEST_CASE("manager: caller errors name the field and change nothing", "[socketio][manager][errors]") {
  Harness h(opts(4));
  h.connect("/");
  h.take_log();
  h.take_wire();
  auto emit_err = [&](const std::string& nsp, const std::string& args, std::vector<std::string> att = {},
                      Manager::EmitOptions o = {}) {
    auto r = h.m.emit(h.now(), nsp, args, std::move(att), o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Caller);
    return r.error().message;
  };
  CHECK(emit_err("/", "[\"connect\"]").rfind("args:", 0) == 0);
  CHECK(emit_err("/", "[\"disconnecting\",1]").find("reserved") != std::string::npos);
  CHECK(emit_err("/", "{\"a\":1}").rfind("args:", 0) == 0);
  CHECK(emit_err("/", "not json").rfind("args:", 0) == 0);
  CHECK(emit_err("/", "[]").rfind("args:", 0) == 0);
  CHECK(emit_err("admin", "[\"a\"]").rfind("nsp:", 0) == 0);
  CHECK(emit_err("/a,b", "[\"a\"]").rfind("nsp:", 0) == 0);
  CHECK(emit_err("/", "[\"a\"]", {"x"}).rfind("attachments:", 0) == 0);
  CHECK(emit_err("/", "[\"a\"," + kPh1 + "]", {"x"}).rfind("attachments:", 0) == 0);
  Manager::EmitOptions neg;
  neg.want_ack = true;
  neg.ack_timeout = -1;
  CHECK(emit_err("/", "[\"a\"]", {}, neg).rfind("ack_timeout:", 0) == 0);
  CHECK(h.m.connect_socket(h.now(), "x", "").error().message.rfind("nsp:", 0) == 0);
  CHECK(h.m.connect_socket(h.now(), "/a?b=1", "").error().message.rfind("nsp:", 0) == 0);
  CHECK(h.m.connect_socket(h.now(), "/", "[1]").error().message.rfind("auth:", 0) == 0);
  CHECK(h.m.connect_socket(h.now(), "/", "nope").error().message.rfind("auth:", 0) == 0);
  CHECK(h.m.connect_socket(h.now(), std::string(2000, '/'), "").error().message.rfind("nsp:", 0) == 0);
  h.pump();
  CHECK(h.take_log().empty());
  CHECK(h.take_wire().empty());
}

TEST_CASE("manager: invalid options are a sticky caller error naming the option", "[socketio][manager][errors]") {
  struct Case {
    std::function<void(ManagerOptions&)> edit;
    const char* prefix;
  };
  const std::vector<Case> cases = {
      {[](ManagerOptions& o) { o.url = ""; }, "url:"},
      {[](ManagerOptions& o) { o.url = "ftp://x"; }, "url scheme:"},
      {[](ManagerOptions& o) { o.url = "http://host:99999"; }, "url port:"},
      {[](ManagerOptions& o) { o.url = "http://host/?a b"; }, "url query:"},
      {[](ManagerOptions& o) { o.url = "http://host/?a=%zz"; }, "url query:"},
      {[](ManagerOptions& o) { o.path = "/a?b"; }, "path:"},
      {[](ManagerOptions& o) { o.query = "a=b c"; }, "query:"},
      {[](ManagerOptions& o) { o.reconnection_delay = -1; }, "reconnection_delay:"},
      {[](ManagerOptions& o) { o.reconnection_delay_max = -1; }, "reconnection_delay_max:"},
      {[](ManagerOptions& o) { o.randomization_factor = 1.5; }, "randomization_factor:"},
      {[](ManagerOptions& o) { o.randomization_factor = std::nan(""); }, "randomization_factor:"},
      {[](ManagerOptions& o) { o.timeout = -1; }, "timeout:"},
      {[](ManagerOptions& o) { o.protocol = 5; }, "protocol:"},
      {[](ManagerOptions& o) { o.max_incoming_bytes = 1; }, "max_incoming_bytes:"},
  };
  for (const auto& c : cases) {
    ManagerOptions o = opts(0);
    c.edit(o);
    INFO(c.prefix);
    auto v = Manager::validate(o);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().kind == echat::core::ErrorKind::Caller);
    CHECK(v.error().message.rfind(c.prefix, 0) == 0);
    Manager m(o);
    REQUIRE(m.error());
    CHECK(m.error()->message == v.error().message);
    CHECK(m.connect_socket(0, "/", "").error().message == v.error().message);
    CHECK(m.emit(0, "/", "[\"a\"]", {}, {}).error().message == v.error().message);
    CHECK(m.ack(0, "/", 1, "[]", {}).error().message == v.error().message);
    m.disconnect_socket(0, "/");
    m.close(0);
    m.wake(0);
    m.set_online(0, true);
    m.on_timer(0);
    m.on_transport_open(0, 1);
    m.on_frame(0, 1, {false, "0"});
    m.on_transport_close(0, 1, 1000, "");
    m.on_transport_error(0, 1, "");
    CHECK(m.take_outputs().empty());
    CHECK_FALSE(m.next_deadline());
  }
  // Normalisation: path gets its slashes; url and extra query are merged into the Engine.IO URL.
  ManagerOptions o = opts(4);
  o.url = "https://im.example.com:8443/ns?token=a%20b";
  o.path = "engine";
  o.query = "?x=1&y=2";
  auto v = Manager::validate(o);
  REQUIRE(v.ok());
  CHECK(v.value().path == "/engine/");
  CHECK(v.value().query == "x=1&y=2");
  Manager m(o);
  REQUIRE(m.connect_socket(0, "/", "").ok());
  auto outs = m.take_outputs();
  REQUIRE(!outs.empty());
  CHECK(std::get<echat::socketio::OpenTransport>(outs[0]).url ==
        "wss://im.example.com:8443/engine/?EIO=4&transport=websocket&token=a%20b&x=1&y=2");
}

TEST_CASE("manager: emits larger than the server's maxPayload are refused, nothing half-sent", "[socketio][manager][errors]") {
  ServerPeerOptions s;
  s.max_payload = 100;
  Harness h(opts(4), s);
  h.connect("/");
  h.take_wire();
  auto r = h.m.emit(h.now(), "/", "[\"echo\",\"" + std::string(200, 'x') + "\"]", {}, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.payload_too_large");
  r = h.m.emit(h.now(), "/", "[\"echo\"," + kPh0 + "]", {std::string(200, 'b')}, {});
  REQUIRE_FALSE(r.ok());
  h.pump();
  CHECK(h.take_wire().empty());
  // Buffered while disconnected, then too large on flush: the ack fails with the reason.
  h.server_restart();
  Manager::EmitOptions o;
  o.want_ack = true;
  const auto id = h.emit("/", "[\"echo\",\"" + std::string(200, 'x') + "\"]", {}, o);
  h.emit("/", "[\"echo\",\"" + std::string(200, 'y') + "\"]");
  h.advance(10000);
  const Strings log = h.take_log();
  CHECK(std::find(log.begin(), log.end(), "manager error: sio.payload_too_large") != log.end());
  bool found = false;
  for (const auto& l : log) found = found || l.rfind("ack / #" + std::to_string(id) + " error: args:", 0) == 0;
  CHECK(found);
}

TEST_CASE("manager: disconnect_socket while connecting, and emits to unknown namespaces wait", "[socketio][manager][nsp]") {
  Harness h(opts(4));
  h.hold_open = true;
  REQUIRE(h.m.connect_socket(0, "/chat", "").ok());
  h.pump();
  CHECK(h.m.state() == ManagerState::Opening);
  h.m.disconnect_socket(0, "/chat");
  h.pump();
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK(h.take_wire().back().rfind("close #1", 0) == 0);
  CHECK(h.take_log().empty());  // never connected: no disconnect event
  // An emit to a namespace nobody connected waits in its buffer until it is connected.
  h.hold_open = false;
  h.emit("/admin", "[\"echo\",\"waited\"]");
  h.connect("/admin");
  CHECK(h.take_log() == Strings{"manager open", "connect /admin", "event /admin [\"echo\",\"waited\"]"});
  // Disconnecting twice, or an unknown namespace, is harmless.
  h.m.disconnect_socket(h.now(), "/admin");
  h.m.disconnect_socket(h.now(), "/admin");
  h.m.disconnect_socket(h.now(), "/never");
  h.pump();
  CHECK(h.take_log() == Strings{"disconnect /admin: io client disconnect", "manager close: forced close"});
}

TEST_CASE("manager: protocol 4 root disconnect and re-connect on the same connection", "[socketio][manager][p4]") {
  Harness h(opts(3));
  h.connect("/");
  h.connect("/chat");
  h.take_log();
  h.m.disconnect_socket(h.now(), "/");
  h.pump();
  CHECK(h.take_wire().back() == "send #1 41");
  h.connect("/");
  CHECK(h.take_wire().back() == "send #1 40");
  CHECK(h.take_log() == Strings{"disconnect /: io client disconnect", "connect /"});
  // A root socket wanted after the server's implicit CONNECT: connected at once.
  Harness h2(opts(3));
  h2.connect("/chat");
  h2.connect("/");
  CHECK(h2.take_log() == Strings{"manager open", "connect /chat", "connect /"});
  CHECK(h2.server.connects.size() == 1);  // only /chat was asked for
}

TEST_CASE("manager: open() connects without a namespace until a socket comes and goes", "[socketio][manager]") {
  for (int protocol : {0, 4}) {
    INFO("protocol " << protocol);
    Harness h(opts(protocol));
    h.m.open(h.now());
    h.pump();
    CHECK(h.take_log() == Strings{"manager open"});  // auto mode: no namespace to wait for
    CHECK(h.m.state() == ManagerState::Open);
    h.connect("/chat");
    CHECK(h.take_log() == Strings{"connect /chat"});
    h.m.disconnect_socket(h.now(), "/chat");
    h.pump();
    CHECK(h.take_log() == Strings{"disconnect /chat: io client disconnect", "manager close: forced close"});
    CHECK(h.m.state() == ManagerState::Idle);
  }
  // A lost connection opened by open() is re-established like any other.
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  Harness r(o);
  r.m.open(r.now());
  r.pump();
  r.server_restart();
  r.advance(1000);
  CHECK(r.take_log() == Strings{"manager open", "manager close: transport close", "reconnect_attempt 1", "manager open",
                                "reconnect 1"});
}

TEST_CASE("manager: reconnection off while a reconnection waits cancels it", "[socketio][manager][reconnect]") {
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  Harness h(o);
  h.reachable = false;
  h.connect("/");
  h.take_log();
  CHECK(h.m.state() == ManagerState::WaitingReconnect);
  ManagerOptions off = o;
  off.reconnection = false;
  REQUIRE(h.m.set_reconnect_options(off).ok());
  CHECK(h.m.state() == ManagerState::Idle);
  CHECK_FALSE(h.m.next_deadline());
  h.advance(60000);
  CHECK(h.take_log().empty());
  // The app connects again: one attempt, no reconnection after it.
  h.m.disconnect_socket(h.now(), "/");
  h.connect("/");
  h.advance(60000);
  const Strings log = h.take_log();
  CHECK(std::count(log.begin(), log.end(), "reconnect_attempt 1") == 0);
}

TEST_CASE("manager: the app's disconnect or close comes before a reconnection that fell due meanwhile",
          "[socketio][manager][reconnect]") {
  // The host was busy past the backoff: its timer callback has not run yet when the app's call comes.
  // socket.io-client's event loop would run the app's call first; so does the Manager.
  ManagerOptions o = opts(4);
  o.randomization_factor = 0;
  o.reconnection_delay = 100;
  for (const bool whole : {false, true}) {
    CAPTURE(whole);
    Harness h(o);
    h.reachable = false;
    h.connect("/");
    REQUIRE(h.m.state() == ManagerState::WaitingReconnect);
    h.take_log();
    REQUIRE(h.m.next_deadline());
    const std::size_t opened = h.urls.size();
    h.clock.now = *h.m.next_deadline() + 50;  // due, not yet fired
    if (whole) {
      h.m.close(h.now());
    } else {
      h.m.disconnect_socket(h.now(), "/");
    }
    h.pump();
    const Strings log = h.take_log();
    CHECK(std::count(log.begin(), log.end(), "reconnect_attempt 1") == 0);
    CHECK(h.urls.size() == opened);
    CHECK(h.m.state() == ManagerState::Idle);
    CHECK_FALSE(h.m.next_deadline());
    h.advance(60000);
    CHECK(h.take_log().empty());
    CHECK(h.urls.size() == opened);
  }
  // Another socket still wants the connection: the due reconnection is not lost, it fires next.
  Harness h(o);
  h.reachable = false;
  h.connect("/");
  h.connect("/chat");
  h.take_log();
  REQUIRE(h.m.next_deadline());
  const std::size_t opened = h.urls.size();
  h.clock.now = *h.m.next_deadline() + 50;
  h.m.disconnect_socket(h.now(), "/chat");
  REQUIRE(h.m.next_deadline());
  CHECK(*h.m.next_deadline() <= h.now());
  h.reachable = true;
  h.m.on_timer(h.now());
  h.pump();
  CHECK(h.urls.size() == opened + 1);
  CHECK(h.m.state() == ManagerState::Open);
}
