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
