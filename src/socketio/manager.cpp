// The Socket.IO client manager: every state transition of the Manager lives in this file. Over ~500 lines
// on purpose: the connection, the reconnection loop, the sockets and their acks change each other's
// state, and the order of their outputs is checked here in one place (the fast lane is fast_lane.cpp).
//
// Manager states (ManagerState) and what moves them:
//
//   Idle ── connect_socket() ──────────────────────────────▶ Opening            OpenTransport
//        (offline: ────────────────────────────────────────▶ WaitingReconnect   no timer until online)
//   Opening ── engine open packet ─────────────────────────▶ Open               ManagerOpen [Reconnect{n}],
//                                                                               CONNECT per wanted socket
//          (auto mode, EIO4 not yet known to work: ManagerOpen/Reconnect wait until the server answers in
//           protocol 5; a CONNECT without a sid object = a protocol 4 server -> fall back, below)
//   Opening ── fails before the open packet ───────────────▶ Opening (EIO3)     auto mode, first EIO4 try:
//                                                                               retry at once with EIO3,
//                                                                               no event, not an attempt
//   Opening ── fails before the open packet ───────────────▶ WaitingReconnect   ManagerError, per socket
//                                                                               SocketConnectError{active},
//                                                                               [ReconnectError], backoff
//                                                      or ──▶ Idle              reconnection off/exhausted
//                                                                               ([ReconnectFailed])
//   Open ── engine closed (transport close/error, ping ────▶ WaitingReconnect   ManagerClose{reason}, per
//           timeout, parse error) ──────────────────────────                     connected socket
//                                                                               SocketDisconnect{reason},
//                                                                               sent acks fail, backoff
//                                                                               from attempt 0
//   WaitingReconnect ── backoff timer / wake() / online ───▶ Opening            ReconnectAttempt{n}
//   any ── last active socket gone (client or server ──────▶ Idle               CloseTransport,
//          disconnect, CONNECT_ERROR) ────────────────────                      ManagerClose{"forced close"}
//   any ── close() ────────────────────────────────────────▶ Idle               same, sockets disconnected
//
// Socket states (SocketState) per namespace:
//   Inactive ── connect_socket() ─▶ Connecting ── server CONNECT ─▶ Connected (SocketConnect, buffered
//   events delivered, send buffer flushed in order)
//   Connecting ── server CONNECT_ERROR (or protocol 5 CONNECT without sid) ─▶ Inactive (SocketConnectError)
//   Connected ── server DISCONNECT ─▶ Inactive ("io server disconnect"); ── disconnect_socket() ─▶
//   Inactive ("io client disconnect"); ── engine closed ─▶ Connecting (SocketDisconnect{reason}; it is
//   re-CONNECTed when the connection comes back).
//
// Beside these states runs the reconnection loop (backoff, attempts, the Reconnect events): its table is
// Manager::Loop's, in manager.h.
//
// Every public input first advances time (advance(now): the session's deadlines, ack timeouts, the
// reconnect timer), then acts; the app's close() and disconnect_socket() advance all but the reconnect
// timer, so a reconnection that fell due while the host was busy does not start before the app's
// close (socket.io-client's event loop would run the app's call first: its timer waits its turn). Session outputs are drained right after each session call, so the
// Manager's outputs are in the order things happened.
#include "socketio/manager.h"


#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/json.h"
#include "core/url.h"

namespace echat::socketio {
namespace {

using json = core::Json;

constexpr const char* kDisconnected = "socket has been disconnected";
constexpr const char* kTimedOut = "operation has timed out";
using core::add_ms;

constexpr std::size_t kMaxReceiveBuffer = 1024;  // events kept for a socket awaiting its CONNECT answer

// A JSON string literal of `v` (the server's own pid/offset text: '"', '\\' and control characters escaped,
// everything else as it is).
void append_quoted(std::string& out, const std::string& v) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

core::Error caller(std::string message) { return core::Error::caller("arg.invalid", std::move(message)); }
core::Error caller(const char* message) { return core::Error::caller("arg.invalid", message); }

core::Result<core::Ok> check_nsp(const std::string& nsp) {
  Packet p;
  p.type = PacketType::Disconnect;
  p.nsp = nsp;
  if (nsp.size() > 1024) return caller("nsp: longer than 1024 bytes");
  return check_outgoing(p);
}

// What is wrong with the options' numbers and transports (nullptr: nothing); validate() builds the error
// once.
const char* options_problem(const ManagerOptions& o) {
  if (o.reconnection_delay < 0) return "reconnection_delay: must be >= 0";
  if (o.reconnection_delay_max < 0) return "reconnection_delay_max: must be >= 0";
  if (!(o.randomization_factor >= 0.0 && o.randomization_factor <= 1.0)) {
    return "randomization_factor: must be in [0, 1]";
  }
  if (o.timeout < 0) return "timeout: must be >= 0";
  if (o.protocol != 0 && o.protocol != 3 && o.protocol != 4) {
    return "protocol: must be 0 (auto), 3 or 4 (the Engine.IO version)";
  }
  if (o.max_incoming_bytes < 64) return "max_incoming_bytes: must be >= 64";
  if (!o.websocket && !o.polling) return "transports: must allow websocket, polling or both";
  return nullptr;
}

// Protocol 4 carries no auth payload: the auth object's members become the CONNECT's query,
// "k=v&k2=v2" (keys in alphabetical order; strings as they are, other values as JSON; all encoded).
std::string auth_to_query(const std::string& auth_json) {
  if (auth_json.empty()) return {};
  const json j = json::parse(auth_json);
  if (!j.is_object()) return {};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& v = j.values()[i];
    pairs.emplace_back(j.keys()[i], v.get_string());  // (null and non-strings read as "")
    if (!v.is_string() && !v.is_null()) pairs.back().second = v.dump();
  }
  return core::encode_query(pairs);
}

}  // namespace

// ---- construction and options -------------------------------------------------------------------

core::Result<ManagerOptions> Manager::validate(ManagerOptions o) {
  auto url = core::parse_url(o.url);
  if (!url) return url.error();
  auto path = core::normalize_path(o.path);
  if (!path) return path.error();
  o.path = path.value();
  auto query = core::check_encoded_query(o.query, "query");
  if (!query) return query.error();
  o.query = query.value();
  if (auto uq = core::check_encoded_query(url.value().query, "url query"); !uq) return uq.error();
  if (const char* why = options_problem(o)) return caller(why);
  return o;
}

