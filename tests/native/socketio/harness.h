// Test harness: a Manager wired to the in-memory ServerPeer over a fake link, with a fake clock.
// Transport commands are performed at once; what the server answers is delivered at once (the link
// has no latency unless the test holds it). Every non-transport output is kept, both as a value and
// as a short line (describe()) so tests can compare whole transcripts.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "socketio/manager.h"
#include "support/fake_clock.h"
#include "support/sio_server_peer.h"

namespace echat::testing {

using namespace echat::socketio;  // NOLINT

inline std::string show_bytes(const std::string& s) { return "<bin " + ServerPeer::hex(s) + ">"; }

inline std::string describe(const Output& o) {
  struct V {
    std::string operator()(const OpenTransport& x) { return "open #" + std::to_string(x.transport) + " " + x.url; }
    std::string operator()(const SendFrame& x) {
      return "send #" + std::to_string(x.transport) + " " + (x.frame.binary ? show_bytes(x.frame.data) : x.frame.data);
    }
    std::string operator()(const HttpRequest& x) {
      std::string s = std::string(x.post ? "post #" : "get #") + std::to_string(x.transport) + "." +
                      std::to_string(x.request) + " " + x.url;
      if (x.post) {
        s += " body ";
        for (const auto& piece : x.body) s += piece.data;
      }
      return s;
    }
    std::string operator()(const CloseTransport& x) {
      return "close #" + std::to_string(x.transport) + " " + std::to_string(x.code) + " " + x.reason;
    }
    std::string operator()(const ManagerOpen&) { return "manager open"; }
    std::string operator()(const ManagerClose& x) { return "manager close: " + x.reason; }
    std::string operator()(const ManagerError& x) { return "manager error: " + x.error.code; }
    std::string operator()(const ReconnectAttempt& x) { return "reconnect_attempt " + std::to_string(x.attempt); }
    std::string operator()(const Reconnect& x) { return "reconnect " + std::to_string(x.attempt); }
    std::string operator()(const ReconnectError& x) { return "reconnect_error: " + x.error.code; }
    std::string operator()(const ReconnectFailed&) { return "reconnect_failed"; }
    std::string operator()(const TransportUpgraded&) { return "upgrade"; }
    std::string operator()(const SocketConnect& x) { return "connect " + x.nsp; }
    std::string operator()(const SocketConnectError& x) {
      return "connect_error " + x.nsp + ": " + x.message + (x.active ? " (active)" : "");
    }
    std::string operator()(const SocketDisconnect& x) { return "disconnect " + x.nsp + ": " + x.reason; }
    std::string operator()(const SocketEvent& x) {
      std::string s = "event " + x.nsp + " " + x.args_json;
      for (const auto& a : x.attachments) s += " " + show_bytes(a);
      if (x.ack_id) s += " ack=" + std::to_string(*x.ack_id);
      return s;
    }
    std::string operator()(const AckResult& x) {
      std::string s = "ack " + x.nsp + " #" + std::to_string(x.emit_id) + " ";
      if (x.ok) {
        s += "ok " + x.args_json;
        for (const auto& a : x.attachments) s += " " + show_bytes(a);
      } else {
        s += "error: " + x.error.value_or("?");
      }
      return s;
    }
  };
  return std::visit(V{}, o);
}

inline bool is_transport(const Output& o) {
  return std::holds_alternative<OpenTransport>(o) || std::holds_alternative<SendFrame>(o) ||
         std::holds_alternative<CloseTransport>(o);
}

inline engineio::Frame to_frame(const WireFrame& f) { return engineio::Frame{f.binary, f.data}; }

struct Harness {
  explicit Harness(ManagerOptions options = base_options(), ServerPeerOptions server_options = {})
      : m(std::move(options)), server(std::move(server_options)) {}

  static ManagerOptions base_options() {
    ManagerOptions o;
    o.url = "http://127.0.0.1:3000";
    return o;
  }

  Manager m;
  ServerPeer server;
  FakeClock clock;

  // Link behaviour.
  bool reachable = true;       // false: every OpenTransport fails with a transport error
  bool answer_polling = true;  // false: HttpRequests wait in `http` for the test to answer
  std::vector<HttpRequest> http;  // every HttpRequest
  bool hold_open = false;      // true: OpenTransport gets no answer at all (for connect timeouts)
  bool server_heartbeat = true;  // EIO4: the server pings every pingInterval on open connections

  std::vector<std::string> log;    // non-transport outputs, described
  std::vector<std::string> wire;   // transport commands, described
  std::vector<Output> events;      // non-transport outputs, as values
  std::vector<std::string> urls;   // every OpenTransport url
  std::vector<std::int64_t> open_times;  // when each OpenTransport was issued
  std::set<std::uint32_t> open;    // transports the server holds
  std::vector<std::uint32_t> held; // transports opened while hold_open
  std::map<std::uint32_t, std::int64_t> next_server_ping;

  std::int64_t now() const { return clock.now; }

