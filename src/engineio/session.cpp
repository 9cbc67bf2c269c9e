// The Engine.IO session state machine. Every state change is in this file, and the table in session.h
// lists them; the only writers of state_ are open(), on_packet() (Opening -> Open) and finish().
#include "engineio/session.h"

#include "engineio/payload.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/json.h"

namespace echat::engineio {
namespace {

using core::add_ms;

constexpr int kCloseCode = 1000;

// `msg` + ": " + the host's text, described as a frame (quoted, cut, escaped), when there is one.
void append_detail(std::string& msg, std::string text) {
  if (text.empty()) return;
  msg += ": ";
  msg += describe_frame(Frame{false, std::move(text)});
}

}  // namespace

Session::Session(SessionOptions options)
    : options_(std::move(options)), next_transport_(options_.first_transport_id) {}

std::string Session::url(bool probe) const {
  const bool polling = options_.polling && !probe;
  std::string u = options_.base_url;
  if (polling && u.compare(0, 2, "ws") == 0) u.replace(0, 2, "http");  // ws:// -> http://, wss:// -> https://
  u += u.find('?') == std::string::npos ? '?' : '&';
  u += options_.version == Version::V3 ? "EIO=3" : "EIO=4";
  if (polling) {
    u += "&transport=polling";
    if (options_.version == Version::V3) u += "&b64=1";  // binary as "b4<base64>" in text payloads
    u += "&t=" + core::decimal(next_request_);       // cache-buster: the request id
    if (handshake_) u += "&sid=" + handshake_->sid;
  } else {
    u += "&transport=websocket";
    if (probe) u += "&sid=" + handshake_->sid;
  }
  if (!options_.query.empty()) {
    u += '&';
    u += options_.query;
  }
  return u;
}

// ---- application calls ----------------------------------------------------------------------------

void Session::open(Millis now) {
  // Ignored while a connection is under way, even if `now` shows it has just timed out (then it closes
  // here, and the caller sees Closed and may call open() again): one call, at most one new connection.
  const bool busy = state_ == State::Opening || state_ == State::Open;
  advance(now);
  if (busy) return;
  transport_ = next_transport_++;
  if (transport_ == 0) transport_ = next_transport_++;  // 0 means "none"; skip it after a wrap
  state_ = State::Opening;
  ping_outstanding_ = false;
  handshake_.reset();
  error_.reset();
  timers_.clear_all();
  get_ = post_ = 0;
  probe_ = 0;
  probe_state_ = Probe::None;
  writes_.clear();
  if (options_.connect_timeout <= 0) {
    // socket.io-client's `timeout: 0`: every attempt times out at once. Fail here, without opening a
    // transport that would be closed unused (WeChat allows 5 sockets).
    finish("connect timeout",
           core::Error::transport("eio.connect_timeout", "eio: no Engine.IO open packet within 0 ms (timeout: 0)"),
           false);
    return;
  }
  timers_.set(Timer::Connect, add_ms(now, options_.connect_timeout));
  if (options_.polling) {
    poll();
  } else {
    outputs_.push_back(OpenTransport{transport_, url()});
  }
}

core::Result<core::Ok> Session::send(Millis now, Frame message) {
  advance(now);
  if (state_ == State::Closed) {
    return core::Error::caller("eio.closed",
                               "eio: send on a closed session" +
                                   (error_ ? " (closed by " + error_->code + ": " + error_->message + ")" : std::string()));
  }
  if (state_ != State::Open) {
    return core::Error::caller("eio.not_open", "eio: send before the Engine.IO open packet was received");
  }
  Frame frame = encode(Packet{PacketType::Message, message.binary, std::move(message.data), message.ext,
                              message.ext_size},
                       options_.version, options_.base64_binary || options_.polling);
  if (handshake_->max_payload && frame.size() > static_cast<std::uint64_t>(*handshake_->max_payload)) {
    return core::Error::caller("eio.payload_too_large",
                               "eio: message frame of " + core::decimal(frame.size()) +
                                   " bytes exceeds the server's maxPayload of " +
                                   core::decimal(*handshake_->max_payload) + " bytes");
  }
  write(std::move(frame));
  return core::Ok{};
}

void Session::close(Millis now) {
  advance(now);
  if (state_ != State::Opening && state_ != State::Open) return;
  finish("forced close", std::nullopt, true);
}

// ---- transport events -----------------------------------------------------------------------------

bool Session::current(std::uint32_t transport) const {
  return transport == transport_ && (state_ == State::Opening || state_ == State::Open);
}

void Session::on_transport_open(Millis now, std::uint32_t transport) {
  advance(now);
  if (probe_ != 0 && transport == probe_) return on_probe(nullptr, true);
  if (!current(transport)) return;
  // Nothing else to do: the server speaks first (the open packet).
}

void Session::on_frame(Millis now, std::uint32_t transport, Frame frame) {
  advance(now);
  if (probe_ != 0 && transport == probe_) return on_probe(&frame, false);
  if (!current(transport)) return;
  if (frame.size() > options_.max_incoming_bytes) {
    finish("parse error",
           core::Error::peer("eio.frame_too_large",
                             "eio: frame of " + core::decimal(frame.size()) + " bytes exceeds max_incoming_bytes " +
                                 core::decimal(options_.max_incoming_bytes) + ": " + describe_frame(frame)),
           true);
    return;
  }
  auto packet = decode(frame, options_.version, DecodeOptions{options_.strip_v4_binary_prefix});
  if (!packet) {
    finish("parse error", std::move(packet.error()), true);
    return;
  }
  on_packet(now, std::move(packet.value()));
}

void Session::on_transport_close(Millis now, std::uint32_t transport, int code, std::string reason) {
  advance(now);
  if (probe_ != 0 && transport == probe_) {
    probe_ = 0;  // closed by itself: nothing to close; polling goes on
    probe_state_ = Probe::Failed;
    poll();
    flush_writes();
    return;
  }
  if (!current(transport)) return;
  std::string msg = "eio: WebSocket closed, code " + core::decimal(code);
  append_detail(msg, std::move(reason));
  finish("transport close", core::Error::transport("eio.transport_close", std::move(msg)), false);
}

void Session::on_transport_error(Millis now, std::uint32_t transport, std::string message) {
  advance(now);
  if (probe_ != 0 && transport == probe_) return end_probe();
  if (!current(transport)) return;
  std::string msg = "eio: WebSocket error";
  append_detail(msg, std::move(message));
  finish("transport error", core::Error::transport("eio.transport_error", std::move(msg)), true);
}

// ---- long-polling ---------------------------------------------------------------------------------

void Session::on_http_response(Millis now, std::uint32_t transport, std::uint32_t request, int status,
                               std::string body) {
  advance(now);
  if (!current(transport) || request == 0 || (request != get_ && request != post_)) return;
  const bool get = request == get_;
  if (get) {
    get_ = 0;
  } else {
    post_ = 0;
  }
  if (status != 200) {
    std::string msg = std::string("eio: polling ") + (get ? "GET" : "POST") + " answered HTTP " + core::decimal(status);
    append_detail(msg, std::move(body));
    finish("transport error", core::Error::transport("eio.poll_error", std::move(msg)), true);
    return;
  }
  if (!get) {
    flush_writes();
    return;
  }
  if (body.size() > options_.max_incoming_bytes) {
    finish("parse error",
           core::Error::peer("eio.frame_too_large", "eio: polling payload of " + core::decimal(body.size()) +
                                                        " bytes exceeds max_incoming_bytes " +
                                                        core::decimal(options_.max_incoming_bytes)),
           true);
    return;
  }
  auto frames = decode_payload(body, options_.version);
  if (!frames) {
    finish("parse error", std::move(frames.error()), true);
    return;
  }
  for (Frame& f : frames.value()) {
    auto packet = decode(f, options_.version, DecodeOptions{options_.strip_v4_binary_prefix});
    if (!packet) {
      finish("parse error", std::move(packet.error()), true);
      return;
    }
    on_packet(now, std::move(packet.value()));
    if (!current(transport)) return;
  }
  poll();
  flush_writes();
}

void Session::on_http_error(Millis now, std::uint32_t transport, std::uint32_t request, std::string message) {
  advance(now);
  if (!current(transport) || request == 0 || (request != get_ && request != post_)) return;
  std::string msg = std::string("eio: polling ") + (request == get_ ? "GET" : "POST") + " failed";
  append_detail(msg, std::move(message));
  if (request == get_) {
    get_ = 0;
  } else {
    post_ = 0;
  }
  finish("transport error", core::Error::transport("eio.poll_error", std::move(msg)), true);
}

// ---- the upgrade from polling to a WebSocket -------------------------------------------------------

void Session::on_probe(const Frame* frame, bool opened) {
  if (opened) {
    if (probe_state_ != Probe::Opening) return end_probe();
    probe_state_ = Probe::Probing;
    outputs_.push_back(SendFrame{probe_, Frame{false, "2probe"}});
    return;
  }
  if (probe_state_ != Probe::Probing || frame->binary || frame->data != "3probe") return end_probe();
  probe_state_ = Probe::Pausing;
  timers_.set(Timer::Upgrade, now_);
}

void Session::end_probe() {
  outputs_.push_back(CloseTransport{probe_, kCloseCode, "probe failed"});
  probe_ = 0;
  probe_state_ = Probe::Failed;
  poll();
  flush_writes();
}

void Session::finish_upgrade() {
  if (probe_state_ != Probe::Pausing) return;
  if (get_ != 0 || post_ != 0) return;  // the answer that ends it sets the timer again
  outputs_.push_back(SendFrame{probe_, Frame{false, "5"}});
  transport_ = probe_;
  probe_ = 0;
  probe_state_ = Probe::None;
  options_.polling = false;
  outputs_.push_back(Upgraded{transport_});
  std::vector<Frame> waiting;
  waiting.swap(writes_);
  for (Frame& f : waiting) outputs_.push_back(SendFrame{transport_, std::move(f)});
}

void Session::poll() {
  if (probe_state_ == Probe::Pausing) return timers_.set(Timer::Upgrade, now_);
  if (get_ != 0) return;
  get_ = next_request_;
  outputs_.push_back(HttpRequest{transport_, get_, false, url(), {}});
  ++next_request_;
}

void Session::write(Frame frame) {
  if (!options_.polling) {
    outputs_.push_back(SendFrame{transport_, std::move(frame)});
    return;
  }
  writes_.push_back(std::move(frame));
  flush_writes();
}

void Session::flush_writes() {
  if (probe_state_ == Probe::Pausing) return timers_.set(Timer::Upgrade, now_);
  if (post_ != 0 || writes_.empty() || state_ != State::Open) return;
  post_ = next_request_;
  std::string u = url();
  outputs_.push_back(HttpRequest{transport_, post_, true, std::move(u), encode_payload(writes_, options_.version)});
  ++next_request_;
  writes_.clear();
}

ExternalRef Session::oldest_external() const {
  ExternalRef oldest = 0;
  for (const Frame& f : writes_) {
    if (f.ext != 0 && (oldest == 0 || f.ext < oldest)) oldest = f.ext;
  }
  return oldest;
}

// ---- time -----------------------------------------------------------------------------------------

void Session::on_timer(Millis now) { advance(now); }

std::optional<Millis> Session::next_deadline() const {
  if (state_ != State::Opening && state_ != State::Open) return std::nullopt;
  return timers_.next();
}

void Session::advance(Millis now) {
  now_ = now;
  if (state_ == State::Open && timers_.fire_if_due(Timer::Upgrade, now)) finish_upgrade();
  if (state_ == State::Opening) {
    if (timers_.fire_if_due(Timer::Connect, now)) {
      finish("connect timeout",
             core::Error::transport("eio.connect_timeout", "eio: no Engine.IO open packet within " +
                                                               core::decimal(options_.connect_timeout) + " ms"),
             true);
    }
    return;
  }
  if (state_ != State::Open) return;
  // The liveness check comes first: after a suspension both deadlines may have passed, and a dead link
  // must be reported, not pinged.
  if (timers_.fire_if_due(Timer::PingTimeout, now)) {
    const char* what = ping_outstanding_ ? "eio: no pong within pingTimeout " : "eio: no packet within ";
    const std::int64_t ms = ping_outstanding_ ? handshake_->ping_timeout
                                              : handshake_->ping_interval + handshake_->ping_timeout;
    finish("ping timeout", core::Error::transport("eio.ping_timeout", what + core::decimal(ms) + " ms"), true);
    return;
  }
  if (options_.version == Version::V3 && timers_.fire_if_due(Timer::Ping, now)) {
    emit_packet(Packet{PacketType::Ping, false, {}});
    ping_outstanding_ = true;
    timers_.set(Timer::PingTimeout, add_ms(now, handshake_->ping_timeout));
  }
}

// ---- packets: the Opening/Open transitions --------------------------------------------------------

void Session::on_packet(Millis now, Packet packet) {
  if (state_ == State::Opening) {
    if (packet.type == PacketType::Close) {
      finish("transport close",
             core::Error::transport("eio.server_close", "eio: the server sent a close packet before the open packet"),
             true);
      return;
    }
    if (packet.type != PacketType::Open) {
      finish("parse error",
             core::Error::peer("eio.unexpected_packet",
                               "eio: packet before the open packet: " +
                                   describe_frame(encode(packet, options_.version))),
             true);
      return;
    }
    auto hs = parse_handshake(packet.data);
    if (!hs) {
      finish("parse error", std::move(hs.error()), true);
      return;
    }
    handshake_ = std::move(hs.value());
    state_ = State::Open;
    timers_.clear(Timer::Connect);
    outputs_.push_back(Opened{*handshake_});
    if (options_.version == Version::V3) {
      timers_.set(Timer::Ping, add_ms(now, handshake_->ping_interval));
    }
    arm_liveness(now);
    if (options_.polling && options_.upgrade &&
        std::find(handshake_->upgrades.begin(), handshake_->upgrades.end(), "websocket") != handshake_->upgrades.end()) {
      probe_ = next_transport_++;
      if (probe_ == 0) probe_ = next_transport_++;
      probe_state_ = Probe::Opening;
      outputs_.push_back(OpenTransport{probe_, url(true)});
    }
    return;
  }

  // State::Open. Any packet proves the server alive (EIO3: unless a ping waits for its pong).
  arm_liveness(now);
  switch (packet.type) {
    case PacketType::Open:
      finish("parse error",
             core::Error::peer("eio.duplicate_open", "eio: second open packet: " +
                                                         describe_frame(encode(packet, options_.version))),
             true);
      return;
    case PacketType::Close:
      finish("transport close", core::Error::transport("eio.server_close", "eio: the server sent a close packet"),
             true);
      return;
    case PacketType::Ping:
      emit_packet(Packet{PacketType::Pong, false, std::move(packet.data)});
      return;
    case PacketType::Pong:
      if (options_.version == Version::V3 && ping_outstanding_) {
        ping_outstanding_ = false;
        timers_.set(Timer::Ping, add_ms(now, handshake_->ping_interval));
        arm_liveness(now);
      }
      return;  // EIO4: the server does not expect pings, so a pong is meaningless; ignore it.
    case PacketType::Message:
      outputs_.push_back(Message{Frame{packet.binary, std::move(packet.data), packet.ext, packet.ext_size}});
      return;
    case PacketType::Upgrade:
    case PacketType::Noop:
      return;  // a client is never upgraded by its server; a noop only ends a long-poll GET (upgrade)
  }
}

void Session::emit_packet(const Packet& packet) {
  write(encode(packet, options_.version, options_.base64_binary || options_.polling));
}

void Session::finish(std::string_view reason, core::Error&& error, bool close_transport) {
  finish(reason, std::optional<core::Error>(std::move(error)), close_transport);
}

void Session::finish(std::string_view reason, std::optional<core::Error> error, bool close_transport) {
  const bool before_open = !handshake_.has_value();
  if (options_.polling && close_transport && handshake_ && reason == "forced close") {
    // Tell the server (a WebSocket's close frame does that), with what still waited to be written (a
    // DISCONNECT, say); the answer is not waited for.
    writes_.push_back(Frame{false, "1"});
    std::string u = url();
    outputs_.push_back(HttpRequest{transport_, next_request_++, true, std::move(u), encode_payload(writes_, options_.version)});
  }
  if (close_transport) outputs_.push_back(CloseTransport{transport_, kCloseCode, std::string(reason)});
  if (probe_ != 0) outputs_.push_back(CloseTransport{probe_, kCloseCode, std::string(reason)});
  probe_ = 0;
  probe_state_ = Probe::None;
  get_ = post_ = 0;
  writes_.clear();
  state_ = State::Closed;
  timers_.clear_all();
  ping_outstanding_ = false;
  error_ = error;
  outputs_.push_back(Closed{std::string(reason), std::move(error), before_open});
}

// ---- accessors ------------------------------------------------------------------------------------

std::vector<Output> Session::take_outputs() {
  std::vector<Output> out;
  out.swap(outputs_);
  return out;
}

State Session::state() const { return state_; }

const std::optional<Handshake>& Session::handshake() const { return handshake_; }

}  // namespace echat::engineio