Manager::Manager(ManagerOptions options) : rng_(options.seed) {
  auto valid = validate(std::move(options));
  if (!valid) {
    fatal_ = valid.error();
    return;
  }
  options_ = std::move(valid.value());
  use_url();
  if (options_.protocol == 3) version_ = engineio::Version::V3;
}

void Manager::use_url() {
  const core::Url url = core::parse_url(options_.url).value();
  engine_base_url_ = core::engine_base_url(url, options_.path);
  engine_query_ = core::check_encoded_query(url.query).value();
  if (!options_.query.empty()) {
    if (!engine_query_.empty()) engine_query_ += '&';
    engine_query_ += options_.query;
  }
}

core::Result<core::Ok> Manager::set_url(const std::string& url) {
  if (fatal_) return *fatal_;
  ManagerOptions o = options_;
  o.url = url;
  auto valid = validate(std::move(o));
  if (!valid) return valid.error();
  options_.url = valid.value().url;
  use_url();
  return core::Ok{};
}

core::Result<core::Ok> Manager::set_reconnect_options(ManagerOptions o) {
  // (reconnection(false) also cancels a reconnection already scheduled, as socket.io-client's does.)
  if (fatal_) return *fatal_;
  ManagerOptions next = options_;
  next.reconnection = o.reconnection;
  next.reconnection_attempts = o.reconnection_attempts;
  next.reconnection_delay = o.reconnection_delay;
  next.reconnection_delay_max = o.reconnection_delay_max;
  next.randomization_factor = o.randomization_factor;
  next.timeout = o.timeout;
  auto valid = validate(std::move(next));
  if (!valid) return valid.error();
  options_ = std::move(valid.value());
  if (!options_.reconnection && state_ == ManagerState::WaitingReconnect) {
    state_ = ManagerState::Idle;
    loop_to(Loop::Off);
  }
  return core::Ok{};
}

Protocol Manager::protocol() const {
  return version_ == engineio::Version::V3 ? Protocol::V4 : Protocol::V5;
}

// ---- lookups ------------------------------------------------------------------------------------

Manager::Socket* Manager::find(const std::string& nsp) {
  for (auto& s : sockets_) {
    if (s.nsp == nsp) return &s;
  }
  return nullptr;
}

const Manager::Socket* Manager::find(const std::string& nsp) const {
  for (const auto& s : sockets_) {
    if (s.nsp == nsp) return &s;
  }
  return nullptr;
}

Manager::Socket& Manager::find_or_add(const std::string& nsp) {
  if (Socket* s = find(nsp)) return *s;
  sockets_.push_back(Socket{});
  sockets_.back().nsp = nsp;
  return sockets_.back();
}

bool Manager::any_active() const {
  if (open_wanted_) return true;
  for (const auto& s : sockets_) {
    if (s.state != SocketState::Inactive) return true;
  }
  return false;
}

SocketState Manager::socket_state(const std::string& nsp) const {
  const Socket* s = find(nsp);
  return s ? s->state : SocketState::Inactive;
}

// ---- time ---------------------------------------------------------------------------------------

void Manager::advance(Millis now, bool reconnect) {
  if (session_) {
    session_->on_timer(now);
    drain(now);
  }
  check_ack_timeouts(now);
  if (reconnect && timers_.fire_if_due(Timer::Reconnect, now)) fire_reconnect(now);
}

void Manager::on_timer(Millis now) {
  if (fatal_) return;
  advance(now);
}

std::optional<Millis> Manager::next_deadline() const {
  return core::earliest(timers_.next(), session_ ? session_->next_deadline() : std::nullopt);
}

std::vector<Output> Manager::take_outputs() {
  std::vector<Output> out;
  out.swap(outputs_);
  return out;
}

void Manager::wake(Millis now) {
  if (fatal_) return;
  advance(now);
  if (state_ == ManagerState::WaitingReconnect && online_) fire_reconnect(now);
}

void Manager::set_online(Millis now, bool online) {
  if (fatal_) return;
  advance(now);
  online_ = online;
  if (!online) {
    timers_.clear(Timer::Reconnect);  // paused; resumed by set_online(true)
    return;
  }
  if (state_ == ManagerState::WaitingReconnect) {
    fire_reconnect(now);
  } else if (state_ == ManagerState::Idle && any_active()) {
    start_attempt(now);
  }
}

// ---- the session: attempts, draining its outputs ------------------------------------------------

void Manager::start_attempt(Millis now, bool fallback) {
  timers_.clear(Timer::Reconnect);
  // A fresh attempt starts with the transport that worked last (a WebSocket until one did not).
  if (!fallback) {
    polling_ = !options_.websocket || (options_.polling && options_.polling_first) || known_polling_.value_or(false);
    ws_failure_.reset();
  }
  if (options_.protocol == 3) {
    version_ = engineio::Version::V3;
  } else if (options_.protocol == 4) {
    version_ = engineio::Version::V4;
  } else {
    version_ = probe_ == Probe::V3Retry ? engineio::Version::V3 : known_version_.value_or(engineio::Version::V4);
  }
  engineio::SessionOptions so;
  so.version = version_;
  so.base_url = engine_base_url_;
  so.query = engine_query_;
  so.max_incoming_bytes = options_.max_incoming_bytes;
  so.connect_timeout = options_.timeout;
  so.strip_v4_binary_prefix = options_.strip_v4_binary_prefix;
  so.polling = polling_;
  so.upgrade = options_.websocket;
  ++generation_;
  session_.emplace(so);
  handshake_.reset();
  decoder_.set_options(DecoderOptions{protocol(), options_.max_attachments, options_.max_incoming_bytes});
  transport_ = 0;
  session_transport_ = 0;
  if (probe_ == Probe::Confirming) probe_ = Probe::None;
  close_reason_.reset();
  root_ = Root::Unknown;
  for (auto& s : sockets_) s.connect_sent = false;
  state_ = ManagerState::Opening;
  session_->open(now);
  drain(now);
}

