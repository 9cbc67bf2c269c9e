// json.h: parse, build, dump. One file over ~500 lines on purpose: the parser and the writer share
// the UTF-8 rules (utf8_length: what the parser refuses is what the writer replaces; engineio's frame
// descriptions use it too) and the number reading, which stays private to it; split, they would need a
// header of internals.
#include "core/json.h"

#include "core/order.h"
#include <algorithm>
#include <limits>

namespace echat::core {

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0. `bad` gets the length of the invalid one there: its maximal subpart, which
// becomes one U+FFFD (as nlohmann's dump and WHATWG's TextDecoder do).
std::size_t utf8_length(std::string_view s, std::size_t i, std::size_t* bad) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c < 0x80) return 1;
  if (bad) *bad = 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (i + k >= s.size() || at(i + k) < min || at(i + k) > max) {
      if (bad) *bad = k;
      return 0;
    }
  }
  return n;
}

namespace {

const Json& null_json() {
  static const Json n;
  return n;
}

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// A number's JSON text: its sign, its digits without leading zeros, and where the decimal point sits.
struct Decimal {
  bool negative = false;
  bool integer = true;  // no fraction and no exponent in the text
  std::uint64_t mantissa = 0;
  int digits = 0;       // significant digits read into mantissa (at most 19)
  long exponent = 0;    // value = mantissa * 10^exponent (digits past the 19th only move the exponent)
  bool overflow = false;  // an integer text beyond uint64
};

Decimal read_decimal(std::string_view t) {
  Decimal d;
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') {
    d.negative = true;
    ++i;
  }
  auto digit = [&](char c, bool fraction) {
    const unsigned v = static_cast<unsigned>(c - '0');
    if (d.digits < 19) {
      if (d.mantissa != 0 || v != 0) ++d.digits;
      d.mantissa = d.mantissa * 10 + v;
      if (fraction) --d.exponent;
    } else {
      if (!fraction) ++d.exponent;
      if (d.integer) d.overflow = true;
    }
  };
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digit(t[i], false);
  if (i < t.size() && t[i] == '.') {
    d.integer = false;
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digit(t[i], true);
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    d.integer = false;
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    long e = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      if (e < 100000) e = e * 10 + (t[i] - '0');
    }
    d.exponent += neg ? -e : e;
  }
  // A 20-digit integer may still fit uint64 (up to 18446744073709551615).
  if (d.integer && d.overflow) {
    std::uint64_t v = 0;
    bool fits = true;
    for (std::size_t k = d.negative ? 1 : 0; k < t.size(); ++k) {
      const unsigned c = static_cast<unsigned>(t[k] - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - c) / 10) {
        fits = false;
        break;
      }
      v = v * 10 + c;
    }
    if (fits) {
      d.mantissa = v;
      d.exponent = 0;
      d.overflow = false;
    }
  }
  return d;
}

// Four hex digits at t[from], or -1.
long hex4(std::string_view t, std::size_t from) {
  if (from + 4 > t.size()) return -1;
  long v = 0;
  for (std::size_t k = from; k < from + 4; ++k) {
    const char c = t[k];
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

}  // namespace

bool read_json_string(std::string_view t, std::size_t& i, std::string* out) {
  ++i;  // the opening quote
  for (;;) {
    // Copy the run of plain bytes at once.
    std::size_t j = i;
    while (j < t.size()) {
      const unsigned char c = static_cast<unsigned char>(t[j]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      if (c < 0x80) {
        ++j;
        continue;
      }
      const std::size_t n = utf8_length(t, j);
      if (n == 0) return false;
      j += n;
    }
    if (out) out->append(t.data() + i, j - i);
    i = j;
    if (i >= t.size()) return false;
    const char c = t[i];
    if (c == '"') return ++i, true;
    if (c != '\\' || i + 1 >= t.size()) return false;  // a raw control character, or a cut escape
    const char e = t[i + 1];
    i += 2;
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': {
        const long u = hex4(t, i);
        if (u < 0) return false;
        i += 4;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < t.size() && t[i] == '\\' && t[i + 1] == 'u') {
          const long low = hex4(t, i + 2);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            i += 6;
            if (out) {
              append_utf8(*out, 0x10000 + ((static_cast<std::uint32_t>(u) - 0xD800) << 10) +
                                    (static_cast<std::uint32_t>(low) - 0xDC00));
            }
            continue;
          }
        }
        if (!out) continue;
        if (u >= 0xD800 && u <= 0xDFFF) {
          *out += kReplacement;  // a lone surrogate: JSON.parse keeps it, UTF-8 cannot
        } else {
          append_utf8(*out, static_cast<std::uint32_t>(u));
        }
        continue;
      }
      default: return false;
    }
    if (out) *out += plain;
  }
}

