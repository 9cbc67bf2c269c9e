// The IM area's send lane: message/send and a call's answer with the bytes kept by the host, as plain
// exports (no string marshalling; the region: bindings/boundary.h). Thin: no logic.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "bindings/im_session.h"

namespace {

using echat::bindings::ImSession;
using echat::core::Millis;
using echat::im::Client;

// The lane's outputs are in the region; the batch of what follows (Lane::Batch) is written only when
// there is one: a lane that handed everything over leaves the batch, its arena and the outputs (none)
// alone (the general run's take_outputs and checks, per message, where wasm is interpreted).
int with_batch(ImSession& s, Client::Lane lane, int handed) {
  if (lane == Client::Lane::Handed) return handed;
  s.run([](Client&) {});
  return handed + 1;
}

}  // namespace

extern "C" {

// message/send with the form kept by the host (im::Client::send_fast): `ext` the handle of its
// JSON.stringify text of `size` characters; head[0..) its toTarget, way, formUser and clientMsgId
// (to_len, way_len, from_len, cmid_len bytes; flags bit 0: it has a formUser, bit 1: a clientMsgId).
// Returns -1 when the core did not take it (pass the text to echat_ImClient_send), 6 when it did (7: and the
// batch says what follows, echat_ImClient_last), 5 when it refused it for good (over the server's maxPayload:
// head holds the 400's message, i[2] bytes, ASCII; nothing changed). The region: f[0] the deadline (-1 none;
// 7: the batch's), f[1] the call id, f[2] the record's order n, f[3] the clientMsgId's number (0: the form's
// own), f[4] the boot; i[0] bit 0: store the outbox marker too, bit 1: sent at once on transport i[1]
// (f[5] its ack id, f[6] its requestId's number, f[7] its timestamp; head: the JWT's JSON text and ',',
// i[2] bytes, when not 0, for the host to keep), bit 2: add the formUser. The host writes the texts
// (im::Client::lane_fields, lane_cmid, lane_frame_head; the record: client.h send_fast).
EMSCRIPTEN_KEEPALIVE int echat_im_send(int h, double now, int ext, int size, int to_len, int way_len, int from_len,
                                       int cmid_len, int flags) {
  ImSession& s = echat::bindings::g_im_sessions.at(h);
  auto& region = echat::bindings::shared_region();
  if (!s.core() || ext <= 0 || size < 2 || to_len < 0 || way_len < 0 || from_len < 0 || cmid_len < 0 ||
      to_len + way_len + from_len + cmid_len > echat::bindings::kHead) {
    return -1;
  }
  // The facts are read in the region (nothing writes it before send_fast returns; the answer is
  // written over them after).
  const std::string_view all(region.head, static_cast<std::size_t>(to_len + way_len + from_len + cmid_len));
  Client::SendFacts f;
  f.to_target = all.substr(0, static_cast<std::size_t>(to_len));
  f.way = all.substr(static_cast<std::size_t>(to_len), static_cast<std::size_t>(way_len));
  if (flags & 1) f.form_user = all.substr(static_cast<std::size_t>(to_len + way_len), static_cast<std::size_t>(from_len));
  if (flags & 2) f.client_msg_id = all.substr(static_cast<std::size_t>(to_len + way_len + from_len));
  f.size = static_cast<std::size_t>(size);
  f.ext = static_cast<std::uint32_t>(ext);
  f.room = echat::bindings::kHead;
  static Client::Accepted out;  // reused: its error text keeps its capacity
  const Client::Lane lane = s.core()->send_fast(Millis(now), f, out);
  if (lane == Client::Lane::NotTaken) return -1;
  if (lane == Client::Lane::Refused) {
    region.i[2] = static_cast<std::int32_t>(std::min(out.error.size(), static_cast<std::size_t>(echat::bindings::kHead)));
    std::copy(out.error.begin(), out.error.begin() + region.i[2], region.head);
    return 5;
  }
  region.f[0] = out.deadline ? static_cast<double>(*out.deadline) : -1;
  region.f[1] = static_cast<double>(out.id);
  region.f[2] = static_cast<double>(out.n);  // (n, msg_no, boot, and the Sent's: at most Client::kBootMax, exact)
  region.f[3] = static_cast<double>(out.msg_no);
  region.f[4] = static_cast<double>(out.boot);
  region.i[0] = (out.marker ? 1 : 0) | (out.sent ? 2 : 0) | (out.from ? 4 : 0);
  if (out.sent) {
    region.f[5] = static_cast<double>(out.wire.wire_id);
    region.f[6] = static_cast<double>(out.wire.request_no);
    region.f[7] = static_cast<double>(out.wire.ts);
    region.i[1] = static_cast<std::int32_t>(out.transport);
    region.i[2] = static_cast<std::int32_t>(out.wire.jwt.size());
    std::copy(out.wire.jwt.begin(), out.wire.jwt.end(), region.head);
  }
  return with_batch(s, lane, 6);
}

// A call's answer `43<id>[...]` whose arguments the host keeps (`ext`, `size` characters) and read:
// its R has code 0 (im::Client::answer_fast); head_len the length of the frame up to its '[', ack_id the
// <id> the host read there (the core checks it against head_len; NaN: none). Returns -1
// when the core did not take it (pass the frame to echat_ImClient_textFrame), 8 when it did (9: and the
// batch says what follows). The region: f[0] the deadline (-1 none; 9: the batch's), f[1] the call id,
// f[3] its requestId's number (im::Client::request_id); i[0] bit 0: an outbox message (its record goes,
// SendState sent), bit 1: the outbox marker goes too, bit 2: the next message went out (call id f[2],
// on transport i[1]: its frame as echat_im_send's, ack id f[4], requestId's number f[5], timestamp f[6],
// the JWT's text of i[2] bytes when not 0; then the wire text kept under i[7]; SendState sending);
// i[6] the handle to forget (0: none); head: the clientMsgId (i[3] bytes), the next message's clientMsgId
// (i[5]), then the JWT's text. ASCII. Those two are empty when the core made the id: f[7] (f[8] the next
// message's) is then its number, f[9] the boot (im::Client::lane_cmid).
EMSCRIPTEN_KEEPALIVE int echat_im_answer(int h, double now, int tid, int head_len, double ack_id, int ext, int size) {
  ImSession& s = echat::bindings::g_im_sessions.at(h);
  auto& region = echat::bindings::shared_region();
  const auto wire = echat::bindings::host_uint(ack_id);
  if (!s.core() || ext <= 0 || size < 0 || !wire) return -1;
  echat::socketio::ExternalArgs args;
  args.ext = static_cast<echat::engineio::ExternalRef>(ext);
  args.size = static_cast<std::size_t>(size);
  args.shape.root = echat::socketio::JsonKind::Array;
  args.shape.first = echat::socketio::JsonKind::Object;
  static Client::Answered out;
  const Client::Lane lane =
      s.core()->answer_fast(Millis(now), static_cast<unsigned>(tid), static_cast<std::size_t>(head_len), *wire, args,
                            echat::bindings::kHead, out);
  if (lane == Client::Lane::NotTaken) return -1;
  const bool next = out.next_id != 0;
  region.f[0] = out.deadline ? static_cast<double>(*out.deadline) : -1;
  region.f[1] = static_cast<double>(out.id);
  region.f[2] = static_cast<double>(out.next_id);
  region.f[3] = static_cast<double>(out.request_no);
  region.f[7] = static_cast<double>(out.msg_no);  // (at most Client::kBootMax: exact)
  region.f[8] = static_cast<double>(out.next_msg_no);
  region.f[9] = static_cast<double>(out.boot);
  region.i[0] = (out.outbox ? 1 : 0) | (out.marker ? 2 : 0) | (next ? 4 : 0);
  region.i[3] = static_cast<std::int32_t>(out.client_msg_id.size());
  region.i[5] = next ? static_cast<std::int32_t>(out.next_client_msg_id.size()) : 0;
  region.i[6] = static_cast<std::int32_t>(out.released);
  char* p = std::copy(out.client_msg_id.begin(), out.client_msg_id.end(), region.head);
  if (next) {
    region.f[4] = static_cast<double>(out.wire.wire_id);
    region.f[5] = static_cast<double>(out.wire.request_no);
    region.f[6] = static_cast<double>(out.wire.ts);
    region.i[1] = static_cast<std::int32_t>(out.transport);
    region.i[2] = static_cast<std::int32_t>(out.wire.jwt.size());
    region.i[7] = static_cast<std::int32_t>(out.next_ext);
    std::copy(out.wire.jwt.begin(), out.wire.jwt.end(),
              std::copy(out.next_client_msg_id.begin(), out.next_client_msg_id.end(), p));
  }
  return with_batch(s, lane, 8);
}

}  // extern "C"
