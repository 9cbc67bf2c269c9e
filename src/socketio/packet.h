// Socket.IO packets, protocol 4 (Engine.IO 3, socket.io 1.x/2.x) and 5 (Engine.IO 4, socket.io 3+):
// encode and decode, no connection state. The wire format (inside an Engine.IO message):
//
//   <type>[<attachments>-][<nsp>,][<ackId>][<JSON>]     then <attachments> binary frames
//
//   type         0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, 5 BINARY_EVENT, 6 BINARY_ACK
//   attachments  decimal, only on types 5 and 6
//   nsp          omitted for "/"; starts with '/', ends at ',' (or at the end of the frame); under
//                protocol 4 a CONNECT may carry a query in it: "/admin?token=x"
//   ackId        decimal digits, only on EVENT/ACK/BINARY_*
//   JSON         the payload; binary arguments are replaced by {"_placeholder":true,"num":N}
//
// Payload JSON is kept as the original TEXT: it is validated (one pass of a small scanner, no tree;
// what JSON.parse accepts, with UTF-8 checked) and handed on unchanged, never re-serialised. Binary attachments are byte strings.
//
// Host-kept payloads (the fast path of the wasm build): the payload of an EVENT or ACK may instead stay
// in the host (Packet::ext, a handle; the text `data` is then empty, except in an outgoing EVENT whose
// arguments start with text the core wrote: `data` then precedes the host-kept rest on the wire, and the
// Shape describes the whole). The core reads only the header
// and decides on the Shape the host's own JSON parser (JSON.parse) reported: "accept what JSON.parse
// accepts". The validity rules below are the same, applied to the Shape.
//
// Validity of what a peer sends (Peer errors name the frame): CONNECT payload absent or an object;
// DISCONNECT payload absent (any JSON tolerated: python-socketio sends `41{...}`); CONNECT_ERROR a string
// or an object (absent tolerated); EVENT/BINARY_EVENT an array whose first element is a number or a
// string that is not reserved; ACK/BINARY_ACK an array, with an ack id; every placeholder's num is an
// integer in [0, attachments) and every attachment is referenced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "engineio/packet.h"

