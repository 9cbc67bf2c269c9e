// im::Client, deliveries (client.cpp has the file map): a message pushed on the socket or found on a
// message/sync page is offered to the Inbox (inbox.h), handed over in seq order exactly once, its
// position persisted and the push acked; a gap or a login starts a catch-up run (SyncRun, sync.h).
#include "im/client.h"

#include <cassert>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>


namespace echat::im {

namespace {
constexpr std::uint64_t kSyncPage = 100;  // messages per message/sync page
}  // namespace

bool Client::on_message_external(Millis now, std::uint32_t transport, std::string_view head,
                                 const socketio::ExternalArgs& payload, Message m) {
  if (life_.ended() || payload.ext == 0) return false;
  return taken_external(now, manager_.on_event_fast(now, transport, head, payload), payload, std::move(m));
}

bool Client::taken_external(Millis now, const socketio::Manager::Fast& lane, const socketio::ExternalArgs& payload,
                            Message m) {
  if (lane.code != socketio::Manager::kEvent) return false;  // nothing changed: the host passes the frame whole
  m.ref = payload.ext;
  std::optional<std::uint64_t> ack_id;
  if (lane.value >= 0) ack_id = static_cast<std::uint64_t>(lane.value);
  on_delivery(now, std::move(m), ack_id);
  settle(now);
  return true;
}

void Client::hold_ref(std::uint32_t ref) {
  if (ref != 0) ++refs_[ref];
}

void Client::let_go(std::uint32_t ref) {
  if (unhold(ref)) outputs_.push_back(Release{ref});
}

bool Client::unhold(std::uint32_t ref) {
  std::uint64_t* holders = ref == 0 ? nullptr : refs_.find(ref);
  if (!holders || --*holders != 0) return false;
  refs_.erase_found(holders);  // the slot just found: no second probe
  return true;
}

void Client::on_delivery(Millis now, Message m, std::optional<std::uint64_t> ack_id) {
  const std::uint64_t seq = m.seq;
  const std::uint64_t mid = m.mid;
  const std::uint32_t ref = m.ref;
  hold_ref(ref);  // the inbox's, until it hands the message over or lets it go
  if (seq == 0 || mid == 0) {
    let_go(ref);
    error_event(code::kBadResponse, "topic.message without a valid seq and mid", false);
    if (ack_id) (void)manager_.ack(now, "/", *ack_id, "[]", {});
    return;
  }
  switch (inbox_.offer(std::move(m))) {
    case Inbox::Verdict::Delivered:
      if (ack_id) held_acks_[seq] = *ack_id;
      hand_over(now);
      return;
    case Inbox::Verdict::Buffered:
      if (ack_id) held_acks_[seq] = *ack_id;
      start_sync(now);
      return;
    case Inbox::Verdict::Duplicate:
    case Inbox::Verdict::Invalid:
      let_go(ref);
      if (ack_id) ack_delivery(now, *ack_id, seq);
      return;
  }
}

// Hand the messages over, then persist the new position, then acknowledge them. Within one batch the
// host performs these in order and synchronously, so only a crash inside that one JavaScript turn can
// separate them; then the messages are handed over again after the restart (at-least-once in that
// window, never a skipped message). See docs/im-design.md, "crash windows".
void Client::hand_over(Millis now) {
  std::vector<Message> ready = inbox_.take_ready();
  if (ready.empty()) return;
  sync_.handed(ready.size());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> acks;
  for (auto& m : ready) {
    const Conversation* changed = conversations_.on_message(m);
    if (changed && m.ref != 0 && changed->last_ref == m.ref) hold_ref(m.ref);  // the conversation's
    std::string changed_json = changed ? Conversations::to_text(*changed) : std::string();
    if (const std::uint64_t* ack = held_acks_.find(m.seq)) {
      acks.emplace_back(*ack, m.seq);
      held_acks_.erase_found(ack);
    }
    const std::uint32_t ref = m.ref;
    bool handed = true;
    if (history_.fresh()) {
      m.history = true;
      switch (history_.verdict()) {
        case FreshHistory::Verdict::Skip:  // 'none': the position moves on, nothing is handed over
          break;
        case FreshHistory::Verdict::Keep: {  // the last N of each conversation, handed over at the run's end
          handed = false;
          if (auto dropped = history_.keep(std::move(m), config_.auid)) let_go(*dropped);  // it keeps the inbox's hold
          break;
        }
        case FreshHistory::Verdict::Hand:
          outputs_.push_back(std::move(m));
          break;
      }
    } else {
      outputs_.push_back(std::move(m));
    }
    if (changed) outputs_.push_back(ConversationChanged{std::move(changed_json)});
    if (handed) let_go(ref);  // the inbox's hold ends once the message (or the decision to skip it) is out
  }
  store(synced_key(), synced_record());
  for (const auto& [ack_id, seq] : acks) ack_delivery(now, ack_id, seq);
}

void Client::release_history() {
  for (auto& kept : history_.over()) {  // in seq order
    const std::uint32_t ref = kept.ref;
    outputs_.push_back(std::move(kept));
    let_go(ref);
  }
}

void Client::ack_delivery(Millis now, std::uint64_t ack_id, std::uint64_t seq) {
  char text[kAckArgsMax];
  std::string args(text, put_ack_args(text, seq));
  if (!manager_.ack_text_fast(now, ack_id, args)) (void)manager_.ack(now, "/", ack_id, std::move(args), {});
}

// ---- Sync ----------------------------------------------------------------------------------------

void Client::start_sync(Millis now) {
  if (life_.ended()) return;
#ifndef NDEBUG
  bool paging = false;  // the run's page flag against the calls
  for (const auto& c : calls_) paging = paging || c.kind == Call::Kind::Sync;
  assert(paging == sync_.page());
#endif
  if (!sync_.want(inbox_.synced())) return;
  calls_.emplace_front([&](Call& c) {  // before queued calls: deliveries first after a login
    c.id = next_call_id_++;
    c.kind = Call::Kind::Sync;
    c.module = "message";
    c.method = "sync";
    c.form = json::object({{"fromSeq", inbox_.synced()}, {"limit", kSyncPage}});
    c.transport = Transport::Socket;
    c.request_no = next_request_no_++;
  });
}

void Client::on_sync_page(Millis now, const json& data) {
  // The server's highest seq below the position we asked from: its timeline was reset (a new
  // database, the user re-created). Our position would hide every new delivery as a duplicate: start
  // again from 0. (Compared with fromSeq, not the current position: pushes may have moved that past an
  // answer computed earlier, which is not a reset.)
  if (auto max_seq = uint_field(data, "maxSeq"); max_seq && *max_seq < sync_.page_from()) {
    error_event(code::kBadResponse,
                "the server's last seq (" + core::decimal(*max_seq) + ") is below the synced seq (" +
                    core::decimal(inbox_.synced()) + "): its timeline was reset; syncing from 0",
                false);
    inbox_.reset(0);
    held_acks_.clear();
    store(synced_key(), synced_record());
    sync_.failed();
    start_sync(now);
    return;
  }
  const json* messages = field(data, "messages");
  if (messages && messages->is_array()) {
    for (const auto& m : *messages) {
      Message d = message_of(m);
      if (d.seq == 0 || d.mid == 0) continue;
      d.json = dump(m);
      (void)inbox_.offer(std::move(d));
    }
  }
  hand_over(now);
  const json* more = field(data, "hasMore");
  const bool has_more = more && more->is_boolean() && more->get<bool>();
  if (sync_.answered(inbox_.synced(), has_more, inbox_.has_gap())) {
    start_sync(now);
    return;
  }
  if (inbox_.has_gap()) {
    error_event(code::kBadResponse,
                "message/sync did not fill the gap after seq " + core::decimal(inbox_.synced()),
                false);
  }
  if (history_.fresh()) release_history();
  outputs_.push_back(Sync{sync_.from(), inbox_.synced(), sync_.count()});
}

}  // namespace echat::im
