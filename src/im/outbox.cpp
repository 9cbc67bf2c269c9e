#include "im/outbox.h"

#include "core/order.h"
#include <algorithm>
#include <cassert>
#include <utility>

namespace echat::im {

core::Result<core::Ok> Outbox::add(OutboxEntry&& entry) {
  if (entry.bytes == 0) entry.bytes = dump(form_of(entry.form)).size() + entry.client_msg_id.size() + 16;
  if (entries_.size() >= max_entries_ || bytes_ + entry.bytes > max_bytes_) {
    std::string why = "the outbox is full (";
    core::append_uint(why, entries_.size());
    why += " messages, ";
    core::append_uint(why, bytes_);
    why += " of ";
    core::append_uint(why, max_bytes_);
    why += " bytes waiting); try again when connected";
    return core::Error::caller("-1005", std::move(why));
  }
  if (entry.n == 0) entry.n = next_n_;
  next_n_ = std::max(next_n_, entry.n + 1);
  bytes_ += entry.bytes;
  entries_.emplace_back() = std::move(entry);  // (add_new's way of making an entry: one instantiation)
  return core::Ok{};
}

OutboxEntry* Outbox::add_new(std::size_t bytes) {
  if (entries_.size() >= max_entries_ || bytes_ + bytes > max_bytes_) return nullptr;
  OutboxEntry& e = entries_.emplace_back();
  e.n = next_n_++;
  e.bytes = bytes;
  bytes_ += bytes;
  return &e;
}

bool Outbox::remove(std::uint64_t call_id) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const OutboxEntry& e) { return e.call_id == call_id; });
  if (it == entries_.end()) return false;
  bytes_ -= it->bytes;
  entries_.erase(it);
  return true;
}

// Written as text (the same bytes as dumping the object): no tree built only to be dumped.
std::string Outbox::record(const OutboxEntry& e) {
  assert(e.msg_no == 0);  // (the send lane's entries have their records written by the host)
  std::string out = "{\"n\":";
  core::append_uint(out, e.n);
  out += ",\"c\":";
  core::append_json_string(out, e.client_msg_id);
  out += ",\"f\":";
  form_of(e.form).dump_to(out);
  out += '}';
  return out;
}

namespace {

// A stored entry {"c": clientMsgId, "f": form, ...} into `e`; false when it is not one (damaged, or
// written by another version): no clientMsgId, no form object, or a form naming another clientMsgId.
bool read_entry(const json& item, OutboxEntry& e) {
  e.client_msg_id = string_field(item, "c");
  const json* f = field(item, "f");
  if (e.client_msg_id.empty() || !f || !f->is_object() || string_field(*f, "clientMsgId") != e.client_msg_id) {
    return false;
  }
  e.form = *f;
  return true;
}

}  // namespace

std::vector<std::uint32_t> Outbox::restore_records(const std::vector<std::string>& records) {
  std::vector<std::uint32_t> rejected;
  std::vector<std::pair<OutboxEntry, std::uint32_t>> found;
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    const json item = parse_json(records[i]);
    OutboxEntry e;
    e.n = uint_field(item, "n").value_or(0);
    if (e.n == 0 || !read_entry(item, e)) {
      rejected.push_back(i);
      continue;
    }
    found.emplace_back(std::move(e), i);
  }
  const auto order = core::stable_order(
      found.size(), [&found](std::size_t a, std::size_t b) { return core::three_way(found[a].first.n, found[b].first.n); });
  for (std::size_t at : order) {
    auto& [e, i] = found[at];
    bool dup = false;
    for (const auto& have : entries_) dup = dup || have.client_msg_id == e.client_msg_id;
    if (dup || !add(std::move(e)).ok()) rejected.push_back(i);
  }
  return rejected;
}

std::string Outbox::serialize() const {
  if (entries_.empty()) return "";
  std::string out = "[";
  for (const auto& e : entries_) {
    assert(e.msg_no == 0);  // (the send lane takes no message when one record holds them all)
    if (out.size() > 1) out += ',';
    out += "{\"c\":";
    core::append_json_string(out, e.client_msg_id);
    out += ",\"f\":";
    form_of(e.form).dump_to(out);
    out += '}';
  }
  return out + "]";
}

void Outbox::restore(std::string_view text) {
  clear();
  const json list = parse_json(text);
  if (!list.is_array()) return;
  for (const auto& item : list) {
    OutboxEntry e;
    if (read_entry(item, e) && !add(std::move(e)).ok()) break;
  }
}

}  // namespace echat::im