  void deliver(std::uint32_t t, const std::vector<WireFrame>& frames) {
    for (const auto& f : frames) {
      if (!open.count(t)) return;
      m.on_frame(clock.now, t, to_frame(f));
    }
  }

  void server_closed(std::uint32_t t) {
    open.erase(t);
    next_server_ping.erase(t);
    server.drop(t);
    m.on_transport_close(clock.now, t, 1000, "");
  }

  // Performs every pending output until the Manager is quiet.
  void pump() {
    for (int guard = 0; guard < 100000; ++guard) {
      std::vector<Output> outs = m.take_outputs();
      if (outs.empty()) return;
      for (auto& o : outs) handle(o);
    }
    FAIL("harness: the manager never went quiet");
  }

  void handle(Output& o) {
    if (auto* x = std::get_if<OpenTransport>(&o)) {
      wire.push_back(describe(o));
      urls.push_back(x->url);
      open_times.push_back(clock.now);
      if (!reachable) {
        m.on_transport_error(clock.now, x->transport, "connect ECONNREFUSED");
        return;
      }
      if (hold_open) {
        held.push_back(x->transport);
        return;
      }
      auto greeting = server.accept(x->transport, x->url);
      if (!greeting) {
        m.on_transport_error(clock.now, x->transport, "Unexpected server response: 400");
        return;
      }
      open.insert(x->transport);
      if (server.connection(x->transport)->eio == 4) {
        next_server_ping[x->transport] = clock.now + server.options().ping_interval;
      }
      m.on_transport_open(clock.now, x->transport);
      deliver(x->transport, *greeting);
      return;
    }
    if (auto* x = std::get_if<SendFrame>(&o)) {
      wire.push_back(describe(o));
      if (!open.count(x->transport)) return;
      const auto replies = server.receive(x->transport, WireFrame{x->frame.binary, x->frame.data});
      deliver(x->transport, replies);
      if (server.closed(x->transport) && open.count(x->transport)) server_closed(x->transport);
      return;
    }
    if (auto* x = std::get_if<HttpRequest>(&o)) {
      // The in-memory peer speaks WebSocket only: it answers polling as a socket.io server with
      // transports ["websocket"] does (HTTP 400). Tests that drive polling answer `http` themselves.
      wire.push_back(describe(o));
      http.push_back(*x);
      if (answer_polling) {
        if (!reachable) {
          m.on_http_error(clock.now, x->transport, x->request, "connect ECONNREFUSED");
        } else {
          m.on_http_response(clock.now, x->transport, x->request, 400, "{\"code\":0,\"message\":\"Transport unknown\"}");
        }
      }
      return;
    }
    if (auto* x = std::get_if<CloseTransport>(&o)) {
      wire.push_back(describe(o));
      open.erase(x->transport);
      next_server_ping.erase(x->transport);
      server.drop(x->transport);
      return;
    }
    log.push_back(describe(o));
    events.push_back(o);
  }

  // Lets time pass up to now + ms, firing the manager's deadlines (and the server's pings) in order.
  void advance(std::int64_t ms) {
    advance_time(clock, ms, m, server_heartbeat, next_server_ping, server.options().ping_interval, [&] { pump(); },
                 [&](std::uint32_t t) { deliver(t, server.ping(t)); });
  }

  // The current server-side connection (the last accepted one still open), 0 if none.
  std::uint32_t conn() const { return open.empty() ? 0 : *open.rbegin(); }

  // Server actions on the current connection.
  void server_emit(const std::string& nsp, const std::string& args, std::vector<std::string> att = {},
                   std::optional<std::uint64_t> id = std::nullopt) {
    deliver(conn(), server.emit(conn(), nsp, args, att, id));
    pump();
  }
  void server_send(std::vector<WireFrame> frames) {
    const std::uint32_t t = conn();
    deliver(t, frames);
    pump();
  }
  void server_disconnect(const std::string& nsp) {
    deliver(conn(), server.disconnect(conn(), nsp));
    pump();
  }
  // The server process restarts: every link drops, every sid is forgotten.
  void server_restart() {
    std::vector<std::uint32_t> ts(open.begin(), open.end());
    server.restart();
    for (auto t : ts) {
      open.erase(t);
      next_server_ping.erase(t);
      m.on_transport_close(clock.now, t, 1006, "");
    }
    pump();
  }

  // Convenience application calls (pumped).
  void connect(const std::string& nsp = "/", const std::string& auth = "") {
    auto r = m.connect_socket(clock.now, nsp, auth);
    REQUIRE(r.ok());
    pump();
  }
  std::uint64_t emit(const std::string& nsp, const std::string& args, std::vector<std::string> att = {},
                     Manager::EmitOptions o = {}) {
    auto r = m.emit(clock.now, nsp, args, std::move(att), o);
    REQUIRE(r.ok());
    pump();
    return r.value();
  }

  std::vector<std::string> take_log() {
    std::vector<std::string> out;
    out.swap(log);
    return out;
  }
  std::vector<std::string> take_wire() {
    std::vector<std::string> out;
    out.swap(wire);
    return out;
  }
};

}  // namespace echat::testing
