// libFuzzer target: Engine.IO frame decoding, long-polling payload decoding and open-packet parsing on
// arbitrary bytes, both versions.
// Input: byte 0 selects the frame kind and options; the rest is the frame.
// Invariants: never crash; errors are Peer errors with a code and a bounded message; whatever decodes
// re-encodes to a frame that decodes to the same packet; base64 round-trips; a payload that decodes
// re-encodes (encode_payload) to a body that decodes to the same frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base64.h"
#include "engineio/packet.h"
#include "engineio/payload.h"

using namespace echat::engineio;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void one(const Frame& frame, Version v, bool strip) {
  DecodeOptions opt;
  opt.strip_v4_binary_prefix = strip;
  auto p = decode(frame, v, opt);
  if (!p) {
    check(p.error().kind == echat::core::ErrorKind::Peer);
    check(!p.error().code.empty());
    check(p.error().message.size() < 400);
    return;
  }
  const Packet& pk = p.value();
  check(static_cast<int>(pk.type) <= 6);
  for (bool b64 : {false, true}) {
    const Frame again = encode(pk, v, b64);
    DecodeOptions keep;  // our own encoding never needs the netty tolerance
    keep.strip_v4_binary_prefix = false;
    auto q = decode(again, v, keep);
    check(q.ok());
    check(q.value().type == pk.type);
    check(q.value().binary == pk.binary);
    check(q.value().data == pk.data);
  }
  if (pk.type == PacketType::Open) {
    auto hs = parse_handshake(pk.data);
    if (hs) {
      check(!hs.value().sid.empty());
      check(hs.value().ping_interval >= 1 && hs.value().ping_interval <= 2147483647);
      check(hs.value().ping_timeout >= 1 && hs.value().ping_timeout <= 2147483647);
      check(!hs.value().max_payload || *hs.value().max_payload >= 1);
    } else {
      check(hs.error().code == "eio.bad_open");
      check(hs.error().message.size() < 400);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const Frame frame{(mode & 1) != 0, bytes};
  for (Version v : {Version::V3, Version::V4}) one(frame, v, (mode & 2) == 0);

  // The bytes as a polling payload body.
  for (Version v : {Version::V3, Version::V4}) {
    auto frames = decode_payload(bytes, v);
    if (!frames) {
      check(frames.error().kind == echat::core::ErrorKind::Peer && frames.error().code == "eio.bad_payload");
      check(frames.error().message.size() < 400);
      continue;
    }
    std::string body;
    for (const Frame& piece : encode_payload(frames.value(), v)) body += piece.data;
    auto again = decode_payload(body, v);
    check(again.ok() && again.value().size() == frames.value().size());
    for (std::size_t i = 0; i < frames.value().size(); ++i) check(again.value()[i].data == frames.value()[i].data);
  }

  // The raw bytes as a handshake JSON and as base64 text.
  auto hs = parse_handshake(bytes);
  if (!hs) check(hs.error().kind == echat::core::ErrorKind::Peer);
  auto b = echat::core::base64_decode(bytes);
  if (b) {
    auto again = echat::core::base64_decode(echat::core::base64_encode(b.value()));
    check(again.ok() && again.value() == b.value());
  }
  auto rt = echat::core::base64_decode(echat::core::base64_encode(bytes));
  check(rt.ok() && rt.value() == bytes);
  check(!describe_frame(frame).empty());
  return 0;
}