void Manager::drain(Millis now) {
  while (session_) {
    std::vector<engineio::Output> batch = session_->take_outputs();
    if (batch.empty()) return;
    const std::uint64_t gen = generation_;
    for (auto& out : batch) {
      if (gen != generation_) return;  // the session closed or was replaced: the rest is stale
      if (auto* o = std::get_if<engineio::OpenTransport>(&out)) {
        const std::uint32_t id = next_transport_++;
        if (next_transport_ == 0) next_transport_ = 1;
        if (transport_ != 0 && polling_) {  // the upgrade probe, beside the polling transport
          probe_transport_ = id;
          probe_session_ = o->transport;
        } else {
          transport_ = id;
          session_transport_ = o->transport;
        }
        outputs_.push_back(OpenTransport{id, std::move(o->url)});
      } else if (auto* f = std::get_if<engineio::SendFrame>(&out)) {
        if (transport_ != 0 && f->transport == session_transport_) {
          outputs_.push_back(SendFrame{transport_, std::move(f->frame)});
        } else if (probe_transport_ != 0 && f->transport == probe_session_) {
          outputs_.push_back(SendFrame{probe_transport_, std::move(f->frame)});
        }
      } else if (auto* u = std::get_if<engineio::Upgraded>(&out)) {
        if (probe_transport_ != 0 && u->transport == probe_session_) {
          transport_ = probe_transport_;
          session_transport_ = probe_session_;
          probe_transport_ = probe_session_ = 0;
          polling_ = false;
          known_polling_ = false;  // WebSockets work here: the next attempt starts with one
          outputs_.push_back(TransportUpgraded{});
        }
      } else if (auto* h = std::get_if<engineio::HttpRequest>(&out)) {
        if (transport_ == 0) {  // polling has no OpenTransport: its first request names the transport
          transport_ = next_transport_++;
          if (next_transport_ == 0) next_transport_ = 1;
          session_transport_ = h->transport;
        }
        if (h->transport == session_transport_) {
          outputs_.push_back(HttpRequest{transport_, h->request, h->post, std::move(h->url), std::move(h->body)});
        }
      } else if (auto* c = std::get_if<engineio::CloseTransport>(&out)) {
        if (transport_ != 0 && c->transport == session_transport_) {
          outputs_.push_back(CloseTransport{transport_, c->code, std::move(c->reason)});
        } else if (probe_transport_ != 0 && c->transport == probe_session_) {
          outputs_.push_back(CloseTransport{probe_transport_, c->code, std::move(c->reason)});
          probe_transport_ = probe_session_ = 0;
        }
      } else if (auto* op = std::get_if<engineio::Opened>(&out)) {
        on_engine_open(now, op->handshake);
      } else if (auto* m = std::get_if<engineio::Message>(&out)) {
        if (state_ == ManagerState::Open) on_engine_message(now, std::move(m->payload));
      } else if (auto* cl = std::get_if<engineio::Closed>(&out)) {
        ++generation_;
        transport_ = 0;
        session_transport_ = 0;
        probe_transport_ = probe_session_ = 0;
        on_engine_closed(now, *cl);
        return;
      }
    }
  }
}

void Manager::on_engine_open(Millis now, const engineio::Handshake& handshake) {
  handshake_ = handshake;
  state_ = ManagerState::Open;
  known_polling_ = polling_;
  if (options_.protocol == 0) {
    if (version_ == engineio::Version::V3) {
      known_version_ = engineio::Version::V3;
    } else if (!known_version_) {
      // ManagerOpen waits for a protocol 5 answer, when a namespace's CONNECT can give one.
      const bool connecting = std::any_of(sockets_.begin(), sockets_.end(),
                                          [](const Socket& s) { return s.state == SocketState::Connecting; });
      if (connecting) probe_ = Probe::Confirming;
    }
  }
  if (probe_ != Probe::Confirming) confirm_open(now);
  for (auto& s : sockets_) {
    if (s.state == SocketState::Connecting) send_connect(now, s);
    if (state_ != ManagerState::Open) return;
  }
}

void Manager::confirm_open(Millis now) {
  if (probe_ == Probe::Confirming) {
    probe_ = Probe::None;
    known_version_ = engineio::Version::V4;
  }
  outputs_.push_back(ManagerOpen{session_ && session_->handshake() ? session_->handshake()->sid : std::string(), polling_});
  if (loop_ != Loop::Off) outputs_.push_back(Reconnect{attempts_});
  loop_to(Loop::Off, now);
}

void Manager::on_engine_closed(Millis now, const engineio::Closed& closed) {
  const bool was_open = state_ == ManagerState::Open;
  const bool was_probing = probe_ == Probe::Confirming;
  if (was_probing) probe_ = Probe::None;
  decoder_.reset();
  handshake_.reset();
  state_ = ManagerState::Idle;
  const std::optional<std::string> ours = std::move(close_reason_);
  close_reason_.reset();

  if (probe_ == Probe::ClosingForV3) {
    probe_ = Probe::V3Retry;
    start_attempt(now, true);
    return;
  }
  // Auto mode: the first EIO4 try failed before the open packet (or before protocol 5 was confirmed):
  // try EIO3 at once.
  if (options_.protocol == 0 && !known_version_ && version_ == engineio::Version::V4 && probe_ != Probe::V3Retry &&
      (!was_open || was_probing) && any_active()) {
    probe_ = Probe::V3Retry;
    start_attempt(now, true);
    return;
  }
  probe_ = Probe::None;
  if (!was_open || was_probing) {
    core::Error error = closed.error ? *closed.error
                                     : core::Error::transport("sio.connect_failed",
                                                              "could not connect: " + closed.reason);
    // The WebSocket failed before the connection opened (in auto mode with both versions): try
    // long-polling at once, within the same attempt (a network that blocks WebSockets).
    if (!polling_ && options_.polling && !ours && any_active()) {
      polling_ = true;
      ws_failure_ = std::move(error);
      start_attempt(now, true);
      return;
    }
    // The attempt failed.
    if (ws_failure_) {  // the WebSocket's failure says more; polling was the fallback
      error = core::Error{ws_failure_->kind, ws_failure_->code,
                          ws_failure_->message + "; long-polling failed too: " + error.message};
      ws_failure_.reset();
    }
    if (!any_active()) return;  // closed on purpose: nothing is wanted any more
    if (!ours) {  // (a parse error was reported when it happened)
      outputs_.push_back(ManagerError{error});
      for (auto& s : sockets_) {
        if (s.state == SocketState::Connecting) {
          // socket.io-client's words for a connect timeout ("timeout"); the ManagerError says more.
          outputs_.push_back(SocketConnectError{s.nsp, std::string(),
                                                error.code == "eio.connect_timeout" ? std::string("timeout") : error.message, true});
        }
      }
    }
    if (loop_ != Loop::Off) {
      outputs_.push_back(ReconnectError{error});
      loop_to(Loop::Backoff, now);
    } else if (options_.reconnection) {
      loop_to(Loop::Backoff, now);
    }
    return;
  }

  const std::string reason = ours ? *ours : closed.reason;
  // A frame the Engine.IO layer could not decode: say which (as Socket.IO-level parse errors do).
  if (!ours && closed.error && closed.error->kind == core::ErrorKind::Peer) {
    outputs_.push_back(ManagerError{*closed.error});
  }
  outputs_.push_back(ManagerClose{reason});
  for (auto& s : sockets_) {
    // A connected socket is re-CONNECTed when the connection comes back.
    end_socket(s, s.state == SocketState::Connected ? SocketState::Connecting : s.state, reason);
  }
  loop_to(Loop::Off);  // a new loop, from attempt 1
  if (options_.reconnection && any_active()) loop_to(Loop::Backoff, now);
}

