// im::Client's send lane (client.h, send_fast and answer_fast): message/send and a call's answer with
// the bytes kept by the host. The core decides exactly as send_message() and on_ack() do (validation,
// clientMsgId, the outbox and its bounds, the send window, the Manager's ack bookkeeping); the form and
// the answer's data never enter wasm memory: the host keeps the form's JSON.stringify text and writes
// the record and the frame from the few ASCII texts the core gives (the envelope, the record's head, the
// fields it adds). Whenever the general path could decide otherwise, or would name an error, the lane
// is not taken and nothing changes.
//
// Why: WeChat on iOS interprets wasm, and there parsing the form into a tree, dumping it four times
// (size, record, call, envelope) and reading the outputs back as a batch cost ~3 ms per message
// (docs/benchmarks.md). Tested by taking both lanes as the shim does: the session
// harness's `lanes` mode (tests/native/im/fake_echat.h, with the outbox, reliability and random-session
// tests) and fuzz_im_client.
#include <algorithm>
#include <cstring>
#include <string>

#include "im/client.h"

namespace echat::im {

namespace {

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool root_ack_head(std::string_view head, std::uint64_t& id) {
  if (head.size() < 3 || head.size() > 21 || head[0] != '4' || head[1] != '3') return false;
  std::uint64_t v = 0;
  for (std::size_t i = 2; i < head.size(); ++i) {
    if (head[i] < '0' || head[i] > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(head[i] - '0');
  }
  id = v;
  return true;
}

}  // namespace

// The next clientMsgId the core makes, <prefix>-<boot>-m-<n> (n: next_msg_no_, not counted here), at
// `at` (at most kCmidMax bytes); its size. (send_message's too.)
std::size_t Client::put_cmid(char* at) {
  if (cmid_stem_.empty() || cmid_stem_boot_ != boot_) {  // made once per boot
    cmid_stem_ = prefix_;
    cmid_stem_ += '-';
    core::append_uint(cmid_stem_, boot_);
    cmid_stem_.append("-m-", 3);
    cmid_stem_boot_ = boot_;
  }
  std::memcpy(at, cmid_stem_.data(), cmid_stem_.size());
  return cmid_stem_.size() + core::format_uint(at + cmid_stem_.size(), next_msg_no_);
}

Client::Lane Client::send_fast(Millis now, const SendFacts& f, Accepted& out) {
  // The general path's checks (send_message), in its order; any refusal but maxPayload's is its to name.
  if (life_.ended() || f.ext == 0 || !outputs_.empty() || !config_.outbox_per_message ||
      config_.api_transport != Transport::Socket) {
    return Lane::NotTaken;
  }
  // Over the server's maxPayload: send_message() refuses it first of all (`size` host units: never more
  // than its UTF-8 bytes, so this refuses nothing send_message() would take).
  const auto max_payload = manager_.max_payload();
  if (max_payload && f.size > static_cast<std::uint64_t>(*max_payload)) {
    out.error = "invalid argument 'body': the message (at least ";
    core::append_uint(out.error, f.size);
    out.error += " bytes) exceeds the server's maxPayload of ";
    core::append_uint(out.error, static_cast<std::uint64_t>(*max_payload));
    out.error += " bytes";
    return Lane::Refused;
  }
  if (f.to_target.empty() || (f.way != "P2P" && f.way != "P2R")) return Lane::NotTaken;
  if (f.form_user && *f.form_user != config_.auid) return Lane::NotTaken;
  // The fields, in fields_text: `,"formUser":<the user>` unless the form has one, then the clientMsgId
  // the core makes, `,"clientMsgId":"<id>"` (hex and digits: no scan, no escapes). The host's room carries
  // ASCII only (a non-ASCII user id or clientMsgId takes the general path).
  char* const ft = out.fields_text;
  std::size_t fn = 0;
  if (!f.form_user) {
    if (lane_from_.empty()) {  // made once: the user is the session's
      if (!ascii(config_.auid)) return Lane::NotTaken;
      lane_from_.assign(",\"formUser\":", 12);
      core::append_json_string(lane_from_, config_.auid);
    }
    if (lane_from_.size() + 17 + kCmidMax > sizeof out.fields_text) return Lane::NotTaken;
    std::memcpy(ft, lane_from_.data(), lane_from_.size());
    fn = lane_from_.size();
  }
  if (f.client_msg_id) {
    const std::string_view c = *f.client_msg_id;
    if (c.empty() || c.size() > 128 || !ascii(c)) return Lane::NotTaken;
    for (const auto& e : outbox_.entries()) {
      if (e.client_msg_id == c) return Lane::NotTaken;
    }
    out.own_client_msg_id.assign(c.data(), c.size());  // (c is in the host's room, which the answer fills)
    out.client_msg_id = out.own_client_msg_id;
  } else {
    std::memcpy(ft + fn, ",\"clientMsgId\":\"", 16);
    const std::size_t n = put_cmid(ft + fn + 16);
    out.client_msg_id = std::string_view(ft + fn + 16, n);
    ft[fn + 16 + n] = '"';
    fn += 16 + n + 1;
  }
  out.fields = std::string_view(ft, fn);
  // The room must hold the fields, the record's head (at most 37 bytes besides the clientMsgId, escaped:
  // at most 6 bytes per character) and the clientMsgId.
  if (out.fields.size() + 7 * out.client_msg_id.size() + 37 > f.room) return Lane::NotTaken;
  const std::size_t wire_size = f.size + out.fields.size();  // F minus '{', plus ']'
  OutboxEntry* const made = outbox_.add_new(wire_size + out.client_msg_id.size() + 16);
  if (!made) return Lane::NotTaken;  // full: send_message() says so
  OutboxEntry& stored = *made;
  stored.client_msg_id.assign(out.client_msg_id.data(), out.client_msg_id.size());
  stored.ext = f.ext;
  stored.ext_size = wire_size;
  if (!f.client_msg_id) ++next_msg_no_;
  // The record's head, {"n":<n>,"c":<clientMsgId>,"f": (the core's own id, hex, digits and '-', needs no
  // escapes: written in record_head_text whole).
  const std::string_view id = out.client_msg_id;
  char* const h = out.record_head_text;
  std::memcpy(h, "{\"n\":", 5);
  std::size_t n = 5 + core::format_uint(h + 5, stored.n);
  std::memcpy(h + n, ",\"c\":\"", 6);
  if (!f.client_msg_id && id.size() + 37 <= sizeof out.record_head_text) {  // (always: it is at most kCmidMax)
    std::memcpy(h + n + 6, id.data(), id.size());
    n += 6 + id.size();
    std::memcpy(h + n, "\",\"f\":", 6);
    out.record_head = std::string_view(h, n + 6);
  } else {
    out.long_record_head.assign(h, n + 5);
    core::append_json_string(out.long_record_head, id);
    out.long_record_head.append(",\"f\":", 5);
    out.record_head = out.long_record_head;
  }
  out.marker = outbox_.size() == 1;
  Call& c = push_outbox_call(now, stored);
  out.id = c.id;
  out.sent = false;
  out.wire.frame.clear();

  // Sent at once when the general path would send this call and nothing else.
  Millis due = core::kNever;
  Millis own = core::kNever;  // own_deadline(), when next_lane_send found the call: sending it moves none
  const std::size_t texts = out.fields.size() + out.record_head.size() + out.client_msg_id.size();
  if (next_lane_send(now, own) == &c && send_now(now, c, f.room - texts, out.wire, due)) {
    out.sent = true;
    out.transport = manager_.transport();
    due = std::min(due, own);
    out.deadline = due == core::kNever ? std::nullopt : std::optional<Millis>(due);
    return Lane::Handed;
  }
  // As send_message(): the general path sends what can go. Unless sendWindow messages are out (flush()'s
  // window is that or 1), every call queued is an outbox message and none has a retry's wait that is
  // over: then flush() passes the first queued one by as blocked and stops, and with no Manager output
  // to hand on settle() changes nothing (a burst's every send past the window).
  if (calls_.outbox_out() < config_.send_window || calls_.queued_other() > 0 || calls_.earliest() <= now ||
      manager_.has_outputs()) {
    settle(now);
    if (!outputs_.empty()) return Lane::Batch;
  }
  out.deadline = next_deadline();
  return Lane::Handed;
}

Client::Lane Client::answer_fast(Millis now, std::uint32_t transport, std::string_view head,
                                 const socketio::ExternalArgs& payload, std::size_t room, Answered& out) {
  std::uint64_t wire = 0;
  if (life_.ended() || !outputs_.empty() || !root_ack_head(head, wire)) return Lane::NotTaken;
  const auto emit_id = manager_.awaiting_ack(wire);
  if (!emit_id || login_.asking(*emit_id)) return Lane::NotTaken;
  Call* found = calls_.find_wire(Transport::Socket, *emit_id);
  if (!found) return Lane::NotTaken;
  if (found->kind != Call::Kind::App && found->kind != Call::Kind::Outbox) return Lane::NotTaken;
  if (found->kind == Call::Kind::Outbox && !config_.outbox_per_message) return Lane::NotTaken;
  // The requestId is the core's own ASCII (put_request_id); so is the clientMsgId of a message the lane
  // took (send_fast): only another's is scanned.
  char* const rid = out.request_id_text;  // (out says something only when the lane is taken)
  const std::size_t rid_size = put_request_id(rid, found->request_no);
  if ((found->ext == 0 && !ascii(found->client_msg_id)) || rid_size + found->client_msg_id.size() > room) {
    return Lane::NotTaken;
  }
  const socketio::Manager::Fast lane = manager_.on_event_fast(now, transport, head, payload);
  if (lane.code != socketio::Manager::kAck || static_cast<std::uint64_t>(lane.value) != *emit_id) {
    // kGeneral: nothing changed. (kNothing cannot be: the ack was awaited a moment ago.)
    return Lane::NotTaken;
  }
  // The call is finished: its clientMsgId moves into `out` (a swap: no copy), then it goes.
  const Call& c = *found;
  out.id = c.id;
  out.request_id = std::string_view(rid, rid_size);
  out.client_msg_id.swap(found->client_msg_id);
  out.outbox = c.kind == Call::Kind::Outbox;
  out.marker = false;
  out.released = 0;
  if (out.outbox) {
    outbox_.remove(c.id);
    out.marker = outbox_.empty();
    out.released = c.ext;
  }
  calls_.erase(c.id);
  Millis due = lane.deadline;
  Millis own = core::kNever;  // own_deadline() when the next message went: next_lane_send's (sending it moves none)
  out.next_id = 0;
  out.wire.frame.clear();
  if (calls_.queued() > 0) {
    // The place this answer freed in the send window: the next message goes at once when it is the one
    // call the general path would send; else the general path sends what can go.
    Call* next = next_lane_send(now, own);
    const std::size_t used = out.request_id.size() + out.client_msg_id.size() + (next ? next->client_msg_id.size() : 0);
    Millis sent = core::kNever;
    // (next_lane_send gives only a message the lane took: its clientMsgId is ASCII.)
    if (next && used < room && send_now(now, *next, room - used, out.wire, sent)) {
      out.next_id = next->id;
      out.next_client_msg_id = next->client_msg_id;
      out.next_ext = next->ext;
      out.transport = manager_.transport();
      due = std::min(due, sent);
    } else {
      settle(now);
      if (!outputs_.empty()) return Lane::Batch;
    }
  }
  due = std::min(due, out.next_id != 0 ? own : own_deadline());
  out.deadline = due == core::kNever ? std::nullopt : std::optional<Millis>(due);
  return Lane::Handed;
}

// flush()'s decision when it would send exactly one call and that call is a host-kept outbox message:
// that call; nullptr when flush must decide. As flush: calls in their order, an outbox message only when
// every earlier one is on the wire, at most sendWindow of them; and nothing due (own_deadline: a retry's
// wait that is over is flush's to clear). `own`: own_deadline(), when a call is returned.
Call* Client::next_lane_send(Millis now, Millis& own) {
  // The counts first: in a burst, every send past the window asks here and the window is full (no
  // deadline computed, no walk).
  const std::size_t out = calls_.outbox_out();
  const std::size_t queued = calls_.queued();
  if (out + 1 != config_.send_window && !(queued == 1 && out < config_.send_window)) return nullptr;
  // (An app call or a sync queued: flush decides.)
  if (!login_.in() || !login_.has_jwt() || now < careful_until_ || queued == 0 || calls_.queued_other() > 0) return nullptr;
  own = own_deadline();
  if (own <= now) return nullptr;
  for (auto& c : calls_) {  // the calls on the wire come first, as a rule: a short walk
    if (c.phase == Call::Phase::Queued) {
      return c.ext == 0 || c.transport != Transport::Socket || c.not_before != 0 || c.renew_first ? nullptr : &c;
    }
  }
  return nullptr;
}

// Sends `c` (a host-kept outbox message) through the Manager's emit lane, as dispatch() would through
// emit_external; the frame's text before the host's wire text is `wire`'s (Sent: the header, then the
// envelope, ASCII, at most `room` bytes in all; the host puts them together: no move of the envelope to
// put the header first), the JWT's text left to the host when it keeps this one (host_jwt_), `due` the
// Manager's deadline. False, having changed nothing (`wire.frame` empty), when the lane cannot.
bool Client::send_now(Millis now, Call& c, std::size_t room, Sent& wire, Millis& due) {
  std::string& frame = wire.frame;
  socketio::Manager::Header& h = wire.header;
  frame.clear();
  if (!login_.jwt_ascii()) return false;
  // (The lane sends only with a JWT: its generation is 1 or more, never the host's 0.)
  const std::size_t jwt_size = login_.jwt_json().size();
  wire.jwt_size = host_jwt_ == login_.jwt_gen() ? 0 : jwt_size;
  append_envelope(frame, c, now, wire.jwt_size != 0);
  socketio::ExternalArgs args;
  args.ext = c.ext;
  args.size = frame.size() + jwt_size - wire.jwt_size + c.ext_size;  // the arguments as sent
  args.shape.root = socketio::JsonKind::Array;
  args.shape.first = socketio::JsonKind::String;
  socketio::Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = attempt_timeout(c, now);
  const socketio::Manager::Fast lane = frame.size() + sizeof h.text > room ? socketio::Manager::Fast{}
                                                                              : manager_.emit_fast(now, "/", args, o, h);
  if (lane.code != socketio::Manager::kSend) {
    frame.clear();
    return false;
  }
  ++c.attempts;
  calls_.sent(c, static_cast<std::uint64_t>(lane.value));
  host_jwt_ = login_.jwt_gen();  // the host keeps the text the frame carries (or kept it)
  due = lane.deadline;
  return true;
}

}  // namespace echat::im
