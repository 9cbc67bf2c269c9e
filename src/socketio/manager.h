// The Socket.IO client core: one Engine.IO connection shared by several namespaces ("sockets"),
// with connect/auth, acks, binary attachments, per-socket send buffers, reconnection with backoff and
// automatic protocol selection (Engine.IO 4 / Socket.IO protocol 5, falling back to Engine.IO 3 /
// Socket.IO protocol 4). socket.io-client's Manager + Socket are the behavioural model. Over ~500
// lines on purpose: the contract of every input and output, and the state tables, are written here
// beside the declarations (manager.cpp says why the transitions are one file).
//
// Sans-I/O (after quinn-proto and h11): the Manager never reads a clock, owns no socket, no thread and
// no JavaScript. The host
//   - passes `now` (ms on its own clock) with every call,
//   - performs the transport commands found in take_outputs() (OpenTransport / SendFrame /
//     CloseTransport) and reports what the WebSocket does through on_transport_open / on_frame /
//     on_transport_close / on_transport_error, quoting the transport id of the command,
//   - arms ONE real timer at next_deadline() and calls on_timer(now) when it fires (early, late or
//     after a long suspension are all fine: every deadline that has passed by `now` is acted upon),
//   - delivers the manager and socket events found in take_outputs() to the application.
// Outputs are one closed std::variant, in the order they happened. Inputs quoting a transport id that
// is not the current one (a late event from a socket the manager already gave up on) are ignored and
// produce no output.
//
// Errors: application misuse (bad option, reserved event name, args not a JSON array, bad namespace,
// answering an ack nobody asked for) is returned as a core::Error of kind Caller naming the field, and
// changes nothing. A server breaking the protocol is a Peer error: it is reported as ManagerError and
// the connection is dropped with reason "parse error" and re-established as socket.io-client does.
// Invalid ManagerOptions are a sticky error: every later call returns it (or does nothing), see error().
//
// Namespaces (`nsp`) are plain names: "/" or "/admin" (no query, no ','). Under protocol 4 the auth
// object of connect_socket() is sent as a query on the namespace (`40/admin?token=x,`); the root
// namespace cannot carry auth under protocol 4 (the server connects it implicitly), so put such
// credentials in ManagerOptions::query (or the url's query), which every Engine.IO URL carries.
// (Auth members become "k=v" pairs in alphabetical key order, strings as they are, other values as
// JSON, all percent-encoded.)
//
// Order of events, as the application sees them:
//   first connection   ManagerOpen, SocketConnect per namespace (in order of connect_socket()), then
//                      that namespace's events that arrived early, then its send buffer goes out
//   drop               ManagerClose{reason}, SocketDisconnect{reason} per connected namespace, AckResult
//                      errors for acks already sent
//   reconnection       ReconnectAttempt{n}, then ManagerOpen, Reconnect{n}, SocketConnect... or
//                      ManagerError, SocketConnectError{active}, ReconnectError; ReconnectFailed at the end
//   auto protocol      while an Engine.IO 4 connection has not yet shown a protocol 5 answer (first
//                      connection in auto mode), ManagerOpen/Reconnect wait for it; falling back to EIO3
//                      produces only transport commands
// The host may call any input from any state; nothing here needs a particular order to stay sound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/queue.h"
#include "core/random.h"
#include "core/timers.h"
#include "engineio/packet.h"
#include "engineio/session.h"
#include "socketio/packet.h"

