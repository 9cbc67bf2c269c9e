// Engine.IO client session over one WebSocket transport, or over HTTP long-polling (Engine.IO protocol 3
// and 4), sans-I/O.
//
// INTERFACE CONTRACT (agreed between layers; the implementation may add members but must keep these):
// The host (ultimately the JS shim) owns the real WebSocket and the single real timer. It feeds inputs
// (each with `now`, ms on the host clock) and drains outputs with take_outputs(). Transport commands
// carry a transport id; inputs for a transport id that is no longer current are ignored, so a late event
// from an old socket can never disturb a new connection.
//
// ---------------------------------------------------------------------------------------------------
// How to drive it
//   Session s({Version::V3, "ws://host:port/socket.io/", "token=x"});
//   s.open(now);                      // -> OpenTransport{1, "ws://host:port/socket.io/?EIO=3&transport=websocket&token=x"}
//   ...host opens the WebSocket, then calls s.on_transport_open(now, 1), s.on_frame(now, 1, frame)...
//   for (auto& out : s.take_outputs()) { ...perform it... }
//   arm the host timer at s.next_deadline(); when it fires (or whenever), call s.on_timer(now).
// Every input (stale transport ids and calls that are otherwise ignored included) first acts on the
// deadlines that `now` shows have passed (exactly as on_timer(now) would), then handles the input itself. So after any call with `now`, next_deadline() is either empty or > now,
// and a mini-program that was suspended (its timers frozen) notices a passed ping deadline on the very
// next input even if its timer never fired.
//
// States and transitions (all of them live in session.cpp; nothing else assigns the state):
//
//   Idle ── open() ─────────────────────────────────▶ Opening   OpenTransport{id}, arm Connect timer
//   Closed ── open() ───────────────────────────────▶ Opening   same, with a NEW transport id
//   (open() while Opening/Open does nothing, even when its `now` makes the connection time out: one call
//    never both closes a connection and starts another)
//   Opening ── frame "0{json}" (valid handshake) ────▶ Open      Opened{handshake}, arm heartbeat
//   Opening ── any other packet ────────────────────▶ Closed    "parse error" (a message before open)
//   Open ── frame "4…"/binary ──────────────────────▶ Open      Message{payload}
//   Open ── frame "2…" (ping) ──────────────────────▶ Open      SendFrame "3…" (same data)
//   Open ── frame "3…" (pong) ──────────────────────▶ Open      EIO3: ping answered, next ping in pingInterval
//   Open ── frame "5…"/"6…" (upgrade/noop) ─────────▶ Open      ignored: a server sends no upgrade to a
//                                                               client, and a noop only ends a poll
//   Open ── frame "0…" (second open packet) ────────▶ Closed    "parse error"
//   Opening|Open ── frame "1…" (server close) ──────▶ Closed    CloseTransport, "transport close"
//   Opening|Open ── malformed/oversized frame ──────▶ Closed    CloseTransport, "parse error" + Peer error
//   Opening|Open ── on_transport_close ─────────────▶ Closed    "transport close" + Transport error
//   Opening|Open ── on_transport_error ─────────────▶ Closed    CloseTransport, "transport error"
//   Opening ── Connect deadline passes ─────────────▶ Closed    CloseTransport, "connect timeout"
//   Open ── PingTimeout deadline passes ────────────▶ Closed    CloseTransport, "ping timeout"
//   Opening|Open ── close() ────────────────────────▶ Closed    CloseTransport, "forced close"
//   Closed ── any input except open() ──────────────▶ Closed    ignored: no output at all
//   Idle ── any input except open() ────────────────▶ Idle      ignored
//
// Heartbeat (the direction differs; a server closes the link when it is wrong):
//   EIO3: the CLIENT pings. pingInterval after the open packet (and pingInterval after each pong) it
//         sends "2" and expects "3" within pingTimeout. While no ping is outstanding, any received packet
//         pushes a liveness deadline to now + pingInterval + pingTimeout (the server drops a client silent
//         that long, so after a longer suspension the link is dead anyway). Either deadline passing is
//         "ping timeout".
//   EIO4: the SERVER pings; the client answers "3" and never pings. Any received packet pushes the
//         deadline to now + pingInterval + pingTimeout; it passing is "ping timeout".
//
// Sizes: send() refuses a message whose encoded frame is larger than the server's maxPayload (when the
// handshake gave one) with Caller error "eio.payload_too_large" and changes nothing. A received frame
// larger than options.max_incoming_bytes closes the session ("parse error", Peer "eio.frame_too_large").
//
// WebSocket close codes: every CloseTransport carries code 1000 (browsers and wx.closeSocket accept only
// 1000 and 3000-4999) and a short ASCII reason (the Closed reason), well under the 123-byte limit.
//
// Long-polling (SessionOptions::polling; docs/architecture.md, engineio::Session): instead of a WebSocket the
// session asks the host for HTTP requests (HttpRequest outputs, answered by on_http_response /
// on_http_error quoting the transport and request ids). open() sends the handshake GET
// (`?EIO=n&transport=polling[&b64=1 on EIO3]&t=<request id>`); the response carries the open packet.
// From then on exactly one GET is outstanding at a time (each response's packets are handled as WebSocket
// frames would be, then the next GET goes out), and at most one POST: packets written while a POST is in
// flight wait and go together in the next one (engineio/payload.h). A non-200 answer or a failed request
// is "transport error"; CloseTransport means "abort the GET of this transport" (a forced close first
// POSTs what waits to be written and the close packet "1", without waiting for a POST in flight). The
// server's noop "6" (sent to end a GET early) is ignored.
//
// Upgrade (SessionOptions::upgrade, when the open packet lists "websocket"): while polling goes on, a
// probe WebSocket is opened (OpenTransport with a new transport id and the sid); on its open the session
// sends "2probe"; on "3probe" it pauses polling (no new GET or POST; the server ends the GET in flight
// with a noop), and once no request is in flight (at the next input or timer: the deadline is then
// `now`) it sends "5" on the WebSocket, which from then on is the session's transport
// (Upgraded{transport}); writes that waited go out on it, in order. A probe that
// fails (closed, error, anything but "3probe") is closed and the session stays on polling.
//
// After Closed: the session is finished for that connection; every input except open() is ignored and
// produces no output; send() returns Caller error "eio.closed"; error() keeps what closed it (sticky).
// A new connection is made by calling open() again on the same Session (it gets a fresh transport id, so
// late events of the old socket stay ignored). A new Session also works, but then give it a
// first_transport_id beyond the old session's ids, or a late event of the old socket could be taken for
// the new one.
// ---------------------------------------------------------------------------------------------------
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/timers.h"
#include "engineio/packet.h"

