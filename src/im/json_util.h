// JSON helpers of the IM layer, over core::Json (core/json.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "im/types.h"

namespace echat::im {

using json = core::Json;

// Parses JSON text as JavaScript's JSON.parse does (lone surrogate escapes read as U+FFFD). A failed
// parse is a discarded value.
inline json parse_json(std::string_view text) { return json::parse(text); }

inline std::string dump(const json& j) { return j.dump(); }

// A form the core keeps (Call::form, OutboxEntry::form), or JSON null when it has none (the host keeps
// it, or a call without fields). Kept as an optional: most messages' forms stay in the host, and an
// empty core::Json was still built, moved and destroyed with every entry and call (~600 of a burst
// message's wasm instructions).
inline const json& form_of(const std::optional<json>& form) {
  static const json null;
  return form ? *form : null;
}

// A field of an object, or nullptr. `null` counts as absent (docs/protocol.md section 2).
inline const json* field(const json& obj, const char* name) {
  const json* f = obj.find(name);
  return f && !f->is_null() ? f : nullptr;
}

// A non-negative integer field, else nullopt.
inline std::optional<std::uint64_t> uint_field(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (!f || !f->is_number_unsigned()) return std::nullopt;
  return f->get_uint();
}

// An R envelope's code: an integer an int holds (E聊's codes are small), else nullopt. Read as an int
// without the range check, a code of 2^32 from a broken or hostile server would be 0: success.
inline std::optional<int> code_field(const json& obj) {
  const json* f = field(obj, "code");
  if (!f || !f->is_number_integer()) return std::nullopt;
  const std::int64_t code = f->get_int();
  if (code < INT32_MIN || code > INT32_MAX) return std::nullopt;
  return static_cast<int>(code);
}

inline std::string string_field(const json& obj, const char* name) {
  const json* f = field(obj, name);
  return f ? f->get_string() : std::string();
}

// A target id as text: a string as it is, an integer in decimal; anything else "".
inline std::string target_string(const json& v) {
  if (v.is_string()) return v.get_string();
  if (v.is_number_unsigned()) return core::decimal(v.get_uint());
  if (v.is_number_integer()) return core::decimal(v.get_int());
  return "";
}

// A message object as the session reads it: seq, mid and the facts (Message::json is left to the caller).
inline Message message_of(const json& msg) {
  Message m;
  m.seq = uint_field(msg, "seq").value_or(0);
  m.mid = uint_field(msg, "mid").value_or(0);
  MessageFacts& f = m.facts;
  f.way = string_field(msg, "way");
  f.form_user = string_field(msg, "formUser");
  if (const json* to = field(msg, "toTarget")) f.to_target = target_string(*to);
  f.create_time = uint_field(msg, "createTime");
  const json* recalled = field(msg, "recalled");
  f.recalled = recalled && recalled->is_boolean() && recalled->get<bool>();
  return m;
}

}  // namespace echat::im
