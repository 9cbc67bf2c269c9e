// im::Client: every transition of the IM session lives in this file. The concerns it combines are
// kept apart: the Inbox (inbox.h) decides what is handed over, the Outbox (outbox.h) what waits to be
// sent, the calls (calls.h) what is queued or in flight and when it is due, the login (login.h) who
// the server takes us for, the catalogue (requests.h) what may be repeated; this file decides when.
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

#include <algorithm>
#include <cassert>
#include <utility>

namespace echat::im {

namespace {

constexpr Millis kReloginDelay = 2000;
constexpr Millis kRateLimitDelay = 1000;
constexpr Millis kUnavailableDelay = 2000;
constexpr Millis kHttpRetryDelay = 1000;
constexpr std::uint64_t kSyncPage = 100;
constexpr const char* kTimedOut = "operation has timed out";

// A Config built by hand (tests, fuzzers) may have no `hosts`: its host/ports are the one server.
Config with_hosts(Config c) {
  if (c.hosts.empty()) c.hosts.push_back(Endpoint{c.host, c.http_port, c.socket_port});
  return c;
}

socketio::ManagerOptions manager_options(const Config& c) {
  socketio::ManagerOptions o;
  const std::string host = c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host;
  o.url = std::string(c.secure ? "https://" : "http://") + host + ":" + std::to_string(c.socket_port);
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

core::Error arg_error(const std::string& field, const std::string& why) {
  return core::Error::caller("400", "invalid argument '" + field + "': " + why);
}

// {requestId, response: R} (the ack of a topic.* request); tolerates a bare R.
const json* response_of(const json& ack_args) {
  if (!ack_args.is_array() || ack_args.empty()) return nullptr;
  const json& first = ack_args[0];
  if (const json* r = field(first, "response")) return r->is_object() ? r : nullptr;
  if (field(first, "code")) return &first;
  return nullptr;
}

// A transport error as a person would say it: `eio: WebSocket error: text "-102:net::ERR_CONNECTION_REFUSED"
// (32 bytes)` -> "connection refused"; wx's "request:fail ..." -> what follows.
std::string plain_reason(std::string_view raw) {
  std::string s(raw);
  const auto q = s.find("text \"");
  if (q != std::string::npos) {
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
    if (s.find(known[k]) != std::string::npos) return known[k + 1];
  }
  for (const char* prefix : {"eio: ", "request:fail ", "request:fail"}) {
    if (s.rfind(prefix, 0) == 0) s = s.substr(std::char_traits<char>::length(prefix));
  }
  return s.empty() ? "network error" : s;
}

}  // namespace

Client::Client(Config config)
    : config_(with_hosts(std::move(config))),
      manager_(manager_options(config_)),
      rng_(config_.seed),
      outbox_(kOutboxMaxEntries, config_.outbox_per_message ? kOutboxMaxBytes : kOutboxMaxBytesOneRecord),
      conversations_(config_.auid) {
  prefix_ = hex(rng_.next_u64(), 12);
  synced_key_ = "echatim:" + config_.app_key + ":" + config_.auid + ":synced";
}

std::string Client::outbox_key() const { return "echatim:" + config_.app_key + ":" + config_.auid + ":outbox"; }
std::string Client::outbox_prefix() const { return outbox_key() + ":"; }

std::string Client::endpoint_host(std::size_t i) const {
  const std::string& host = config_.hosts[i].host;
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string Client::socket_url() const {
  return std::string(config_.secure ? "wss://" : "ws://") + endpoint_host(socket_host_) + ":" +
         std::to_string(config_.hosts[socket_host_].socket_port);
}

void Client::next_socket_host() {
  if (config_.hosts.size() < 2) return;
  socket_host_ = (socket_host_ + 1) % config_.hosts.size();
  // The Manager validated the same form of url at construction; a host name checked by config_from_json.
  (void)manager_.set_url(std::string(config_.secure ? "https://" : "http://") + endpoint_host(socket_host_) + ":" +
                         std::to_string(config_.hosts[socket_host_].socket_port));
}

void Client::next_http_host(std::size_t failed) {
  // Several calls failing on the same server move HTTP on once, not once each.
  if (config_.hosts.size() < 2 || failed != http_host_) return;
  http_host_ = (http_host_ + 1) % config_.hosts.size();
}

void Client::send_state(const Call& call, const char* state, const std::string& reason) {
  outputs_.push_back(SendState{call.id, call.client_msg_id, state, reason});
}

std::string Client::http_base() const {
  return std::string(config_.secure ? "https://" : "http://") + endpoint_host(http_host_) + ":" +
         std::to_string(config_.hosts[http_host_].http_port);
}

std::string Client::upload_url() const {
  const std::string base = config_.file_base_url.empty() ? http_base() : config_.file_base_url;
  return base + "/" + config_.file_version + "/file/upload";
}

std::string Client::synced_record() const {
  std::string out;
  write_synced_record(out);
  return out;
}

std::string Client::next_request_id() { return prefix_ + "-" + std::to_string(next_request_no_++); }

void Client::set_state(State state, std::string reason) {
  if (state == state_) return;
  state_ = state;
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

// ---- Storage -------------------------------------------------------------------------------------

void Client::load(Millis now, const std::vector<std::pair<std::string, std::string>>& records) {
  if (started_) return;
  const std::string prefix = outbox_prefix();
  std::string legacy;
  std::vector<std::string> entries;
  std::vector<std::string> entry_keys;
  for (const auto& [key, value] : records) {
    if (key == synced_key()) {
      const json v = parse_json(value);
      if (auto seq = uint_field(v, "seq")) inbox_.reset(*seq);
      boot_ = uint_field(v, "boot").value_or(0);
    } else if (key == outbox_key()) {
      legacy = value;
    } else if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      entries.push_back(value);
      entry_keys.push_back(key);
    }
  }
  for (auto it = calls_.begin(); it != calls_.end();) {
    const Call& c = *it++;
    if (c.kind == Call::Kind::Outbox) calls_.erase(c.id);
  }
  outbox_.clear();
  // Both forms are read whatever the configuration (a device may switch), then storage is rewritten in
  // the configured form (once per start, at most 200 entries).
  const bool legacy_list = !legacy.empty() && parse_json(legacy).is_array();
  if (legacy_list) outbox_.restore(legacy);
  const std::vector<std::size_t> rejected = outbox_.restore_records(entries);
  if (config_.outbox_per_message) {
    // Records not taken (damaged, or over the bounds) are removed: they would never be sent.
    for (std::size_t i : rejected) outputs_.push_back(StorageSet{entry_keys[i], ""});
    if (legacy_list) {
      for (const auto& e : outbox_.entries()) outputs_.push_back(StorageSet{outbox_prefix() + e.client_msg_id, Outbox::record(e)});
    }
    outputs_.push_back(StorageSet{outbox_key(), outbox_.empty() ? "" : outbox_marker()});
  } else {
    for (const auto& k : entry_keys) outputs_.push_back(StorageSet{k, ""});
    if (!entry_keys.empty() || (!legacy.empty() && !legacy_list)) outputs_.push_back(StorageSet{outbox_key(), outbox_.serialize()});
  }
  for (auto& e : outbox_.entries()) e.call_id = add_outbox_call(now, e);
}

// Two storage forms (Config::outbox_per_message, true by default: docs/api.md `outboxPerMessageRecords`):
//  - one record (outboxPerMessageRecords: false; the form of the first versions): the whole list under
//    outbox_key(), rewritten on every change: O(outbox size) bytes per send and per answer;
//  - one record per message (the default) under outbox_prefix() + clientMsgId, written once and removed once (O(1) per
//    message), plus a small marker under outbox_key() while messages wait (written when the outbox
//    becomes non-empty, removed when it empties). The host must then list keys (wx.getStorageInfoSync)
//    to find the records at load.
std::string Client::outbox_marker() const {
  std::string s = "{\"records\":\"one per message\",\"prefix\":";
  s += dump(json(outbox_prefix()));
  return s + "}";
}

void Client::persist_entry(const OutboxEntry& entry) {
  if (!config_.outbox_per_message) {
    outputs_.push_back(StorageSet{outbox_key(), outbox_.serialize()});
    return;
  }
  outputs_.push_back(StorageSet{outbox_prefix() + entry.client_msg_id, Outbox::record(entry)});
  if (outbox_.size() == 1) outputs_.push_back(StorageSet{outbox_key(), outbox_marker()});
}

void Client::unpersist_entry(const std::string& client_msg_id) {
  if (!config_.outbox_per_message) {
    outputs_.push_back(StorageSet{outbox_key(), outbox_.serialize()});
    return;
  }
  outputs_.push_back(StorageSet{outbox_prefix() + client_msg_id, ""});
  if (outbox_.empty()) outputs_.push_back(StorageSet{outbox_key(), ""});
}

Call& Client::push_outbox_call(Millis now, const OutboxEntry& entry) {
  Call c;
  c.id = next_call_id_++;
  c.kind = Call::Kind::Outbox;
  c.module = "message";
  c.method = "send";
  c.form = entry.form;
  c.ext = entry.ext;
  c.ext_size = entry.ext_size;
  c.transport = config_.api_transport;
  c.request_id = next_request_id();
  c.client_msg_id = entry.client_msg_id;
  if (config_.send_timeout > 0) c.deadline = now + config_.send_timeout;
  return calls_.push_back(std::move(c));
}

std::uint64_t Client::add_outbox_call(Millis now, const OutboxEntry& entry) {
  const Call& c = push_outbox_call(now, entry);
  send_state(c, "queued", "");
  return c.id;
}

// The message of an outbox call leaves the outbox (stored, refused, or past sendTimeout): its record
// goes, and the host forgets a form it kept.
void Client::leave_outbox(const Call& c) {
  outbox_.remove(c.client_msg_id);
  unpersist_entry(c.client_msg_id);
  if (c.ext != 0) outputs_.push_back(Release{c.ext});
}

// ---- Application calls ---------------------------------------------------------------------------

void Client::start(Millis now) {
  if (started_ || ended_) return;
  started_ = true;
  if (const auto& e = manager_.error()) {
    fatal(now, code::kInvalidArgument, e->message, "invalid config");
    return;
  }
  // A new boot number per start, persisted before anything is sent: clientMsgIds carry it, so they
  // stay unique across app restarts even if the host's randomness repeats.
  ++boot_;
  outputs_.push_back(StorageSet{synced_key(), synced_record()});
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
  if (ended_) return core::Error::caller(std::to_string(end_code_), end_message_);
  if (!known_method(module, method)) {
    return core::Error::caller("405", "unknown method '" + std::string(module) + "/" + std::string(method) + "'");
  }
  if (module == "message" && method == "send") return send_message(now, form_json);
  json form = form_json.empty() ? json::object() : parse_json(form_json);
  if (!form.is_object()) return arg_error("form", "must be an object");
  for (const char* envelope_field : kEnvelopeFields) form.erase(envelope_field);
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
  Call c;
  c.id = next_call_id_++;
  c.kind = Call::Kind::App;
  c.module = std::string(module);
  c.method = std::string(method);
  c.form = std::move(form);
  c.transport = transport.value_or(config_.api_transport);
  c.request_id = next_request_id();
  c.deadline = now + config_.request_timeout;
  const std::uint64_t id = calls_.push_back(std::move(c)).id;
  settle(now);
  return id;
}

core::Result<std::uint64_t> Client::send_message(Millis now, std::string_view form_json) {
  if (ended_) return core::Error::caller(std::to_string(end_code_), end_message_);
  // A message larger than the server takes in one frame is refused before it is parsed, stored and
  // copied into a frame (each a copy of its size in wasm memory, which never shrinks).
  const auto max_payload = manager_.max_payload();
  if (config_.api_transport == Transport::Socket && max_payload && form_json.size() > static_cast<std::uint64_t>(*max_payload)) {
    return arg_error("body", "the message (" + std::to_string(form_json.size()) + " bytes) exceeds the server's maxPayload of " +
                                 std::to_string(*max_payload) + " bytes");
  }
  json form = form_json.empty() ? json::object() : parse_json(form_json);
  if (!form.is_object()) return arg_error("form", "must be an object");
  for (const char* envelope_field : kEnvelopeFields) form.erase(envelope_field);
  // toTarget: an auid or a rid; rids may be given as numbers.
  const json* to = field(form, "toTarget");
  if (!to) return arg_error("toTarget", "required");
  if (to->is_number_integer() && to->get<long long>() > 0) {
    form["toTarget"] = std::to_string(to->get<long long>());
  } else if (!to->is_string() || to->get<std::string>().empty()) {
    return arg_error("toTarget", "must be a non-empty string");
  }
  const std::string way = string_field(form, "way");
  if (!field(form, "way")) return arg_error("way", "required");
  if (way != "P2P" && way != "P2R") return arg_error("way", "must be one of P2P, P2R");
  if (!field(form, "type")) return arg_error("type", "required");
  if (!field(form, "type")->is_string()) return arg_error("type", "must be a string");
  if (!field(form, "body")) return arg_error("body", "required");
  if (const json* from = field(form, "formUser")) {
    if (!from->is_string() || from->get<std::string>() != config_.auid) {
      return arg_error("formUser", "must be the logged-in user '" + config_.auid + "'");
    }
  }
  form["formUser"] = config_.auid;
  std::string cmid;
  if (const json* c = field(form, "clientMsgId")) {
    if (!c->is_string() || c->get<std::string>().empty() || c->get<std::string>().size() > 128) {
      return arg_error("clientMsgId", "must be a string of 1 to 128 characters");
    }
    cmid = c->get<std::string>();
    for (const auto& e : outbox_.entries()) {
      if (e.client_msg_id == cmid) return arg_error("clientMsgId", "already waiting in the outbox");
    }
  } else {
    cmid = prefix_ + "-" + std::to_string(boot_) + "-m-" + std::to_string(next_msg_no_++);
    form["clientMsgId"] = cmid;
  }
  OutboxEntry entry;
  entry.client_msg_id = cmid;
  entry.form = std::move(form);
  auto added = outbox_.add(std::move(entry));
  if (!added.ok()) return added.error();
  OutboxEntry& stored = outbox_.entries().back();
  persist_entry(stored);
  stored.call_id = add_outbox_call(now, stored);
  const std::uint64_t id = stored.call_id;
  settle(now);
  return id;
}

void Client::close(Millis now) {
  if (ended_) return;  // closed, kicked or fatal already: nothing is left to end
  end_session(now, code::kClosed, "closed", "closed",
              "closed; the message stays in the outbox and is sent after the next init");
  pump(now);
}

// The one end of a session: close(), session.kicked, a fatal error. Sticky (ended_): every call still
// pending fails with `code` and `message` (a message of the outbox with `outbox_message` when given: it
// stays persisted), the timers stop, the socket closes for good, the state becomes Disconnected with
// `reason`. Later calls fail with the same code and message.
void Client::end_session(Millis now, int code, std::string message, const char* reason, const char* outbox_message) {
  ended_ = true;
  end_code_ = code;
  end_message_ = std::move(message);
  while (!calls_.empty()) {
    const bool outbox = outbox_message && calls_.front().kind == Call::Kind::Outbox;
    finish(calls_.front().id, end_code_, outbox ? std::string(outbox_message) : end_message_, "null");
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
  if (ended_ || !started_ || state_ != State::Disconnected) return;
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
    if (x->nsp == "/" && !x->active && !ended_ && config_.reconnection) {
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
    if (ended_) return;
    if (x->error.kind == core::ErrorKind::Transport) {
      // One per reconnection attempt: a `state` event with the reason, not an `error` (an app that
      // shows errors would show one every few seconds offline).
      socket_error_ = "cannot connect to " + socket_url() + ": " + plain_reason(x->error.message);
      outputs_.push_back(StateChanged{state_, socket_error_});
      next_socket_host();  // the next attempt (after the backoff) goes to the next server
    } else {
      outputs_.push_back(ErrorEvent{code::kNetwork, x->error.message, false});
    }
    return;
  }
  if (std::holds_alternative<ReconnectFailed>(out)) {
    if (!ended_) set_state(State::Disconnected, "reconnect failed");
    return;
  }
  if (auto* x = std::get_if<socketio::ManagerClose>(&out)) {
    // No heartbeat from a server: it may be gone for good (a dead node closes nothing). A link closed
    // otherwise is tried again on the same server first: if it is down, that attempt fails and moves on.
    if (!ended_ && x->reason == "ping timeout") next_socket_host();
    return;
  }
  // ManagerOpen, ReconnectAttempt, Reconnect, ReconnectError: the socket events say it all.
}

void Client::on_timer(Millis now) {
  manager_.on_timer(now);
  pump(now);
  if (timers_.fire_if_due(Timer::Relogin, now) && !ended_) {
    if (manager_.socket_state("/") == socketio::SocketState::Connected) {
      send_login(now);
    } else if (!login_.has_jwt()) {
      send_http_login(now);
    }
  }
  if (timers_.fire_if_due(Timer::Reconnect, now) && !ended_) {
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
  if (ended_) return;
  login_.connected();
  send_login(now);
}

void Client::on_socket_disconnect(Millis now, const std::string& reason) {
  login_.disconnected();
  held_acks_.clear();
  if (ended_ || reason == "io client disconnect") return;
  if (!config_.reconnection) {
    set_state(State::Disconnected, reason);
    return;
  }
  if (reason == "io server disconnect") {
    // socket.io-client stays down after a server disconnect; an IM session comes back (a server
    // shutting down disconnects everyone). A kick arrives as session.kicked first and ended_ is set.
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
    outputs_.push_back(ErrorEvent{code::kBadResponse,
                                  "an event the SDK cannot read was acknowledged and skipped: " +
                                      ev.args_json.substr(0, 64) + (ev.args_json.size() > 64 ? "..." : ""),
                                  false});
    return;
  }
  const std::string name = args[0].get<std::string>();
  const json payload = args.size() > 1 ? args[1] : json();
  if (name == "topic.message") {
    if (ended_) return;
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
    if (type == "session.kicked" && !ended_) {
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

bool Client::on_message_external(Millis now, std::uint32_t transport, std::string_view head,
                                 const socketio::ExternalArgs& payload, Message m) {
  if (ended_ || payload.ext == 0) return false;
  const socketio::Manager::Fast lane = manager_.on_event_fast(now, transport, head, payload);
  if (lane.code != socketio::Manager::kEvent) return false;  // nothing changed: the host passes the frame whole
  m.ref = payload.ext;
  std::optional<std::uint64_t> ack_id;
  if (lane.value >= 0) ack_id = static_cast<std::uint64_t>(lane.value);
  on_delivery(now, std::move(m), ack_id);
  settle(now);
  return true;
}

void Client::hold_ref(std::uint32_t ref) {
  if (ref != 0) ++refs_[ref];
}

void Client::let_go(std::uint32_t ref) {
  if (unhold(ref)) outputs_.push_back(Release{ref});
}

bool Client::unhold(std::uint32_t ref) {
  auto it = refs_.find(ref);
  if (ref == 0 || it == refs_.end() || --it->second != 0) return false;
  refs_.erase(it);
  return true;
}

void Client::on_delivery(Millis now, Message m, std::optional<std::uint64_t> ack_id) {
  const std::uint64_t seq = m.seq;
  const std::uint64_t mid = m.mid;
  const std::uint32_t ref = m.ref;
  hold_ref(ref);  // the inbox's, until it hands the message over or lets it go
  if (seq == 0 || mid == 0) {
    let_go(ref);
    outputs_.push_back(ErrorEvent{code::kBadResponse, "topic.message without a valid seq and mid", false});
    if (ack_id) (void)manager_.ack(now, "/", *ack_id, "[]", {});
    return;
  }
  switch (inbox_.offer(std::move(m))) {
    case Inbox::Verdict::Delivered:
      if (ack_id) held_acks_[seq] = *ack_id;
      hand_over(now);
      return;
    case Inbox::Verdict::Buffered:
      if (ack_id) held_acks_[seq] = *ack_id;
      start_sync(now);
      return;
    case Inbox::Verdict::Duplicate:
    case Inbox::Verdict::Invalid:
      let_go(ref);
      if (ack_id) ack_delivery(now, *ack_id, seq);
      return;
  }
}

// Hand the messages over, then persist the new position, then acknowledge them. Within one batch the
// host performs these in order and synchronously, so only a crash inside that one JavaScript turn can
// separate them; then the messages are handed over again after the restart (at-least-once in that
// window, never a skipped message). See docs/im-design.md, "crash windows".
void Client::hand_over(Millis now) {
  std::vector<Message> ready = inbox_.take_ready();
  if (ready.empty()) return;
  sync_.handed(ready.size());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> acks;
  const long long keep = config_.history_on_fresh_install;
  for (auto& m : ready) {
    const Conversation* changed = conversations_.on_message(m);
    if (changed && m.ref != 0 && changed->last_ref == m.ref) hold_ref(m.ref);  // the conversation's
    std::string changed_json = changed ? Conversations::to_text(*changed) : std::string();
    auto it = held_acks_.find(m.seq);
    if (it != held_acks_.end()) {
      acks.emplace_back(it->second, m.seq);
      held_acks_.erase(it);
    }
    const std::uint32_t ref = m.ref;
    bool handed = true;
    if (fresh_run_) {
      m.history = true;
      if (keep == 0) {
        // historyOnFreshInstall 'none': the position moves on, nothing is handed over.
      } else if (keep > 0) {
        // The last N of each conversation, handed over in seq order when the run ends.
        handed = false;
        const MessageFacts& f = m.facts;
        std::string key = f.way + "/" + (f.way == "P2P" && f.to_target == config_.auid ? f.form_user : f.to_target);
        long long same = 0;
        std::size_t oldest = held_keys_.size();
        for (std::size_t k = held_keys_.size(); k-- > 0;) {
          if (held_keys_[k] == key) {
            ++same;
            oldest = k;
          }
        }
        if (same == keep) {
          const std::uint32_t dropped = held_history_[oldest].ref;
          held_keys_.erase(held_keys_.begin() + static_cast<std::ptrdiff_t>(oldest));
          held_history_.erase(held_history_.begin() + static_cast<std::ptrdiff_t>(oldest));
          let_go(dropped);
        }
        held_keys_.push_back(std::move(key));
        held_history_.push_back(std::move(m));  // it keeps the inbox's hold
      } else {
        outputs_.push_back(std::move(m));
      }
    } else {
      outputs_.push_back(std::move(m));
    }
    if (changed) outputs_.push_back(ConversationChanged{std::move(changed_json)});
    if (handed) let_go(ref);  // the inbox's hold ends once the message (or the decision to skip it) is out
  }
  outputs_.push_back(StorageSet{synced_key(), synced_record()});
  for (const auto& [ack_id, seq] : acks) ack_delivery(now, ack_id, seq);
}

void Client::release_history() {
  fresh_run_ = false;
  for (auto& kept : held_history_) {  // in seq order already
    const std::uint32_t ref = kept.ref;
    outputs_.push_back(std::move(kept));
    let_go(ref);
  }
  held_history_.clear();
  held_keys_.clear();
}

void Client::ack_delivery(Millis now, std::uint64_t ack_id, std::uint64_t seq) {
  std::string args;
  write_ack_args(args, seq);
  if (!manager_.ack_text_fast(now, ack_id, args)) (void)manager_.ack(now, "/", ack_id, std::move(args), {});
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
      outputs_.push_back(ErrorEvent{code::kBadResponse, "the login answer is not an R envelope", false});
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

// ---- Login ---------------------------------------------------------------------------------------

void Client::send_login(Millis now) {
  if (ended_ || login_.asking()) return;
  if (manager_.socket_state("/") != socketio::SocketState::Connected) return;
  json payload = json::object({{"requestId", next_request_id()}, {"timestamp", now}, {"method", "authority/request"},
                  {"appKey", config_.app_key}, {"auid", config_.auid}, {"token", config_.token}});
  socketio::Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = config_.request_timeout;
  auto r = manager_.emit(now, "/", dump(json::array({"topic.connection", payload})), {}, o);
  if (r.ok()) login_.asked(r.value());
}

void Client::send_http_login(Millis now) {
  if (ended_ || login_.http_asking()) return;
  const std::uint64_t id = next_http_id_++;
  json body = json::object({{"requestId", next_request_id()}, {"timestamp", now}, {"appKey", config_.app_key},
               {"auid", config_.auid}, {"token", config_.token}});
  login_.http_asked(id, http_host_);
  timers_.set(Timer::HttpLogin, now + config_.request_timeout);
  outputs_.push_back(HttpRequest{id, http_base() + "/v1/auth/login", dump(body)});
}

void Client::on_login_answer(Millis now, const json& r, bool over_http) {
  const json* c = field(r, "code");
  const int code = c && c->is_number_integer() ? c->get<int>() : code::kBadResponse;
  const std::string msg = string_field(r, "msg");
  const json* data = field(r, "data");
  const bool ok = code == 0 && data && data->is_string() && !data->get<std::string>().empty();
  const std::string jwt = ok ? data->get<std::string>() : std::string();
  if (over_http) {
    login_.http_answered(jwt);
  } else if (ok) {
    login_.answered(jwt);
  } else {
    login_.failed();
  }
  if (ok) {
    if (!over_http) logged_in_now(now);
    return;
  }
  if (code == 400 || code == 401 || code == 403 || code == 404) {
    fatal(now, code, msg.empty() ? "login refused" : msg, "login refused");
    return;
  }
  outputs_.push_back(ErrorEvent{code, "login failed: " + (msg.empty() ? std::string("no answer") : msg), false});
  timers_.set(Timer::Relogin, now + kReloginDelay);
}

void Client::logged_in_now(Millis now) {
  timers_.clear(Timer::Relogin);
  set_state(State::Connected, "logged in");
  if (!fresh_decided_) {
    fresh_decided_ = true;
    fresh_run_ = inbox_.synced() == 0;
  }
  start_sync(now);
  bool listing = false;
  for (const auto& c : calls_) listing = listing || c.kind == Call::Kind::ConversationList;
  if (!listing) {
    Call c;
    c.id = next_call_id_++;
    c.kind = Call::Kind::ConversationList;
    c.module = "conversation";
    c.method = "list";
    c.form = json::object();
    c.transport = Transport::Socket;
    c.request_id = next_request_id();
    calls_.push_front(std::move(c));  // before the sync: its messages then update the list
  }
}

core::Result<std::uint64_t> Client::mark_read(Millis now, const std::string& way, const std::string& to_target) {
  if (way != "P2P" && way != "P2R") return arg_error("way", "must be one of P2P, P2R");
  if (to_target.empty()) return arg_error("toTarget", "required");
  if (const Conversation* c = conversations_.mark_read(way, to_target)) {
    outputs_.push_back(ConversationChanged{Conversations::to_text(*c)});
  }
  return request(now, "conversation", "read", dump(json::object({{"way", way}, {"toTarget", to_target}})));
}

void Client::fatal(Millis now, int code, const std::string& message, const std::string& reason) {
  if (ended_) return;
  outputs_.push_back(ErrorEvent{code, message, true});
  end_session(now, code::kNotLoggedIn, "not logged in: " + message, reason.c_str());
}

void Client::renew(Millis now) {
  login_.forget_jwt();
  if (manager_.socket_state("/") == socketio::SocketState::Connected && login_.in()) {
    send_login(now);
    return;
  }
  bool http_waiting = false;
  for (const auto& c : calls_) http_waiting = http_waiting || c.transport == Transport::Http;
  if (http_waiting) send_http_login(now);
  // Socket calls wait for the next connect's login.
}

// ---- Calls ---------------------------------------------------------------------------------------

bool Client::flush(Millis now) {
  if (ended_ || calls_.queued() == 0) return false;
  bool sent = false;
  // wx.request allows 10 requests at once (uploads and downloads included): the 11th fails at once.
  std::size_t http_out = calls_.http_out() + (login_.http_asking() ? 1 : 0);
  // The outbox pipelines: up to sendWindow messages on the socket at once, always in send order (a
  // message goes out only when every earlier one is out); over HTTP one at a time (separate requests
  // may be stored in any order), and one at a time for a while after a 429/503.
  std::size_t outbox_out = calls_.outbox_out();
  const std::size_t window = config_.api_transport == Transport::Http || now < careful_until_ ? 1 : config_.send_window;
  bool outbox_blocked = false;
  std::size_t others_waiting = 0;  // calls passed over that are not outbox messages and stay Queued
  // In call order, one pass. A call that fails at once is finished and erased on the way, and only
  // that one (the list keeps the others where they are).
  for (auto it = calls_.begin(); it != calls_.end();) {
    // The rest is outbox messages that cannot go (the window is full, or an earlier one waits) and
    // none has a retry's wait to clear: stop (a burst of 1,000 messages would walk them all per
    // answer otherwise).
    if (outbox_blocked && calls_.queued_other() == others_waiting && calls_.earliest() > now) break;
    Call& c = *it++;
    if (c.phase != Call::Phase::Queued) continue;
    const bool outbox = c.kind == Call::Kind::Outbox;
    // A retry's wait is over whether or not the call can go now: clear it first, or a call waiting
    // behind the window would keep a past deadline in next_deadline() (the host's timer would spin).
    if (c.not_before != 0 && c.not_before <= now) calls_.wait_over(c);
    if (outbox && (outbox_blocked || outbox_out >= window)) {
      outbox_blocked = true;
      continue;
    }
    bool ready = c.not_before == 0;
    if (ready && c.renew_first) {
      c.renew_first = false;
      if (login_.has_jwt()) renew(now);
    }
    ready = ready && login_.has_jwt();
    ready = ready && !(c.transport == Transport::Socket && !login_.in());
    ready = ready && !(c.transport == Transport::Http && http_out >= config_.max_http_requests);
    if (!ready) {
      outbox_blocked = outbox_blocked || outbox;
      others_waiting += !outbox;
      continue;
    }
    const bool http = c.transport == Transport::Http;
    if (!dispatch(now, c)) continue;  // refused at once: finished and erased (the next outbox message may go)
    http_out += http;
    outbox_out += outbox;
    sent = true;
  }
  return sent;
}

json Client::envelope(const Call& call, Millis now, bool socket) const {
  json e = call.form;
  e["requestId"] = call.request_id;
  e["timestamp"] = now;
  if (socket) e["method"] = call.method;
  // Administrative calls authenticate with {appKey, secret}; a JWT would make them act as the user.
  if (!field(call.form, "secret")) e["jwt"] = login_.jwt();
  return e;
}

// The arguments' text of a host-kept form's attempt, up to the form's own fields:
// ["topic.<module>",{"requestId":...,"timestamp":...,"method":...,"jwt":..., (a lane form never carries
// `secret`: the host sends such a form through send_message()).
std::string Client::envelope_prefix(const Call& c, Millis now) const {
  std::string s = "[\"topic.";
  s += c.module;
  s += "\",{\"requestId\":";
  core::append_json_string(s, c.request_id);
  s += ",\"timestamp\":";
  core::append_uint(s, now > 0 ? static_cast<std::uint64_t>(now) : 0);
  s += ",\"method\":";
  core::append_json_string(s, c.method);
  s += ",\"jwt\":";
  core::append_json_string(s, login_.jwt());
  s += ',';
  return s;
}

bool Client::dispatch(Millis now, Call& c) {
  if (c.kind == Call::Kind::Sync) {
    c.form["fromSeq"] = inbox_.synced();
    sync_.page_sent(inbox_.synced());
  }
  const Millis timeout = attempt_timeout(c, now);
  ++c.attempts;
  if (c.transport == Transport::Socket) {
    socketio::Manager::EmitOptions o;
    o.want_ack = true;
    o.ack_timeout = timeout;
    core::Result<std::uint64_t> r = std::uint64_t{0};
    if (c.ext != 0) {  // the form stays in the host: the envelope, then its wire text (Call::ext)
      socketio::Packet p;
      p.data = envelope_prefix(c, now);
      p.ext = c.ext;
      p.ext_size = c.ext_size;
      p.shape.root = socketio::JsonKind::Array;
      p.shape.first = socketio::JsonKind::String;
      r = manager_.emit_external(now, "/", p, o);
    } else if (c.kind == Call::Kind::Outbox && !field(c.form, "secret")) {
      // The text the send lane writes (send_lane.cpp): the envelope, then the form's own fields.
      std::string args = envelope_prefix(c, now);
      const std::string form = dump(c.form);
      if (form.size() > 2) {
        args.append(form, 1, std::string::npos);
      } else {
        args.back() = '}';
      }
      args += ']';
      r = manager_.emit(now, "/", std::move(args), {}, o);
    } else {
      std::string args = "[\"topic.";  // ["topic.<module>", envelope], without a tree holding a copy of the form
      args += c.module;
      args += "\",";
      args += dump(envelope(c, now, true));
      args += ']';
      r = manager_.emit(now, "/", std::move(args), {}, o);
    }
    if (!r.ok()) {
      finish(c.id, code::kInvalidArgument, r.error().message, "null");
      return false;
    }
    calls_.sent(c, r.value());
  } else {
    const std::uint64_t wire = next_http_id_++;
    c.endpoint = http_host_;
    outputs_.push_back(HttpRequest{wire, http_base() + "/v1/" + c.module + "/" + c.method, dump(envelope(c, now, false))});
    calls_.sent(c, wire, now + timeout);
  }
  if (c.kind == Call::Kind::Outbox) send_state(c, "sending", "");
  return true;
}

void Client::retry_later(Call& c, Millis now, Millis delay) {
  if (c.kind == Call::Kind::Outbox && c.phase == Call::Phase::InFlight) send_state(c, "queued", c.last_error);
  calls_.requeue(c, delay > 0 ? now + delay : 0);
}

void Client::complete(Millis now, std::uint64_t id, const json& r) {
  Call& c = *calls_.find(id);
  const json* code_field = field(r, "code");
  if (!r.is_object() || !code_field || !code_field->is_number_integer()) {
    if (c.kind == Call::Kind::App) {
      finish(id, code::kBadResponse, "the answer is not an R envelope", "null");
    } else {
      retry_later(c, now, kUnavailableDelay);
    }
    return;
  }
  const int code = code_field->get<int>();
  const std::string msg = string_field(r, "msg");
  const json* data = field(r, "data");
  if (code == 0) {
    if (c.kind == Call::Kind::ConversationList) {
      if (data) conversations_.replace(*data);
      calls_.erase(id);
      conversations_loaded();
      return;
    }
    if (c.kind == Call::Kind::Sync) {
      const json page = data ? *data : json::object();
      calls_.erase(id);
      sync_.page_gone();
      on_sync_page(now, page);
      return;
    }
    if (c.kind == Call::Kind::Outbox) leave_outbox(c);
    finish(id, 0, msg.empty() ? "ok" : msg, data ? dump(*data) : "null");
    return;
  }
  if (code == code::kTokenExpired || code == code::kUnauthenticated) {
    const int limit = code == code::kTokenExpired ? 2 : 1;
    // The outbox never gives up on credentials: an earlier attempt whose answer was lost may have been
    // stored, so "failed" could be a lie; a login that is really refused ends the session (fatal) and
    // the message stays persisted. Only refusals of the message itself (400, 403, 404, 413) drop it.
    if (c.auth_retries < limit || c.kind == Call::Kind::Outbox) {
      ++c.auth_retries;
      const bool wait = c.auth_retries > limit;
      retry_later(c, now, wait ? kUnavailableDelay : 0);
      // After the wait the JWT is renewed again (not now): a short-lived JWT renewed now could expire
      // during the wait, and the message would meet 419 at every attempt (several in flight make that
      // likely).
      if (wait) c.renew_first = true;
      else renew(now);
      return;
    }
  }
  if (code == code::kRateLimited || code == code::kUnavailable) {
    const Millis delay = code == code::kRateLimited ? kRateLimitDelay : kUnavailableDelay;
    if (c.kind == Call::Kind::Outbox) careful_until_ = now + delay + 5000;
    c.last_error = msg.empty() ? "server busy (" + std::to_string(code) + ")" : msg;
    retry_later(c, now, delay);
    return;
  }
  if (code == code::kInternal && c.kind != Call::Kind::App && c.attempts < 5) {
    retry_later(c, now, kUnavailableDelay);
    return;
  }
  if (c.kind == Call::Kind::Outbox) leave_outbox(c);
  if (c.kind == Call::Kind::Sync) {
    outputs_.push_back(ErrorEvent{code, "message/sync failed: " + msg, false});
    sync_.failed();
    if (fresh_run_) release_history();
  }
  if (c.kind == Call::Kind::ConversationList) {
    outputs_.push_back(ErrorEvent{code, "conversation/list failed: " + msg, false});
    conversations_loaded();
  }
  finish(id, code, msg, data ? dump(*data) : "null");
}

// The list of a login's conversation/list is in (or its call failed): the app gets it, and the first
// time since start() it is there with the session connected, the session says it is Ready.
void Client::conversations_loaded() {
  outputs_.push_back(ConversationsLoaded{conversations_.to_json()});
  if (!ready_ && state_ == State::Connected) {
    ready_ = true;
    outputs_.push_back(Ready{});
  }
}

void Client::lost(Millis now, std::uint64_t id, bool timed_out, Millis retry_delay) {
  Call& c = *calls_.find(id);
  if (c.last_error.empty() || timed_out) {
    c.last_error = timed_out ? "no answer within " + std::to_string(config_.request_timeout) + " ms"
                             : "the connection was lost";
  }
  if (c.kind != Call::Kind::App) {
    retry_later(c, now, 0);  // Outbox (same clientMsgId) and Sync are idempotent
    return;
  }
  if (timed_out) {
    finish(id, code::kTimeout, "timeout: no answer within " + std::to_string(config_.request_timeout) + " ms",
           "null");
  } else if (idempotent(c.module, c.method)) {
    retry_later(c, now, retry_delay);
  } else {
    finish(id, code::kNetwork,
           "network: " + c.last_error + " while the request was out; it may or may not have been carried out",
           "null");
  }
}

void Client::finish(std::uint64_t id, int code, std::string msg, std::string data_json) {
  Call c = calls_.take(id);
  if (c.kind == Call::Kind::Sync) sync_.page_gone();
  if (c.kind == Call::Kind::Sync || c.kind == Call::Kind::ConversationList) return;
  // A message left in the outbox by close() or a refused login stays queued (sent after the next init).
  if (c.kind == Call::Kind::Outbox && code != code::kClosed && code != code::kNotLoggedIn) {
    send_state(c, code == 0 ? "sent" : "failed", code == 0 ? std::string() : msg);
  }
  Response r;
  r.id = c.id;
  r.code = code;
  r.msg = std::move(msg);
  r.data_json = std::move(data_json);
  r.request_id = c.attempts > 0 ? c.request_id : "";
  r.client_msg_id = c.client_msg_id;
  outputs_.push_back(std::move(r));
}

void Client::check_deadlines(Millis now) {
  if (calls_.earliest() > now) return;
  // In call order; handling a call finishes at most that one (the list keeps the others where they are).
  for (auto it = calls_.begin(); it != calls_.end();) {
    Call& c = *it++;
    const std::uint64_t id = c.id;
    if (c.kind == Call::Kind::Outbox && c.deadline && *c.deadline <= now) {
      // sendTimeout: the message fails with the last reason and leaves the outbox (an attempt may have
      // been stored: resending it with the same clientMsgId is safe).
      std::string why = "timeout: not confirmed within " + std::to_string(config_.send_timeout) + " ms (sendTimeout)";
      std::string reason = c.last_error;
      if (c.transport == Transport::Socket && !login_.in() && !socket_error_.empty()) reason = socket_error_;
      if (!reason.empty()) why += ": " + reason;
      leave_outbox(c);
      finish(id, code::kTimeout, why, "null");
      continue;
    }
    if (c.kind == Call::Kind::App && c.deadline && *c.deadline <= now) {
      const std::string within = std::to_string(config_.request_timeout) + " ms";
      std::string why;
      if (c.attempts > 0) {
        why = "timeout: no answer within " + within;
        if (!c.last_error.empty()) why += " (" + c.last_error + ")";
      } else if (c.transport == Transport::Socket && !login_.in()) {
        why = "timeout: not connected within " + within + (socket_error_.empty() ? "" : " (" + socket_error_ + ")");
      } else if (!login_.has_jwt()) {
        why = "timeout: not logged in within " + within + (socket_error_.empty() ? "" : " (" + socket_error_ + ")");
      } else if (!c.last_error.empty()) {
        why = "timeout: not sent within " + within + " (" + c.last_error + ")";
      } else {
        why = "timeout: not sent within " + within + " (waiting for a free request slot)";
      }
      finish(id, code::kTimeout, why, "null");
      continue;
    }
    if (c.phase == Call::Phase::InFlight && c.attempt_deadline && *c.attempt_deadline <= now) lost(now, id, true);
  }
}

void Client::on_http_response(Millis now, std::uint64_t id, int status, std::string_view body) {
  http_down_ = false;
  if (login_.http_asking(id)) {
    timers_.clear(Timer::HttpLogin);
    const json r = parse_json(body);
    if (!r.is_object() || !field(r, "code")) {
      login_.http_over();
      timers_.set(Timer::Relogin, now + kReloginDelay);
    } else {
      on_login_answer(now, r, true);
    }
    settle(now);
    return;
  }
  const Call* c = calls_.find_wire(Transport::Http, id);
  if (!c) return;
  const json r = parse_json(body);
  if (!r.is_object() && c->kind == Call::Kind::App) {
    finish(c->id, code::kBadResponse, "HTTP " + std::to_string(status) + ": the answer is not an R envelope", "null");
  } else {
    complete(now, c->id, r);
  }
  settle(now);
}

void Client::on_http_error(Millis now, std::uint64_t id, std::string_view message) {
  if (login_.http_asking(id)) {
    login_.http_over();
    timers_.clear(Timer::HttpLogin);
    next_http_host(login_.http_host());
    timers_.set(Timer::Relogin, now + kReloginDelay);
    settle(now);
    return;
  }
  Call* found = calls_.find_wire(Transport::Http, id);
  if (!found) return;
  Call& c = *found;
  // A refused connection is reported at once, naming the address (once per streak of failures).
  const std::string why = "cannot reach " + http_base() + ": " + plain_reason(message);
  c.last_error = why;
  next_http_host(c.endpoint);  // a transport failure only: error codes never get here
  if (!http_down_) {
    http_down_ = true;
    outputs_.push_back(ErrorEvent{code::kNetwork, why, false});
  }
  if (c.kind != Call::Kind::App) {
    retry_later(c, now, kUnavailableDelay);  // the server may be down: do not spin
  } else {
    lost(now, c.id, false, kHttpRetryDelay);  // a refused connection fails at once: do not spin
  }
  settle(now);
}

// ---- Sync ----------------------------------------------------------------------------------------

void Client::start_sync(Millis now) {
  if (ended_) return;
#ifndef NDEBUG
  bool paging = false;  // the run's page flag against the calls
  for (const auto& c : calls_) paging = paging || c.kind == Call::Kind::Sync;
  assert(paging == sync_.page());
#endif
  if (!sync_.want(inbox_.synced())) return;
  Call c;
  c.id = next_call_id_++;
  c.kind = Call::Kind::Sync;
  c.module = "message";
  c.method = "sync";
  c.form = json::object({{"fromSeq", inbox_.synced()}, {"limit", kSyncPage}});
  c.transport = Transport::Socket;
  c.request_id = next_request_id();
  calls_.push_front(std::move(c));  // before queued calls: deliveries first after a login
}

void Client::on_sync_page(Millis now, const json& data) {
  // The server's highest seq below the position we asked from: its timeline was reset (a new
  // database, the user re-created). Our position would hide every new delivery as a duplicate: start
  // again from 0. (Compared with fromSeq, not the current position: pushes may have moved that past an
  // answer computed earlier, which is not a reset.)
  if (auto max_seq = uint_field(data, "maxSeq"); max_seq && *max_seq < sync_.page_from()) {
    outputs_.push_back(ErrorEvent{code::kBadResponse,
                                  "the server's last seq (" + std::to_string(*max_seq) + ") is below the synced seq (" +
                                      std::to_string(inbox_.synced()) + "): its timeline was reset; syncing from 0",
                                  false});
    inbox_.reset(0);
    held_acks_.clear();
    outputs_.push_back(StorageSet{synced_key(), synced_record()});
    sync_.failed();
    start_sync(now);
    return;
  }
  const json* messages = field(data, "messages");
  if (messages && messages->is_array()) {
    for (const auto& m : *messages) {
      Message d = message_of(m);
      if (d.seq == 0 || d.mid == 0) continue;
      d.json = dump(m);
      (void)inbox_.offer(std::move(d));
    }
  }
  hand_over(now);
  const json* more = field(data, "hasMore");
  const bool has_more = more && more->is_boolean() && more->get<bool>();
  if (sync_.answered(inbox_.synced(), has_more, inbox_.has_gap())) {
    start_sync(now);
    return;
  }
  if (inbox_.has_gap()) {
    outputs_.push_back(ErrorEvent{code::kBadResponse,
                                  "message/sync did not fill the gap after seq " + std::to_string(inbox_.synced()),
                                  false});
  }
  if (fresh_run_) release_history();
  outputs_.push_back(Sync{sync_.from(), inbox_.synced(), sync_.count()});
}

}  // namespace echat::im
