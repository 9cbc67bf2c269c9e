// The IM area's hot path: a delivery, as a plain export (no string marshalling),
// answering through the shared region (bindings/boundary.h): WeChat on iOS interprets wasm, where a
// batch written and parsed again cost most of a delivery (docs/benchmarks.md). Thin: no logic.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "bindings/im_session.h"

namespace {

using echat::bindings::ImSession;
using echat::core::Millis;
using echat::im::Client;

// Writes of the facts' texts, by every handle (Client::Delivery::texts): unchanged, no handle's texts
// changed since (a count per handle would do as well; one is enough: a write then only costs the others
// their memo once).
std::uint64_t g_text_writes = 0;

}  // namespace

extern "C" {

// The hot path of a delivery (no string marshalling; the region: bindings/boundary.h):
// a text frame `42<id>["topic.message", {...}]` whose arguments the host keeps as `ext` (`size`
// characters, JSON.parse'd there); head_len the length of the frame up to its '[', ack_id the <id> the
// host read there (-1 or NaN: none; the core checks it against head_len). Unless flags bit 1 says they
// are the same as the last call's on this handle, head[0..) holds the message object's way, formUser and
// toTarget (way_len, from_len, to_len bytes); seq, mid its positive integers, create_time its createTime
// (-1: none), flags bit 0 its `recalled`.
// Returns -1 when the core did not take it (pass the frame to echat_ImClient_textFrame), 3 when it did and
// the batch says what follows (echat_ImClient_last), 5 when it was handed over at once (im::Client::Handover),
// in the region, in the order the host performs it:
//   f[0] the deadline (-1 none); i[3] != 0: send the ack, "43", the ack id's digits as the frame had
//   them after "42", then [{"seq":<seq>}], on transport i[1]; hand the message over; i[0] & 1: its
//   conversation changed (way and toTarget: the message's way, and its formUser if i[0] & 2, else its
//   toTarget), with unread f[2], readSeq f[3], lastSeq f[4], updateTime f[5] and the message as its
//   last; i[0] & 4: forget the object once handed over; store {"seq":<seq>,"boot":<f[6]>} under the synced key
//   (echat_ImClient_storageKeys: "synced"); then forget the object i[4] (0: none). The record and the
//   ack's arguments are the host's to write (im::Client::put_record, put_ack_args say their text): its
//   number-to-text is native on iOS, where the core's is interpreted.
EMSCRIPTEN_KEEPALIVE int echat_im_message(int h, double now, int tid, int head_len, double ack_id, int ext, int size,
                                          double seq, double mid, double create_time, int flags, int way_len,
                                          int from_len, int to_len) {
  ImSession& s = echat::bindings::g_im_sessions.at(h);
  auto& region = echat::bindings::shared_region();
  echat::im::MessageFacts& f = s.facts;
  if (!(flags & 2)) {
    if (way_len < 0 || from_len < 0 || to_len < 0 || way_len + from_len + to_len > echat::bindings::kHead) return -1;
    const char* p = region.head;
    f.way.assign(p, static_cast<std::size_t>(way_len));
    f.form_user.assign(p + way_len, static_cast<std::size_t>(from_len));
    f.to_target.assign(p + way_len + from_len, static_cast<std::size_t>(to_len));
    ++g_text_writes;
  }
  Client::Delivery d;
  d.head_size = static_cast<std::size_t>(head_len);
  d.ack_id = echat::bindings::host_uint(ack_id);
  if (!s.core() || ext <= 0 || size < 0 || (!d.ack_id && ack_id >= 0)) return -1;  // (NaN, -1: no ack id)
  d.seq = static_cast<std::uint64_t>(seq);
  d.mid = static_cast<std::uint64_t>(mid);
  f.create_time.reset();
  if (create_time >= 0) f.create_time = static_cast<std::uint64_t>(create_time);
  f.recalled = flags & 1;
  d.facts = &f;
  d.texts = g_text_writes;  // 0 until the first write
  echat::socketio::ExternalArgs args;
  args.ext = static_cast<echat::engineio::ExternalRef>(ext);
  args.size = static_cast<std::size_t>(size);
  args.shape.root = echat::socketio::JsonKind::Array;
  args.shape.first = echat::socketio::JsonKind::String;
  static Client::Handover out;
  // Handed: the lane output nothing (Client::deliver_fast), so the session's run, which would only take
  // empty outputs, is skipped (its take, the call through its pointer: interpreted wasm on iOS).
  const Client::Lane lane = s.core()->deliver_fast(Millis(now), static_cast<unsigned>(tid), d, args, out);
  if (lane == Client::Lane::NotTaken) return -1;
  if (lane != Client::Lane::Handed) return s.run_fast([](Client&) {}, [](auto&, const Client&) { return -1; });
  region.f[0] = out.deadline ? static_cast<double>(*out.deadline) : -1;
  std::int32_t bits = out.dropped ? 4 : 0;
  if (const echat::im::Conversation* c = out.conversation) {
    bits |= out.target_is_sender ? 3 : 1;
    region.f[2] = static_cast<double>(c->unread);
    region.f[3] = static_cast<double>(c->read_seq);
    region.f[4] = static_cast<double>(c->last_seq);
    region.f[5] = static_cast<double>(c->update_time);
  }
  region.f[6] = static_cast<double>(out.boot);  // <= Client::kBootMax: exact
  region.i[0] = bits;
  region.i[1] = static_cast<std::int32_t>(out.transport);
  region.i[3] = out.ack ? 1 : 0;
  region.i[4] = static_cast<std::int32_t>(out.released);
  return 5;
}

}  // extern "C"
