// A small JSON value for the core: parse what JavaScript's JSON.parse accepts, build, dump.
//
// Why not nlohmann/json here: it was ~49 KB of the wasm's 219 KB of code, plus the long-double
// strtod it pulls in (issue 10's size goal). The core reads a few fields of configs, envelopes and
// IM messages and builds small requests; it never computes with fractions. So:
//   - numbers keep their JSON text: integers are read exactly (int64 / uint64), fractions only as a
//     double for config values (is_number_float(), get<double>()), and a number is dumped as it came;
//   - object members are kept sorted by key (bytewise), so dump() writes the same text nlohmann's
//     std::map-backed json did, and a repeated key keeps its last value (as JSON.parse does);
//   - parse() follows RFC 8259, plus JSON.parse's leniency for lone UTF-16 surrogate escapes
//     ("\ud800"), read as U+FFFD (UTF-8 cannot hold them); invalid UTF-8 is refused; any depth is
//     accepted, but containers deeper than kMaxDepth are kept as their text (the tree stays shallow,
//     so neither parsing nor destroying it recurses deeply: the wasm stack is 128 KiB);
//   - dump() writes compact JSON, escapes as JSON.stringify does and replaces invalid UTF-8 in
//     strings built in C++ with U+FFFD, so it never fails.
// The API spells its names as nlohmann's does where they exist (is_object, find, get<T>, dump), so
// reading the IM code needs no new vocabulary. The native tests compare it with nlohmann.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace echat::core {

// The decimal text of an integer, as std::to_string writes it. libc++'s to_string is one function per
// integer type over its own itoa code (with them ~1 KB of wasm); these share format_uint (below).
std::string decimal_u(std::uint64_t v);
std::string decimal_s(std::int64_t v);
template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
std::string decimal(I v) {
  if constexpr (std::is_signed_v<I>) {
    return decimal_s(v);
  } else {
    return decimal_u(v);
  }
}

class Json {
 public:
  // Nested: an array or object deeper than kMaxDepth, kept as its (checked) JSON text: dump() writes
  // it back as it came, but its members cannot be read.
  enum class Type : unsigned char { Null, Boolean, Number, String, Array, Object, Discarded, Nested };
  static constexpr int kMaxDepth = 64;

  Json() = default;
  Json(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): null, as in JSON
  Json(bool b) : type_(Type::Boolean), bool_(b) {}  // NOLINT
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Json(I v) : type_(Type::Number), text_(decimal(v)) {}  // NOLINT
  Json(const char* s) : type_(Type::String), text_(s) {}  // NOLINT
  Json(std::string s) : type_(Type::String), text_(std::move(s)) {}  // NOLINT
  Json(std::string_view s) : type_(Type::String), text_(s) {}  // NOLINT

  // {"k": v, ...} (a repeated key keeps the last value) and [v, ...].
  static Json object(std::initializer_list<std::pair<std::string_view, Json>> members = {});
  static Json array(std::initializer_list<Json> items = {});
  // The value of a JSON text, or a Discarded value when the text is not JSON.
  static Json parse(std::string_view text);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_boolean() const { return type_ == Type::Boolean; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_discarded() const { return type_ == Type::Discarded; }
  // Integers that int64 or uint64 holds exactly; anything else that is a number is a "float".
  bool is_number_integer() const;
  bool is_number_unsigned() const;  // and not negative
  bool is_number_float() const { return is_number() && !is_number_integer(); }

  // Reading: a value of another type reads as false / "" / 0.
  bool get_bool() const { return type_ == Type::Boolean && bool_; }
  const std::string& get_string() const;
  std::int64_t get_int() const;    // integers (a uint64 above INT64_MAX reads as INT64_MAX), floats truncated
  std::uint64_t get_uint() const;  // non-negative integers, else 0
  // The nearest double for short decimals (up to 15 significant digits and |exponent| <= 22, the
  // values configs hold); longer ones are within a few units in the last place; ±inf beyond the range.
  double get_double() const;
  template <class T>
  T get() const {
    if constexpr (std::is_same_v<T, bool>) {
      return get_bool();
    } else if constexpr (std::is_same_v<T, std::string>) {
      return get_string();
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(get_double());
    } else if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(get_uint());
    } else {
      return static_cast<T>(get_int());
    }
  }

