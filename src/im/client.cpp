// im::Client: the IM session's routing and its states. The state is owned by small machines: the
// Inbox (inbox.h) decides what is handed over, the Outbox (outbox.h) what waits to be sent, the calls
// (calls.h) what is queued or in flight and when it is due, the login (login.h) who the server takes us
// for, the sync run (sync.h) when a catch-up is over, the fresh-install history (history.h) what of the
// first catch-up is handed over, the lifecycle (lifecycle.h) whether the session runs and what the app
// sees of it, the catalogue (requests.h) what may be repeated.
// The Client decides when, in five files by concern:
//   client.cpp         the session: start, close and its one end, the event loop, socket events
//   client_login.cpp   the login on the socket and over HTTP, and the JWT's renewal (Login, login.h)
//   client_calls.cpp   the calls: which can go now, their attempts, answers, repeats and deadlines
//   client_inbox.cpp   deliveries and catch-up pages: handed over in order, acked, the sync run
//   client_outbox.cpp  message/send through the outbox, and the storage records
// (and the hot paths: send_lane.cpp, delivery_lane.cpp). What they share is client_detail.h.
//
//   state         on                                     to
//   Idle          start()                                Connecting   (connect "/")
//   Connecting    login answered 0                       Connected    (sync, flush the queue)
//   Connected     "/" disconnected (not by us)           Reconnecting (the Manager reconnects; after
//                                                                      "io server disconnect" we do)
//   Reconnecting  login answered 0                       Connected    (sync, flush)
//   any           login answered 400/401/403/404         Disconnected (fatal; calls fail -1003)
//   any           topic.notify session.kicked            Disconnected (Kicked; calls fail -1004)
//   any           close()                                Disconnected (calls fail -1004)
//   any           reconnection attempts exhausted        Disconnected (queued calls time out)
#include "im/client.h"

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "im/client_detail.h"

namespace echat::im {

namespace {

constexpr const char* kTimedOut = "operation has timed out";

// scheme + host (bracketed if IPv6) + ":" + port: every URL the session makes (one site).
std::string url_of(const char* scheme, const std::string& host, int port) {
  std::string s = scheme;
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) s += '[';
  s += host;
  if (v6) s += ']';
  s += ':';
  core::append_uint(s, static_cast<std::uint64_t>(port));
  return s;
}

socketio::ManagerOptions manager_options(const Config& c) {
  socketio::ManagerOptions o;
  o.url = url_of(c.secure ? "https://" : "http://", c.host, c.socket_port);
  o.reconnection = c.reconnection;
  o.reconnection_attempts = c.reconnection_attempts;
  o.reconnection_delay = c.reconnection_delay;
  o.reconnection_delay_max = c.reconnection_delay_max;
  o.protocol = c.protocol;
  o.seed = c.seed ^ 0x5851F42D4C957F2Dull;
  return o;
}

std::string hex(std::uint64_t v, int digits) {
  static const char* d = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = d[v & 15];
  return s;
}

// {requestId, response: R} (the ack of a topic.* request); tolerates a bare R.
const json* response_of(const json& ack_args) {
  if (!ack_args.is_array() || ack_args.empty()) return nullptr;
  const json& first = ack_args[0];
  if (const json* r = field(first, "response")) return r->is_object() ? r : nullptr;
  if (field(first, "code")) return &first;
  return nullptr;
}

}  // namespace

namespace detail {

// A transport error as a person would say it: `eio: WebSocket error: text "-102:net::ERR_CONNECTION_REFUSED"
// (32 bytes)` -> "connection refused"; wx's "request:fail ..." -> what follows.
std::string plain_reason(std::string_view raw) {
  std::string_view s = raw;
  const auto q = s.find("text \"");
  if (q != std::string_view::npos) {
    const auto end = s.rfind('"');
    if (end > q + 6) s = s.substr(q + 6, end - q - 6);
  }
  // wx / Chromium / Node spellings -> what they mean (needle, meaning; "" ends the list).
  static const char* const known[] = {"REFUSED", "connection refused", "refused", "connection refused",
                                      "NOTFOUND", "host not found", "NOT_RESOLVED", "host not found",
                                      "TIMED_OUT", "connection timed out", "TIMEDOUT", "connection timed out",
                                      "RESET", "connection reset", "DISCONNECTED", "no network",
                                      "interrupted", "interrupted (app in the background)", ""};
  for (int k = 0; *known[k]; k += 2) {
    if (s.find(known[k]) != std::string_view::npos) return known[k + 1];
  }
  for (const char* prefix : {"eio: ", "request:fail ", "request:fail"}) {
    if (s.rfind(prefix, 0) == 0) s.remove_prefix(std::char_traits<char>::length(prefix));
  }
  return std::string(s.empty() ? "network error" : s);
}

core::Result<std::uint64_t> refuse(const char* field, const char* why) { return invalid_argument(field, why); }

}  // namespace detail