namespace echat::socketio {

using core::Millis;

struct ManagerOptions {
  // "http://127.0.0.1:3000", "https://im.example.com", "ws://[::1]:3000/ignored?token=x".
  // Scheme http/https/ws/wss (https/wss = TLS). The url's path is the default socket's namespace and is
  // handled by the JS facade (ignored here); the url's query is added to every Engine.IO URL.
  std::string url;
  std::string path = "/socket.io";  // Engine.IO endpoint; a trailing slash is added
  std::string query;                // url-encoded "a=1&b=2", appended to every Engine.IO URL
  bool reconnection = true;
  std::uint32_t reconnection_attempts = UINT32_MAX;  // UINT32_MAX = Infinity
  Millis reconnection_delay = 1000;                  // backoff base, ms (>= 0)
  Millis reconnection_delay_max = 5000;              // backoff cap, ms (>= 0)
  double randomization_factor = 0.5;                 // jitter, in [0, 1]
  Millis timeout = 20000;                            // Engine.IO connect timeout, ms (0 = at once,
                                                     // as socket.io-client's timeout: 0); in auto
                                                     // mode an EIO4 try and its EIO3 retry each get it
  // Engine.IO version: 0 = auto (try EIO4 / protocol 5; fall back to EIO3 / protocol 4 when the server
  // refuses before the open packet or answers in protocol 4; the version that worked is remembered for
  // every later reconnect), 3, or 4.
  int protocol = 0;
  std::size_t max_incoming_bytes = 16u << 20;  // largest frame, and largest packet with its attachments
                                               // (>= 64)
  std::uint32_t max_attachments = 64;          // most binary attachments in one incoming packet
  std::uint64_t seed = 1;                      // the host's randomness (backoff jitter)
  // netty-socketio writes EIO3's 0x04 byte before every binary frame even on Engine.IO 4. Set this only
  // for such a server: on a standard EIO4 server it would eat the first byte of every attachment that
  // starts with 0x04. (On EIO3 the 0x04 prefix is the standard and is always removed.)
  bool strip_v4_binary_prefix = false;
  // socket.io-client's `transports`: which Engine.IO transports may be used (at least one). With both, an
  // attempt tries the WebSocket first and, when that fails before the connection opens (networks that
  // block WebSockets), HTTP long-polling at once, in the same attempt; the transport that worked is kept
  // for the manager's later reconnects; when both fail, the WebSocket's error is the one reported (with
  // the polling failure appended). A polling connection probes a WebSocket and upgrades to it when the
  // server offers one (TransportUpgraded). Off by default here (the IM session uses WebSockets only);
  // sdk.io turns it on, as socket.io-client's default transports do.
  bool websocket = true;
  bool polling = false;
  // socket.io-client's order ["polling", "websocket"]: every attempt starts with long-polling, then
  // upgrades (instead of a WebSocket first with polling as the fallback).
  bool polling_first = false;
};

// ---- Outputs -------------------------------------------------------------------------------------

// Transport commands (the same value types as engineio::Session's; transport ids are the Manager's
// own, unique for its lifetime, starting at 1).
using OpenTransport = engineio::OpenTransport;    // open a WebSocket to `url`
using SendFrame = engineio::SendFrame;            // send a text or binary frame
using CloseTransport = engineio::CloseTransport;  // close the WebSocket (code, reason); polling: give up
                                                  // the transport's GET (a POST may finish)
using HttpRequest = engineio::HttpRequest;        // long-polling: make this HTTP request, answer with
                                                  // on_http_response / on_http_error

// Manager events (socket.io-client's Manager events).
struct ManagerOpen {  // the Engine.IO connection (session id sid) is open ("open")
  std::string sid;
  bool polling = false;  // over long-polling (else a WebSocket)
};
struct ManagerClose { std::string reason; };   // it closed ("close"): "transport close", "transport
                                               // error", "ping timeout", "parse error", "forced close"
struct ManagerError { core::Error error; };    // could not connect, or the peer broke the protocol
struct ReconnectAttempt { std::uint32_t attempt; };  // attempt n (1, 2, ...) starts now
struct Reconnect { std::uint32_t attempt; };         // attempt n opened the connection
struct ReconnectError { core::Error error; };        // a reconnect attempt failed
struct ReconnectFailed {};                           // reconnection_attempts exhausted: given up
struct TransportUpgraded {};                         // the polling connection moved to a WebSocket

// Socket events, per namespace.
struct SocketConnect {
  std::string nsp;
  std::string sid;                 // protocol 5: the server's sid; protocol 4: engine sid ("/") or nsp#sid
  std::optional<std::string> pid;  // connection-state recovery id, when the server sent one
};
struct SocketConnectError {
  std::string nsp;
  std::string data_json;  // what the server sent: an object or a string (JSON text); "" when none
  std::string message;    // the object's "message", the string itself, or the transport failure
                          // ("timeout" for a connect timeout, as socket.io-client says)
  // socket.io-client's `socket.active`: true when the manager will keep trying (the connection failed),
  // false when the server refused this namespace (no automatic retry; call connect_socket again).
  bool active = false;
};
struct SocketDisconnect {
  std::string nsp;
  // "io server disconnect", "io client disconnect", "ping timeout", "transport close",
  // "transport error", "parse error".
  std::string reason;
};
struct SocketEvent {
  std::string nsp;
  std::string args_json;                 // the JSON array text as received, event name first;
                                         // binary arguments are {"_placeholder":true,"num":N}
  std::vector<std::string> attachments;  // attachment N = bytes for placeholder N
  std::optional<std::uint64_t> ack_id;   // the server wants an answer: call ack(nsp, *ack_id, ...)
  engineio::ExternalRef ext = 0;         // != 0: the arguments are the host-kept payload `ext`
                                         // (on_frame_external); args_json is then ""
};
struct AckResult {
  std::string nsp;
  std::uint64_t emit_id = 0;  // what emit() returned
  bool ok = false;
  std::string args_json;                 // ok: the ACK's JSON array text
  std::vector<std::string> attachments;  // ok: its binary attachments
  // !ok: "operation has timed out" (ack_timeout elapsed) or "socket has been disconnected"
  std::optional<std::string> error;
  engineio::ExternalRef ext = 0;  // ok and != 0: the arguments are the host-kept payload `ext`
};

using Output = std::variant<OpenTransport, SendFrame, CloseTransport, ManagerOpen, ManagerClose,
                            ManagerError, ReconnectAttempt, Reconnect, ReconnectError, ReconnectFailed,
                            SocketConnect, SocketConnectError, SocketDisconnect, SocketEvent, AckResult,
                            HttpRequest, TransportUpgraded>;

// ---- Observable state (for bindings and tests) ---------------------------------------------------

enum class ManagerState : unsigned char {
  Idle,              // no connection and none wanted (no active socket, or close() was called)
  Opening,           // an Engine.IO connection attempt is in flight
  Open,              // the Engine.IO connection is open
  WaitingReconnect,  // waiting for the backoff timer (or for set_online(true)) before the next attempt
};

enum class SocketState : unsigned char {
  Inactive,    // not wanted: never connected, disconnected by either side, or refused by the server
  Connecting,  // wanted; CONNECT not yet sent or not yet answered
  Connected,   // the server accepted the CONNECT
};

class Manager {
 public:
  explicit Manager(ManagerOptions options);

