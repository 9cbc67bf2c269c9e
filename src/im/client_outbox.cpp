// im::Client, the outbox and storage (client.cpp has the file map): the records it restores and
// writes (the synced position, one record per waiting message or the single list), and message/send
// through the outbox (Outbox, outbox.h; the send lane is send_lane.cpp).
#include "im/client.h"

#include <string>
#include <utility>
#include <vector>

#include "im/client_detail.h"

namespace echat::im {

using namespace detail;  // NOLINT: the Client's own rules (client_detail.h)

void Client::load(Millis now, const std::vector<std::pair<std::string, std::string>>& records) {
  if (!life_.unstarted()) return;
  const std::string prefix = outbox_prefix();
  std::string legacy;
  std::vector<std::string> entries;
  std::vector<std::string> entry_keys;
  for (const auto& [key, value] : records) {
    if (key == synced_key()) {
      const json v = parse_json(value);
      if (auto seq = uint_field(v, "seq")) inbox_.reset(*seq);
      boot_ = uint_field(v, "boot").value_or(0);
    } else if (key == outbox_key()) {
      legacy = value;
    } else if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      entries.push_back(std::string(value));  // (a copy moved in: the one push_back the core's string
      entry_keys.push_back(std::string(key));  // vectors instantiate, 140 B less of wasm)
    }
  }
  for (auto it = calls_.begin(); it != calls_.end();) {
    const Call& c = *it++;
    if (c.kind == Call::Kind::Outbox) calls_.erase(c.id);
  }
  outbox_.clear();
  // Both forms are read whatever the configuration (a device may switch), then storage is rewritten in
  // the configured form (once per start, at most 200 entries).
  const bool legacy_list = !legacy.empty() && parse_json(legacy).is_array();
  if (legacy_list) outbox_.restore(legacy);
  const std::vector<std::uint32_t> rejected = outbox_.restore_records(entries);
  if (config_.outbox_per_message) {
    // Records not taken (damaged, or over the bounds) are removed: they would never be sent.
    for (std::uint32_t i : rejected) store(entry_keys[i], "");
    if (legacy_list) {
      for (const auto& e : outbox_.entries()) store(outbox_prefix() + e.client_msg_id, Outbox::record(e));
    }
    store(outbox_key(), outbox_.empty() ? "" : outbox_marker());
  } else {
    for (const auto& k : entry_keys) store(k, "");
    if (!entry_keys.empty() || (!legacy.empty() && !legacy_list)) store(outbox_key(), outbox_.serialize());
  }
  for (auto& e : outbox_.entries()) add_outbox_call(now, e);
}

// Two storage forms (Config::outbox_per_message, true by default: docs/api.md `outboxPerMessageRecords`):
//  - one record (outboxPerMessageRecords: false; the form of the first versions): the whole list under
//    outbox_key(), rewritten on every change: O(outbox size) bytes per send and per answer;
//  - one record per message (the default) under outbox_prefix() + clientMsgId, written once and removed once (O(1) per
//    message), plus a small marker under outbox_key() while messages wait (written when the outbox
//    becomes non-empty, removed when it empties). The host must then list keys (wx.getStorageInfoSync)
//    to find the records at load.
std::string Client::outbox_marker() const {
  std::string s = "{\"records\":\"one per message\",\"prefix\":";
  core::append_json_string(s, outbox_prefix());  // (the text dump(json(...)) writes, without the tree)
  return s += '}';
}

void Client::persist_entry(const OutboxEntry& entry) {
  if (!config_.outbox_per_message) {
    store(outbox_key(), outbox_.serialize());
    return;
  }
  store(outbox_prefix() + entry.client_msg_id, Outbox::record(entry));
  if (outbox_.size() == 1) store(outbox_key(), outbox_marker());
}

void Client::unpersist_entry(const std::string& client_msg_id) {
  if (!config_.outbox_per_message) {
    store(outbox_key(), outbox_.serialize());
    return;
  }
  store(outbox_prefix() + client_msg_id, "");
  if (outbox_.empty()) store(outbox_key(), "");
}

