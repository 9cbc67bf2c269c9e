// Engine.IO long-polling payloads: several packets in one HTTP body (protocol 3 and 4), no state.
//
//   EIO4  the packets' text forms joined by the record separator '\x1e'; binary messages as "b<base64>".
//         "4hello\x1e2\x1ebAQI="
//   EIO3  each packet as "<length>:<text form>", concatenated; the length counts UTF-16 code units (what
//         a JavaScript string's length is), so "4é" is "2:4é" although é is two UTF-8 bytes; binary
//         messages as "b4<base64>" (the client asks for that form with b64=1 in the URL, so the binary
//         payload encoding never comes). "6:4hello1:2"
// Frames here are the WebSocket text forms of engineio/packet.h (encode(packet, version, base64=true)),
// so decode() of each piece gives the packets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "engineio/packet.h"

namespace echat::engineio {

// The UTF-16 length of UTF-8 text (a 4-byte sequence counts 2; a malformed byte counts 1).
std::size_t utf16_length(std::string_view utf8);

// Text frames -> the pieces of one payload body, in order: piece i is frame i's text with its framing
// (EIO4: a separator before every frame but the first; EIO3: the "<length>:" prefix, counting the
// host-kept rest as ext_size UTF-16 units). A piece keeps its frame's ext: the body is the pieces'
// data, each followed by its host-kept rest.
std::vector<Frame> encode_payload(const std::vector<Frame>& frames, Version version);

// A payload body -> its text frames. Peer errors ("eio.bad_payload", naming the offset and what was
// expected): an empty body, an EIO3 length that is not digits followed by ':', or that runs past the end.
core::Result<std::vector<Frame>> decode_payload(std::string_view body, Version version);

}  // namespace echat::engineio