  // Checks and normalises options (path gets its slashes). Caller errors name the option:
  // "url: ...", "path: ...", "protocol: ...".
  static core::Result<ManagerOptions> validate(ManagerOptions options);

  // Sticky error from invalid options (every call below then does nothing or returns it).
  const std::optional<core::Error>& error() const { return fatal_; }

  // ---- Application calls ----

  // Wants namespace `nsp` connected (socket.connect()). `auth_json` is "" or a JSON object sent with
  // the CONNECT (protocol 5) or as the namespace query (protocol 4). Opens the connection if needed.
  // Already connected/connecting: Ok, nothing happens (the new auth is kept for later reconnects).
  core::Result<core::Ok> connect_socket(Millis now, std::string nsp, std::string auth_json);

  // socket.io-client's manager.open() (and a Manager made with autoConnect): the Engine.IO connection is
  // wanted even without a namespace. It stays wanted until a socket comes and every socket has gone again
  // (socket.io-client's Manager._destroy), or close(). In auto protocol mode, an open Engine.IO 4
  // connection with no namespace to confirm protocol 5 is taken as protocol 5.
  void open(Millis now);

  // socket.disconnect(): sends DISCONNECT when connected and reports SocketDisconnect{"io client
  // disconnect"}; pending acks fail. Closes the connection when no active socket remains.
  void disconnect_socket(Millis now, const std::string& nsp);

