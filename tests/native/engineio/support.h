// Helpers shared by the Engine.IO tests: byte escapes, the frame-vector file, a session driver that
// records outputs as readable strings (a transcript), and output predicates.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "engineio/packet.h"
#include "engineio/session.h"

namespace eio_test {

using namespace echat::engineio;

// "\x04hi\n" escapes -> bytes.
inline std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (c == 'n') {
      out += '\n';
    } else if (c == 't') {
      out += '\t';
    } else {
      out += c;
    }
  }
  return out;
}

// Control bytes (and, with `high`, bytes >= 0x80) -> \xNN; a backslash -> \\.
inline std::string escape(const std::string& s, bool high = false) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7f || (high && c >= 0x80)) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cols;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      cols.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  cols.push_back(cur);
  return cols;
}

struct Vector {
  int line = 0;
  std::string kind;  // ok | decode | error
  std::vector<Version> versions;
  Frame frame;
  Packet packet;       // ok/decode
  std::string error;   // error
};

inline PacketType type_named(const std::string& n) {
  if (n == "open") return PacketType::Open;
  if (n == "close") return PacketType::Close;
  if (n == "ping") return PacketType::Ping;
  if (n == "pong") return PacketType::Pong;
  if (n == "message") return PacketType::Message;
  if (n == "upgrade") return PacketType::Upgrade;
  if (n == "noop") return PacketType::Noop;
  throw std::runtime_error("bad packet type name " + n);
}

inline std::vector<Vector> load_vectors() {
  std::ifstream in(std::string(ECHAT_TEST_DATA_DIR) + "/engineio/frames.tsv");
  if (!in) throw std::runtime_error("cannot open frames.tsv");
  std::vector<Vector> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto cols = split_tabs(line);
    Vector v;
    v.line = n;
    v.kind = cols.at(0);
    if (cols.at(1).find('3') != std::string::npos) v.versions.push_back(Version::V3);
    if (cols.at(1).find('4') != std::string::npos) v.versions.push_back(Version::V4);
    v.frame.binary = cols.at(2) == "binary";
    v.frame.data = unescape(cols.at(3));
    if (v.kind == "error") {
      v.error = cols.at(4);
    } else {
      v.packet.type = type_named(cols.at(4));
      v.packet.binary = cols.at(5) == "binary";
      v.packet.data = cols.size() > 6 ? unescape(cols.at(6)) : std::string();
    }
    out.push_back(std::move(v));
  }
  return out;
}

// ---- outputs as strings: a transcript ------------------------------------------------------------

inline std::string frame_str(const Frame& f) {
  return std::string(f.binary ? "bin:" : "") + escape(f.data, f.binary);
}

inline std::string describe(const Output& o) {
  struct V {
    std::string operator()(const OpenTransport& x) const { return "open#" + std::to_string(x.transport) + " " + x.url; }
    std::string operator()(const SendFrame& x) const { return "send#" + std::to_string(x.transport) + " " + frame_str(x.frame); }
    std::string operator()(const CloseTransport& x) const {
      return "close#" + std::to_string(x.transport) + " " + std::to_string(x.code) + " " + x.reason;
    }
    std::string operator()(const Opened& x) const { return "opened " + x.handshake.sid; }
    std::string operator()(const Message& x) const { return "message " + frame_str(x.payload); }
    std::string operator()(const Upgraded& x) const { return "upgraded #" + std::to_string(x.transport); }
    std::string operator()(const HttpRequest& x) const {
      std::string s = (x.post ? "post#" : "get#") + std::to_string(x.transport) + "." + std::to_string(x.request) + " " + x.url;
      if (x.post) {
        s += " body ";
        for (const auto& piece : x.body) s += frame_str(piece) + (piece.ext ? "+ext" + std::to_string(piece.ext) : "");
      }
      return s;
    }
    std::string operator()(const Closed& x) const {
      std::string s = "closed " + x.reason;
      if (x.error) s += " [" + x.error->code + "]";
      if (x.before_open) s += " before_open";
      return s;
    }
  };
  return std::visit(V{}, o);
}

// A session plus a transcript of what it output.
struct Driver {
  explicit Driver(SessionOptions o) : s(std::move(o)) {}
  Session s;
  std::vector<Output> raw;  // every output so far

  std::vector<std::string> drain() {
    std::vector<std::string> out;
    for (auto& o : s.take_outputs()) {
      out.push_back(describe(o));
      raw.push_back(std::move(o));
    }
    return out;
  }
  std::uint32_t t() const { return s.transport(); }
  void text(long long now, const std::string& data) { s.on_frame(now, t(), Frame{false, data}); }
  void bin(long long now, const std::string& data) { s.on_frame(now, t(), Frame{true, data}); }
};

inline SessionOptions opts(Version v, std::string query = "") {
  SessionOptions o;
  o.version = v;
  o.base_url = "ws://127.0.0.1:3000/socket.io/";
  o.query = std::move(query);
  return o;
}

inline const char* kOpenV3 = R"(0{"sid":"s3","upgrades":[],"pingInterval":25000,"pingTimeout":5000})";
inline const char* kOpenV4 =
    R"(0{"sid":"s4","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

using Lines = std::vector<std::string>;

}  // namespace eio_test
