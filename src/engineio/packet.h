// Engine.IO packets and frames (protocol 3 and 4): encode and decode, no state.
// INTERFACE CONTRACT (agreed between layers; the implementation may add members but must keep these).
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

// One WebSocket frame: text, or binary (bytes held in a std::string).
struct Frame {
  bool binary = false;
  std::string data;
};

struct Packet {
  PacketType type = PacketType::Message;
  bool binary = false;  // a binary message (payload is raw bytes)
  std::string data;     // text payload or raw bytes
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
core::Result<Packet> decode(const Frame& frame, Version version);

// The JSON of an open packet -> Handshake. Errors name the missing or mistyped field.
core::Result<Handshake> parse_handshake(std::string_view json);

}  // namespace echat::engineio