  struct EmitOptions {
    bool want_ack = false;                   // the server should answer (AckResult output)
    std::optional<Millis> ack_timeout;       // fail the ack with "operation has timed out" after this
    bool is_volatile = false;                // drop instead of buffering when not connected
    // socket.io-client's `retries` (at-least-once): > 0 puts the emit in the socket's retry queue, which
    // sends one emit at a time, in order, each try with a new ack id (and ack_timeout, if any). A try
    // fails when its ack times out or the connection drops before the answer; the emit is then sent again
    // (after the reconnection, if it dropped) until 1 + retries tries have failed, and then fails with
    // the last try's error. The AckResult (when want_ack) quotes the emit's own id, never a try's. A
    // queued emit waits while the socket is not connected (socket.disconnect() keeps the queue; close()
    // fails it with "socket has been disconnected"). Ignored for volatile emits (never retried).
    std::uint32_t retries = 0;
  };
  // socket.emit(). `args_json`: a JSON array whose first element is the event name (a string that is
  // not reserved, or a number), binary arguments already replaced by {"_placeholder":true,"num":N}
  // with N indexing `attachments`. Sent now when the socket is connected, else kept in the socket's send
  // buffer (flushed in order after its CONNECT is acknowledged); a volatile emit is dropped instead (and
  // if it wanted an ack, that ack fails at once with "socket has been disconnected"). Returns the emit id
  // (unique per Manager, from 1) that AckResult quotes.
  core::Result<std::uint64_t> emit(Millis now, const std::string& nsp, std::string args_json,
                                   std::vector<std::string> attachments, EmitOptions options);

  // Answers a SocketEvent's ack_id on the same namespace. Caller error when the socket is not
  // connected or the id is not one the server asked for (or was already answered).
  core::Result<core::Ok> ack(Millis now, const std::string& nsp, std::uint64_t ack_id,
                             std::string args_json, std::vector<std::string> attachments);

  // The same two calls with a host-kept payload (the wasm fast path): `payload.ext`/`ext_size` name it,
  // `payload.shape` is what the host's JSON parser found in it (the validity rules apply to it). When
  // the emit waits in the send buffer the core holds the handle; the SendFrame that finally carries it
  // has Frame::ext set (the host appends the payload to the frame's header text). An emit's
  // `payload.data`, when not empty, is the arguments' text before the host-kept rest (the IM outbox: the
  // envelope the core writes per attempt, then the form the host keeps); `shape` then describes the whole.
  core::Result<std::uint64_t> emit_external(Millis now, const std::string& nsp, const Packet& payload,
                                            EmitOptions options);
  core::Result<core::Ok> ack_external(Millis now, const std::string& nsp, std::uint64_t ack_id,
                                      const Packet& payload);

  // Connection-state recovery (socket.io >= 4.6 with connectionStateRecovery): when the server's CONNECT
  // answer carried a pid (SocketConnect::pid), every later CONNECT of that namespace sends
  // {"pid", "offset", ...auth}, and a server that recovers the session answers with the same pid and
  // replays the events missed meanwhile. The offset is the last string argument of the last event
  // received without an ack request (the server appends it); the host, which parses the arguments,
  // tells it here, at the latest when SocketDisconnect arrives. Caller error for an unknown namespace or
  // an offset over 1 KiB.
  core::Result<core::Ok> set_recovery_offset(const std::string& nsp, std::string offset);

  // The server of the next connection attempt (failover between several servers: the host decides
  // when, e.g. after a ManagerError). The connection in use, if any, is left alone. Same rules as
  // ManagerOptions::url; an invalid url is a caller error and changes nothing.
  core::Result<core::Ok> set_url(const std::string& url);

  // socket.io-client's Manager setters (reconnection(v), reconnectionAttempts(v), reconnectionDelay(v),
  // reconnectionDelayMax(v), randomizationFactor(v), timeout(v)): takes those six fields of `o` (the other
  // fields are ignored), validated as at construction. They apply from the next decision on: the next
  // backoff, the next connection attempt's timeout; a backoff already scheduled keeps its time, except
  // that reconnection = false cancels it (nothing is attempted until the app connects again).
  core::Result<core::Ok> set_reconnect_options(ManagerOptions o);

  // Everything off, no reconnect: connected sockets get SocketDisconnect{"io client disconnect"}, every
  // pending ack fails ("socket has been disconnected"), send buffers are dropped, the connection closes
  // (ManagerClose{"forced close"} if one was open). A later connect_socket() starts afresh.
  void close(Millis now);