// ---- reconnection -------------------------------------------------------------------------------

Millis Manager::backoff_delay() {
  // socket.io-client's backoff: ms = min * 2^attempt; jitter dev = floor(r * factor * ms), subtracted
  // when floor(r * 10) is even, else added; capped at max.
  const std::uint32_t attempt = attempts_++;
  // 2^attempt as a shift (exact up to 2^62): std::pow would bring musl's pow and its ~3 KB of tables.
  double ms = static_cast<double>(options_.reconnection_delay) *
              static_cast<double>(std::uint64_t{1} << std::min<std::uint32_t>(attempt, 62));
  if (options_.randomization_factor > 0) {
    const double r = rng_.next_unit();
    const double dev = std::floor(r * options_.randomization_factor * ms);
    ms = (static_cast<std::int64_t>(std::floor(r * 10)) & 1) == 0 ? ms - dev : ms + dev;
  }
  ms = std::min(ms, static_cast<double>(options_.reconnection_delay_max));
  return ms < 0 ? 0 : static_cast<Millis>(ms);
}

// Every change of loop_ (the table is in manager.h).
void Manager::loop_to(Loop next, Millis now) {
  timers_.clear(Timer::Reconnect);
  if (next == Loop::Backoff && attempts_ >= options_.reconnection_attempts) {
    attempts_ = 0;
    loop_ = Loop::Off;
    state_ = ManagerState::Idle;
    outputs_.push_back(ReconnectFailed{});
    return;
  }
  loop_ = next;
  if (next == Loop::Off) {
    attempts_ = 0;
  } else if (next == Loop::Backoff) {
    const Millis delay = backoff_delay();
    state_ = ManagerState::WaitingReconnect;
    if (online_) timers_.set(Timer::Reconnect, add_ms(now, delay));
  } else {
    outputs_.push_back(ReconnectAttempt{attempts_});
  }
}

void Manager::fire_reconnect(Millis now) {
  timers_.clear(Timer::Reconnect);
  if (state_ != ManagerState::WaitingReconnect || !online_) return;
  if (!any_active()) {
    state_ = ManagerState::Idle;
    loop_to(Loop::Off);
    return;
  }
  if (loop_ != Loop::Off) loop_to(Loop::Retrying);
  start_attempt(now);
}

// ---- closing ------------------------------------------------------------------------------------

void Manager::close_engine(Millis now, std::string_view reason) {
  if (session_ && (session_->state() == engineio::State::Opening || session_->state() == engineio::State::Open)) {
    close_reason_ = std::string(reason);
    session_->close(now);
    drain(now);
  }
}

void Manager::drop_connection(Millis now) {
  if (fatal_) return;
  advance(now);
  close_engine(now, "forced close");
}

void Manager::maybe_close_idle(Millis now) {
  open_wanted_ = false;  // a socket went away: the connection stays only for the sockets still active
  if (any_active()) return;
  loop_to(Loop::Off);
  if (state_ == ManagerState::Open || state_ == ManagerState::Opening) {
    close_engine(now, "forced close");
  }
  state_ = ManagerState::Idle;
}

void Manager::open(Millis now) {
  if (fatal_) return;
  advance(now);
  open_wanted_ = true;
  if (state_ != ManagerState::Idle) return;
  if (online_) {
    start_attempt(now);
  } else {
    state_ = ManagerState::WaitingReconnect;  // opens on set_online(true)
  }
}

void Manager::close(Millis now) {
  if (fatal_) return;
  advance(now, false);  // the app's close comes before a reconnection that fell due meanwhile
  open_wanted_ = false;
  loop_to(Loop::Off);
  for (auto& s : sockets_) {
    end_socket(s, SocketState::Inactive, "io client disconnect");
    // Nothing waits for a later connection: buffered emits and the retry queue fail too.
    s.send_buffer.clear();
    fail_acks(s, kDisconnected, true);
    std::vector<Queued> queue;
    queue.swap(s.queue);
    for (const auto& q : queue) {
      if (q.want_ack) ack_failed(s.nsp, q.emit_id, kDisconnected, false);
    }
  }
  close_engine(now, "forced close");
  state_ = ManagerState::Idle;
  probe_ = Probe::None;
  rearm_ack_timer();
}

void Manager::parse_error(Millis now, core::Error error) {
  outputs_.push_back(ManagerError{std::move(error)});
  close_engine(now, "parse error");
}

void Manager::fall_back(Millis now) {
  probe_ = Probe::ClosingForV3;
  if (session_) {
    session_->close(now);
    drain(now);
  }
}

// ---- application calls --------------------------------------------------------------------------

core::Result<core::Ok> Manager::connect_socket(Millis now, std::string nsp, std::string auth_json) {
  if (fatal_) return *fatal_;
  if (auto ok = check_nsp(nsp); !ok) return ok.error();
  if (!auth_json.empty()) {
    Packet p;
    p.type = PacketType::Connect;
    p.data = auth_json;
    if (!check_outgoing(p)) return caller("auth: must be \"\" or a JSON object");
  }
  advance(now);
  Socket& s = find_or_add(nsp);
  s.auth_json = std::move(auth_json);
  if (s.state == SocketState::Inactive) {
    s.state = SocketState::Connecting;
    s.connect_sent = false;
    if (state_ == ManagerState::Open) send_connect(now, s);
  }
  if (state_ == ManagerState::Idle) {
    if (online_) {
      start_attempt(now);
    } else {
      state_ = ManagerState::WaitingReconnect;  // opens on set_online(true)
    }
  }
  return core::Ok{};
}

