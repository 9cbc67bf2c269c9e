// Engine.IO packets and frames (protocol 3 and 4): encode and decode, no state.
// INTERFACE CONTRACT (agreed between layers; the implementation may add members but must keep these).
//
// Wire forms over WebSocket (one WebSocket message = one Engine.IO packet, no payload framing):
//   text packet       "<type digit><data>"          e.g. "4hello", "2", "3probe", "0{...}"
//   binary message    EIO3: binary frame 0x04 <bytes>     EIO4: binary frame <bytes>
//   base64 message    EIO3: text "b4<base64>"            EIO4: text "b<base64>"
// Long-polling joins several packets in one HTTP body ("6:4hello", "\x1e"-joined): engineio/payload.h
// frames and splits those; a Frame here is one packet either way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace echat::engineio {

enum class Version : unsigned char { V3 = 3, V4 = 4 };

enum class PacketType : unsigned char { Open = 0, Close = 1, Ping = 2, Pong = 3, Message = 4, Upgrade = 5, Noop = 6 };

// A payload the host keeps (js-shim: the JavaScript string or parsed value; the core never sees its
// bytes). A text frame or packet with `ext` != 0 is `data` (its header) followed on the wire by this
// payload of `ext_size` host units (UTF-16 code units in JavaScript). The core only counts its size and
// passes the handle on; what the host's JSON parser found in it travels separately (socketio::Shape).
using ExternalRef = std::uint32_t;  // 0 = none

// One WebSocket frame: text, or binary (bytes held in a std::string).
struct Frame {
  bool binary = false;
  std::string data;
  ExternalRef ext = 0;        // text only: the host-kept rest of the frame
  std::size_t ext_size = 0;
  std::size_t size() const { return data.size() + ext_size; }
};

struct Packet {
  PacketType type = PacketType::Message;
  bool binary = false;  // a binary message (payload is raw bytes)
  std::string data;     // text payload or raw bytes
  ExternalRef ext = 0;  // text only: the host-kept rest of the payload (see Frame)
  std::size_t ext_size = 0;
};

struct Handshake {
  std::string sid;
  std::vector<std::string> upgrades;
  std::int64_t ping_interval = 25000;
  std::int64_t ping_timeout = 20000;
  std::optional<std::int64_t> max_payload;  // engine.io >= 6.2 only
};

// Packet -> WebSocket frame. Binary messages become a binary frame (EIO3 prefixes 0x04), or with
// `base64` true a text frame "b4<base64>" (EIO3) / "b<base64>" (EIO4).
Frame encode(const Packet& packet, Version version, bool base64 = false);

// WebSocket frame -> packet. Accepts the base64 forms and EIO3's 0x04 prefix (and tolerates it on
// EIO4, as netty-socketio sends it). Errors are Peer errors naming the frame.
//
// Same as decode(frame, version, DecodeOptions{}). Error codes (all ErrorKind::Peer):
//   "eio.empty_frame"        an empty text frame, or an empty binary frame on EIO3;
//   "eio.bad_packet_type"    a first character that is not a digit 0-6 (nor 'b' for base64);
//   "eio.bad_binary_frame"   an EIO3 binary frame whose first byte is not 0x04 (only binary messages exist);
//   "eio.bad_base64"         a "b..." frame whose prefix or base64 body is invalid.
// Every message names the frame (a printable preview cut to about 64 characters) and its size.
core::Result<Packet> decode(const Frame& frame, Version version);

// Knobs for decode(); the defaults are what the contract above describes.
struct DecodeOptions {
  // EIO4 only: drop a leading 0x04 byte from binary frames (netty-socketio writes EIO3's prefix on EIO4
  // too). This is ambiguous: a standard EIO4 server's binary message whose first byte is 0x04 loses that
  // byte. Turn it off when the server is known not to be netty-socketio.
  bool strip_v4_binary_prefix = true;
};
core::Result<Packet> decode(const Frame& frame, Version version, const DecodeOptions& options);

// A printable, bounded description of a frame for error messages: `text "4hel..." (1234 bytes)` or
// `binary 04 01 02... (5 bytes)`. Never longer than about 100 characters; always valid UTF-8.
std::string describe_frame(const Frame& frame);

// The JSON of an open packet -> Handshake. Errors name the missing or mistyped field.
// Rules (error code "eio.bad_open", ErrorKind::Peer, unless said otherwise):
//  - the text must be a JSON object;
//  - "sid": required, a non-empty string;
//  - "upgrades": optional (default empty), an array of strings;
//  - "pingInterval", "pingTimeout": required integers in [1, 2^31-1] ms (a JSON number with an integral
//    value such as 25000.0 is accepted; a string such as "25000" is not);
//  - "maxPayload": optional integer in [1, 2^53];
//  - other members are ignored.
core::Result<Handshake> parse_handshake(std::string_view json);

}  // namespace echat::engineio