  // socket.io-client's `manager.engine.close()`: the open (or opening) connection closes with reason
  // "forced close" and, the sockets staying active, the reconnect cycle starts as after any lost
  // connection. Nothing happens without a connection.
  void drop_connection(Millis now);

  // The host says the app came to the foreground / the network came back: when waiting for a reconnect
  // backoff, attempt now; when connected, check the heartbeat deadlines against `now`.
  void wake(Millis now);

  // Offline: no connection attempts (a pending backoff is paused). Online: attempt at once if a
  // connection is wanted and none is open or opening.
  void set_online(Millis now, bool online);

  // ---- Transport events (quote the transport id of the OpenTransport command) and time ----
  void on_transport_open(Millis now, std::uint32_t transport);
  void on_frame(Millis now, std::uint32_t transport, engineio::Frame frame);
  // A text frame cut where its payload starts: `head` is the text before the cut, the payload stays in
  // the host (`payload.ext`, `ext_size`, and `payload.shape` from the host's JSON parser). Returns false,
  // having done nothing, unless `head` is an Engine.IO message carrying a complete EVENT/ACK header
  // (socketio::is_external_header) and the shape is valid for it: the host then passes the whole frame
  // to on_frame instead (so that a bad payload's error quotes it: a payload JSON.parse refused is
  // refused by the core's own check of the text too).
  bool on_frame_external(Millis now, std::uint32_t transport, std::string_view head, const Packet& payload);
  // The fast lane of the wasm hot path (fast_lane.cpp): the common case of the three calls above (root
  // namespace, connected, nothing buffered, no deadline due, a valid Shape) decided without building
  // packets or outputs; anything else answers kGeneral, having changed nothing, and the host uses the
  // general call (on_frame_external, emit_external, ack_external), which decides the same way and
  // reports errors. Codes: kGeneral, kNothing (an ACK nobody waits for), kEvent (value: the ack id the
  // server wants, or -1), kAck (value: the emit id), kSend (send `header` + the payload; value: emit id
  // or -1). `deadline` (taken lanes): never later than next_deadline() after the call, so a host timer
  // armed at the earlier of it and the timer it has fires in time (perhaps early: on_timer then only
  // reports the real deadline). A lane only moves deadlines later (a packet re-arms the liveness check,
  // an ack clears its timeout) except an emit's ackTimeout, which it reports; it does not recompute
  // the rest.
  enum FastCode : int { kGeneral = -1, kNothing = 0, kEvent = 1, kAck = 2, kSend = 4 };
  struct Fast {
    int code = kGeneral;
    double value = -1;
    Millis deadline = core::kNever;
  };
  struct Header {  // "42" / "43" + ack id: the text of a root-namespace frame before its payload
    char text[24];
    std::size_t size = 0;
    std::uint64_t id = 0;  // the ack id in it (emit_fast, ack_fast)
  };
  Fast on_event_fast(Millis now, std::uint32_t transport, std::string_view head, const ExternalArgs& payload);
  Fast emit_fast(Millis now, std::string_view nsp, const ExternalArgs& payload, EmitOptions options, Header& header);
  Fast ack_fast(Millis now, std::string_view nsp, std::uint64_t ack_id, const ExternalArgs& payload, Header& header);
  // ack_fast on "/" for arguments of `size` bytes, whoever holds them (an IM delivery's, written by the
  // core: im::Client::deliver_fast).
  Fast ack_root_fast(Millis now, std::uint64_t ack_id, std::size_t size, Header& header);
  // on_event_fast of an EVENT on "/" whose header the host read itself: `head_size` bytes, "42" then
  // `ack_id` in decimal (if any); the same decision without the text. With `header`, a wanted ack goes
  // at once when ack_root_fast (after on_event_fast) would let it, for arguments of `args_size` bytes:
  // kSend (value: the ack id; header->size that of "43<id>", whose text the caller writes: "43" and the
  // id's digits as the head had them), nothing kept; otherwise kEvent, as on_event_fast.
  // (im::Client::deliver_fast: the delivery and its ack in one lane.)
  Fast event_ack_fast(Millis now, std::uint32_t transport, std::size_t head_size, std::optional<std::uint64_t> ack_id,
                      const ExternalArgs& payload, std::size_t args_size, Header* header);
  // on_event_fast of an ACK on "/" whose head the caller read: `head_size` bytes, "43" then `ack_id` in
  // decimal (im::Client::answer_fast, which finds the call first). As event_ack_fast, kGeneral when
  // the head cannot be that: anything but the id's digits (a space, a sign, leading zeros).
  Fast ack_in_fast(Millis now, std::uint32_t transport, std::size_t head_size, std::uint64_t ack_id,
                   const ExternalArgs& payload);
  // The emit id waiting for the ACK with this id on "/" (sent, not yet answered or timed out), if any.
  std::optional<std::uint64_t> awaiting_ack(std::uint64_t wire_id) const;
  // ack(now, "/", ack_id, args_json, {}) for a small argument text the core wrote itself (an IM
  // delivery's {seq}), in the lane's common case: the frame is output at once, without a Packet or a
  // check of the text. False, having changed nothing, when ack() must decide.
  bool ack_text_fast(Millis now, std::uint64_t ack_id, std::string_view args_json);