void Manager::disconnect_socket(Millis now, const std::string& nsp) {
  if (fatal_) return;
  // The app's disconnect comes before a reconnection that fell due meanwhile: if other sockets still
  // want the connection, the due timer fires at the next input (next_deadline() says it is due).
  advance(now, false);
  Socket* s = find(nsp);
  if (!s || s->state == SocketState::Inactive) return;
  const bool was_connected = connected(*s);
  if (state_ == ManagerState::Open && (was_connected || s->connect_sent) && probe_ != Probe::Confirming) {
    Packet p;
    p.type = PacketType::Disconnect;
    p.nsp = nsp;
    (void)send_packet(now, p);
    if (nsp == "/") root_ = Root::Disconnected;
  }
  s = find(nsp);  // (sending cannot change sockets_, but stay safe)
  end_socket(*s, SocketState::Inactive, "io client disconnect");
  maybe_close_idle(now);
}

core::Result<std::uint64_t> Manager::emit(Millis now, const std::string& nsp, std::string args_json,
                                          std::vector<std::string> attachments, EmitOptions options) {
  Packet p;
  p.type = attachments.empty() ? PacketType::Event : PacketType::BinaryEvent;
  p.nsp = nsp;
  p.data = std::move(args_json);
  p.attachments = std::move(attachments);
  return emit_packet(now, std::move(p), options);
}

core::Result<std::uint64_t> Manager::emit_external(Millis now, const std::string& nsp, const Packet& payload,
                                                   EmitOptions options) {
  if (payload.ext == 0) return caller("args: no host-kept payload handle");
  Packet p;
  p.type = PacketType::Event;
  p.nsp = nsp;
  p.data = payload.data;  // text before the host-kept part (an IM envelope), if any
  p.ext = payload.ext;
  p.ext_size = payload.ext_size;
  p.shape = payload.shape;
  return emit_packet(now, std::move(p), options);
}

core::Result<std::uint64_t> Manager::emit_packet(Millis now, Packet p, EmitOptions options) {
  if (fatal_) return *fatal_;
  const std::string nsp = p.nsp;
  if (auto ok = check_nsp(nsp); !ok) return ok.error();
  if (options.ack_timeout && *options.ack_timeout < 0) return caller("ack_timeout: must be >= 0");
  if (auto ok = check_outgoing(p); !ok) return ok.error();
  advance(now);

  Socket& s = find_or_add(nsp);
  const std::uint64_t emit_id = next_emit_id_++;
  if (options.retries > 0 && !options.is_volatile) {
    Queued q;
    q.emit_id = emit_id;
    q.packet = std::move(p);
    q.want_ack = options.want_ack;
    q.ack_timeout = options.ack_timeout;
    q.retries = options.retries;
    s.queue.push_back(std::move(q));
    drain_queue(now, nsp);
    return emit_id;
  }
  if (auto sent = send_emit(now, s, emit_id, std::move(p), options); !sent) return sent.error();
  return emit_id;
}

// Sends (connected) or buffers (not yet) one emit; a volatile one is dropped when not connected.
core::Result<core::Ok> Manager::send_emit(Millis now, Socket& s, std::uint64_t emit_id, Packet p, EmitOptions options) {
  const std::string nsp = s.nsp;
  const bool now_sendable = connected(s);
  if (options.is_volatile && !now_sendable) {
    if (options.want_ack) ack_failed(nsp, emit_id, kDisconnected);
    return core::Ok{};
  }
  std::optional<std::uint64_t> wire_id;
  if (options.want_ack) wire_id = s.next_wire_id++;
  if (now_sendable) {
    p.id = wire_id;
    if (auto sent = send_packet(now, p); !sent) return sent.error();
  } else {
    s.send_buffer.push_back(Outgoing{emit_id, wire_id, std::move(p.data), std::move(p.attachments), p.ext, p.ext_size});
  }
  if (wire_id) {
    PendingAck a;
    a.wire_id = *wire_id;
    a.emit_id = emit_id;
    if (options.ack_timeout) a.deadline = add_ms(now, *options.ack_timeout);
    a.sent = now_sendable;
    find(nsp)->acks.push_back(a);
    rearm_ack_timer();
  }
  return core::Ok{};
}

// ---- the retry queue ----------------------------------------------------------------------------
//
// Per socket, emits with retries > 0 wait in `queue`; only the head is ever on the wire ("in flight":
// try_id != 0). drain_queue sends the head when the socket is connected and nothing is in flight; the
// try's AckResult comes back through ack_result, which settles the head (answered, or out of tries:
// removed and reported) or leaves it for another try. Draining happens after the inputs that can settle
// a try while connected (an ACK, an ack timeout) and after the socket's CONNECT is answered.

void Manager::drain_queue(Millis now, const std::string& nsp) {
  for (;;) {
    Socket* s = find(nsp);
    if (!s || !connected(*s) || s->queue.empty() || s->queue.front().try_id != 0) return;
    Queued& q = s->queue.front();
    ++q.tries;
    q.try_id = next_emit_id_++;
    EmitOptions o;
    o.want_ack = true;
    o.ack_timeout = q.ack_timeout;
    const std::uint64_t try_id = q.try_id;
    auto sent = send_emit(now, *s, try_id, q.packet, o);
    if (sent) return;
    // Cannot be sent at all (larger than the server accepts): the emit fails for good.
    s = find(nsp);
    if (!s || s->queue.empty() || s->queue.front().try_id != try_id) return;
    Queued failed = std::move(s->queue.front());
    s->queue.erase(s->queue.begin());
    if (failed.want_ack) {
      ack_failed(nsp, failed.emit_id, sent.error().message, false);
    } else {
      outputs_.push_back(ManagerError{sent.error()});
    }
  }
}

void Manager::drain_queues(Millis now) {
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    if (!sockets_[i].queue.empty()) drain_queue(now, std::string(sockets_[i].nsp));
  }
}

void Manager::ack_result(AckResult r) {
  Socket* s = find(r.nsp);
  if (!s || s->queue.empty() || s->queue.front().try_id != r.emit_id) {
    outputs_.push_back(std::move(r));
    return;
  }
  Queued& q = s->queue.front();
  q.try_id = 0;
  if (!r.ok && q.tries <= q.retries) return;  // tried again by the next drain
  const bool want_ack = q.want_ack;
  r.emit_id = q.emit_id;
  s->queue.erase(s->queue.begin());
  if (want_ack) outputs_.push_back(std::move(r));
}

void Manager::ack_failed(const std::string& nsp, std::uint64_t emit_id, std::string_view error, bool settle) {
  AckResult r{nsp, emit_id, false, {}, {}, std::string(error), 0};
  if (settle) {
    ack_result(std::move(r));
  } else {
    outputs_.push_back(std::move(r));
  }
}

