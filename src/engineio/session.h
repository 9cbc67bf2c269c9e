// Engine.IO client session over one WebSocket transport (Engine.IO protocol 3 and 4), sans-I/O.
//
// INTERFACE CONTRACT (agreed between layers; the implementation may add members but must keep these):
// The host (ultimately the JS shim) owns the real WebSocket and the single real timer. It feeds inputs
// (each with `now`, ms on the host clock) and drains outputs with take_outputs(). Transport commands
// carry a transport id; inputs for a transport id that is no longer current are ignored, so a late event
// from an old socket can never disturb a new connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
  std::string base_url;
  // Extra query, already URL-encoded, without a leading '&' or '?': "token=abc&x=1" (may be empty).
  std::string query;
  // Largest incoming frame accepted (bytes); a larger frame is a peer error ("eio.frame_too_large").
  std::size_t max_incoming_bytes = 16u * 1024u * 1024u;
  // Time allowed from open() until the Engine.IO open packet arrives (socket.io-client's `timeout`).
  Millis connect_timeout = 20000;
};

enum class State : unsigned char { Idle, Opening, Open, Closed };

// Outputs, in the order they happened.
struct OpenTransport { std::uint32_t transport; std::string url; };
struct SendFrame { std::uint32_t transport; Frame frame; };
struct CloseTransport { std::uint32_t transport; int code; std::string reason; };
struct Opened { Handshake handshake; };                 // the open packet was received
struct Message { Frame payload; };                       // an Engine.IO message (text, or binary bytes)
// The session ended. `reason` uses socket.io-client's words: "transport close", "transport error",
// "ping timeout", "parse error", "forced close", "connect timeout". `error` says exactly what happened
// (which frame, which field) when there is more to say. `before_open` is true when no open packet was
// ever received (what a protocol fallback looks at).
struct Closed { std::string reason; std::optional<core::Error> error; bool before_open = false; };

using Output = std::variant<OpenTransport, SendFrame, CloseTransport, Opened, Message, Closed>;

class Session {
 public:
  explicit Session(SessionOptions options);

  // Application calls.
  void open(Millis now);                                   // -> OpenTransport
  core::Result<core::Ok> send(Millis now, Frame message);  // an Engine.IO message (type 4)
  void close(Millis now);                                  // -> CloseTransport, Closed{"forced close"}

  // Transport events (ignored unless `transport` is the current one).
  void on_transport_open(Millis now, std::uint32_t transport);
  void on_frame(Millis now, std::uint32_t transport, Frame frame);
  void on_transport_close(Millis now, std::uint32_t transport, int code, std::string reason);
  void on_transport_error(Millis now, std::uint32_t transport, std::string message);

  // Time. on_timer may be called at any time (early, late, or after a long suspension): it acts on
  // every deadline that has passed by `now`, and checks elapsed wall time, not only armed timers.
  void on_timer(Millis now);
  std::optional<Millis> next_deadline() const;

  std::vector<Output> take_outputs();
  State state() const;
  const std::optional<Handshake>& handshake() const;
};

}  // namespace echat::engineio