namespace echat::engineio {

using core::Millis;

struct SessionOptions {
  Version version = Version::V4;
  // Base of the WebSocket URL without the query: "ws://127.0.0.1:3000/socket.io/" (trailing slash kept).
  // (If it already holds a '?', the Engine.IO parameters are appended with '&' instead.)
  std::string base_url;
  // Extra query, already URL-encoded, without a leading '&' or '?': "token=abc&x=1" (may be empty).
  std::string query;
  // Largest incoming frame accepted (bytes); a larger frame is a peer error ("eio.frame_too_large").
  std::size_t max_incoming_bytes = 16u * 1024u * 1024u;
  // Time allowed from open() until the Engine.IO open packet arrives (socket.io-client's `timeout`).
  // 0 = every attempt fails at once with eio.connect_timeout, no transport opened (socket.io-client's
  // `timeout: 0`); no deadline is ever at the `now` of open().
  Millis connect_timeout = 20000;
  // --- additions beyond the contract ---
  // Send binary messages as base64 text frames ("b4…"/"b…") instead of binary frames (for platforms
  // whose WebSocket cannot send binary).
  bool base64_binary = false;
  // See DecodeOptions::strip_v4_binary_prefix (EIO4 only; netty-socketio's 0x04 prefix).
  bool strip_v4_binary_prefix = true;
  // Transport id used by the first open(); each open() uses the next one.
  std::uint32_t first_transport_id = 1;
  // HTTP long-polling instead of a WebSocket (see above).
  bool polling = false;
  // Polling only: probe a WebSocket and upgrade to it when the server offers one.
  bool upgrade = false;
};

enum class State : unsigned char { Idle, Opening, Open, Closed };

// Outputs, in the order they happened.
struct OpenTransport { std::uint32_t transport; std::string url; };
struct SendFrame { std::uint32_t transport; Frame frame; };
struct CloseTransport { std::uint32_t transport; int code; std::string reason; };
// Long-polling: an HTTP request to make (GET when !post). The POST body is the pieces' text in order,
// each followed by its host-kept rest (Frame::ext); a GET has none. The answer quotes transport + request.
struct HttpRequest {
  std::uint32_t transport;
  std::uint32_t request;
  bool post;
  std::string url;
  std::vector<Frame> body;
};
struct Opened { Handshake handshake; };                 // the open packet was received
struct Message { Frame payload; };                       // an Engine.IO message (text, or binary bytes)
// The session ended. `reason` uses socket.io-client's words: "transport close", "transport error",
// "ping timeout", "parse error", "forced close", "connect timeout". `error` says exactly what happened
// (which frame, which field) when there is more to say. `before_open` is true when no open packet was
// ever received (what a protocol fallback looks at).
struct Closed { std::string reason; std::optional<core::Error> error; bool before_open = false; };
// The upgrade is done: `transport` (the probe WebSocket) now carries the session; polling is over.
struct Upgraded { std::uint32_t transport; };

using Output = std::variant<OpenTransport, SendFrame, CloseTransport, Opened, Message, Closed, HttpRequest, Upgraded>;

class Session {
 public:
  explicit Session(SessionOptions options);

