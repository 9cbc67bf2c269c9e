// libFuzzer target: the Socket.IO Decoder on an arbitrary sequence of Engine.IO messages.
//
// Byte 0: options (bit 0 protocol 4/5, bits 1-3 max_attachments 0..7, bit 4 a 256-byte packet limit).
// Then messages: one byte `op` (bit 0: binary) followed by a length byte and that many bytes.
//
// Invariants:
//  - no crash, no sanitizer report, errors are Peer errors with printable messages;
//  - after an error the decoder awaits nothing; a packet awaits attachments only after a BINARY_* header;
//  - every packet it returns passes check_incoming, and re-encoding it (text frame + attachments)
//    through a fresh decoder gives the same packet back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_input.h"
#include "socketio/packet.h"

using namespace echat::socketio;

namespace {

using echat::fuzz::check;
using echat::fuzz::Reader;

bool same(const Packet& a, const Packet& b) {
  return a.type == b.type && a.nsp == b.nsp && a.query == b.query && a.id == b.id && a.data == b.data &&
         a.attachments == b.attachments;
}

void round_trip(const Packet& p, const DecoderOptions& options) {
  Decoder d(options);
  auto r = d.feed_text(encode_text(p));
  check(r.ok());
  for (const auto& a : p.attachments) {
    check(!r.value());
    r = d.feed_binary(a);
    check(r.ok());
  }
  check(r.value().has_value());
  check(same(*r.value(), p));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  const std::uint8_t o = in.byte();
  DecoderOptions options;
  options.protocol = (o & 1) ? Protocol::V4 : Protocol::V5;
  options.max_attachments = (o >> 1) & 7;
  if (o & 16) options.max_packet_bytes = 256;
  Decoder d(options);
  while (!in.empty()) {
    const std::uint8_t op = in.byte();
    const bool binary = op & 1;
    std::string frame = in.bytes();
    const bool was_waiting = d.awaiting_attachments();
    auto r = binary ? d.feed_binary(frame) : d.feed_text(frame);
    if (!r) {
      check(r.error().kind == echat::core::ErrorKind::Peer);
      check(!r.error().code.empty());
      for (char c : r.error().message) check(c >= 0x20 && c < 0x7f);
      check(!d.awaiting_attachments());
      continue;
    }
    if (!r.value()) {
      check(d.awaiting_attachments());
      check(binary == was_waiting);
      continue;
    }
    check(!d.awaiting_attachments());
    const Packet& p = *r.value();
    check(check_incoming(p, options.protocol).ok());
    check(p.attachments.size() <= options.max_attachments);
    round_trip(p, options);
  }
  return 0;
}
