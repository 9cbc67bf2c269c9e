#include "engineio/packet.h"

#include <algorithm>
#include <cmath>
#include <limits>


#include "core/base64.h"
#include "core/json.h"

namespace echat::engineio {
namespace {

constexpr std::size_t kPreviewBytes = 64;
constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

core::Error bad(const char* code, const Frame& frame, const std::string& what) {
  return core::Error::peer(code, "eio: " + what + " in frame " + describe_frame(frame));
}

// 'x' for a printable ASCII character, 0xNN otherwise.
std::string char_name(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 0xf];
}

}  // namespace

std::string describe_frame(const Frame& frame) {
  const std::string_view s = frame.data;
  std::string out;
  bool cut = false;
  if (frame.binary) {
    out = "binary";
    const std::size_t n = std::min<std::size_t>(s.size(), 20);
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      out += ' ';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
    cut = n < s.size();
    if (cut) out += "...";
  } else {
    out = "text \"";
    std::size_t i = 0;
    std::size_t shown = 0;  // bytes of the frame shown so far
    while (i < s.size()) {
      if (shown >= kPreviewBytes) {
        cut = true;
        break;
      }
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        const std::size_t n = core::utf8_length(s, i);
        if (n == 0) {
          append_escaped_byte(out, c);
          ++i;
          ++shown;
        } else {
          out.append(s.substr(i, n));
          i += n;
          shown += n;
        }
      } else if (c < 0x20 || c == 0x7f) {
        append_escaped_byte(out, c);
        ++i;
        ++shown;
      } else {
        if (c == '"' || c == '\\') out += '\\';
        out += static_cast<char>(c);
        ++i;
        ++shown;
      }
    }
    out += cut ? "...\"" : "\"";
  }
  const std::size_t size = frame.size();  // (with a payload the host keeps: counted, not quoted)
  out += " (" + core::decimal(size) + (size == 1 ? " byte)" : " bytes)");
  return out;
}

Frame encode(const Packet& packet, Version version, bool base64) {
  Frame frame;
  if (packet.binary && packet.type == PacketType::Message) {
    if (base64) {
      frame.binary = false;
      frame.data = version == Version::V3 ? "b4" : "b";
      frame.data += core::base64_encode(packet.data);
    } else {
      frame.binary = true;
      if (version == Version::V3) {
        frame.data.reserve(packet.data.size() + 1);
        frame.data += '\x04';
      }
      frame.data += packet.data;
    }
    return frame;
  }
  // Text packets (and the `binary` flag on a non-message packet, which has no binary wire form).
  frame.binary = false;
  frame.data.reserve(packet.data.size() + 1);
  frame.data += static_cast<char>('0' + static_cast<int>(packet.type));
  frame.data += packet.data;
  frame.ext = packet.ext;
  frame.ext_size = packet.ext_size;
  return frame;
}

core::Result<Packet> decode(const Frame& frame, Version version) {
  return decode(frame, version, DecodeOptions{});
}

core::Result<Packet> decode(const Frame& frame, Version version, const DecodeOptions& options) {
  const std::string& d = frame.data;
  if (frame.binary) {
    if (version == Version::V3) {
      if (d.empty()) return bad("eio.empty_frame", frame, "empty binary frame (EIO3 needs the 0x04 type byte)");
      if (d[0] != '\x04') {
        return bad("eio.bad_binary_frame", frame,
                   "binary packet type byte " + char_name(static_cast<unsigned char>(d[0])) +
                       " (only 0x04, message, is supported)");
      }
      return Packet{PacketType::Message, true, d.substr(1)};
    }
    if (options.strip_v4_binary_prefix && !d.empty() && d[0] == '\x04') {
      return Packet{PacketType::Message, true, d.substr(1)};
    }
    return Packet{PacketType::Message, true, d};
  }

  if (d.empty()) return bad("eio.empty_frame", frame, "empty text frame");
  const char t = d[0];
  if (t == 'b') {
    std::size_t start = 1;
    if (version == Version::V3) {
      if (d.size() < 2 || d[1] != '4') {
        return bad("eio.bad_base64", frame, "base64 frame without the \"b4\" prefix (EIO3 base64 is \"b4<base64>\")");
      }
      start = 2;
    }
    auto bytes = core::base64_decode(std::string_view(d).substr(start));
    if (!bytes) return bad("eio.bad_base64", frame, bytes.error().message);
    return Packet{PacketType::Message, true, std::move(bytes.value())};
  }
  if (t < '0' || t > '6') {
    return bad("eio.bad_packet_type", frame, "unknown packet type " + char_name(static_cast<unsigned char>(t)));
  }
  return Packet{static_cast<PacketType>(t - '0'), false, d.substr(1), frame.ext, frame.ext_size};
}

