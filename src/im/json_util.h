// nlohmann/json helpers for a build without exceptions (JSON_NOEXCEPTION): a failed parse is a
// discarded value, and dump() must never meet invalid UTF-8 (it would abort), so it replaces it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace echat::im {

using json = nlohmann::json;

// JSON text with every lone UTF-16 surrogate escape (`\ud800` not followed by a low surrogate, or a
// low surrogate alone) replaced by `\ufffd`; everything else byte for byte. JavaScript's JSON.parse
// accepts lone surrogates, nlohmann rejects the whole text: a server or an app that sends one must
// not make a message (or a user list) unreadable. Returns "" when there was nothing to replace.
std::string replace_lone_surrogates(std::string_view text);

// Parses JSON text; what JavaScript's JSON.parse accepts and nlohmann does not (lone surrogate
// escapes) is read with U+FFFD in their place. A failed parse is a discarded value.
json parse_json(std::string_view text);

inline std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A field of an object, or nullptr. `null` counts as absent (docs/protocol.md section 2).
inline const json* field(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// A positive integer field (or a decimal string of one), else nullopt.
inline std::optional<std::uint64_t> uint_field(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (!f) return std::nullopt;
  if (f->is_number_unsigned()) return f->get<std::uint64_t>();
  if (f->is_number_integer()) {
    auto v = f->get<std::int64_t>();
    if (v >= 0) return static_cast<std::uint64_t>(v);
  }
  return std::nullopt;
}

inline std::string string_field(const json& obj, const char* name) {
  const json* f = field(obj, name);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

}  // namespace echat::im
