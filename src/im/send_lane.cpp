// im::Client's send lane (client.h, send_fast and answer_fast): message/send and a call's answer with
// the bytes kept by the host. The core decides exactly as send_message() and on_ack() do (validation,
// clientMsgId, the outbox and its bounds, the send window, the Manager's ack bookkeeping); the form and
// the answer's data never enter wasm memory, and the core writes none of the texts the host puts around
// them: it gives the numbers (the record's order, the clientMsgId's, the frame's ack id, requestId and
// timestamp) and the host writes the record and the frame from them (lane_fields, lane_cmid,
// lane_frame_head say the texts). Whenever the general path could decide otherwise, or would name an
// error, the lane is not taken and nothing changes.
//
// Why: WeChat on iOS interprets wasm, and there parsing the form into a tree, dumping it four times
// (size, record, call, envelope) and reading the outputs back as a batch cost ~3 ms per message; later,
// the texts the lane wrote and the host read back a character at a time were a sixth of a burst's time
// (docs/benchmarks.md). Tested by taking both lanes as the shim does: the session harness's `lanes` mode
// (tests/native/im/fake_echat.h, with the outbox, reliability and random-session tests) and fuzz_im_client.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "im/client.h"

namespace echat::im {

namespace {

// A text the host writes between JSON quotes as it is, the bytes the general path's escaping writes:
// printable ASCII without '"' and '\\'.
bool plain(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

}  // namespace

const std::string& Client::cmid_stem() const {
  if (cmid_stem_.empty() || cmid_stem_boot_ != boot_) {  // made once per boot
    cmid_stem_ = prefix_;
    cmid_stem_ += '-';
    core::append_uint(cmid_stem_, boot_);
    cmid_stem_.append("-m-", 3);
    cmid_stem_boot_ = boot_;
  }
  return cmid_stem_;
}

// An entry made by the lane keeps its number, not its text: compared as a number when `cmid` has this
// boot's stem (an app may pass an id it was given back).
bool Client::waiting(std::string_view cmid) const {
  const std::string& stem = cmid_stem();
  std::uint64_t no = 0;  // (no entry's: they start at 1)
  if (cmid.size() > stem.size() && cmid[stem.size()] != '0' && std::string_view(cmid.data(), stem.size()) == stem) {
    core::read_uint(cmid, stem.size(), no);  // (0 still when not only digits)
  }
  for (const auto& e : outbox_.entries()) {
    if (e.msg_no != 0 ? e.msg_no == no : e.client_msg_id == cmid) return true;
  }
  return false;
}

bool Client::plain_user() {
  if (plain_user_ == 0) plain_user_ = plain(config_.auid) ? 1 : 2;
  return plain_user_ == 1;
}

std::string Client::lane_cmid(std::uint64_t boot, std::uint64_t msg_no, std::string_view own) const {
  if (msg_no == 0) return std::string(own);
  std::string s = prefix_ + "-";
  core::append_uint(s, boot);
  s += "-m-";
  core::append_uint(s, msg_no);
  return s;
}

std::string Client::lane_fields(const Accepted& a) const {
  std::string s;
  if (a.from) s += ",\"formUser\":\"" + config_.auid + "\"";
  if (a.msg_no != 0) s += ",\"clientMsgId\":\"" + lane_cmid(a) + "\"";
  return s;
}

std::string Client::lane_frame_head(const Sent& w, std::string_view jwt) const {
  std::string s = "42";
  core::append_uint(s, w.wire_id);
  s += kEnvelopeOpen;
  s += request_id(w.request_no);
  s += kEnvelopeTime;
  core::append_uint(s, w.ts);
  s += kEnvelopeJwt;
  s += jwt;
  return s;
}

std::optional<std::uint64_t> Client::lane_ack_id(std::string_view frame, std::size_t head_size) {
  std::uint64_t v = 0;
  std::size_t i = 2;
  for (; i < head_size && i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i) {
    if (v > kBootMax / 10) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(frame[i] - '0');
  }
  if (i == 2 || v > kBootMax) return std::nullopt;
  return v;
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
  if (f.to_target.empty() || (f.way != "P2P" && f.way != "P2R") || !life_.running()) return Lane::NotTaken;
  if (f.form_user && *f.form_user != config_.auid) return Lane::NotTaken;
  // The host writes the numbers as doubles and the texts unescaped: each must need nothing more.
  out.from = !f.form_user;
  if ((out.from && !plain_user()) || boot_ > kBootMax || next_msg_no_ > kBootMax || outbox_.next_n() > kBootMax) {
    return Lane::NotTaken;
  }
  // The fields F gets: `,"formUser":"<the user>"` unless the form has one, then the clientMsgId the core
  // makes, `,"clientMsgId":"<id>"`.
  // The core's id is kept as its number (the boot is this start's: running), the host's as its text.
  std::size_t fields = out.from ? 14 + config_.auid.size() : 0;
  std::size_t id_size = 0;
  if (f.client_msg_id) {
    const std::string_view id = *f.client_msg_id;
    if (id.empty() || id.size() > 128 || !plain(id) || waiting(id)) return Lane::NotTaken;
    id_size = id.size();
  } else {
    id_size = cmid_stem().size() + core::decimal_digits(next_msg_no_);
    fields += 17 + id_size;
  }
  const std::size_t wire_size = f.size + fields;  // F minus '{', plus ']'
  OutboxEntry* const entry = outbox_.add_new(wire_size + id_size + 16);
  if (!entry) return Lane::NotTaken;  // full: send_message() says so
  OutboxEntry& stored = *entry;
  if (f.client_msg_id) {
    stored.client_msg_id.assign(f.client_msg_id->data(), id_size);  // (in its room, which the answer fills)
  } else {
    stored.msg_no = next_msg_no_++;
  }
  stored.ext = f.ext;
  stored.ext_size = wire_size;
  out.client_msg_id = stored.client_msg_id;
  out.msg_no = stored.msg_no;
  out.n = stored.n;
  out.boot = boot_;
  out.marker = outbox_.size() == 1;
  Call& c = push_outbox_call(now, stored);
  out.id = c.id;
  out.sent = false;

  // Sent at once when the general path would send this call and nothing else.
  Millis due = core::kNever;
  Millis own = core::kNever;  // own_deadline(), when next_lane_send found the call: sending it moves none
  if (next_lane_send(now, own) == &c && send_now(now, c, f.room, out.wire, due)) {
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

Client::Lane Client::answer_fast(Millis now, std::uint32_t transport, std::size_t head_size, std::uint64_t wire,
                                 const socketio::ExternalArgs& payload, std::size_t room, Answered& out) {
  if (life_.ended() || !outputs_.empty()) return Lane::NotTaken;  // (the head's digits: ack_in_fast)
  const auto emit_id = manager_.awaiting_ack(wire);
  if (!emit_id || login_.asking(*emit_id)) return Lane::NotTaken;
  Call* found = calls_.find_wire(Transport::Socket, *emit_id);
  if (!found) return Lane::NotTaken;
  if (found->kind != Call::Kind::App && found->kind != Call::Kind::Outbox) return Lane::NotTaken;
  if (found->kind == Call::Kind::Outbox && !config_.outbox_per_message) return Lane::NotTaken;
  // The clientMsgId of a message the lane took is plain (send_fast): only another's is scanned (the host
  // reads it as ASCII).
  if ((found->ext == 0 && !plain(found->client_msg_id)) || found->client_msg_id.size() > room) return Lane::NotTaken;
  const socketio::Manager::Fast lane = manager_.ack_in_fast(now, transport, head_size, wire, payload);
  if (lane.code != socketio::Manager::kAck || static_cast<std::uint64_t>(lane.value) != *emit_id) {
    // kGeneral: nothing changed. (kNothing cannot be: the ack was awaited a moment ago.)
    return Lane::NotTaken;
  }
  // The call is finished: its clientMsgId moves into `out` (a swap: no copy), then it goes.
  const Call& c = *found;
  out.id = c.id;
  out.request_no = c.request_no;
  out.boot = boot_;
  out.msg_no = c.msg_no;
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
  if (calls_.queued() > 0) {
    // The place this answer freed in the send window: the next message goes at once when it is the one
    // call the general path would send; else the general path sends what can go.
    Call* next = next_lane_send(now, own);
    const std::size_t used = out.client_msg_id.size() + (next ? next->client_msg_id.size() : 0);
    Millis sent = core::kNever;
    // (next_lane_send gives only a message the lane took: its clientMsgId is ASCII.)
    if (next && used < room && send_now(now, *next, room - used, out.wire, sent)) {
      out.next_id = next->id;
      out.next_msg_no = next->msg_no;
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
// emit_external; `wire` the numbers the host writes the frame's text with (the JWT's text when the host
// does not keep this one (host_jwt_), at most `room` bytes), `due` the Manager's deadline. False,
// having changed nothing, when the lane cannot.
bool Client::send_now(Millis now, Call& c, std::size_t room, Sent& wire, Millis& due) {
  if (!login_.jwt_ascii()) return false;
  // (The lane sends only with a JWT: its generation is 1 or more, never the host's 0.)
  const std::string& jwt = login_.jwt_json();
  const bool give = host_jwt_ != login_.jwt_gen();
  if (give && jwt.size() > room) return false;
  const std::uint64_t ts = now > 0 ? static_cast<std::uint64_t>(now) : 0;
  socketio::ExternalArgs args;
  args.ext = c.ext;
  // The arguments as sent (lane_frame_head after the header, then the wire text): the envelope with
  // the requestId (put_request_id: the prefix, '-', the number), the timestamp and the JWT's text.
  args.size = kEnvelopeOpen.size() + prefix_.size() + 1 + core::decimal_digits(c.request_no) + kEnvelopeTime.size() +
              core::decimal_digits(ts) + kEnvelopeJwt.size() + jwt.size() + c.ext_size;
#ifndef NDEBUG
  std::string written;  // the general path's text of the same envelope (the native tests' Debug build)
  append_envelope(written, c, now);
  assert(written.size() + c.ext_size == args.size);
#endif
  args.shape.root = socketio::JsonKind::Array;
  args.shape.first = socketio::JsonKind::String;
  socketio::Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = attempt_timeout(c, now);
  socketio::Manager::Header h;
  const socketio::Manager::Fast lane = manager_.emit_fast(now, "/", args, o, h);
  if (lane.code != socketio::Manager::kSend) return false;
  ++c.attempts;
  calls_.sent(c, static_cast<std::uint64_t>(lane.value));
  host_jwt_ = login_.jwt_gen();  // the host keeps the text the frame carries (or kept it)
  wire.wire_id = h.id;
  wire.request_no = c.request_no;
  wire.ts = ts;
  wire.jwt = give ? std::string_view(jwt) : std::string_view();
  due = lane.deadline;
  return true;
}

}  // namespace echat::im