using namespace detail;  // NOLINT: the Client's own rules (client_detail.h)

Client::Client(Config config)
    : config_(std::move(config)),
      manager_(manager_options(config_)),
      rng_(config_.seed),
      outbox_(kOutboxMaxEntries, config_.outbox_per_message ? kOutboxMaxBytes : kOutboxMaxBytesOneRecord),
      conversations_(config_.auid) {
  // A Config built by hand (tests, fuzzers) may have no `hosts`: its host/ports are the one server
  // (the Manager's url above is made of them, not of `hosts`).
  if (config_.hosts.empty()) config_.hosts.push_back(Endpoint{config_.host, config_.http_port, config_.socket_port});
  prefix_ = hex(rng_.next_u64(), 12);
  const std::string records = "echatim:" + config_.app_key + ":" + config_.auid + ":";
  synced_key_ = records + "synced";
  outbox_key_ = records + "outbox";
}

std::string Client::outbox_prefix() const { return outbox_key_ + ":"; }

std::string Client::socket_url() const {
  return url_of(config_.secure ? "wss://" : "ws://", config_.hosts[socket_host_].host, config_.hosts[socket_host_].socket_port);
}

void Client::next_socket_host() {
  if (config_.hosts.size() < 2) return;
  socket_host_ = (socket_host_ + 1) % config_.hosts.size();
  // The Manager validated the same form of url at construction; a host name checked by config_from_json.
  (void)manager_.set_url(url_of(config_.secure ? "https://" : "http://", config_.hosts[socket_host_].host, config_.hosts[socket_host_].socket_port));
}

void Client::next_http_host(std::size_t failed) {
  // Several calls failing on the same server move HTTP on once, not once each.
  if (config_.hosts.size() < 2 || failed != http_host_) return;
  http_host_ = (http_host_ + 1) % config_.hosts.size();
}

void Client::send_state(const Call& call, const char* state, const std::string& reason) {
  outputs_.push_back(SendState{call.id, cmid_of(call), state, reason});
}

void Client::store(std::string key, std::string value) {
  outputs_.push_back(StorageSet{std::move(key), std::move(value)});
}

void Client::error_event(int code, std::string message, bool fatal) {
  outputs_.push_back(ErrorEvent{code, std::move(message), fatal});
}

std::string Client::http_base() const {
  return url_of(config_.secure ? "https://" : "http://", config_.hosts[http_host_].host, config_.hosts[http_host_].http_port);
}

std::string Client::upload_url() const {
  const std::string base = config_.file_base_url.empty() ? http_base() : config_.file_base_url;
  return base + "/" + config_.file_version + "/file/upload";
}

std::string Client::synced_record() const {
  char text[kRecordMax];
  return std::string(text, put_record(text, inbox_.synced(), boot_));
}

// <prefix>-<n>: hex and digits (the send lane writes it into envelopes without escapes).
std::string Client::request_id(std::uint64_t no) const {
  char t[kRequestIdMax];
  return std::string(t, put_request_id(t, no));
}

std::size_t Client::put_request_id(char* at, std::uint64_t no) const {
  assert(prefix_.size() == 12);  // kRequestIdMax
  std::memcpy(at, prefix_.data(), prefix_.size());
  at[prefix_.size()] = '-';
  return prefix_.size() + 1 + core::format_uint(at + prefix_.size() + 1, no);
}

void Client::set_state(State state, std::string reason) {
  if (!life_.show(state)) return;
  outputs_.push_back(StateChanged{state, std::move(reason)});
}

std::vector<Output> Client::take_outputs() {
  // What the inbox and the conversations let go of is released last: after every output of this batch
  // that may name it.
  for (std::uint32_t r : inbox_.take_released()) let_go(r);
  for (std::uint32_t r : conversations_.take_released()) let_go(r);
  std::vector<Output> out;
  out.swap(outputs_);
  return out;
}

// ---- Application calls ---------------------------------------------------------------------------