core::Result<core::Ok> Manager::ack(Millis now, const std::string& nsp, std::uint64_t ack_id,
                                    std::string args_json, std::vector<std::string> attachments) {
  Packet p;
  p.type = attachments.empty() ? PacketType::Ack : PacketType::BinaryAck;
  p.nsp = nsp;
  p.id = ack_id;
  p.data = std::move(args_json);
  p.attachments = std::move(attachments);
  return ack_packet(now, std::move(p));
}

core::Result<core::Ok> Manager::ack_external(Millis now, const std::string& nsp, std::uint64_t ack_id,
                                             const Packet& payload) {
  if (payload.ext == 0) return caller("args: no host-kept payload handle");
  Packet p;
  p.type = PacketType::Ack;
  p.nsp = nsp;
  p.id = ack_id;
  p.ext = payload.ext;
  p.ext_size = payload.ext_size;
  p.shape = payload.shape;
  return ack_packet(now, std::move(p));
}

core::Result<core::Ok> Manager::ack_packet(Millis now, Packet p) {
  if (fatal_) return *fatal_;
  const std::string nsp = p.nsp;
  const std::uint64_t ack_id = *p.id;
  if (auto ok = check_nsp(nsp); !ok) return ok.error();
  if (auto ok = check_outgoing(p); !ok) return ok.error();
  advance(now);
  Socket* s = find(nsp);
  if (!s || !connected(*s)) {
    return core::Error::caller("sio.not_connected", "nsp: \"" + nsp + "\" is not connected");
  }
  auto it = std::find(s->server_acks.begin(), s->server_acks.end(), ack_id);
  if (it == s->server_acks.end()) {
    return core::Error::caller("sio.unknown_ack_id",
                               "ack_id: " + core::decimal(ack_id) + " was not requested on \"" + nsp +
                                   "\" or was already answered");
  }
  if (auto sent = send_packet(now, p); !sent) return sent.error();
  s = find(nsp);
  it = std::find(s->server_acks.begin(), s->server_acks.end(), ack_id);
  if (it != s->server_acks.end()) s->server_acks.erase(it);
  return core::Ok{};
}

// ---- sending ------------------------------------------------------------------------------------

core::Result<core::Ok> Manager::send_packet(Millis now, const Packet& packet) {
  if (!session_ || state_ != ManagerState::Open) {
    return core::Error::caller("sio.not_connected", "the connection is not open");
  }
  std::string text = encode_text(packet);
  if (handshake_ && handshake_->max_payload) {
    // Check every frame first, so a binary packet is never half sent.
    const auto limit = static_cast<std::uint64_t>(*handshake_->max_payload);
    const std::uint64_t extra = version_ == engineio::Version::V3 ? 1 : 0;
    bool too_big = text.size() + packet.ext_size + 1 > limit;
    for (const auto& a : packet.attachments) too_big = too_big || a.size() + extra > limit;
    if (too_big) {
      return core::Error::caller("sio.payload_too_large",
                                 std::string("args: a frame of this ") + to_string(packet.type) +
                                     " exceeds the server's maxPayload of " + core::decimal(limit) + " bytes");
    }
  }
  auto r = session_->send(now, engineio::Frame{false, std::move(text), packet.ext, packet.ext_size});
  drain(now);
  if (!r) return r.error();
  for (const auto& a : packet.attachments) {
    if (!session_ || state_ != ManagerState::Open) break;
    auto rb = session_->send(now, engineio::Frame{true, a});
    drain(now);
    if (!rb) return rb.error();
  }
  return core::Ok{};
}

void Manager::send_connect(Millis now, Socket& socket) {
  Packet p;
  p.type = PacketType::Connect;
  p.nsp = socket.nsp;
  const std::string nsp = socket.nsp;
  if (protocol() == Protocol::V4) {
    if (nsp == "/") {
      if (root_ == Root::Unknown) {  // the server connects "/" by itself; wait for its CONNECT
        socket.connect_sent = true;
        return;
      }
      if (root_ == Root::Connected) {
        socket.connect_sent = true;
        socket_connected(now, socket, handshake_ ? handshake_->sid : std::string(), std::nullopt);
        return;
      }
    }
    p.query = auth_to_query(socket.auth_json);
  } else {
    p.data = connect_data(socket);
  }
  socket.connect_sent = true;
  if (nsp == "/" && protocol() == Protocol::V4) root_ = Root::Unknown;  // awaiting the server's answer
  (void)send_packet(now, p);
}

// Protocol 5 CONNECT payload: the auth object, preceded by the recovery pid and offset when the server
// gave a pid (socket.io-client: Object.assign({pid, offset}, auth), so auth members come last).
std::string Manager::connect_data(const Socket& socket) const {
  if (!socket.pid) return socket.auth_json;
  std::string out = "{\"pid\":";
  append_quoted(out, *socket.pid);
  if (!socket.offset.empty()) {
    out += ",\"offset\":";
    append_quoted(out, socket.offset);
  }
  // auth_json is "" or a JSON object (checked by connect_socket): splice its members in.
  const std::size_t open = socket.auth_json.find('{');
  const std::size_t first = open == std::string::npos ? open : socket.auth_json.find_first_not_of(" \t\r\n", open + 1);
  if (first != std::string::npos && socket.auth_json[first] != '}') {
    out += ',';
    out.append(socket.auth_json, first, std::string::npos);
  } else {
    out += '}';
  }
  return out;
}

core::Result<core::Ok> Manager::set_recovery_offset(const std::string& nsp, std::string offset) {
  if (fatal_) return *fatal_;
  if (offset.size() > 1024) return caller("offset: longer than 1024 bytes");
  Socket* s = find(nsp);
  if (!s) return caller("nsp: \"" + nsp + "\" is not a namespace of this manager");
  s->offset = std::move(offset);
  return core::Ok{};
}

