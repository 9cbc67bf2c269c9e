#include "im/conversations.h"

#include "core/order.h"
#include <algorithm>
#include <utility>

namespace echat::im {

std::uint64_t Conversations::key_of(const std::string& way, const std::string& to_target) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of way, a byte no UTF-8 text has, and toTarget
  const auto mix = [&h](unsigned char b) { h = (h ^ b) * 0x100000001b3ull; };
  for (char ch : way) mix(static_cast<unsigned char>(ch));
  mix(0xff);
  for (char ch : to_target) mix(static_cast<unsigned char>(ch));
  return h;
}

void Conversations::reindex() {
  memo_texts_ = 0;
  index_.clear();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    std::uint64_t& at = index_[key_of(entries_[i].way, entries_[i].to_target)];
    if (at == 0) at = i + 1;
  }
}

bool Conversations::indexed() const {
  std::size_t keys = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Conversation& c = entries_[i];
    const std::uint64_t* at = index_.find(key_of(c.way, c.to_target));
    if (!at || *at == 0 || *at > i + 1) return false;
    const Conversation& first = entries_[*at - 1];
    if (*at == i + 1) ++keys;
    else if (first.way != c.way || first.to_target != c.to_target) return false;
  }
  return keys == index_.size();
}

Conversation* Conversations::find(const std::string& way, const std::string& to_target) {
  const std::uint64_t* at = index_.find(key_of(way, to_target));
  if (!at) return nullptr;
  for (std::size_t i = *at - 1; i < entries_.size(); ++i) {  // from the first of the key (another text of
    Conversation& c = entries_[i];                              // the same hash may come first)
    if (c.way == way && c.to_target == to_target) return &c;
  }
  return nullptr;
}

const Conversation* Conversations::on_message(std::uint64_t seq, std::uint64_t mid, std::uint32_t ref,
                                              const MessageFacts& msg, std::string_view text, std::uint64_t texts) {
  const std::string& way = msg.way;
  const std::string& from = msg.form_user;
  Conversation* c;
  bool mine;
  if (texts != 0 && texts == memo_texts_) {  // the texts the memo was made for: its conversation
    if (seq == 0) return nullptr;
    c = &entries_[memo_at_];
    mine = memo_mine_;
    by_sender_ = memo_by_sender_;
  } else {
    // "P2P" or "P2R" read byte by byte, and the sender compared with the user once: each comparison of
    // std::strings is a call where wasm is interpreted (iOS), several per message.
    const std::string_view w = way;
    if (w.size() != 3 || w[0] != 'P' || w[1] != '2' || (w[2] != 'P' && w[2] != 'R') || msg.to_target.empty() ||
        seq == 0) {
      return nullptr;
    }
    mine = from == self_;
    by_sender_ = w[2] == 'P' && !mine;
    const std::string& target = by_sender_ ? from : msg.to_target;  // the message's: no copy
    if (target.empty()) return nullptr;
    c = find(way, target);
    if (!c) {
      Conversation fresh;
      fresh.way = way;
      fresh.to_target = target;
      entries_.push_back(std::move(fresh));
      c = &entries_.back();
      std::uint64_t& at = index_[key_of(way, target)];
      if (at == 0) at = entries_.size();
    }
    memo_texts_ = texts;  // 0: none
    memo_at_ = static_cast<std::size_t>(c - entries_.data());
    memo_mine_ = mine;
    memo_by_sender_ = by_sender_;
  }
  if (seq <= c->last_seq) return nullptr;  // older than what we have (e.g. a list seeded later)
  c->last_seq = seq;
  if (c->last_ref != 0) released_.push_back(c->last_ref);
  c->last_ref = ref;
  if (ref == 0) c->last_message = parse_json(text);
  else if (!c->last_message.is_null()) c->last_message = json();
  if (!c->last_patch.is_null()) c->last_patch = json();
  c->last_mid = mid;
  if (msg.create_time) c->update_time = static_cast<std::int64_t>(*msg.create_time);
  if (!mine && !msg.recalled && seq > c->read_seq) {
    ++c->unread;
    if (mid != 0) {
      c->unread_mids.push_back(mid);
      // Trimmed in steps (keeping kUnreadMids to 2 * kUnreadMids - 1): erasing the oldest one at a time
      // moved 1.6 KB per message once 200 were unread, the largest cost per message in wasm interpreted
      // on iOS (docs/benchmarks.md).
      auto& mids = c->unread_mids;
      if (mids.size() >= 2 * kUnreadMids) mids.erase(mids.begin(), mids.end() - static_cast<std::ptrdiff_t>(kUnreadMids));
    }
  }
  if (entries_.size() > max_entries_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const Conversation& a, const Conversation& b) {
      return a.update_time < b.update_time;
    });
    const bool self = &*oldest == c;
    if (oldest->last_ref != 0) released_.push_back(oldest->last_ref);
    entries_.erase(oldest);
    reindex();
    if (self) return nullptr;
    return find(way, by_sender_ ? from : msg.to_target);
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
    if (c.last_mid != *mid) continue;
    // The host-kept message is shown through a patch; a message the core holds is changed in place.
    json& shown = c.last_ref != 0 ? c.last_patch : c.last_message;
    if (!shown.is_object()) {
      if (c.last_ref == 0) continue;
      shown = json::object();
    }
    shown["recalled"] = true;
    shown["body"] = nullptr;
    if (const json* t = field(data, "recallTime")) shown["recallTime"] = *t;
    return &c;
  }
  return changed;
}