bool read_json_number(std::string_view t, std::size_t& i) {
  auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return true;
}

bool read_uint(std::string_view s, std::size_t from, std::uint64_t& v) {
  if (from >= s.size() || s.size() - from > 19) return false;
  std::uint64_t n = 0;
  for (std::size_t i = from; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  v = n;
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// ---- Parsing -------------------------------------------------------------------------------------

class JsonParser {
 public:
  explicit JsonParser(std::string_view t) : t_(t) {}

  bool run(Json& out) {
    space();
    if (!value(out, 0)) return false;
    space();
    return i_ == t_.size();
  }

 private:
  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool value(Json& out, int depth) {
    if (i_ >= t_.size()) return false;
    const char c = t_[i_];
    if (c == '{' || c == '[') {
      if (depth >= Json::kMaxDepth) return nested_text(out);
      return c == '{' ? object(out, depth + 1) : array(out, depth + 1);
    }
    return scalar(out);
  }
  bool scalar(Json& out) {
    const char c = t_[i_];
    if (c == '"') {
      out.type_ = Json::Type::String;
      return string(out.text_);
    }
    if (c == 't' || c == 'f') {
      out.type_ = Json::Type::Boolean;
      out.bool_ = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') return literal("null");
    out.type_ = Json::Type::Number;
    return number(out.text_);
  }
  // A container deeper than kMaxDepth: checked without recursion and kept as its text (Type::Nested).
  bool nested_text(Json& out) {
    const std::size_t start = i_;
    std::string closers;  // the closing bracket of each open container, innermost last
    Json scratch;
    auto key = [&] {  // after '{' or ',' in an object: "key" :
      if (i_ >= t_.size() || t_[i_] != '"' || !string(scratch.text_)) return false;
      space();
      if (i_ >= t_.size() || t_[i_] != ':') return false;
      ++i_;
      space();
      return true;
    };
    for (;;) {
      if (i_ >= t_.size()) return false;
      bool opened_empty = false;
      if (t_[i_] == '{' || t_[i_] == '[') {
        closers += t_[i_] == '{' ? '}' : ']';
        ++i_;
        space();
        if (i_ < t_.size() && t_[i_] == closers.back()) {
          ++i_;
          closers.pop_back();
          opened_empty = true;
        } else {
          if (closers.back() == '}' && !key()) return false;
          continue;  // the first value inside
        }
      }
      if (!opened_empty && !scalar(scratch)) return false;
      for (;;) {  // after a value: ',' and the next one, or close containers
        if (closers.empty()) {
          out.type_ = Json::Type::Nested;
          out.text_.assign(t_.data() + start, i_ - start);
          return true;
        }
        space();
        if (i_ < t_.size() && t_[i_] == ',') {
          ++i_;
          space();
          if (closers.back() == '}' && !key()) return false;
          break;
        }
        if (i_ < t_.size() && t_[i_] == closers.back()) {
          ++i_;
          closers.pop_back();
          continue;
        }
        return false;
      }
    }
  }
  bool object(Json& out, int depth) {
    out.type_ = Json::Type::Object;
    ++i_;
    space();
    if (close('}')) return true;
    // Members are read in text order and sorted once at the end: inserting each in place would be
    // quadratic in the number of keys (a hostile frame may hold many).
    for (;;) {
      out.keys_.emplace_back();
      if (!at('"') || !string(out.keys_.back())) return false;
      space();
      if (!at(':')) return false;
      ++i_;
      space();
      out.items_.emplace_back();
      if (!value(out.items_.back(), depth)) return false;
      const int next = after_item('}');
      if (next < 0) return false;
      if (next == 0) {
        sort_members(out);
        return true;
      }
    }
  }
  bool at(char c) const { return i_ < t_.size() && t_[i_] == c; }
  bool close(char c) {
    if (!at(c)) return false;
    ++i_;
    return true;
  }
  // After an element: 1 when a ',' says another follows, 0 at the closing bracket, -1 otherwise.
  int after_item(char closing) {
    space();
    if (at(',')) {
      ++i_;
      space();
      return 1;
    }
    return close(closing) ? 0 : -1;
  }
  // Sorts an object's members by key; of a repeated key, the last value stays (as JSON.parse).
  static void sort_members(Json& o) {
    const std::size_t n = o.keys_.size();
    bool sorted = true;
    for (std::size_t k = 1; k < n && sorted; ++k) sorted = o.keys_[k - 1] < o.keys_[k];
    if (sorted) return;
    // Ties by position (core::stable_order), so of a repeated key the last one comes last.
    const std::vector<std::size_t> order =
        stable_order(n, [&o](std::size_t a, std::size_t b) { return o.keys_[a].compare(o.keys_[b]); });
    std::vector<std::string> keys;
    std::vector<Json> items;
    keys.reserve(n);
    items.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t at = order[k];
      if (k + 1 < n && o.keys_[order[k + 1]] == o.keys_[at]) continue;  // a later value of this key follows
      keys.push_back(std::move(o.keys_[at]));
      items.push_back(std::move(o.items_[at]));
    }
    o.keys_ = std::move(keys);
    o.items_ = std::move(items);
  }
  bool array(Json& out, int depth) {
    out.type_ = Json::Type::Array;
    ++i_;
    space();
    if (close(']')) return true;
    for (;;) {
      out.items_.emplace_back();
      if (!value(out.items_.back(), depth)) return false;
      const int next = after_item(']');
      if (next <= 0) return next == 0;
    }
  }
  bool string(std::string& out) {
    out.clear();
    return read_json_string(t_, i_, &out);
  }
  bool number(std::string& out) {
    const std::size_t start = i_;
    if (!read_json_number(t_, i_)) return false;
    out.assign(t_.data() + start, i_ - start);
    return true;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

Json Json::parse(std::string_view text) {
  Json j;
  if (!JsonParser(text).run(j)) {
    Json bad;
    bad.type_ = Type::Discarded;
    return bad;
  }
  return j;
}

// ---- Building and reading ------------------------------------------------------------------------

Json Json::object(std::initializer_list<std::pair<std::string_view, Json>> members) {
  Json j;
  j.type_ = Type::Object;
  for (const auto& m : members) j[m.first] = m.second;
  return j;
}

Json Json::array(std::initializer_list<Json> items) {
  Json j;
  j.type_ = Type::Array;
  j.items_.assign(items.begin(), items.end());
  return j;
}

bool Json::is_number_integer() const {
  if (type_ != Type::Number) return false;
  const Decimal d = read_decimal(text_);
  if (!d.integer || d.overflow) return false;
  return !d.negative || d.mantissa <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
}

bool Json::is_number_unsigned() const {
  return is_number_integer() && (text_[0] != '-' || read_decimal(text_).mantissa == 0);
}

const std::string& Json::get_string() const {
  static const std::string empty;
  return type_ == Type::String ? text_ : empty;
}

std::int64_t Json::get_int() const {
  if (type_ != Type::Number) return 0;
  const Decimal d = read_decimal(text_);
  if (d.integer && !d.overflow) {
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (d.negative) return d.mantissa > kMax ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(d.mantissa);
    return d.mantissa > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(d.mantissa);
  }
  const double v = get_double();
  if (!(v > -9.2e18)) return std::numeric_limits<std::int64_t>::min();
  if (!(v < 9.2e18)) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(v);
}

std::uint64_t Json::get_uint() const {
  if (!is_number_unsigned()) return 0;
  return read_decimal(text_).mantissa;
}

double Json::get_double() const {
  if (type_ != Type::Number) return 0;
  const Decimal d = read_decimal(text_);
  double v = static_cast<double>(d.mantissa);
  if (d.mantissa != 0) {
    // Exact powers of ten up to 1e22; one multiplication or division keeps short decimals exact.
    static constexpr double kPow[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    long e = d.exponent;
    if (e > 400) {
      v = std::numeric_limits<double>::infinity();
    } else if (e < -400) {
      v = 0;
    } else {
      while (e > 22) v *= kPow[22], e -= 22;
      while (e < -22) v /= kPow[22], e += 22;
      v = e >= 0 ? v * kPow[e] : v / kPow[-e];
    }
  }
  return d.negative ? -v : v;
}

const char* Json::type_name() const {
  static constexpr const char* kNames[] = {"null", "boolean", "number", "string", "array", "object", "discarded", "nested"};
  return kNames[static_cast<int>(type_)];
}

std::size_t Json::size() const {
  switch (type_) {
    case Type::Null: return 0;
    case Type::Array:
    case Type::Object: return items_.size();
    default: return 1;
  }
}

const Json& Json::operator[](std::size_t i) const {
  return type_ == Type::Array && i < items_.size() ? items_[i] : null_json();
}

Json& Json::operator[](std::string_view key) {
  if (type_ != Type::Object) *this = Json::object();
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  const auto at = static_cast<std::size_t>(it - keys_.begin());
  if (it == keys_.end() || *it != key) {
    // Appended, then moved down to its place: push_back's code is shared, vector::insert's would not be.
    keys_.emplace_back(key);
    items_.emplace_back();
    for (std::size_t k = keys_.size() - 1; k > at; --k) {
      keys_[k].swap(keys_[k - 1]);
      std::swap(items_[k], items_[k - 1]);
    }
  }
  return items_[at];
}

const Json& Json::operator[](std::string_view key) const {
  const Json* f = find(key);
  return f ? *f : null_json();
}

const Json* Json::find(std::string_view key) const {
  if (type_ != Type::Object) return nullptr;
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  if (it == keys_.end() || *it != key) return nullptr;
  return &items_[static_cast<std::size_t>(it - keys_.begin())];
}

bool Json::erase(std::string_view key) {
  const Json* f = find(key);
  if (!f) return false;
  const auto at = static_cast<std::ptrdiff_t>(f - items_.data());
  keys_.erase(keys_.begin() + at);
  items_.erase(items_.begin() + at);
  return true;
}

void Json::push_back(Json v) {
  if (type_ == Type::Null) type_ = Type::Array;
  if (type_ == Type::Array) items_.push_back(std::move(v));
}

// ---- Writing -------------------------------------------------------------------------------------

std::string decimal_u(std::uint64_t v) {
  std::string out;
  append_uint(out, v);
  return out;
}

std::string decimal_s(std::int64_t v) {
  std::string out;
  if (v < 0) out += '-';
  append_uint(out, v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v));
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // The run of bytes that need no escape goes in with one append (most of a message's text).
    std::size_t j = i;
    while (j < s.size()) {
      const unsigned char b = static_cast<unsigned char>(s[j]);
      if (b < 0x20 || b == '"' || b == '\\' || b >= 0x80) break;
      ++j;
    }
    if (j > i) {
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t bad = 1;
      const std::size_t n = utf8_length(s, i, &bad);
      if (n == 0) {
        out += kReplacement;
        i += bad;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void Json::dump_to(std::string& out) const {
  switch (type_) {
    case Type::Null:
    case Type::Discarded: out += "null"; return;
    case Type::Boolean: out += bool_ ? "true" : "false"; return;
    case Type::Number:
    case Type::Nested: out += text_; return;
    case Type::String: append_json_string(out, text_); return;
    case Type::Array:
      out += '[';
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        items_[i].dump_to(out);
      }
      out += ']';
      return;
    case Type::Object:
      out += '{';
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, keys_[i]);
        out += ':';
        items_[i].dump_to(out);
      }
      out += '}';
      return;
  }
}

std::string Json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

}  // namespace echat::core