namespace {

// What is wrong with an open packet's JSON ("" when nothing: `hs` is then filled), for one error below.
std::string handshake_problem(std::string_view text, Handshake& hs) {
  using core::Json;
  const Json j = Json::parse(text);
  if (j.is_discarded()) return "invalid JSON";
  if (!j.is_object()) return std::string("JSON ") + j.type_name() + " where an object was expected";

  const Json* sid = j.find("sid");
  if (!sid) return "missing \"sid\"";
  if (!sid->is_string()) return std::string("\"sid\" is a ") + sid->type_name() + ", not a string";
  hs.sid = sid->get_string();
  if (hs.sid.empty()) return "empty \"sid\"";

  const Json* upgrades = j.find("upgrades");
  if (upgrades) {
    if (!upgrades->is_array()) {
      return std::string("\"upgrades\" is a ") + upgrades->type_name() + ", not an array";
    }
    for (const auto& u : *upgrades) {
      if (!u.is_string()) return std::string("\"upgrades\" holds a ") + u.type_name() + ", not a string";
      hs.upgrades.push_back(std::string(u.get_string()));  // (push_back(string&&), as everywhere: one instantiation)
    }
  }

  // An integral JSON number in [1, max]; anything else names the field.
  const auto integer = [&](const char* name, std::int64_t max, std::int64_t& out) -> std::string {
    const Json* it = j.find(name);
    if (!it) return std::string("missing \"") + name + "\"";
    const std::string field = std::string("\"") + name + "\" ";
    if (it->is_number_unsigned()) {
      const auto v = it->get<std::uint64_t>();
      if (v < 1 || v > static_cast<std::uint64_t>(max)) return field + core::decimal(v) + " out of range";
      out = static_cast<std::int64_t>(v);
      return {};
    }
    if (it->is_number_integer()) {  // signed, hence negative here
      return field + core::decimal(it->get<std::int64_t>()) + " out of range";
    }
    if (it->is_number_float()) {
      const double v = it->get<double>();
      if (!std::isfinite(v) || std::floor(v) != v) return field + "is not an integer";
      if (v < 1.0 || v > static_cast<double>(max)) return field + "out of range";
      out = static_cast<std::int64_t>(v);
      return {};
    }
    return field + "is a " + it->type_name() + ", not a number";
  };
  constexpr std::int64_t kMaxTimer = std::numeric_limits<std::int32_t>::max();
  if (auto e = integer("pingInterval", kMaxTimer, hs.ping_interval); !e.empty()) return e;
  if (auto e = integer("pingTimeout", kMaxTimer, hs.ping_timeout); !e.empty()) return e;
  if (j.find("maxPayload")) {
    std::int64_t mp = 0;
    if (auto e = integer("maxPayload", std::int64_t{1} << 53, mp); !e.empty()) return e;
    hs.max_payload = mp;
  }
  return {};
}

}  // namespace

core::Result<Handshake> parse_handshake(std::string_view text) {
  Handshake hs;
  const std::string problem = handshake_problem(text, hs);
  if (problem.empty()) return hs;
  return core::Error::peer("eio.bad_open", "eio: open packet: " + problem + " in " +
                                               describe_frame(Frame{false, std::string(text)}));
}

}  // namespace echat::engineio