  // Arrays and objects. size(): elements or members; 0 for null, 1 for other scalars (as nlohmann).
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  const Json& operator[](std::size_t i) const;     // an array's element; null when out of range
  Json& operator[](std::string_view key);          // an object's member, added as null; null turns into {}
  const Json& operator[](std::string_view key) const;  // an object's member; null when absent
  const Json* find(std::string_view key) const;    // nullptr when absent or not an object
  bool erase(std::string_view key);
  void push_back(Json v);                          // null turns into []
  // An object's keys, sorted, and values (or an array's elements), in the same order.
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<Json>& values() const { return items_; }
  std::vector<Json>::const_iterator begin() const { return items_.begin(); }  // range-for over values()
  std::vector<Json>::const_iterator end() const { return items_.end(); }
  // "null", "boolean", "number", "string", "array", "object", "discarded" (nlohmann's words) or "nested".
  const char* type_name() const;

  std::string dump() const;
  void dump_to(std::string& out) const;

 private:
  friend class JsonParser;

  Type type_ = Type::Null;
  bool bool_ = false;
  std::string text_;               // String: the value (UTF-8); Number: its JSON text
  std::vector<std::string> keys_;  // Object: sorted
  std::vector<Json> items_;        // Array: the elements; Object: the values, in keys_'s order
};

// Reads the JSON string literal at t[i] (t[i] is its opening quote) as Json::parse does: escapes decoded,
// UTF-8 checked, a lone surrogate escape read as U+FFFD. On success i is past the closing quote and
// *out (when given) has the value appended. (The socket.io payload scanner reads its strings and numbers
// with these two.)
bool read_json_string(std::string_view t, std::size_t& i, std::string* out);

// Reads the JSON number at t[i] (RFC 8259's grammar); on success i is past it.
bool read_json_number(std::string_view t, std::size_t& i);

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0; `bad` gets the length of an invalid one there (its maximal subpart).
std::size_t utf8_length(std::string_view s, std::size_t i, std::size_t* bad = nullptr);

// Appends the code point `cp` (at most U+10FFFF, not a surrogate) in UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

// How many decimal digits `v` has (socketio::Manager::event_ack_fast checks a frame's head by it).
inline std::size_t decimal_digits(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 10000; v /= 10000) n += 4;  // (a timestamp's 13 digits in 6 steps, not 12: interpreted on iOS)
  for (; v >= 10; v /= 10) ++n;
  return n;
}
// The number written by the decimal digits of `s` from `from` on, 1 to 19 of them (no overflow), into
// `v`; false, `v` unchanged, when they are anything else (an ack id's digits, a clientMsgId's number).
bool read_uint(std::string_view s, std::size_t from, std::uint64_t& v);
// Writes the decimal digits of `v` at `out` (room for 20) and returns how many. Counted first, then
// written from the last in place: no buffer to copy from (each step is interpreted on iOS).
inline std::size_t format_uint(char* out, std::uint64_t v) {
  const std::size_t n = decimal_digits(v);
  for (char* p = out + n; p != out; v /= 10) *--p = static_cast<char>('0' + v % 10);
  return n;
}

// Appends the decimal digits of `v`, with one call to the string (libc++ does not inline its members).
inline void append_uint(std::string& out, std::uint64_t v) {
  char digits[20];
  out.append(digits, format_uint(digits, v));
}

// Appends `s` as a JSON string: quotes, escapes as JSON.stringify (\" \\ \b \f \n \r \t, \u00xx for
// other controls), invalid UTF-8 as U+FFFD.
void append_json_string(std::string& out, std::string_view s);

}  // namespace echat::core
