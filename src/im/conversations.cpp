#include "im/conversations.h"

#include <algorithm>
#include <utility>

namespace echat::im {

namespace {

std::string target_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return "";
}

}  // namespace

Conversation* Conversations::find(const std::string& way, const std::string& to_target) {
  for (auto& c : entries_) {
    if (c.way == way && c.to_target == to_target) return &c;
  }
  return nullptr;
}

const Conversation* Conversations::on_message(const json& msg) {
  const std::string way = string_field(msg, "way");
  const std::string from = string_field(msg, "formUser");
  const json* to = field(msg, "toTarget");
  const auto seq = uint_field(msg, "seq");
  if ((way != "P2P" && way != "P2R") || !to || !seq) return nullptr;
  const std::string target = way == "P2P" && from != self_ ? from : target_of(*to);
  if (target.empty()) return nullptr;
  Conversation* c = find(way, target);
  if (!c) {
    Conversation fresh;
    fresh.way = way;
    fresh.to_target = target;
    entries_.push_back(std::move(fresh));
    c = &entries_.back();
  }
  if (*seq <= c->last_seq) return nullptr;  // older than what we have (e.g. a list seeded later)
  c->last_seq = *seq;
  c->last_message = msg;
  if (auto t = uint_field(msg, "createTime")) c->update_time = static_cast<std::int64_t>(*t);
  const json* recalled = field(msg, "recalled");
  const bool was_recalled = recalled && recalled->is_boolean() && recalled->get<bool>();
  if (from != self_ && !was_recalled && *seq > c->read_seq) {
    ++c->unread;
    if (auto mid = uint_field(msg, "mid")) {
      c->unread_mids.push_back(*mid);
      if (c->unread_mids.size() > kUnreadMids) c->unread_mids.erase(c->unread_mids.begin());
    }
  }
  if (entries_.size() > max_entries_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const Conversation& a, const Conversation& b) {
      return a.update_time < b.update_time;
    });
    const bool self = &*oldest == c;
    entries_.erase(oldest);
    if (self) return nullptr;
    return find(way, target);
  }
  return c;
}

const Conversation* Conversations::on_recalled(const json& data) {
  const auto mid = uint_field(data, "mid");
  if (!mid) return nullptr;
  const Conversation* changed = nullptr;
  for (auto& c : entries_) {
    auto it = std::find(c.unread_mids.begin(), c.unread_mids.end(), *mid);
    if (it != c.unread_mids.end()) {
      c.unread_mids.erase(it);
      if (c.unread > 0) --c.unread;
      changed = &c;
    }
    if (!c.last_message.is_object() || uint_field(c.last_message, "mid") != mid) continue;
    c.last_message["recalled"] = true;
    c.last_message["body"] = nullptr;
    if (const json* t = field(data, "recallTime")) c.last_message["recallTime"] = *t;
    return &c;
  }
  return changed;
}

json Conversations::to_object(const Conversation& c) {
  return json::object({{"way", c.way}, {"toTarget", c.to_target}, {"unread", c.unread}, {"readSeq", c.read_seq},
              {"lastSeq", c.last_seq}, {"updateTime", c.update_time}, {"lastMessage", c.last_message}});
}

void Conversations::replace(const json& list) {
  if (!list.is_array()) return;
  entries_.clear();
  for (const auto& item : list) {
    Conversation c;
    c.way = string_field(item, "way");
    if (const json* to = field(item, "toTarget")) c.to_target = target_of(*to);
    if (c.way.empty() || c.to_target.empty()) continue;
    c.unread = uint_field(item, "unread").value_or(0);
    c.read_seq = uint_field(item, "readSeq").value_or(0);
    c.last_seq = uint_field(item, "lastSeq").value_or(0);
    c.update_time = static_cast<std::int64_t>(uint_field(item, "updateTime").value_or(0));
    if (const json* m = field(item, "lastMessage")) c.last_message = *m;
    entries_.push_back(std::move(c));
    if (entries_.size() >= max_entries_) break;
  }
}

bool Conversations::mark_read(const std::string& way, const std::string& to_target) {
  Conversation* c = find(way, to_target);
  if (!c) return false;
  c->read_seq = c->last_seq;
  c->unread = 0;
  c->unread_mids.clear();
  return true;
}

std::string Conversations::to_json() const {
  std::vector<const Conversation*> order;
  for (const auto& c : entries_) order.push_back(&c);
  // Newest first; ties keep the entries' order (entries_ is a vector, so addresses follow it). std::sort
  // with that tie-break is a stable order without stable_sort's merge code (~1.8 KB of wasm).
  std::sort(order.begin(), order.end(), [](const Conversation* a, const Conversation* b) {
    return a->update_time != b->update_time ? a->update_time > b->update_time : a < b;
  });
  json out = json::array();
  for (const auto* c : order) out.push_back(to_object(*c));
  return dump(out);
}

}  // namespace echat::im