void Client::start(Millis now) {
  if (!life_.start()) return;  // once per Client; never after its end
  if (const auto& e = manager_.error()) {
    fatal(now, code::kInvalidArgument, e->message, "invalid config");
    return;
  }
  // A new boot number per start, persisted before anything is sent: clientMsgIds carry it, so they
  // stay unique across app restarts even if the host's randomness repeats.
  ++boot_;
  store(synced_key(), synced_record());
  set_state(State::Connecting, "start");
  auto r = manager_.connect_socket(now, "/", "");
  if (!r.ok()) {
    fatal(now, code::kInvalidArgument, r.error().message, "invalid config");
    return;
  }
  settle(now);
}

core::Result<std::uint64_t> Client::request(Millis now, std::string_view module, std::string_view method,
                                            std::string_view form_json, std::optional<Transport> transport) {
  if (life_.ended()) return ended_error();
  const Method* named = find_method(module, method);
  if (!named) {
    return core::Error::caller("405", "unknown method '" + std::string(module) + "/" + std::string(method) + "'");
  }
  if (module == "message" && method == "send") return send_message(now, form_json);
  json form;
  if (!read_form(form_json, form)) return refuse("form", "must be an object");
  // Administrative calls (user/add; user/update, update_token, refresh_token naming another user)
  // authenticate with the app's {appKey, secret}: taken from the config when the form lacks them.
  if (module == "user" && !config_.secret.empty() && !field(form, "secret")) {
    const std::string acting = string_field(form, "auid");
    const bool other = method == "update" || method == "update_token" || method == "refresh_token";
    if (method == "add" || (other && !acting.empty() && acting != config_.auid)) {
      form["secret"] = config_.secret;
      if (!field(form, "appKey")) form["appKey"] = config_.app_key;
    }
  }
  const std::uint64_t id = calls_.emplace_back([&](Call& c) {
    c.id = next_call_id_++;
    c.kind = Call::Kind::App;
    c.module = named->module;  // the catalogue's texts: the caller's may not outlive the call
    c.method = named->method;
    c.form = std::move(form);
    c.transport = transport.value_or(config_.api_transport);
    c.request_no = next_request_no_++;
    c.deadline = now + config_.request_timeout;
  }).id;
  settle(now);
  return id;
}

core::Error Client::ended_error() const {
  return core::Error::caller(core::decimal(life_.end_code()), life_.end_message());
}

// A call's form: "" is {}; anything but an object is refused (false); the envelope's fields are the core's.
bool Client::read_form(std::string_view form_json, json& form) {
  form = form_json.empty() ? json::object() : parse_json(form_json);
  if (!form.is_object()) return false;
  for (const char* envelope_field : kEnvelopeFields) form.erase(envelope_field);
  return true;
}

void Client::close(Millis now) {
  if (life_.ended()) return;  // closed, kicked or fatal already: nothing is left to end
  end_session(now, code::kClosed, "closed", "closed",
              "closed; the message stays in the outbox and is sent after the next init");
  pump(now);
}

// The one end of a session: close(), session.kicked, a fatal error. Sticky (Lifecycle): every call still
// pending fails with `code` and `message` (a message of the outbox with `outbox_message` when given: it
// stays persisted), the timers stop, the socket closes for good, the state becomes Disconnected with
// `reason`. Later calls fail with the same code and message.
void Client::end_session(Millis now, int code, std::string message, const char* reason, const char* outbox_message) {
  if (!life_.end(code, std::move(message))) return;
  while (!calls_.empty()) {
    const bool outbox = outbox_message && calls_.front().kind == Call::Kind::Outbox;
    finish(calls_.front().id, code, outbox ? std::string(outbox_message) : life_.end_message(), "null");
  }
  timers_.clear_all();
  manager_.close(now);
  set_state(State::Disconnected, reason);
}

void Client::wake(Millis now) {
  revive(now);
  manager_.wake(now);
  settle(now);
}

void Client::set_online(Millis now, bool online) {
  manager_.set_online(now, online);
  if (online) revive(now);
  settle(now);
}

// After ReconnectFailed the Manager is idle; the app coming back or the network returning is a good
// moment for a fresh round of attempts (a mobile session should not stay down for good).
void Client::revive(Millis now) {
  if (!life_.down()) return;
  if (manager_.state() != socketio::ManagerState::Idle) return;
  set_state(login_.ever_in() ? State::Reconnecting : State::Connecting, "wake");
  (void)manager_.connect_socket(now, "/", "");
}

// ---- The event loop ------------------------------------------------------------------------------

