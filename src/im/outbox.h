// The outbox: messages accepted by send_message() and not yet stored by the server, in send order.
// It is persisted as one storage record per message (written once when the message is accepted,
// removed once when the server stored or refused it: O(1) storage work per message, and each write is
// atomic), `{"n": order, "c": clientMsgId, "f": form}`, and restored (sorted by n) at the next init.
// A crash leaves a consistent set: every entry carries its clientMsgId and a resend is idempotent
// (docs/protocol.md 11.3). Bounded in entries and bytes, each record far under WeChat's 1 MB per key.
// (Earlier versions kept the whole list in one record; restore() still reads that form.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/queue.h"
#include "im/json_util.h"

namespace echat::im {

struct OutboxEntry {
  std::uint64_t n = 0;        // send order (persisted)
  // Its clientMsgId: the text, or (msg_no != 0, the send lane's) the number of the one the Client made
  // in this boot, <prefix>-<boot>-m-<msg_no> (Client::cmid_of; the text is then empty and written only
  // when needed: Outbox's own records and dedup never see such an entry, made after load()).
  std::string client_msg_id;
  std::uint64_t msg_no = 0;
  std::optional<json> form;   // the message/send fields, formUser and clientMsgId included (none with ext)
  std::uint32_t ext = 0;      // != 0: the form stays in the host (Call::ext); its record was written there
  std::size_t ext_size = 0;
  std::uint64_t call_id = 0;  // the Client's call carrying it (not persisted)
  std::size_t bytes = 0;      // its serialised size
};

class Outbox {
 public:
  explicit Outbox(std::size_t max_entries = 20000, std::size_t max_bytes = 5 * 1024 * 1024)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // Appends (assigning `n` when it is 0); an error with code "-1005" (outbox full) when a bound would be
  // crossed.
  core::Result<core::Ok> add(OutboxEntry&& entry);
  core::Result<core::Ok> add(const OutboxEntry& entry) { return add(OutboxEntry(entry)); }
  // add()'s, made in place for an entry of `bytes` (its `n` the next one): the new entry, for its
  // caller to fill in (client_msg_id, ext, ext_size); nullptr, nothing changed, when a bound would be
  // crossed (add() names that error). The send lane's, per message/send, where wasm is interpreted.
  OutboxEntry* add_new(std::size_t bytes);
  // Removes the entry the Client's call `call_id` carries (false if absent): one per clientMsgId, and one
  // call per entry (OutboxEntry::call_id), so this is the entry of the call's clientMsgId, found without
  // comparing strings (the oldest, as a rule: the first one looked at).
  bool remove(std::uint64_t call_id);
  void clear() { entries_.clear(); bytes_ = 0; }

  const core::Queue<OutboxEntry>& entries() const { return entries_; }
  core::Queue<OutboxEntry>& entries() { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::uint64_t next_n() const { return next_n_; }  // the `n` of the next entry add_new makes

  // The storage record of one entry: {"n": n, "c": clientMsgId, "f": form}.
  static std::string record(const OutboxEntry& entry);
  // Restores entries from their records (any order; sorted by n); malformed ones are skipped (written by
  // another SDK version, or damaged). Appends to what is there. Returns the indices of the records not
  // taken (malformed, repeated, or over the bounds), which the caller may remove.
  // (Positions as uint32_t, as the other index vectors of the core: one vector type less in the wasm.)
  std::vector<std::uint32_t> restore_records(const std::vector<std::string>& records);

  // The legacy single record: [{"c": clientMsgId, "f": form}, ...]; "" when empty.
  std::string serialize() const;
  // Restores a legacy record (replacing everything); malformed entries are skipped.
  void restore(std::string_view text);

 private:
  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t next_n_ = 1;
  core::Queue<OutboxEntry> entries_;  // the oldest leaves first, without moving the rest
};

}  // namespace echat::im