  // The oldest host-kept payload the manager still holds (send and receive buffers), 0 when none: the
  // host may forget every handle it gave that is older.
  engineio::ExternalRef oldest_external() const;
  void on_transport_close(Millis now, std::uint32_t transport, int code, std::string reason);
  void on_transport_error(Millis now, std::uint32_t transport, std::string message);
  // Long-polling: the answer to an HttpRequest (quote its transport and request ids), or its failure.
  void on_http_response(Millis now, std::uint32_t transport, std::uint32_t request, int status, std::string body);
  void on_http_error(Millis now, std::uint32_t transport, std::uint32_t request, std::string message);
  void on_timer(Millis now);
  // The earliest deadline of the manager's timers (backoff, ack timeouts) and the session's.
  std::optional<Millis> next_deadline() const;

  std::vector<Output> take_outputs();
  bool has_outputs() const { return !outputs_.empty(); }

  // ---- Introspection ----
  ManagerState state() const { return state_; }
  SocketState socket_state(const std::string& nsp) const;
  // The Engine.IO version of the current (or last) connection attempt, and the one remembered as
  // working in auto mode.
  engineio::Version engine_version() const { return version_; }
  std::optional<engineio::Version> remembered_version() const { return known_version_; }
  std::uint32_t reconnect_attempts() const { return attempts_; }
  // The current transport id (0: none).
  std::uint32_t transport() const { return transport_; }
  // The last server's announced maxPayload (Engine.IO >= 6.2), if any.
  std::optional<std::int64_t> max_payload() const { return handshake_ ? handshake_->max_payload : std::nullopt; }
  // Whether the current (or last) connection attempt uses long-polling.
  bool polling() const { return polling_; }

 private:
  enum class Timer : unsigned char { Reconnect, AckTimeout, Count };
  static constexpr std::size_t kMaxServerAcks = 4096;  // unanswered server ack requests kept per socket
  // Protocol 4: what the server thinks of the root namespace on this connection (it connects "/" by
  // itself right after the open packet).
  enum class Root : unsigned char { Unknown, Connected, Disconnected };
  // The reconnection loop (socket.io-client's reconnect() and its backoff), beside state_: in Backoff,
  // state_ is WaitingReconnect (also with Off: a connection wanted while offline, no loop yet); in
  // Retrying, Opening, or Open until ManagerOpen. n = attempts_: the attempt waited for or in flight (0
  // when Off). Only loop_to() changes loop_ and attempts_ and arms the Reconnect timer.
  //   Off ── the open connection is lost, or an attempt fails (reconnection on) ─▶ Backoff   n + 1, timer
  //   Backoff ── Reconnect timer / wake() / set_online(true) ─▶ Retrying   ReconnectAttempt{n}, attempt n
  //   Retrying ── attempt n fails ─▶ Backoff   ReconnectError (a V3 or polling retry stays in attempt n)
  //   Retrying ── ManagerOpen ─▶ Off   Reconnect{n}
  //   Off | Retrying ── to Backoff, n >= reconnection_attempts ─▶ Off   ReconnectFailed, state_ Idle
  //   any ── close(), no active socket left, reconnection(false) while waiting ─▶ Off
  // (close() leaves nothing active, so no attempt follows it: socket.io-client's skipReconnect is
  // !any_active() here.)
  enum class Loop : unsigned char { Off, Backoff, Retrying };

