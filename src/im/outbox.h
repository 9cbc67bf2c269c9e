// The outbox: messages accepted by send_message() and not yet stored by the server, in send order.
// It is persisted (one storage record per user and app key, rewritten on every change, so a crash
// leaves either the old or the new list: both are consistent because every entry carries its
// clientMsgId and a resend is idempotent, docs/protocol.md 11.3) and restored at the next init.
// Bounded in entries and serialised bytes, well under WeChat's 1 MB per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "im/json_util.h"

namespace echat::im {

struct OutboxEntry {
  std::string client_msg_id;
  json form;                  // the message/send fields, formUser and clientMsgId included
  std::uint64_t call_id = 0;  // the Client's call carrying it (not persisted)
  std::size_t bytes = 0;      // its serialised size
};

class Outbox {
 public:
  explicit Outbox(std::size_t max_entries = 200, std::size_t max_bytes = 256 * 1024)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // Appends; an error with code "-1005" (outbox full) when a bound would be crossed.
  core::Result<core::Ok> add(OutboxEntry entry);
  // Removes the entry with that clientMsgId (false if absent).
  bool remove(const std::string& client_msg_id);
  void clear() { entries_.clear(); bytes_ = 0; }

  const std::vector<OutboxEntry>& entries() const { return entries_; }
  std::vector<OutboxEntry>& entries() { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  // The storage record: [{"c": clientMsgId, "f": form}, ...]; "" when empty (the key is removed).
  std::string serialize() const;
  // Restores a record; malformed entries are skipped (a record written by a newer/older SDK, or damaged).
  void restore(std::string_view text);

 private:
  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::vector<OutboxEntry> entries_;
};

}  // namespace echat::im
