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

std::size_t Client::put_ack_args(char* at, std::uint64_t seq) {
  std::memcpy(at, "[{\"seq\":", 8);
  std::size_t n = 8 + core::format_uint(at + 8, seq);
  std::memcpy(at + n, "}]", 2);
  return n + 2;
}

std::size_t Client::put_synced_record(char* at) const {
  std::memcpy(at, "{\"seq\":", 7);
  std::size_t n = 7 + core::format_uint(at + 7, inbox_.synced());
  std::memcpy(at + n, ",\"boot\":", 8);
  n += 8 + core::format_uint(at + n + 8, boot_);
  at[n] = '}';
  return n + 1;
}

bool Client::alone_in_order(Millis now, const Message& m, Millis& own) const {
  if (life_.ended() || history_.fresh() || !outputs_.empty() || !held_acks_.empty() || !inbox_.next_alone(m.seq, m.mid)) {
    return false;
  }
  if (calls_.queued() > 0) return false;  // flush() may send it now
  own = own_deadline();
  return own > now;  // the Manager's: its lanes check them
}

Client::Lane Client::deliver_fast(Millis now, std::uint32_t transport, std::string_view head,
                                  const socketio::ExternalArgs& payload, Message&& m, Handover& out) {
  Millis own;  // own_deadline(): nothing the lane does below moves the Client's timers or calls
  if (!alone_in_order(now, m, own)) {
    return on_message_external(now, transport, head, payload, std::move(m)) ? Lane::Batch : Lane::NotTaken;
  }
  const socketio::Manager::Fast lane = manager_.on_event_fast(now, transport, head, payload);
  if (lane.code != socketio::Manager::kEvent) return Lane::NotTaken;  // nothing changed
  m.ref = payload.ext;
  out.ack_size = 0;
  Millis due = lane.deadline;  // the Manager's (its lanes report one never later than its next)
  if (lane.value >= 0) {
    // The ack first: the one step that may not go fast (the Manager took the event; from here the
    // general path carries on exactly as on_message_external would). Its arguments are written where
    // they end up, after room for the head the Manager writes.
    const auto ack_id = static_cast<std::uint64_t>(lane.value);
    socketio::Manager::Header h;
    char* args = out.ack_text + sizeof h.text;
    const std::size_t size = put_ack_args(args, m.seq);
    const socketio::Manager::Fast sent = manager_.ack_root_fast(now, ack_id, size, h);
    if (sent.code != socketio::Manager::kSend) {
      on_delivery(now, std::move(m), ack_id);
      settle(now);
      return Lane::Batch;
    }
    out.ack_at = sizeof h.text - h.size;
    std::memcpy(out.ack_text + out.ack_at, h.text, h.size);
    out.ack_size = h.size + size;
    out.transport = manager_.transport();
    due = sent.deadline;
  }
  out.seq = m.seq;
  out.mid = m.mid;
  out.ref = m.ref;
  inbox_.advance(m.mid);
  sync_.handed(1);
  const Conversation* changed = conversations_.on_message(m);
  out.conversation = changed;
  out.target_is_sender = changed && changed->to_target == m.facts.form_user;
  // The inbox's hold ends as the message is handed over; the conversation's, if it shows it, begins.
  out.dropped = !(changed && changed->last_ref == m.ref);
  if (!out.dropped) hold_ref(m.ref);
  out.record_size = put_synced_record(out.record_text);
  out.released = 0;
  for (std::uint32_t r : conversations_.released()) {  // at most one (Conversations::on_message)
    if (unhold(r)) out.released = r;
  }
  conversations_.clear_released();
  due = std::min(due, own);
  out.deadline = due == core::kNever ? std::nullopt : std::optional<Millis>(due);
  return Lane::Handed;
}

}  // namespace echat::im