  struct Outgoing {  // an emit waiting in a send buffer
    std::uint64_t emit_id = 0;
    std::optional<std::uint64_t> wire_id;  // ack id on the wire when an ack is wanted
    std::string args_json;
    std::vector<std::string> attachments;
    engineio::ExternalRef ext = 0;
    std::size_t ext_size = 0;
  };
  struct PendingAck {
    std::uint64_t wire_id = 0;
    std::uint64_t emit_id = 0;
    std::optional<Millis> deadline;
    bool sent = false;  // false while the packet still waits in the send buffer
  };
  struct Queued {  // an emit of the retry queue (EmitOptions::retries > 0)
    std::uint64_t emit_id = 0;
    Packet packet;  // kept whole: every try sends it again
    bool want_ack = false;
    std::optional<Millis> ack_timeout;
    std::uint32_t retries = 0;
    std::uint32_t tries = 0;      // tries sent so far
    std::uint64_t try_id = 0;     // the emit id of the try in flight (0: none)
  };
  struct Socket {
    std::string nsp;
    std::string auth_json;
    std::optional<std::string> pid;  // connection-state recovery: the server's pid of the last CONNECT
    std::string offset;              // and the offset of the last event received ("" = none yet)
    SocketState state = SocketState::Inactive;
    bool connect_sent = false;  // CONNECT sent (or implied, protocol 4 "/") on the current connection
    std::uint64_t next_wire_id = 0;
    std::vector<Outgoing> send_buffer;
    core::Queue<PendingAck> acks;  // in emit order; the oldest is usually answered first: no shift
    std::vector<std::uint64_t> server_acks;   // ack ids the server asked for, not yet answered
    std::vector<SocketEvent> receive_buffer;  // events that arrived before the CONNECT answer
    std::vector<Queued> queue;                // the retry queue, head first (only the head is in flight)
  };

  // All state transitions live in manager.cpp; see the table at its top.
  void advance(Millis now, bool reconnect = true);  // reconnect: false for the app's close inputs
  void use_url();  // engine_base_url_ and engine_query_ from options_
  void drain(Millis now);
  void start_attempt(Millis now, bool fallback = false);
  template <class F>
  void forward(Millis now, std::uint32_t transport, F&& f);
  std::uint32_t session_for(Millis now, std::uint32_t transport);  // forward's part that is not F's
  void on_engine_open(Millis now, const engineio::Handshake& handshake);
  void confirm_open(Millis now);
  void on_engine_message(Millis now, engineio::Frame payload);
  void on_engine_closed(Millis now, const engineio::Closed& closed);
  void on_packet(Millis now, Packet packet);
  core::Result<std::uint64_t> emit_packet(Millis now, Packet p, EmitOptions options);
  core::Result<core::Ok> send_emit(Millis now, Socket& s, std::uint64_t emit_id, Packet p, EmitOptions options);
  void drain_queue(Millis now, const std::string& nsp);
  void drain_queues(Millis now);
  void ack_result(AckResult r);  // every AckResult goes through here (a retry queue's try is settled)
  // A failed ack (`error` its reason) through ack_result, or straight to the outputs when `settle` is false
  // (a retry queue's entry already taken off): one place builds it.
  void ack_failed(const std::string& nsp, std::uint64_t emit_id, std::string_view error, bool settle = true);
  std::string connect_data(const Socket& socket) const;
  core::Result<core::Ok> ack_packet(Millis now, Packet p);
  void on_connect_packet(Millis now, Socket* socket, const Packet& packet);
  void parse_error(Millis now, core::Error error);
  void fall_back(Millis now);
  void loop_to(Loop next, Millis now = 0);  // `now`: when Backoff's delay starts
  void fire_reconnect(Millis now);
  void close_engine(Millis now, std::string_view reason);
  void maybe_close_idle(Millis now);
  void send_connect(Millis now, Socket& socket);
  void socket_connected(Millis now, Socket& socket, std::string sid, std::optional<std::string> pid);
  void end_socket(Socket& socket, SocketState next, std::string_view reason);
  void socket_refused(Socket& socket, std::string data_json, std::string message);
  core::Result<core::Ok> send_packet(Millis now, const Packet& packet);
  void flush_send_buffer(Millis now, Socket& socket);
  void fail_acks(Socket& socket, const char* error, bool include_buffered);
  void rearm_ack_timer();  // fast_lane.cpp, as the three below
  Millis earliest_ack() const;  // of every ack's deadline (kNever: none); the AckTimeout timer is at it or before it
  void note_server_ack(Socket& socket, std::uint64_t id);  // an ack id the server asked for
  Socket* root_socket();    // find("/") without building a string
  void check_ack_timeouts(Millis now);
  Socket* find(const std::string& nsp);
  const Socket* find(const std::string& nsp) const;
  Socket& find_or_add(const std::string& nsp);
  bool any_active() const;
  std::optional<Millis> lane_deadline(Millis now) const;  // fast_lane.cpp
  // on_event_fast and event_ack_fast after reading the head: an EVENT (else an ACK) of `head_size` bytes.
  Fast root_fast(Millis now, std::uint32_t transport, bool event, std::size_t head_size, std::optional<std::uint64_t> id,
                 const ExternalArgs& payload, std::size_t args_size, Header* header);
  bool connected(const Socket& socket) const {
    return socket.state == SocketState::Connected && state_ == ManagerState::Open;
  }
  Millis backoff_delay();
  Protocol protocol() const;

