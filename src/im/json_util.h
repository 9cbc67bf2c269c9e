// JSON helpers of the IM layer, over core::Json (core/json.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"

namespace echat::im {

using json = core::Json;

// Parses JSON text as JavaScript's JSON.parse does (lone surrogate escapes read as U+FFFD). A failed
// parse is a discarded value.
inline json parse_json(std::string_view text) { return json::parse(text); }

inline std::string dump(const json& j) { return j.dump(); }

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

inline std::string string_field(const json& obj, const char* name) {
  const json* f = field(obj, name);
  return f ? f->get_string() : std::string();
}

}  // namespace echat::im