  // Application calls.
  // open(): from Idle or Closed, starts a connection (new transport id). Ignored while Opening/Open.
  void open(Millis now);                                   // -> OpenTransport
  // send(): only while Open. Errors (Caller, nothing is output): "eio.not_open" (Idle/Opening),
  // "eio.closed" (Closed), "eio.payload_too_large" (encoded frame larger than the handshake's maxPayload).
  // A binary `message` becomes a binary frame (or base64 text with options.base64_binary).
  core::Result<core::Ok> send(Millis now, Frame message);  // an Engine.IO message (type 4)
  // close(): while Opening/Open; ignored in Idle/Closed.
  void close(Millis now);                                  // -> CloseTransport, Closed{"forced close"}

  // Transport events (ignored unless `transport` is the current one).
  void on_transport_open(Millis now, std::uint32_t transport);
  void on_frame(Millis now, std::uint32_t transport, Frame frame);
  void on_transport_close(Millis now, std::uint32_t transport, int code, std::string reason);
  void on_transport_error(Millis now, std::uint32_t transport, std::string message);
  // Long-polling: the answer to HttpRequest `request` (status 200 = the body is a payload, or "ok" for a
  // POST), or its failure.
  void on_http_response(Millis now, std::uint32_t transport, std::uint32_t request, int status, std::string body);
  void on_http_error(Millis now, std::uint32_t transport, std::uint32_t request, std::string message);

  // Time. on_timer may be called at any time (early, late, or after a long suspension): it acts on
  // every deadline that has passed by `now`, and checks elapsed wall time, not only armed timers.
  void on_timer(Millis now);
  std::optional<Millis> next_deadline() const;

  std::vector<Output> take_outputs();
  State state() const;
  const std::optional<Handshake>& handshake() const;

  // --- additions beyond the contract ---
  Version version() const { return options_.version; }
  // The current transport id (0 before the first open()).
  std::uint32_t transport() const { return transport_; }
  // What closed the session (sticky until the next open()); empty while not Closed or for a plain close().
  const std::optional<core::Error>& error() const { return error_; }
  // The URL open() uses (polling: of the next request); `probe`: the upgrade probe's WebSocket URL.
  std::string url(bool probe = false) const;
  // The oldest host-kept payload waiting for the next POST (0: none).
  ExternalRef oldest_external() const;

