// libFuzzer target: core::Json (src/core/json.h), the core's JSON reader and writer, against
// nlohmann/json, the library it replaced in the shipped core.
//
// The whole input is one JSON text:
//  - a text with a raw NUL byte is refused (nlohmann stops reading at it, so it is not asked);
//  - a text nlohmann accepts, core::Json accepts; when nlohmann holds no number as a double (it
//    rewrites those: 1e3 -> 1000.0) and there is no "-0", both dump the same text;
//  - a text core::Json accepts and nlohmann refuses holds a lone surrogate escape or a number beyond
//    a double's range (JSON.parse's leniencies: U+FFFD, ±Infinity);
//  - what core::Json accepts, it dumps to a text it parses back to the same dump, and nlohmann
//    accepts that dump unless it holds a number beyond a double's range (core::Json never writes
//    invalid JSON).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "fuzz_input.h"

using echat::fuzz::check;
using echat::core::Json;

namespace {

// Whether nlohmann holds a number as a double somewhere (it rewrites those: 1e3 -> 1000.0, and
// integers beyond 64 bits); walked without recursion (the input may nest deeply).
bool has_float(const nlohmann::json& root) {
  std::vector<const nlohmann::json*> todo{&root};
  while (!todo.empty()) {
    const nlohmann::json* j = todo.back();
    todo.pop_back();
    if (j->is_number_float()) return true;
    if (j->is_structured()) {
      for (const auto& v : *j) todo.push_back(&v);
    }
  }
  return false;
}

bool has_surrogate_escape(const std::string& t) {
  for (std::size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i] == '\\' && t[i + 1] == 'u' && (t[i + 2] == 'd' || t[i + 2] == 'D')) return true;
  }
  return false;
}

// Whether a number in the text may be beyond a double's range (nlohmann refuses those; JSON.parse and
// core::Json read them as ±Infinity): its integer digits plus its exponent above 300.
bool may_overflow(const std::string& t) {
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    if (c == '-') ++i;
    long magnitude = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++magnitude, ++i;
    while (i < t.size() && (t[i] == '.' || (t[i] >= '0' && t[i] <= '9'))) ++i;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      const bool negative = i < t.size() && t[i] == '-';
      if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
      long e = 0;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
        if (e < 100000) e = e * 10 + (t[i] - '0');
        ++i;
      }
      magnitude += negative ? -e : e;
    }
    if (magnitude > 300) return true;
    --i;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Json j = Json::parse(text);
  // nlohmann stops reading at a NUL byte ("1\0" is 1 to it); JSON.parse and core::Json refuse it.
  const bool nul = text.find('\0') != std::string::npos;
  const nlohmann::json n = nlohmann::json::parse(text, nullptr, false);
  if (nul) {
    check(j.is_discarded());  // a raw NUL is legal nowhere in JSON
  } else if (!n.is_discarded()) {
    check(!j.is_discarded());
    if (!has_float(n) && text.find("-0") == std::string::npos) {
      check(j.dump() == n.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  } else if (!j.is_discarded()) {
    check(has_surrogate_escape(text) || may_overflow(text));
  }
  if (!j.is_discarded()) {
    const std::string once = j.dump();
    check(Json::parse(once).dump() == once);
    check(!nlohmann::json::parse(once, nullptr, false).is_discarded() || may_overflow(once));
  }
  return 0;
}
