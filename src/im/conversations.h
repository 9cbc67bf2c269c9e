// Conversations from the user's point of view (docs/protocol.md 9.6), kept locally: seeded from
// conversation/list after each login, updated by every message handed over, marked read locally.
// Keyed by (way, toTarget) where toTarget is the peer for P2P (whoever sent) and the rid for P2R.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/u64map.h"

#include "im/json_util.h"

namespace echat::im {

// Unread message ids kept per conversation (for recalls); older unread messages still count.
constexpr std::size_t kUnreadMids = 200;

struct Conversation {
  std::string way;
  std::string to_target;
  std::uint64_t unread = 0;
  std::uint64_t read_seq = 0;
  std::uint64_t last_seq = 0;
  std::int64_t update_time = 0;
  json last_message;  // null when unknown, or when the host keeps it (last_ref)
  // The last message kept by the host (Message::ref; 0 = none), and the fields that replace its own
  // when it is shown (a recall: {recalled, body, recallTime}; null = none).
  std::uint32_t last_ref = 0;
  json last_patch;
  std::uint64_t last_mid = 0;
  // mids of the unread messages handed over since the last read or seed (at least the most recent
  // kUnreadMids), so a recall of one of them takes it out of `unread`, as the server counts
  // (docs/protocol.md 9.6).
  std::vector<std::uint64_t> unread_mids;
};

class Conversations {
 public:
  explicit Conversations(std::string self, std::size_t max_entries = 1000)
      : self_(std::move(self)), max_entries_(max_entries) {}

  // A message handed over (with the user's seq). Returns the conversation it changed, or nullptr (it
  // names no conversation, or is older than the conversation's last message).
  // The object is m.json, or the host keeps it as m.ref (the conversation then holds the ref until a
  // newer message, a new list or an eviction replaces it: take_released(). One call releases at most
  // one: the conversation's previous last message, or, when a new conversation is added to a full
  // list, the last message of the one it evicts; replace() keeps the list within max_entries).
  const Conversation* on_message(const Message& m) { return on_message(m.seq, m.mid, m.ref, m.facts, m.json); }
  // The same from the message's parts (the delivery lane's facts are kept by the binding: none copied).
  // `texts`: 0, or a number the caller changes whenever msg's way, formUser or toTarget may have changed
  // (the binding's count of its writes to them, Client::Delivery::texts): the same number as the last
  // call that gave one names the same conversation, taken without comparing texts.
  const Conversation* on_message(std::uint64_t seq, std::uint64_t mid, std::uint32_t ref, const MessageFacts& msg,
                                 std::string_view text,  // the object's JSON when ref is 0
                                 std::uint64_t texts = 0);
  // A message.recalled notification's data {mid, way, formUser, toTarget, recallTime}: an unread
  // recalled message no longer counts as unread, and the conversation whose last message it is shows
  // it recalled. Returns the conversation that changed, or nullptr.
  const Conversation* on_recalled(const json& data);
  // conversation/list's data: replaces everything (the server is the truth after a login).
  void replace(const json& list);
  // Marks (way, toTarget) read up to its last message. Returns the conversation if that changed it,
  // nullptr when unknown or already read.
  const Conversation* mark_read(const std::string& way, const std::string& to_target);

  // Most recent first, as the protocol's conversation objects; a host-kept last message is written
  // "lastMessage": null, "lastRef": ref (and "lastPatch" when a recall changed it).
  std::string to_json() const;
  static std::string to_text(const Conversation& c);  // one conversation object, as JSON text
  // Host-kept last messages no conversation refers to any more.
  std::vector<std::uint32_t> take_released();
  const std::vector<std::uint32_t>& released() const { return released_; }  // the same, kept until
  void clear_released() { released_.clear(); }                               // cleared (its capacity too)
  const std::vector<Conversation>& entries() const { return entries_; }
  // Whether the conversation the last on_message changed is keyed by the message's formUser (a P2P
  // message from another user), else by its toTarget: told, not found by comparing the texts again.
  bool by_sender() const { return by_sender_; }
  // Whether the index names, for every entry's key, the first entry of that key, and nothing else (tests).
  bool indexed() const;

 private:
  Conversation* find(const std::string& way, const std::string& to_target);
  static std::uint64_t key_of(const std::string& way, const std::string& to_target);
  void reindex();

  const std::string self_;  // the memo's `mine` stands for as long as it does
  std::size_t max_entries_;
  std::vector<Conversation> entries_;
  // key_of(way, toTarget) -> position + 1 of the first entry with that key, for every entry's key: a key
  // absent here is no entry's, so that a delivery finds its conversation without comparing it with all
  // (up to max_entries_; each comparison dear where wasm is interpreted). Two keys of one hash (a
  // collision) fall back to comparing them all.
  core::U64Map index_;
  // The last on_message given `texts` (0: none, or forgotten by reindex(): the only change of
  // positions; an entry's way and toTarget never change): its conversation's position, and whether
  // the message was the user's own and keyed by its sender. A run of one conversation's deliveries
  // then compares no text (each comparison a call where wasm is interpreted, iOS). It replaced find()'s
  // check of the last entry found first (two comparisons, wasted when conversations alternate: the
  // memo's size paid for; the general path, rarer, hashes and looks up).
  std::uint64_t memo_texts_ = 0;
  std::size_t memo_at_ = 0;
  bool memo_mine_ = false;
  bool memo_by_sender_ = false;
  std::vector<std::uint32_t> released_;
  bool by_sender_ = false;
};

}  // namespace echat::im