// After every input: the Manager's outputs first (they may queue calls: a sync after a gap, a login),
// then every call that can go now, then the outputs of those sends. One pass each: flush() goes through
// every queued call once, and sending a call makes no other call ready (a send's only Manager outputs
// are frames; answers come with later inputs), so nothing is left for a second round.
void Client::settle(Millis now) {
  pump(now);
  flush(now);
  pump(now);
}

// Hands the Manager's outputs on until it has none. Handling one may add others (an ack of a delivery,
// a login emit), never without end: each is a reaction to an input or to an output already taken.
void Client::pump(Millis now) {
  for (;;) {
    std::vector<socketio::Output> outs = manager_.take_outputs();
    if (outs.empty()) return;
    for (auto& o : outs) handle(now, o);
  }
}

void Client::handle(Millis now, socketio::Output& out) {
  using namespace socketio;  // NOLINT
  if (auto* x = std::get_if<OpenTransport>(&out)) return outputs_.push_back(std::move(*x));
  if (auto* x = std::get_if<SendFrame>(&out)) return outputs_.push_back(std::move(*x));
  if (auto* x = std::get_if<CloseTransport>(&out)) return outputs_.push_back(std::move(*x));
  if (auto* x = std::get_if<SocketConnect>(&out)) {
    if (x->nsp == "/") on_socket_connect(now);
    return;
  }
  if (auto* x = std::get_if<SocketDisconnect>(&out)) {
    if (x->nsp == "/") on_socket_disconnect(now, x->reason);
    return;
  }
  if (auto* x = std::get_if<SocketConnectError>(&out)) {
    if (x->nsp == "/" && !x->active && !life_.ended() && config_.reconnection) {
      timers_.set(Timer::Reconnect, now + config_.reconnection_delay);
    }
    return;
  }
  if (auto* x = std::get_if<SocketEvent>(&out)) {
    if (x->nsp == "/") on_event(now, *x);
    return;
  }
  if (auto* x = std::get_if<AckResult>(&out)) {
    if (x->nsp == "/") on_ack(now, *x);
    return;
  }
  if (auto* x = std::get_if<ManagerError>(&out)) {
    if (life_.ended()) return;
    if (x->error.kind == core::ErrorKind::Transport) {
      // One per reconnection attempt: a `state` event with the reason, not an `error` (an app that
      // shows errors would show one every few seconds offline).
      socket_error_ = "cannot connect to " + socket_url() + ": " + plain_reason(x->error.message);
      outputs_.push_back(StateChanged{life_.state(), socket_error_});
      next_socket_host();  // the next attempt (after the backoff) goes to the next server
    } else {
      error_event(code::kNetwork, x->error.message, false);
    }
    return;
  }
  if (std::holds_alternative<ReconnectFailed>(out)) {
    if (!life_.ended()) set_state(State::Disconnected, "reconnect failed");
    return;
  }
  if (auto* x = std::get_if<socketio::ManagerClose>(&out)) {
    // No heartbeat from a server: it may be gone for good (a dead node closes nothing). A link closed
    // otherwise is tried again on the same server first: if it is down, that attempt fails and moves on.
    if (!life_.ended() && x->reason == "ping timeout") next_socket_host();
    return;
  }
  // ManagerOpen, ReconnectAttempt, Reconnect, ReconnectError: the socket events say it all.
}

void Client::on_timer(Millis now) {
  manager_.on_timer(now);
  pump(now);
  if (timers_.fire_if_due(Timer::Relogin, now) && !life_.ended()) {
    if (manager_.socket_state("/") == socketio::SocketState::Connected) {
      send_login(now);
    } else if (!login_.has_jwt()) {
      send_http_login(now);
    }
  }
  if (timers_.fire_if_due(Timer::Reconnect, now) && !life_.ended()) {
    (void)manager_.connect_socket(now, "/", "");
  }
  if (timers_.fire_if_due(Timer::HttpLogin, now)) {
    login_.http_over();
    timers_.set(Timer::Relogin, now + kReloginDelay);
  }
  check_deadlines(now);
  settle(now);
}

std::optional<Millis> Client::next_deadline() const {
  const Millis own = own_deadline();
  return core::earliest(manager_.next_deadline(), own == core::kNever ? std::nullopt : std::optional<Millis>(own));
}

// ---- Socket events -------------------------------------------------------------------------------

void Client::on_socket_connect(Millis now) {
  socket_error_.clear();
  http_host_ = socket_host_;  // HTTP calls follow the server that works
  if (life_.ended()) return;
  login_.connected();
  send_login(now);
}