void Manager::flush_send_buffer(Millis now, Socket& socket) {
  const std::string nsp = socket.nsp;
  std::vector<Outgoing> queue;
  queue.swap(socket.send_buffer);
  for (std::size_t i = 0; i < queue.size(); ++i) {
    Socket* s = find(nsp);
    if (!s || !connected(*s)) {  // the connection went away meanwhile: keep the rest buffered
      if (s) {  // (before what was buffered meanwhile; push_back, not a range insert instantiated for this)
        std::vector<Outgoing> rest;
        for (std::size_t k = i; k < queue.size(); ++k) rest.push_back(std::move(queue[k]));
        for (auto& o : s->send_buffer) rest.push_back(std::move(o));
        s->send_buffer.swap(rest);
      }
      return;
    }
    Outgoing& o = queue[i];
    Packet p;
    p.type = o.attachments.empty() ? PacketType::Event : PacketType::BinaryEvent;
    p.nsp = nsp;
    p.id = o.wire_id;
    p.data = std::move(o.args_json);
    p.attachments = std::move(o.attachments);
    p.ext = o.ext;
    p.ext_size = o.ext_size;
    auto sent = send_packet(now, p);
    s = find(nsp);
    if (!sent) {
      // Cannot be sent at all (larger than the server accepts): report it and drop it.
      if (o.wire_id) {
        auto it = std::find_if(s->acks.begin(), s->acks.end(), [&](const PendingAck& a) { return a.wire_id == *o.wire_id; });
        if (it != s->acks.end()) {
          ack_failed(nsp, it->emit_id, sent.error().message);
          s->acks.erase(it);
        }
      } else {
        outputs_.push_back(ManagerError{sent.error()});
      }
      continue;
    }
    if (o.wire_id) {
      for (auto& a : s->acks) {
        if (a.wire_id == *o.wire_id) a.sent = true;
      }
    }
  }
  rearm_ack_timer();
}

// ---- acks ---------------------------------------------------------------------------------------

void Manager::fail_acks(Socket& socket, const char* error, bool include_buffered) {
  core::Queue<PendingAck> keep;
  for (auto& a : socket.acks) {
    if (a.sent || include_buffered) {
      ack_failed(socket.nsp, a.emit_id, error);
    } else {
      keep.push_back(a);
    }
  }
  socket.acks = std::move(keep);
  rearm_ack_timer();
}

void Manager::check_ack_timeouts(Millis now) {
  if (!timers_.fire_if_due(Timer::AckTimeout, now)) return;
  for (auto& s : sockets_) {
    core::Queue<PendingAck> keep;
    for (auto& a : s.acks) {
      if (a.deadline && *a.deadline <= now) {
        if (!a.sent) {
          // Its emit leaves the send buffer (kept by push_back: no remove_if and range erase instantiated).
          std::vector<Outgoing> kept;
          for (auto& o : s.send_buffer) {
            if (!(o.wire_id && *o.wire_id == a.wire_id)) kept.push_back(std::move(o));
          }
          s.send_buffer.swap(kept);
        }
        ack_failed(s.nsp, a.emit_id, kTimedOut);
      } else {
        keep.push_back(a);
      }
    }
    s.acks = std::move(keep);
  }
  rearm_ack_timer();
  drain_queues(now);
}

// ---- receiving ----------------------------------------------------------------------------------

void Manager::on_engine_message(Millis now, engineio::Frame payload) {
  core::Result<std::optional<Packet>> r = std::optional<Packet>();
  if (payload.binary) {
    r = decoder_.feed_binary(std::move(payload.data));
  } else if (payload.ext && incoming_external_ && incoming_external_->ext == payload.ext) {
    r = decoder_.feed_external(payload.data, *incoming_external_);
  } else {
    r = decoder_.feed_text(payload.data);
  }
  if (!r) {
    parse_error(now, std::move(r.error()));
    return;
  }
  if (r.value()) on_packet(now, std::move(*r.value()));
}

void Manager::socket_connected(Millis now, Socket& socket, std::string sid, std::optional<std::string> pid) {
  socket.state = SocketState::Connected;
  const std::string nsp = socket.nsp;
  if (pid != socket.pid) socket.offset.clear();  // a new session: the old offset means nothing to it
  socket.pid = pid;
  outputs_.push_back(SocketConnect{nsp, std::move(sid), std::move(pid)});
  std::vector<SocketEvent> buffered;
  buffered.swap(socket.receive_buffer);
  for (auto& e : buffered) {
    if (e.ack_id) note_server_ack(socket, *e.ack_id);
    outputs_.push_back(std::move(e));
  }
  flush_send_buffer(now, socket);
  drain_queue(now, nsp);
}

// The one end of a socket's connection-bound state (server DISCONNECT or CONNECT_ERROR, the app's
// disconnect, close(), the connection lost): `next` is Inactive (not wanted any more) or Connecting
// (re-CONNECTed when the connection comes back). A connected socket reports SocketDisconnect{reason},
// then the acks already sent fail (socket.io-client's order: "disconnect", then the acks' errors).
void Manager::end_socket(Socket& socket, SocketState next, std::string_view reason) {
  const bool was_connected = socket.state == SocketState::Connected;
  socket.state = next;
  socket.connect_sent = false;
  socket.server_acks.clear();
  socket.receive_buffer.clear();
  if (!was_connected) return;
  outputs_.push_back(SocketDisconnect{socket.nsp, std::string(reason)});
  fail_acks(socket, kDisconnected, false);
}

void Manager::socket_refused(Socket& socket, std::string data_json, std::string message) {
  end_socket(socket, SocketState::Inactive, message);  // (not connected: no SocketDisconnect)
  outputs_.push_back(SocketConnectError{socket.nsp, std::move(data_json), std::move(message), false});
}

void Manager::on_connect_packet(Millis now, Socket* socket, const Packet& p) {
  std::string sid;
  std::optional<std::string> pid;
  bool has_sid = false;
  if (!p.data.empty()) {
    const json j = json::parse(p.data);  // an object: checked by the decoder
    const json* it = j.find("sid");
    if (it && it->is_string()) {
      sid = it->get_string();
      has_sid = true;
    }
    const json* pit = j.find("pid");
    if (pit && pit->is_string()) pid = pit->get_string();
  }
  if (probe_ == Probe::Confirming) {
    if (!has_sid) {  // a protocol 4 server answered: retry with EIO3 at once
      fall_back(now);
      return;
    }
    confirm_open(now);
  }
  if (protocol() == Protocol::V4) {
    if (!has_sid && handshake_) sid = p.nsp == "/" ? handshake_->sid : p.nsp + "#" + handshake_->sid;
    if (p.nsp == "/") root_ = Root::Connected;
  } else if (!has_sid) {
    if (socket && socket->state == SocketState::Connecting) {
      socket_refused(*socket, p.data,
                     "the server answered CONNECT without a sid: it speaks Socket.IO protocol 4 (socket.io 2.x); "
                     "use protocol 3 (Engine.IO 3)");
      maybe_close_idle(now);
    }
    return;
  }
  if (socket && socket->state == SocketState::Connecting) socket_connected(now, *socket, std::move(sid), std::move(pid));
}