namespace echat::socketio {

enum class PacketType : unsigned char {
  Connect = 0,
  Disconnect = 1,
  Event = 2,
  Ack = 3,
  ConnectError = 4,
  BinaryEvent = 5,
  BinaryAck = 6,
};

// Socket.IO protocol revision: 4 rides on Engine.IO 3, 5 on Engine.IO 4.
enum class Protocol : unsigned char { V4 = 4, V5 = 5 };

const char* to_string(PacketType type);

// What a JSON parser found in a payload: the facts the validity rules need. Computed by scanning the
// text (payloads the core holds) or reported by the host for a payload it keeps.
enum class JsonKind : unsigned char { None, Invalid, Null, Bool, Number, String, Array, Object };
struct Shape {
  JsonKind root = JsonKind::None;   // Invalid: the parser refused the text
  JsonKind first = JsonKind::None;  // a root array's first element (None when the array is empty)
  bool first_reserved = false;      // ...a string that is_reserved_event() names
};

// An EVENT's arguments as the rules accept them: an array whose first element names the event, a
// string that is not reserved, or a number (socket.io accepts numeric event names).
inline bool is_event_shape(const Shape& s) {
  return s.root == JsonKind::Array && (s.first == JsonKind::Number || (s.first == JsonKind::String && !s.first_reserved));
}

// A host-kept payload as the wasm hot path passes it (a Packet's ext, ext_size and shape, nothing else).
struct ExternalArgs {
  engineio::ExternalRef ext = 0;
  std::size_t size = 0;
  Shape shape;
};

struct Packet {
  PacketType type = PacketType::Event;
  std::string nsp = "/";                 // namespace without its query
  std::string query;                     // protocol 4 CONNECT only: "token=x" (without '?'), raw
  std::optional<std::uint64_t> id;       // ack id
  std::string data;                      // payload JSON text; "" = no payload
  std::vector<std::string> attachments;  // BINARY_*: the binary attachments, in order
  engineio::ExternalRef ext = 0;         // != 0: the payload is host-kept (after `data`, see above)
  std::size_t ext_size = 0;              // its size in host units
  Shape shape;                           // with ext: what the host's parser found in it
};

// The reserved names, comma-separated, for a host that reports Shape::first_reserved.
const char* reserved_event_names();

// The Shape of a payload text as the core's own check reads it: what a host's JSON.parse reports for a
// payload it keeps (native tests and fuzz targets stand in for the host with it). False when the text is
// not JSON.
bool shape_of_text(std::string_view text, Shape& out);

// Whether `header` (a Socket.IO text packet cut where a host-kept payload starts) is a complete EVENT or
// ACK header: type, optional "/nsp," and ack id, nothing else. Other packet types, and cuts that land
// inside the namespace, need the whole frame.
bool is_external_header(std::string_view header);

// The names socket.io reserves; an EVENT may not carry them (either direction).
bool is_reserved_event(std::string_view name);

// ---- Encoding ----

// The text frame of a packet: header and payload. For BINARY_* the attachment count is
// packet.attachments.size(); the attachments themselves are sent as binary frames after it, in order.
// Does not validate (see check_outgoing).
std::string encode_text(const Packet& packet);

// Checks a packet the application wants to send: namespace syntax, payload JSON per type (EVENT names
// not reserved), placeholders matching packet.attachments, BINARY_* iff attachments. Caller errors name
// the field ("nsp", "args", "attachments", "auth").
core::Result<core::Ok> check_outgoing(const Packet& packet);

// ---- Decoding ----

struct DecoderOptions {
  Protocol protocol = Protocol::V5;
  std::uint32_t max_attachments = 64;      // larger counts are a Peer error ("sio.too_many_attachments")
  std::size_t max_packet_bytes = 16u << 20; // text plus attachments of one packet
};

// Parses one text frame into a packet. BINARY_* packets come back with `attachments` empty and the
// announced count in *attachment_count (0 for other types). Validates the header and, for non-binary
// types, the payload (binary payloads are validated once their attachments are known).
// With `ext`, `frame` is only the header and the payload is host-kept (ext->ext/ext_size/shape are used).
core::Result<Packet> decode_text(std::string_view frame, const DecoderOptions& options,
                                 std::uint32_t* attachment_count = nullptr, const Packet* ext = nullptr);

// Validates a complete packet's payload for its type (placeholders against attachments included).
core::Result<core::Ok> check_incoming(const Packet& packet, Protocol protocol);

// Reassembles packets from the stream of Engine.IO messages: a text frame, then for BINARY_* exactly
// <attachments> binary frames. After an error the decoder is reset (a fresh packet is expected next);
// the caller normally drops the connection ("parse error").
class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {}) : options_(options) {}

  // Feed one message. Returns a complete packet, std::nullopt while attachments are still awaited, or
  // a Peer error naming the frame.
  core::Result<std::optional<Packet>> feed_text(std::string_view frame);
  // A header whose payload the host keeps (ref, size and shape taken from `ext`; EVENT/ACK only).
  core::Result<std::optional<Packet>> feed_external(std::string_view header, const Packet& ext);
  core::Result<std::optional<Packet>> feed_binary(std::string bytes);

  bool awaiting_attachments() const { return pending_.has_value(); }
  void reset() { pending_.reset(); pending_bytes_ = 0; }
  const DecoderOptions& options() const { return options_; }
  void set_options(DecoderOptions options) { options_ = options; reset(); }

 private:
  core::Result<std::optional<Packet>> feed(std::string_view frame, const Packet* ext);

  DecoderOptions options_;
  std::optional<Packet> pending_;
  std::uint32_t expected_ = 0;
  std::size_t pending_bytes_ = 0;
};

}  // namespace echat::socketio