  ManagerOptions options_;
  std::optional<core::Error> fatal_;
  std::string engine_base_url_;
  std::string engine_query_;
  core::Rng rng_;
  core::TimerTable<Timer, static_cast<std::size_t>(Timer::Count)> timers_;
  std::vector<Output> outputs_;

  ManagerState state_ = ManagerState::Idle;
  std::optional<engineio::Session> session_;
  std::optional<engineio::Handshake> handshake_;
  Decoder decoder_;
  const Packet* incoming_external_ = nullptr;  // during on_frame_external: the host-kept payload
  std::uint64_t generation_ = 0;         // bumped whenever the session is replaced or closes
  std::uint32_t next_transport_ = 1;
  std::uint32_t transport_ = 0;          // the Manager's id of the current transport (0 = none)
  std::uint32_t session_transport_ = 0;  // the session's id of the same transport
  std::uint32_t probe_transport_ = 0;    // polling: the upgrade probe WebSocket (Manager's id; 0 = none)
  std::uint32_t probe_session_ = 0;      // and the session's id for it
  engineio::Version version_ = engineio::Version::V4;
  std::optional<engineio::Version> known_version_;
  // Auto mode (options_.protocol 0) while the server's version is not known: the probe of this attempt.
  //   None ── EIO4 open, a namespace connecting ─▶ Confirming ── a protocol 5 CONNECT (or any other
  //   packet) ─▶ None (known_version_ V4, ManagerOpen)
  //   Confirming ── a CONNECT without a sid (a protocol 4 server) ─▶ ClosingForV3 ── the EIO4 session
  //   closed ─▶ V3Retry (a new attempt at once, EIO3, no event)
  //   None | Confirming ── the first EIO4 try fails before it is confirmed ─▶ V3Retry
  //   V3Retry ── that attempt ends ─▶ None; close() ─▶ None
  enum class Probe : unsigned char { None, Confirming, ClosingForV3, V3Retry };
  Probe probe_ = Probe::None;
  bool polling_ = false;           // this attempt uses long-polling
  std::optional<bool> known_polling_;  // the transport of the last connection that opened
  std::optional<core::Error> ws_failure_;  // why this attempt's WebSocket failed (before trying polling)
  bool online_ = true;
  bool open_wanted_ = false;       // open(): the connection is wanted without a namespace
  Loop loop_ = Loop::Off;
  std::uint32_t attempts_ = 0;  // n of the Loop table
  std::optional<std::string> close_reason_;  // the reason to report for a close we initiated
  Root root_ = Root::Unknown;
  std::uint64_t next_emit_id_ = 1;
  std::vector<Socket> sockets_;  // in order of first use
};

}  // namespace echat::socketio