Call& Client::push_outbox_call(Millis now, OutboxEntry& entry) {
  return calls_.emplace_back([&](Call& c) {
    c.id = next_call_id_++;
    entry.call_id = c.id;
    c.kind = Call::Kind::Outbox;
    c.module = "message";
    c.method = "send";
    if (entry.ext == 0) c.form = entry.form;  // (else null: the host keeps the form)
    c.ext = entry.ext;
    c.ext_size = entry.ext_size;
    c.transport = config_.api_transport;
    c.request_no = next_request_no_++;
    c.client_msg_id = entry.client_msg_id;
    c.msg_no = entry.msg_no;
    if (config_.send_timeout > 0) c.deadline = now + config_.send_timeout;
  });
}

std::uint64_t Client::add_outbox_call(Millis now, OutboxEntry& entry) {
  const Call& c = push_outbox_call(now, entry);
  send_state(c, "queued", "");
  return c.id;
}

// The message of an outbox call leaves the outbox (stored, refused, or past sendTimeout): its record
// goes, and the host forgets a form it kept.
void Client::leave_outbox(const Call& c) {
  outbox_.remove(c.id);
  unpersist_entry(cmid_of(c));
  if (c.ext != 0) outputs_.push_back(Release{c.ext});
}

core::Result<std::uint64_t> Client::send_message(Millis now, std::string_view form_json) {
  if (life_.ended()) return ended_error();
  // A message larger than the server takes in one frame is refused before it is parsed, stored and
  // copied into a frame (each a copy of its size in wasm memory, which never shrinks).
  const auto max_payload = manager_.max_payload();
  if (config_.api_transport == Transport::Socket && max_payload && form_json.size() > static_cast<std::uint64_t>(*max_payload)) {
    std::string why = "the message (";
    core::append_uint(why, form_json.size());
    why += " bytes) exceeds the server's maxPayload of ";
    core::append_uint(why, static_cast<std::uint64_t>(*max_payload));
    return invalid_argument("body", why + " bytes");
  }
  json form;
  if (!read_form(form_json, form)) return refuse("form", "must be an object");
  // toTarget: an auid or a rid; rids may be given as numbers.
  const json* to = field(form, "toTarget");
  if (!to) return refuse("toTarget", "required");
  if (to->is_number_integer() && to->get<long long>() > 0) {
    form["toTarget"] = core::decimal(to->get<long long>());
  } else if (!to->is_string() || to->get<std::string>().empty()) {
    return refuse("toTarget", "must be a non-empty string");
  }
  const std::string way = string_field(form, "way");
  if (!field(form, "way")) return refuse("way", "required");
  if (way != "P2P" && way != "P2R") return refuse("way", "must be one of P2P, P2R");
  if (!field(form, "type")) return refuse("type", "required");
  if (!field(form, "type")->is_string()) return refuse("type", "must be a string");
  if (!field(form, "body")) return refuse("body", "required");
  if (const json* from = field(form, "formUser")) {
    if (!from->is_string() || from->get<std::string>() != config_.auid) {
      return invalid_argument("formUser", "must be the logged-in user '" + config_.auid + "'");
    }
  }
  form["formUser"] = config_.auid;
  std::string cmid;
  if (const json* c = field(form, "clientMsgId")) {
    if (!c->is_string() || c->get<std::string>().empty() || c->get<std::string>().size() > 128) {
      return refuse("clientMsgId", "must be a string of 1 to 128 characters");
    }
    cmid = c->get<std::string>();
    if (waiting(cmid)) return refuse("clientMsgId", "already waiting in the outbox");
  } else {
    cmid = cmid_stem();
    core::append_uint(cmid, next_msg_no_++);
    form["clientMsgId"] = cmid;
  }
  OutboxEntry entry;
  entry.client_msg_id = cmid;
  entry.form = std::move(form);
  auto added = outbox_.add(std::move(entry));
  if (!added.ok()) return added.error();
  OutboxEntry& stored = outbox_.entries().back();
  persist_entry(stored);
  const std::uint64_t id = add_outbox_call(now, stored);
  settle(now);
  return id;
}

}  // namespace echat::im
