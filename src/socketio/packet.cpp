// Socket.IO packet codec. See packet.h for the grammar and the validity rules. Over ~500 lines on
// purpose: encoding, the checks of both directions and the decoder share one payload scanner (a single
// pass over the text, no tree: which JSON is valid, the root's kind, the first element, the binary
// placeholders) and the rules built on it; split, that scanner would need a header of internals.
#include "socketio/packet.h"

#include <utility>

#include "core/json.h"

namespace echat::socketio {
namespace {


constexpr std::string_view kReserved[] = {"connect",       "connect_error",  "disconnect",
                                          "disconnecting", "newListener",    "removeListener"};

bool is_binary_type(PacketType type) {
  return type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
}
bool may_carry_id(PacketType type) {
  return type == PacketType::Event || type == PacketType::Ack || type == PacketType::BinaryEvent ||
         type == PacketType::BinaryAck;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A short, printable excerpt of a frame for error messages: `42["a",...` (at most 48 bytes).
std::string excerpt(std::string_view frame) {
  constexpr std::size_t kMax = 48;
  std::string out = "`";
  const std::size_t n = frame.size() < kMax ? frame.size() : kMax;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(frame[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (frame.size() > kMax) out += "...";
  out += '`';
  return out;
}

core::Error peer(const char* code, std::string what, std::string_view frame) {
  return core::Error::peer(code, std::move(what) + " in packet " + excerpt(frame));
}

// ---- Payload scan: one pass over the text, no tree, no recursion (deep nesting is fine). ----
// Strict RFC 8259 JSON with UTF-8 checked; a lone surrogate escape ("\ud800") is accepted, as
// JSON.parse accepts it (strings are read by core::read_json_string, as Json::parse reads them).
// Records the root's kind, the first element of a root array (and its value when a string), and the
// placeholders ({"_placeholder":true,"num":N}, at any depth).
enum class Kind : unsigned char { None, Null, Bool, Number, String, Array, Object };

struct Scan {
  Kind root = Kind::None;
  Kind first = Kind::None;         // root array's first element
  std::string first_string;        // ...its value when a string (UTF-8)
  std::size_t root_elements = 0;   // root array's element count
  std::vector<std::int64_t> nums;  // placeholder nums (-1 = not a valid integer)
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool scan(std::string_view t, Scan& s) {
  enum class Key : unsigned char { Other, Placeholder, Num };
  struct Level {
    bool object = false;
    Key key = Key::Other;
    bool placeholder = false;
    bool num_ok = false;
    std::int64_t num = -1;
    std::size_t elements = 0;
  };
  std::vector<Level> stack;
  std::string key;
  const std::size_t n = t.size();
  std::size_t i = 0;
  auto skip = [&] {
    while (i < n && is_ws(t[i])) ++i;
  };
  // Called for every value (scalars, and containers as they start).
  auto note = [&](Kind kind) {
    if (stack.empty()) {
      s.root = kind;
      return;
    }
    Level& f = stack.back();
    if (stack.size() == 1 && !f.object && f.elements == 0) s.first = kind;
    if (!f.object) ++f.elements;
    if (f.object && f.key == Key::Placeholder && kind != Kind::Bool) f.placeholder = false;
    if (f.object && f.key == Key::Num && kind != Kind::Number) f.num_ok = false;
  };
  auto read_key = [&] {
    skip();
    if (i >= n || t[i] != '"') return false;
    key.clear();
    if (!core::read_json_string(t, i, &key)) return false;
    skip();
    if (i >= n || t[i] != ':') return false;
    ++i;
    stack.back().key = key == "_placeholder" ? Key::Placeholder : key == "num" ? Key::Num : Key::Other;
    return true;
  };
  auto close = [&] {
    const Level f = stack.back();
    if (stack.size() == 1 && !f.object) s.root_elements = f.elements;
    stack.pop_back();
    if (f.object && f.placeholder) s.nums.push_back(f.num_ok ? f.num : -1);
  };
  bool need_value = true;
  for (;;) {
    if (need_value) {
      skip();
      if (i >= n) return false;
      const char c = t[i];
      Level* parent = stack.empty() ? nullptr : &stack.back();
      if (c == '{' || c == '[') {
        note(c == '{' ? Kind::Object : Kind::Array);
        stack.push_back(Level{c == '{'});
        ++i;
        skip();
        if (i < n && t[i] == (c == '{' ? '}' : ']')) {
          ++i;
          close();
          need_value = false;
        } else if (c == '{' && !read_key()) {
          return false;
        }
        continue;
      }
      if (c == '"') {
        const bool first = stack.size() == 1 && !parent->object && parent->elements == 0;
        if (!core::read_json_string(t, i, first ? &s.first_string : nullptr)) return false;
        note(Kind::String);
      } else if (t.substr(i, 4) == "true" || t.substr(i, 5) == "false") {
        const bool v = c == 't';
        i += v ? 4 : 5;
        if (parent && parent->object && parent->key == Key::Placeholder) parent->placeholder = v;
        note(Kind::Bool);
      } else if (t.substr(i, 4) == "null") {
        i += 4;
        note(Kind::Null);
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        const std::size_t start = i;
        if (!core::read_json_number(t, i)) return false;
        if (parent && parent->object && parent->key == Key::Num) {
          // A placeholder index: plain digits (a fraction of zeros allowed), at most 15 of them.
          std::size_t k = start;
          const bool negative = t[k] == '-';
          if (negative) ++k;
          std::size_t digits = 0;
          std::int64_t v = 0;
          for (; k < i && t[k] >= '0' && t[k] <= '9'; ++k, ++digits) {
            if (digits < 15) v = v * 10 + (t[k] - '0');
          }
          bool integral = true;
          if (k < i && t[k] == '.') {
            for (++k; k < i && t[k] >= '0' && t[k] <= '9'; ++k) {
              if (t[k] != '0') integral = false;
            }
          }
          if (k < i) integral = false;  // an exponent
          parent->num_ok = integral && !negative && digits <= 15;
          parent->num = parent->num_ok ? v : 0;
        }
        note(Kind::Number);
      } else {
        return false;
      }
      need_value = false;
    }
    skip();
    if (stack.empty()) return i == n;
    if (i >= n) return false;
    const bool object = stack.back().object;
    if (t[i] == ',') {
      ++i;
      if (object && !read_key()) return false;
      need_value = true;
    } else if (t[i] == (object ? '}' : ']')) {
      ++i;
      close();
    } else {
      return false;
    }
  }
}

// Checks placeholders against `count` attachments: every num valid, every attachment referenced.
// Returns an empty string when fine, else what is wrong.
std::string check_placeholders(const Scan& s, std::size_t count) {
  std::string seen(count, '\0');  // (not a vector<bool>: its code instantiated for this one use)
  for (const std::int64_t n : s.nums) {
    if (n < 0 || static_cast<std::uint64_t>(n) >= count) {
      return "placeholder num " + (n < 0 ? std::string("not a valid index") : core::decimal(n)) +
             " for " + core::decimal(count) + " attachment(s)";
    }
    seen[static_cast<std::size_t>(n)] = 1;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (!seen[i]) return "attachment " + core::decimal(i) + " has no placeholder";
  }
  return {};
}

// The facts of a payload: scanned from the text, or the host's report for a host-kept one.
// Returns false when the text is not valid JSON.
bool shape_of(const Packet& p, Scan& s, Shape& out) {
  if (p.ext) {
    out = p.shape;
    return out.root != JsonKind::Invalid && out.root != JsonKind::None;
  }
  if (!scan(p.data, s)) return false;  // (a raw NUL byte is never valid JSON text: < 0x20 or outside strings)
  auto kind = [](Kind k) {
    switch (k) {
      case Kind::None: return JsonKind::None;
      case Kind::Null: return JsonKind::Null;
      case Kind::Bool: return JsonKind::Bool;
      case Kind::Number: return JsonKind::Number;
      case Kind::String: return JsonKind::String;
      case Kind::Array: return JsonKind::Array;
      case Kind::Object: return JsonKind::Object;
    }
    return JsonKind::None;
  };
  out.root = kind(s.root);
  out.first = s.root_elements == 0 ? JsonKind::None : kind(s.first);
  out.first_reserved = out.first == JsonKind::String && is_reserved_event(s.first_string);
  return true;
}

// The payload rules shared by both directions. Returns "" when valid, else the reason.
// `outgoing` makes the DISCONNECT/CONNECT_ERROR rules strict (a client sends neither payload).
std::string payload_problem(const Packet& p, bool outgoing) {
  const bool has = p.ext != 0 || !p.data.empty();
  Scan s;
  Shape sh;
  if (has && !shape_of(p, s, sh)) return "payload is not valid JSON";
  switch (p.type) {
    case PacketType::Connect:
      if (has && sh.root != JsonKind::Object) return "CONNECT payload must be an object";
      break;
    case PacketType::Disconnect:
      if (has && outgoing) return "DISCONNECT carries no payload";
      break;  // incoming: tolerated (python-socketio sends 41{...})
    case PacketType::ConnectError:
      if (outgoing) return "a client does not send CONNECT_ERROR";
      if (has && sh.root != JsonKind::String && sh.root != JsonKind::Object) {
        return "CONNECT_ERROR payload must be a string or an object";
      }
      break;
    case PacketType::Event:
    case PacketType::BinaryEvent:
      if (!has || sh.root != JsonKind::Array) return "EVENT payload must be an array";
      if (sh.first == JsonKind::None) return "EVENT payload must name the event";
      if (sh.first != JsonKind::String && sh.first != JsonKind::Number) {
        return "EVENT name must be a string or a number";
      }
      if (sh.first_reserved) {
        return p.ext ? std::string("EVENT name is reserved") : "EVENT name \"" + s.first_string + "\" is reserved";
      }
      break;
    case PacketType::Ack:
    case PacketType::BinaryAck:
      if (!has || sh.root != JsonKind::Array) return "ACK payload must be an array";
      if (!p.id) return "ACK without an ack id";
      break;
  }
  if (is_binary_type(p.type)) {
    if (p.ext) return "binary packets carry their payload text";
    return check_placeholders(s, p.attachments.size());
  }
  if (!p.attachments.empty()) return "attachments on a packet type without binary";
  return {};
}

}  // namespace

const char* to_string(PacketType type) {
  switch (type) {
    case PacketType::Connect: return "CONNECT";
    case PacketType::Disconnect: return "DISCONNECT";
    case PacketType::Event: return "EVENT";
    case PacketType::Ack: return "ACK";
    case PacketType::ConnectError: return "CONNECT_ERROR";
    case PacketType::BinaryEvent: return "BINARY_EVENT";
    case PacketType::BinaryAck: return "BINARY_ACK";
  }
  return "UNKNOWN";
}

bool shape_of_text(std::string_view text, Shape& out) {
  Packet p;
  p.data = std::string(text);
  Scan s;
  return shape_of(p, s, out);
}

const char* reserved_event_names() {
  return "connect,connect_error,disconnect,disconnecting,newListener,removeListener";
}

bool is_external_header(std::string_view h) {
  if (h.empty() || (h[0] != '2' && h[0] != '3')) return false;
  std::size_t i = 1;
  const std::size_t n = h.size();
  if (i < n && h[i] == '/') {
    const std::size_t comma = h.find(',', i);
    if (comma == std::string_view::npos) return false;  // the cut is inside the namespace
    i = comma + 1;
  }
  while (i < n && is_digit(h[i])) ++i;
  return i == n;
}

bool is_reserved_event(std::string_view name) {
  for (const auto r : kReserved) {
    if (r == name) return true;
  }
  return false;
}

std::string encode_text(const Packet& p) {
  std::string out;
  out.reserve(p.data.size() + p.nsp.size() + p.query.size() + 24);
  out += static_cast<char>('0' + static_cast<int>(p.type));
  if (is_binary_type(p.type)) {
    out += core::decimal(p.attachments.size());
    out += '-';
  }
  if (p.nsp != "/" || !p.query.empty()) {
    out += p.nsp;
    if (!p.query.empty()) {
      out += '?';
      out += p.query;
    }
    out += ',';
  }
  if (p.id) out += core::decimal(*p.id);
  out += p.data;
  return out;
}

core::Result<core::Ok> check_outgoing(const Packet& p) {
  if (p.nsp.empty() || p.nsp[0] != '/') {
    return core::Error::caller("arg.invalid", "nsp: must start with '/' (\"" + p.nsp + "\")");
  }
  for (const char c : p.nsp) {
    if (c == ',' || c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x20) {
      return core::Error::caller("arg.invalid", "nsp: may not contain ',', '?', '#' or control characters");
    }
  }
  for (const char c : p.query) {
    if (c == ',' || c == '#' || static_cast<unsigned char>(c) <= 0x20) {
      return core::Error::caller("arg.invalid", "query: may not contain ',', '#', spaces or control characters");
    }
  }
  if (!p.query.empty() && p.type != PacketType::Connect) {
    return core::Error::caller("arg.invalid", "query: only a CONNECT carries a query");
  }
  if (p.id && !may_carry_id(p.type)) {
    return core::Error::caller("arg.invalid", std::string("id: a ") + to_string(p.type) + " has no ack id");
  }
  if (auto problem = payload_problem(p, true); !problem.empty()) {
    const char* field = p.type == PacketType::Connect ? "auth"
                        : (problem.find("attachment") != std::string::npos ||
                           problem.find("placeholder") != std::string::npos)
                            ? "attachments"
                            : "args";
    return core::Error::caller("arg.invalid", std::string(field) + ": " + problem);
  }
  return core::Ok{};
}

core::Result<Packet> decode_text(std::string_view frame, const DecoderOptions& options,
                                 std::uint32_t* attachment_count, const Packet* ext) {
  if (attachment_count) *attachment_count = 0;
  const std::size_t total = frame.size() + (ext ? ext->ext_size : 0);
  if (total > options.max_packet_bytes) {
    return peer("sio.too_large", "packet larger than " + core::decimal(options.max_packet_bytes) + " bytes",
                frame);
  }
  if (frame.empty()) return peer("sio.bad_type", "empty packet", frame);
  if (frame[0] < '0' || frame[0] > '6') return peer("sio.bad_type", "unknown packet type", frame);
  Packet p;
  p.type = static_cast<PacketType>(frame[0] - '0');
  std::size_t i = 1;
  const std::size_t n = frame.size();

  std::uint32_t count = 0;
  if (is_binary_type(p.type)) {
    const std::size_t start = i;
    std::uint64_t v = 0;
    while (i < n && is_digit(frame[i]) && i - start < 10) v = v * 10 + static_cast<unsigned>(frame[i++] - '0');
    if (i == start || i >= n || frame[i] != '-') {
      return peer("sio.bad_attachments", "attachment count missing or malformed", frame);
    }
    ++i;
    if (v > options.max_attachments) {
      return peer("sio.too_many_attachments",
                  core::decimal(v) + " attachments (limit " + core::decimal(options.max_attachments) + ")",
                  frame);
    }
    count = static_cast<std::uint32_t>(v);
  }

  if (i < n && frame[i] == '/') {
    const std::size_t comma = frame.find(',', i);
    const std::size_t end = comma == std::string_view::npos ? n : comma;
    std::string_view full = frame.substr(i, end - i);
    const std::size_t q = full.find('?');
    p.nsp = std::string(full.substr(0, q));
    if (q != std::string_view::npos) p.query = std::string(full.substr(q + 1));
    i = comma == std::string_view::npos ? n : comma + 1;
  }

  if (i < n && is_digit(frame[i])) {
    if (!may_carry_id(p.type)) {
      return peer("sio.bad_ack_id", std::string("ack id on a ") + to_string(p.type), frame);
    }
    std::uint64_t v = 0;
    const std::size_t start = i;
    while (i < n && is_digit(frame[i])) {
      const auto d = static_cast<std::uint64_t>(frame[i] - '0');
      if (i - start >= 19 && (v > (UINT64_MAX - d) / 10)) return peer("sio.bad_ack_id", "ack id overflows", frame);
      v = v * 10 + d;
      ++i;
    }
    p.id = v;
  }
  if (ext) {
    if (i != n || is_binary_type(p.type)) {
      return peer("sio.bad_payload", "host-kept payload after an incomplete header", frame);
    }
    p.ext = ext->ext;
    p.ext_size = ext->ext_size;
    p.shape = ext->shape;
  } else {
    p.data = std::string(frame.substr(i));
  }

  if (attachment_count) *attachment_count = count;
  if (!is_binary_type(p.type)) {
    if (auto problem = payload_problem(p, false); !problem.empty()) {
      if (ext) problem += " (payload of " + core::decimal(ext->ext_size) + " characters after the header)";
      return peer("sio.bad_payload", problem, frame);
    }
  } else {
    // The payload must at least be JSON of the right shape now; placeholders are checked on completion.
    Packet shape = p;
    shape.type = p.type == PacketType::BinaryEvent ? PacketType::Event : PacketType::Ack;
    if (auto problem = payload_problem(shape, false); !problem.empty()) {
      return peer("sio.bad_payload", problem, frame);
    }
  }
  return p;
}

core::Result<core::Ok> check_incoming(const Packet& p, Protocol) {
  if (auto problem = payload_problem(p, false); !problem.empty()) {
    return peer("sio.bad_payload", problem, encode_text(p));
  }
  return core::Ok{};
}

core::Result<std::optional<Packet>> Decoder::feed_text(std::string_view frame) { return feed(frame, nullptr); }

core::Result<std::optional<Packet>> Decoder::feed_external(std::string_view header, const Packet& ext) {
  return feed(header, &ext);
}

// Both text forms: `ext` (a host-kept payload) is never a binary packet, so it never awaits attachments.
core::Result<std::optional<Packet>> Decoder::feed(std::string_view frame, const Packet* ext) {
  if (pending_) {
    const std::uint32_t got = static_cast<std::uint32_t>(pending_->attachments.size());
    reset();
    return peer("sio.unexpected_text",
                "text frame while awaiting binary attachment " + core::decimal(got + 1) + " of " +
                    core::decimal(expected_),
                frame);
  }
  std::uint32_t count = 0;
  auto decoded = decode_text(frame, options_, &count, ext);
  if (!decoded) return decoded.error();
  Packet& p = decoded.value();
  if (!is_binary_type(p.type) || count == 0) {
    if (is_binary_type(p.type)) {
      if (auto ok = check_incoming(p, options_.protocol); !ok) return ok.error();
    }
    return std::optional<Packet>(std::move(p));
  }
  pending_ = std::move(p);
  pending_->attachments.reserve(count);
  expected_ = count;
  pending_bytes_ = frame.size();
  return std::optional<Packet>();
}

core::Result<std::optional<Packet>> Decoder::feed_binary(std::string bytes) {
  if (!pending_) {
    return core::Error::peer("sio.unexpected_binary",
                             "unexpected binary frame (" + core::decimal(bytes.size()) +
                                 " bytes): no BINARY_EVENT/BINARY_ACK packet awaits attachments");
  }
  pending_bytes_ += bytes.size();
  if (pending_bytes_ > options_.max_packet_bytes) {
    Packet head;
    head.type = pending_->type;
    head.nsp = pending_->nsp;
    head.query = pending_->query;
    head.id = pending_->id;
    const std::string header = encode_text(head);
    reset();
    return core::Error::peer("sio.too_large", "packet " + excerpt(header) + " with its attachments exceeds " +
                                                  core::decimal(options_.max_packet_bytes) + " bytes");
  }
  pending_->attachments.push_back(std::move(bytes));
  if (pending_->attachments.size() < expected_) return std::optional<Packet>();
  Packet p = std::move(*pending_);
  reset();
  if (auto ok = check_incoming(p, options_.protocol); !ok) return ok.error();
  return std::optional<Packet>(std::move(p));
}

}  // namespace echat::socketio