// Written straight as text (no tree: this runs for every message handed over), members in the order
// core::Json sorts them, so the text is what dump() of the same object gives.
std::string Conversations::to_text(const Conversation& c) {
  std::string out = "{\"lastMessage\":";
  out += c.last_message.dump();
  if (c.last_ref != 0) {
    if (!c.last_patch.is_null()) {
      out += ",\"lastPatch\":";
      out += c.last_patch.dump();
    }
    out += ",\"lastRef\":";
    out += core::decimal(c.last_ref);
  }
  out += ",\"lastSeq\":";
  out += core::decimal(c.last_seq);
  out += ",\"readSeq\":";
  out += core::decimal(c.read_seq);
  out += ",\"toTarget\":";
  core::append_json_string(out, c.to_target);
  out += ",\"unread\":";
  out += core::decimal(c.unread);
  out += ",\"updateTime\":";
  out += core::decimal(c.update_time);
  out += ",\"way\":";
  core::append_json_string(out, c.way);
  out += '}';
  return out;
}

std::vector<std::uint32_t> Conversations::take_released() {
  std::vector<std::uint32_t> out;
  out.swap(released_);
  return out;
}

void Conversations::replace(const json& list) {
  if (!list.is_array()) return;
  for (const auto& c : entries_) {
    if (c.last_ref != 0) released_.push_back(c.last_ref);
  }
  entries_.clear();
  for (const auto& item : list) {
    Conversation c;
    c.way = string_field(item, "way");
    if (const json* to = field(item, "toTarget")) c.to_target = target_string(*to);
    if (c.way.empty() || c.to_target.empty()) continue;
    c.unread = uint_field(item, "unread").value_or(0);
    c.read_seq = uint_field(item, "readSeq").value_or(0);
    c.last_seq = uint_field(item, "lastSeq").value_or(0);
    c.update_time = static_cast<std::int64_t>(uint_field(item, "updateTime").value_or(0));
    if (const json* m = field(item, "lastMessage")) {
      c.last_message = *m;
      c.last_mid = uint_field(*m, "mid").value_or(0);
    }
    entries_.push_back(std::move(c));
    if (entries_.size() >= max_entries_) break;
  }
  reindex();
}

const Conversation* Conversations::mark_read(const std::string& way, const std::string& to_target) {
  Conversation* c = find(way, to_target);
  if (!c || (c->unread == 0 && c->read_seq == c->last_seq)) return nullptr;
  c->read_seq = c->last_seq;
  c->unread = 0;
  c->unread_mids.clear();
  return c;
}

std::string Conversations::to_json() const {
  // Newest first; ties keep the entries' order.
  const auto order = core::stable_order(entries_.size(), [this](std::size_t a, std::size_t b) {
    return core::three_way(entries_[b].update_time, entries_[a].update_time);
  });
  std::string out = "[";
  for (std::size_t at : order) {
    if (out.size() > 1) out += ',';
    out += to_text(entries_[at]);
  }
  return out + "]";
}

}  // namespace echat::im