  // The hot path (socketio::Manager's fast lane). on_message_fast: what on_frame does for a text
  // message of `size` bytes whose content the caller decodes itself: true, with the liveness deadline
  // re-armed, when the session is open on `transport`, no deadline has passed by `now` and the size is
  // within max_incoming_bytes; false, having changed nothing, otherwise (the caller then uses on_frame).
  // can_send_fast: whether send() of a message frame of `size` bytes would succeed now without acting
  // on a deadline first (the caller then puts the frame on the transport itself).
  // Both are defined here, inline: the wasm hot path compiles them into its lanes (fast_lane.cpp).
  bool on_message_fast(Millis now, std::uint32_t transport, std::size_t size) {
    if (options_.polling || state_ != State::Open || transport != transport_ || size > options_.max_incoming_bytes ||
        timers_.earliest() <= now) {
      return false;
    }
    arm_liveness(now);
    return true;
  }
  bool can_send_fast(Millis now, std::size_t size) const {
    if (options_.polling || state_ != State::Open || timers_.earliest() <= now) return false;
    return !handshake_->max_payload || size <= static_cast<std::uint64_t>(*handshake_->max_payload);
  }
  // The earliest deadline while open (next_deadline() without the optional), kNever when none.
  Millis open_deadline() const { return state_ == State::Open ? timers_.earliest() : core::kNever; }

 private:
  // Upgrade: the switch to the probe WebSocket, due at once once nothing is in flight. It runs as the
  // next input's first step, never inside the input that ended the last request: the packets that
  // input delivered are handled by the layer above first, and what it writes then goes after "5".
  enum class Timer : unsigned char { Connect, Ping, PingTimeout, Upgrade, Count };

  void advance(Millis now);  // act on every passed deadline (the shared first step of every input)
  void on_packet(Millis now, Packet packet);
  void emit_packet(const Packet& packet);
  void write(Frame frame);  // a frame to the server: WebSocket frame, or into the next POST
  void poll();              // polling: the next GET
  void flush_writes();      // polling: a POST of what waits, unless one is in flight
  void on_probe(const Frame* frame, bool opened);
  void end_probe();         // a failed probe: closed, polling goes on
  void finish_upgrade();    // pausing and nothing in flight: switch to the WebSocket
  void arm_liveness(Millis now) {  // inline for on_message_fast
    if (options_.version == Version::V3 && ping_outstanding_) return;  // the pong deadline stands
    timers_.set(Timer::PingTimeout, core::add_ms(now, handshake_->ping_interval + handshake_->ping_timeout));
  }
  // The one exit to Closed.
  void finish(std::string_view reason, std::optional<core::Error> error, bool close_transport);
  // The same with an error: the optional is built once, here, not at each of its ~15 call sites.
  void finish(std::string_view reason, core::Error&& error, bool close_transport);
  bool current(std::uint32_t transport) const;

  SessionOptions options_;
  State state_ = State::Idle;
  std::uint32_t transport_ = 0;
  std::uint32_t next_transport_;
  bool ping_outstanding_ = false; // EIO3: "2" sent, "3" not yet received
  std::uint32_t next_request_ = 1;  // polling: request ids, unique for the session's lifetime
  std::uint32_t get_ = 0;           // the GET in flight (0: none)
  std::uint32_t post_ = 0;          // the POST in flight (0: none)
  std::vector<Frame> writes_;       // frames waiting for the next POST
  enum class Probe : unsigned char { None, Opening, Probing, Pausing, Failed };
  Probe probe_state_ = Probe::None;
  std::uint32_t probe_ = 0;         // the probe WebSocket's transport id
  Millis now_ = 0;                  // the `now` of the current input
  std::optional<Handshake> handshake_;
  std::optional<core::Error> error_;
  core::TimerTable<Timer, static_cast<std::size_t>(Timer::Count)> timers_;
  std::vector<Output> outputs_;
};

}  // namespace echat::engineio