void Manager::on_packet(Millis now, Packet p) {
  if (probe_ == Probe::Confirming && p.type != PacketType::Connect) confirm_open(now);
  Socket* s = find(p.nsp);
  if (s && s->state == SocketState::Inactive) s = nullptr;
  switch (p.type) {
    case PacketType::Connect:
      on_connect_packet(now, s, p);
      return;
    case PacketType::Disconnect: {
      if (p.nsp == "/" && protocol() == Protocol::V4) root_ = Root::Disconnected;
      if (!s) return;
      if (s->state == SocketState::Connected) {
        end_socket(*s, SocketState::Inactive, "io server disconnect");
      } else {
        socket_refused(*s, p.data, "io server disconnect");
      }
      maybe_close_idle(now);
      return;
    }
    case PacketType::Event:
    case PacketType::BinaryEvent: {
      if (!s) return;
      SocketEvent e{p.nsp, std::move(p.data), std::move(p.attachments), p.id, p.ext};
      if (s->state == SocketState::Connected) {
        if (e.ack_id) note_server_ack(*s, *e.ack_id);
        outputs_.push_back(std::move(e));
      } else if (s->receive_buffer.size() < kMaxReceiveBuffer) {
        s->receive_buffer.push_back(std::move(e));
      }
      return;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck: {
      if (!s || !p.id) return;
      auto it = std::find_if(s->acks.begin(), s->acks.end(),
                             [&](const PendingAck& a) { return a.sent && a.wire_id == *p.id; });
      if (it == s->acks.end()) return;  // unknown or already settled (timed out): ignored
      const std::uint64_t emit_id = it->emit_id;
      s->acks.erase(it);
      rearm_ack_timer();
      ack_result(AckResult{p.nsp, emit_id, true, std::move(p.data), std::move(p.attachments), std::nullopt, p.ext});
      drain_queues(now);
      return;
    }
    case PacketType::ConnectError: {
      if (!s) return;
      std::string message;
      if (!p.data.empty()) {
        const json j = json::parse(p.data);
        if (j.is_string()) {
          message = j.get_string();
        } else if (const json* it = j.find("message"); it && it->is_string()) {
          message = it->get_string();
        }
      }
      if (s->state == SocketState::Connected) {
        // Not a state a server should produce; treat it as a server disconnect.
        end_socket(*s, SocketState::Inactive, "io server disconnect");
      } else {
        socket_refused(*s, std::move(p.data), std::move(message));
      }
      maybe_close_idle(now);
      return;
    }
  }
}

// ---- transport events ---------------------------------------------------------------------------

// Every transport event: ignored unless it names the current transport (or the upgrade probe), after
// time has advanced (which may itself have closed the transport); then the session's id for it.
// (session_for: the part that does not depend on the event, one function rather than one copy per event.)
std::uint32_t Manager::session_for(Millis now, std::uint32_t transport) {
  const auto session_id = [&]() -> std::uint32_t {
    if (fatal_ || transport == 0 || !session_) return 0;
    if (transport == transport_) return session_transport_;
    return transport == probe_transport_ ? probe_session_ : 0;
  };
  if (session_id() == 0) return 0;
  advance(now);
  return session_id();
}

template <class F>
void Manager::forward(Millis now, std::uint32_t transport, F&& f) {
  const std::uint32_t id = session_for(now, transport);
  if (id == 0) return;
  f(*session_, id);
  drain(now);
}

void Manager::on_transport_open(Millis now, std::uint32_t transport) {
  forward(now, transport, [&](engineio::Session& s, std::uint32_t id) { s.on_transport_open(now, id); });
}

void Manager::on_frame(Millis now, std::uint32_t transport, engineio::Frame frame) {
  forward(now, transport, [&](engineio::Session& s, std::uint32_t id) { s.on_frame(now, id, std::move(frame)); });
}

bool Manager::on_frame_external(Millis now, std::uint32_t transport, std::string_view head, const Packet& payload) {
  if (head.size() < 2 || head[0] != '4' || payload.ext == 0 || !is_external_header(head.substr(1))) return false;
  if (decoder_.awaiting_attachments()) return false;  // an error: its message quotes the whole frame
  // A payload the rules refuse (or JSON.parse could not read): the whole frame, so that the error can
  // quote it. (EVENT: an array naming the event; ACK: an array, with an ack id.)
  const std::size_t comma = head.find(',');
  const bool has_id = (comma == std::string_view::npos ? 2 : comma + 1) < head.size();  // digits only

  if (head[1] == '2' ? !is_event_shape(payload.shape) : (payload.shape.root != JsonKind::Array || !has_id)) {
    return false;
  }
  incoming_external_ = &payload;
  on_frame(now, transport, engineio::Frame{false, std::string(head), payload.ext, payload.ext_size});
  incoming_external_ = nullptr;
  return true;
}

engineio::ExternalRef Manager::oldest_external() const {
  engineio::ExternalRef oldest = 0;
  auto see = [&](engineio::ExternalRef r) {
    if (r != 0 && (oldest == 0 || r < oldest)) oldest = r;
  };
  for (const auto& s : sockets_) {
    for (const auto& o : s.send_buffer) see(o.ext);
    for (const auto& e : s.receive_buffer) see(e.ext);
    for (const auto& q : s.queue) see(q.packet.ext);
  }
  if (session_) see(session_->oldest_external());
  return oldest;
}

void Manager::on_transport_close(Millis now, std::uint32_t transport, int code, std::string reason) {
  forward(now, transport,
          [&](engineio::Session& s, std::uint32_t id) { s.on_transport_close(now, id, code, std::move(reason)); });
}

void Manager::on_http_response(Millis now, std::uint32_t transport, std::uint32_t request, int status,
                               std::string body) {
  forward(now, transport, [&](engineio::Session& s, std::uint32_t id) {
    s.on_http_response(now, id, request, status, std::move(body));
  });
}

void Manager::on_http_error(Millis now, std::uint32_t transport, std::uint32_t request, std::string message) {
  forward(now, transport,
          [&](engineio::Session& s, std::uint32_t id) { s.on_http_error(now, id, request, std::move(message)); });
}

void Manager::on_transport_error(Millis now, std::uint32_t transport, std::string message) {
  forward(now, transport, [&](engineio::Session& s, std::uint32_t id) { s.on_transport_error(now, id, std::move(message)); });
}

}  // namespace echat::socketio
