// The retry queue (socket.io-client's `retries` + `ackTimeout`: at-least-once emits, one in flight at a
// time) and connection-state recovery (pid + offset in the next CONNECT), against the in-memory peer.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::socketio::Manager;
using echat::socketio::ManagerOptions;
using echat::socketio::SocketState;
using Strings = std::vector<std::string>;

namespace {

ManagerOptions opts() {
  ManagerOptions o = Harness::base_options();
  o.protocol = 4;
  o.randomization_factor = 0;
  return o;
}

Manager::EmitOptions retry(std::uint32_t retries, std::optional<echat::core::Millis> timeout, bool want_ack = true) {
  Manager::EmitOptions o;
  o.want_ack = want_ack;
  o.ack_timeout = timeout;
  o.retries = retries;
  return o;
}

std::string id(std::uint64_t v) { return "#" + std::to_string(v); }

}  // namespace

TEST_CASE("retry queue: one emit on the wire at a time, in order; acks quote the emit's own id", "[socketio][retry]") {
  Harness h(opts());
  h.connect("/");
  h.take_log();
  h.take_wire();
  // The peer answers message-with-ack at once, inside the same pump: each answer lets the next go.
  const auto a = h.emit("/", "[\"message-with-ack\",1]", {}, retry(1, 50));
  const auto b = h.emit("/", "[\"message-with-ack\",2]", {}, retry(1, 50));
  const auto c = h.emit("/", "[\"message-with-ack\",3]", {}, retry(1, 50));
  CHECK(h.take_wire() == Strings{"send #1 420[\"message-with-ack\",1]", "send #1 421[\"message-with-ack\",2]",
                                 "send #1 422[\"message-with-ack\",3]"});
  CHECK(h.take_log() == Strings{"ack / " + id(a) + " ok [1]", "ack / " + id(b) + " ok [2]", "ack / " + id(c) + " ok [3]"});
  // Behind an unanswered head, later emits wait: nothing else is on the wire until the head settles.
  const auto s = h.emit("/", "[\"silent\"]", {}, retry(1, 100));
  const auto d = h.emit("/", "[\"message-with-ack\",4]", {}, retry(1, 100));
  CHECK(h.take_wire() == Strings{"send #1 423[\"silent\"]"});
  h.advance(100);  // try 1 of "silent" times out: try 2, with a new ack id
  CHECK(h.take_wire() == Strings{"send #1 424[\"silent\"]"});
  CHECK(h.take_log().empty());
  h.advance(100);  // out of tries (1 + 1): the emit fails, the next one goes
  CHECK(h.take_log() == Strings{"ack / " + id(s) + " error: operation has timed out", "ack / " + id(d) + " ok [4]"});
  CHECK(h.take_wire() == Strings{"send #1 425[\"message-with-ack\",4]"});
  CHECK(h.server.violations.empty());
}

TEST_CASE("retry queue: retries + 1 tries, each with its own timeout; a late answer to an old try is ignored",
          "[socketio][retry]") {
  Harness h(opts());
  h.connect("/");
  h.take_log();
  h.take_wire();
  const auto e = h.emit("/", "[\"silent\"]", {}, retry(3, 50));
  for (int i = 1; i <= 3; ++i) h.advance(50);
  CHECK(h.take_wire() == Strings{"send #1 420[\"silent\"]", "send #1 421[\"silent\"]", "send #1 422[\"silent\"]",
                                 "send #1 423[\"silent\"]"});
  h.server_send({{false, "430[\"late\"]"}});  // try 1's id: it timed out, nobody waits for it
  CHECK(h.take_log().empty());
  h.server_send({{false, "433[\"yes\"]"}});  // try 4 answered in time
  CHECK(h.take_log() == Strings{"ack / " + id(e) + " ok [\"yes\"]"});
  CHECK_FALSE((h.m.next_deadline().has_value() && *h.m.next_deadline() <= h.now() + 50));
}

TEST_CASE("retry queue: waits while not connected, and a drop counts as a failed try", "[socketio][retry]") {
  Harness h(opts());
  // Emitted before the namespace is connected: kept, sent after the CONNECT answer.
  const auto e = h.emit("/", "[\"silent\"]", {}, retry(1, std::nullopt));
  CHECK(h.take_wire().empty());
  h.connect("/");
  CHECK(h.take_wire() == Strings{"open #1 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket", "send #1 40",
                                 "send #1 420[\"silent\"]"});
  h.take_log();
  // The connection drops before the answer (no ack timeout): try 1 failed, try 2 goes after the reconnection.
  h.server_restart();
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close"});
  h.advance(1000);
  CHECK(h.take_wire() == Strings{"open #2 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket", "send #2 40",
                                 "send #2 421[\"silent\"]"});
  h.take_log();
  h.server_restart();  // try 2 fails the same way: out of tries
  CHECK(h.take_log() == Strings{"manager close: transport close", "disconnect /: transport close",
                                "ack / " + id(e) + " error: socket has been disconnected"});
  h.advance(1000);
  const Strings wire = h.take_wire();
  CHECK(std::none_of(wire.begin(), wire.end(), [](const std::string& w) { return w.find("silent") != std::string::npos; }));
}

