// im::Client's delivery lane (client.h, deliver_fast): the general path's decision for its common case,
// a live delivery that is next in seq order, taken without Message, ConversationChanged, StorageSet,
// SendFrame or Release outputs, which the host would otherwise read back as a batch. Every decision is
// the general path's (the Inbox, the Conversations, the holders of host-kept objects, the Manager's ack
// lane); only the way it is reported differs. Whenever the general path could decide otherwise, the
// input goes to on_message_external, unchanged.
//
// Why a file of its own: like socketio/fast_lane.cpp, it is the hot path kept together: WeChat on iOS
// interprets wasm, and there a batch of outputs, written by many small calls and parsed again by the
// host, cost most of a delivery (docs/benchmarks.md). The transcripts run each `kept` delivery through both paths and compare
// (tests/native/im/transcript_test.cpp).
#include <algorithm>
#include <cstring>
#include <string>

#include "core/json.h"  // format_uint
#include "im/client.h"

namespace echat::im {

Millis Client::own_deadline() const {
  calls_.check();
  return std::min(timers_.earliest(), calls_.earliest());
}

namespace {

// `{"seq":<seq>`: the head of the synced record and, after a '[', of a delivery's ack arguments.
std::size_t put_seq(char* at, std::uint64_t seq) {
  std::memcpy(at, "{\"seq\":", 7);
  return 7 + core::format_uint(at + 7, seq);
}

// The synced record's end after its head (n bytes at `at`): `,"boot":<boot>}`; returns the record's size.
std::size_t end_record(char* at, std::size_t n, std::uint64_t boot) {
  std::memcpy(at + n, ",\"boot\":", 8);
  n += 8 + core::format_uint(at + n + 8, boot);
  at[n] = '}';
  return n + 1;
}

}  // namespace

std::size_t Client::put_ack_args(char* at, std::uint64_t seq) {
  at[0] = '[';
  const std::size_t n = 1 + put_seq(at + 1, seq);
  std::memcpy(at + n, "}]", 2);
  return n + 2;
}

std::size_t Client::put_record(char* at, std::uint64_t seq, std::uint64_t boot) {
  return end_record(at, put_seq(at, seq), boot);
}

bool Client::alone_in_order(Millis now, const Delivery& d, Millis& own) const {
  if (life_.ended() || history_.fresh() || !outputs_.empty() || !held_acks_.empty() || boot_ > kBootMax ||
      !inbox_.next_alone(d.seq, d.mid)) {
    return false;
  }
  if (calls_.queued() > 0) return false;  // flush() may send it now
  own = own_deadline();
  return own > now;  // the Manager's: its lanes check them
}

Client::Lane Client::deliver_fast(Millis now, std::uint32_t transport, const Delivery& d,
                                  const socketio::ExternalArgs& payload, Handover& out) {
  Millis own;  // own_deadline(): nothing the lane does below moves the Client's timers or calls
  const bool alone = alone_in_order(now, d, own);
  if (!alone && life_.ended()) return Lane::NotTaken;
  // Alone, the record and the ack's arguments are the caller's to write (Handover): the Manager is told
  // the arguments' largest size (kAckArgsMax) for its check of the frame's size against the server's.
  socketio::Manager::Header h;
  const std::size_t size = alone && d.ack_id ? kAckArgsMax : 0;
  const socketio::Manager::Fast lane =
      manager_.event_ack_fast(now, transport, d.head_size, d.ack_id, payload, size, alone ? &h : nullptr);
  if (!alone || (lane.code == socketio::Manager::kEvent && d.ack_id)) {
    // The general path carries on exactly as on_message_external would (with the ack id kept).
    Message m;
    m.seq = d.seq;
    m.mid = d.mid;
    m.facts = *d.facts;
    return taken_external(now, lane, payload, std::move(m)) ? Lane::Batch : Lane::NotTaken;
  }
  if (lane.code != socketio::Manager::kSend && lane.code != socketio::Manager::kEvent) {
    return Lane::NotTaken;  // nothing changed
  }
  out.boot = boot_;
  out.ack = lane.code == socketio::Manager::kSend;
  if (out.ack) out.transport = manager_.transport();
  const std::uint32_t ref = payload.ext;
  out.seq = d.seq;
  out.mid = d.mid;
  out.ref = ref;
  inbox_.advance(d.mid);
  sync_.handed(1);
  const Conversation* changed = conversations_.on_message(d.seq, d.mid, ref, *d.facts, {}, d.texts);
  out.conversation = changed;
  out.target_is_sender = changed && conversations_.by_sender();
  // The inbox's hold ends as the message is handed over; the conversation's, if it shows it, begins.
  out.dropped = !(changed && changed->last_ref == ref);
  if (!out.dropped) hold_ref(ref);
  out.released = 0;
  for (std::uint32_t r : conversations_.released()) {  // at most one (Conversations::on_message)
    if (unhold(r)) out.released = r;
  }
  conversations_.clear_released();
  const Millis due = std::min(lane.deadline, own);  // the Manager's (its lanes report one never later than its next)
  out.deadline = due == core::kNever ? std::nullopt : std::optional<Millis>(due);
  return Lane::Handed;
}

}  // namespace echat::im
