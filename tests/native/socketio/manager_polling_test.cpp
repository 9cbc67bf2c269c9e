// The Manager's transport choice: a WebSocket first, long-polling when it fails before the connection
// opens (ManagerOptions::polling), kept for later reconnects. The HTTP side is answered by the test.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::socketio::ManagerOptions;
using echat::socketio::ManagerState;
using Strings = std::vector<std::string>;

namespace {

ManagerOptions polling_opts() {
  ManagerOptions o = Harness::base_options();
  o.protocol = 4;
  o.polling = true;
  o.randomization_factor = 0;
  return o;
}

const char* kOpen = R"(0{"sid":"P1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000})";
const std::string kBase = "http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling";

}  // namespace

TEST_CASE("manager polling: a WebSocket that fails falls back to long-polling within the attempt", "[socketio][polling]") {
  Harness h(polling_opts());
  h.reachable = false;         // the WebSocket is refused...
  h.answer_polling = false;    // ...and the test plays the server over HTTP
  h.connect("/");
  CHECK(h.take_wire() == Strings{"open #1 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket",
                                 "close #1 1000 transport error", "get #2.1 " + kBase + "&t=1"});
  CHECK(h.take_log().empty());  // not an error yet: the attempt goes on
  CHECK(h.m.polling());
  h.m.on_http_response(h.now(), 2, 1, 200, kOpen);
  h.pump();
  // (The CONNECT's POST is issued while the open packet is handled, before the next GET is listed.) The
  // server offers "websocket": a probe is opened (#3, with the sid); it fails here, polling goes on.
  CHECK(h.take_wire() == Strings{"post #2.3 " + kBase + "&t=3&sid=P1 body 40",
                                 "open #3 ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&sid=P1",
                                 "get #2.2 " + kBase + "&t=2&sid=P1", "close #3 1000 probe failed"});
  h.m.on_http_response(h.now(), 2, 3, 200, "ok");
  h.m.on_http_response(h.now(), 2, 2, 200, "40{\"sid\":\"S\"}\x1e" "42[\"hello\",1]");
  h.pump();
  CHECK(h.take_log() == Strings{"manager open", "connect /", "event / [\"hello\",1]"});
  CHECK(h.take_wire() == Strings{"get #2.4 " + kBase + "&t=4&sid=P1"});
  // Emits go by POST, several in one body while a POST is in flight.
  h.emit("/", "[\"a\"]");
  h.emit("/", "[\"b\"]");
  h.emit("/", "[\"c\"]");
  CHECK(h.take_wire() == Strings{"post #2.5 " + kBase + "&t=5&sid=P1 body 42[\"a\"]"});
  h.m.on_http_response(h.now(), 2, 5, 200, "ok");
  h.pump();
  CHECK(h.take_wire() == Strings{"post #2.6 " + kBase + "&t=6&sid=P1 body 42[\"b\"]\x1e" "42[\"c\"]"});
  // The GET fails (the server went away): disconnect, and the reconnection goes straight to polling.
  h.m.on_http_error(h.now(), 2, 4, "request:fail");
  h.pump();
  CHECK(h.take_log() == Strings{"manager close: transport error", "disconnect /: transport error"});
  h.take_wire();
  h.advance(1000);
  const Strings wire = h.take_wire();
  REQUIRE_FALSE(wire.empty());
  CHECK(wire[0] == "get #4.1 " + kBase + "&t=1");
  CHECK(h.take_log() == Strings{"reconnect_attempt 1"});
}

TEST_CASE("manager polling: when both fail, the WebSocket's error is reported with the polling failure",
          "[socketio][polling]") {
  Harness h(polling_opts());
  h.reachable = false;  // WebSocket refused, and every HTTP request fails too
  h.connect("/");
  const Strings log = h.take_log();
  REQUIRE(log.size() >= 2);
  CHECK(log[0] == "manager error: eio.transport_error");
  REQUIRE(h.events.size() >= 1);
  const auto& err = std::get<echat::socketio::ManagerError>(h.events[0]).error;
  CHECK(err.message.find("ECONNREFUSED") != std::string::npos);
  CHECK(err.message.find("long-polling failed too: eio: polling GET failed") != std::string::npos);
  // The next attempt tries the WebSocket first again (polling never worked).
  h.take_wire();
  h.advance(1000);
  const Strings wire = h.take_wire();
  REQUIRE(wire.size() >= 3);
  CHECK(wire[0].rfind("open #3 ws://", 0) == 0);
  CHECK(wire[2].rfind("get #4.1 http://", 0) == 0);
}

TEST_CASE("manager polling: off by default, and transports must allow one", "[socketio][polling]") {
  Harness h;  // base options: WebSocket only
  h.reachable = false;
  h.connect("/");
  for (const auto& w : h.take_wire()) CHECK(w.rfind("get ", 0) != 0);
  ManagerOptions none = Harness::base_options();
  none.websocket = false;
  none.polling = false;
  auto r = echat::socketio::Manager::validate(none);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("transports:", 0) == 0);
  // Polling only: no WebSocket is ever opened.
  ManagerOptions only = polling_opts();
  only.websocket = false;
  Harness p(only);
  p.answer_polling = false;
  p.connect("/");
  CHECK(p.take_wire() == Strings{"get #1.1 " + kBase + "&t=1"});
}