void Client::on_socket_disconnect(Millis now, const std::string& reason) {
  login_.disconnected();
  held_acks_.clear();
  if (life_.ended() || reason == "io client disconnect") return;
  if (!config_.reconnection) {
    set_state(State::Disconnected, reason);
    return;
  }
  if (reason == "io server disconnect") {
    // socket.io-client stays down after a server disconnect; an IM session comes back (a server
    // shutting down disconnects everyone). A kick arrives as session.kicked first and has ended the session.
    timers_.set(Timer::Reconnect, now + config_.reconnection_delay);
  }
  set_state(login_.ever_in() ? State::Reconnecting : State::Connecting, reason);
}

void Client::on_event(Millis now, const socketio::SocketEvent& ev) {
  const json args = parse_json(ev.args_json);
  if (!args.is_array() || args.empty() || !args[0].is_string()) {
    // Unreadable: acknowledged (or the server would push it again at every login and block what
    // follows) and reported.
    if (ev.ack_id) (void)manager_.ack(now, "/", *ev.ack_id, "[]", {});
    error_event(code::kBadResponse,
                "an event the SDK cannot read was acknowledged and skipped: " +
                    ev.args_json.substr(0, 64) + (ev.args_json.size() > 64 ? "..." : ""),
                false);
    return;
  }
  const std::string name = args[0].get<std::string>();
  const json payload = args.size() > 1 ? args[1] : json();
  if (name == "topic.message") {
    if (life_.ended()) return;
    Message m = message_of(payload);
    m.json = dump(payload);
    on_delivery(now, std::move(m), ev.ack_id);
    return;
  }
  if (name == "topic.notify") {
    const std::string type = string_field(payload, "type");
    outputs_.push_back(Notify{type, dump(payload)});
    if (type == "message.recalled") {
      if (const json* data = field(payload, "data")) {
        if (const Conversation* c = conversations_.on_recalled(*data)) {
          outputs_.push_back(ConversationChanged{Conversations::to_text(*c)});
        }
      }
    }
    if (type == "session.kicked" && !life_.ended()) {
      const json* data = field(payload, "data");
      std::string reason = data ? string_field(*data, "reason") : "";
      if (reason.empty()) reason = "logged in elsewhere";
      outputs_.push_back(Kicked{reason});
      end_session(now, code::kClosed, "kicked: " + reason, "kicked");
    }
    return;
  }
  if (ev.ack_id) (void)manager_.ack(now, "/", *ev.ack_id, "[]", {});
}

void Client::on_ack(Millis now, const socketio::AckResult& ack) {
  if (login_.asking(ack.emit_id)) {
    if (!ack.ok) {
      login_.failed();
      if (ack.error && *ack.error == kTimedOut) timers_.set(Timer::Relogin, now + kReloginDelay);
      return;  // disconnected: the next connect logs in again
    }
    const json args = parse_json(ack.args_json);
    const json* r = response_of(args);
    if (!r) {
      login_.failed();
      error_event(code::kBadResponse, "the login answer is not an R envelope", false);
      timers_.set(Timer::Relogin, now + kReloginDelay);
      return;
    }
    on_login_answer(now, *r, false);
    return;
  }
  const Call* c = calls_.find_wire(Transport::Socket, ack.emit_id);
  if (!c) return;  // a call that already timed out or was closed
  const std::uint64_t id = c->id;
  if (!ack.ok) {
    lost(now, id, ack.error && *ack.error == kTimedOut);
    return;
  }
  const json args = parse_json(ack.args_json);
  const json* r = response_of(args);
  if (!r) {
    complete(now, id, json());
    return;
  }
  complete(now, id, *r);
}

core::Result<std::uint64_t> Client::mark_read(Millis now, const std::string& way, const std::string& to_target) {
  if (way != "P2P" && way != "P2R") return refuse("way", "must be one of P2P, P2R");
  if (to_target.empty()) return refuse("toTarget", "required");
  if (const Conversation* c = conversations_.mark_read(way, to_target)) {
    outputs_.push_back(ConversationChanged{Conversations::to_text(*c)});
  }
  return request(now, "conversation", "read", dump(json::object({{"way", way}, {"toTarget", to_target}})));
}

void Client::fatal(Millis now, int code, const std::string& message, const std::string& reason) {
  if (life_.ended()) return;
  error_event(code, message, true);
  end_session(now, code::kNotLoggedIn, "not logged in: " + message, reason.c_str());
}

}  // namespace echat::im