TEST_CASE("retry queue: an emit without an ack is still confirmed; close() fails what is queued", "[socketio][retry]") {
  Harness h(opts());
  h.connect("/");
  h.take_log();
  h.take_wire();
  // No ack wanted by the app: the try still asks for one (that is how delivery is confirmed), and the
  // app hears nothing, neither on success nor on failure.
  h.emit("/", "[\"message-with-ack\",\"x\"]", {}, retry(2, 50, false));
  h.emit("/", "[\"silent\"]", {}, retry(0 + 1, 50, false));
  CHECK(h.take_wire() == Strings{"send #1 420[\"message-with-ack\",\"x\"]", "send #1 421[\"silent\"]"});
  h.advance(100);
  CHECK(h.take_wire() == Strings{"send #1 422[\"silent\"]"});
  CHECK(h.take_log().empty());
  // close(): the queue is dropped; emits that wanted an ack are told.
  const auto q1 = h.emit("/", "[\"silent\"]", {}, retry(5, std::nullopt));
  const auto q2 = h.emit("/", "[\"silent\"]", {}, retry(5, std::nullopt));
  h.m.close(h.now());
  h.pump();
  CHECK(h.take_log() == Strings{"disconnect /: io client disconnect",
                                "ack / " + id(q1) + " error: socket has been disconnected",
                                "ack / " + id(q2) + " error: socket has been disconnected", "manager close: forced close"});
  // Volatile emits never enter the queue.
  h.connect("/");
  h.take_wire();
  Manager::EmitOptions v = retry(3, 50);
  v.is_volatile = true;
  h.emit("/", "[\"silent\"]", {}, v);
  h.advance(200);
  CHECK(h.take_wire() == Strings{"send #2 424[\"silent\"]"});  // (423 was q1's try)
}

TEST_CASE("connection-state recovery: the pid and the last offset go with the next CONNECT", "[socketio][recovery]") {
  ServerPeerOptions so;
  so.recovery = true;
  so.protected_namespaces = {"/admin"};
  Harness h(opts(), so);
  h.connect("/");
  h.connect("/admin", "{\"token\":\"secret\"}");
  REQUIRE(h.events.size() == 3);
  const auto root_pid = std::get<echat::socketio::SocketConnect>(h.events[1]).pid;
  const auto admin_pid = std::get<echat::socketio::SocketConnect>(h.events[2]).pid;
  REQUIRE(root_pid);
  REQUIRE(admin_pid);
  CHECK(h.m.set_recovery_offset("/", "off-7").ok());
  h.take_wire();
  h.take_log();
  h.events.clear();
  h.m.drop_connection(h.now());
  h.pump();
  h.advance(1000);
  // The server keeps its recovery state across a dropped link: both namespaces get their pid back.
  const Strings wire = h.take_wire();
  CHECK(std::find(wire.begin(), wire.end(), "send #2 40{\"pid\":\"" + *root_pid + "\",\"offset\":\"off-7\"}") != wire.end());
  CHECK(std::find(wire.begin(), wire.end(),
                  "send #2 40/admin,{\"pid\":\"" + *admin_pid + "\",\"token\":\"secret\"}") != wire.end());
  std::vector<std::optional<std::string>> pids;
  for (const auto& e : h.events) {
    if (auto* c = std::get_if<echat::socketio::SocketConnect>(&e)) pids.push_back(c->pid);
  }
  CHECK(pids == std::vector<std::optional<std::string>>{root_pid, admin_pid});
  // A restarted server has forgotten them: new pids, and the stale offset is not sent again.
  h.server_restart();
  h.advance(1000);
  h.take_wire();
  h.m.drop_connection(h.now());
  h.pump();
  h.advance(1000);
  for (const auto& w : h.take_wire()) CHECK(w.find("off-7") == std::string::npos);
  // Caller errors name the field and change nothing.
  CHECK(h.m.set_recovery_offset("/nope", "x").error().message.rfind("nsp:", 0) == 0);
  CHECK(h.m.set_recovery_offset("/", std::string(1025, 'x')).error().message.rfind("offset:", 0) == 0);
  CHECK(h.server.violations.empty());
}
