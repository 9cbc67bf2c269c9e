#include "support/sio_server_peer.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace echat::testing {
namespace {

using nlohmann::json;

std::string query_param(const std::string& url, const std::string& key) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return {};
  std::size_t i = q + 1;
  while (i <= url.size()) {
    std::size_t amp = url.find('&', i);
    if (amp == std::string::npos) amp = url.size();
    const std::string part = url.substr(i, amp - i);
    const std::size_t eq = part.find('=');
    if (part.substr(0, eq) == key) return eq == std::string::npos ? std::string() : part.substr(eq + 1);
    i = amp + 1;
  }
  return {};
}

}  // namespace

std::string ServerPeer::hex(const std::string& bytes) {
  static const char k[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += k[c >> 4];
    out += k[c & 15];
  }
  return out;
}

std::string ServerPeer::unhex(const std::string& hex) {
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(v(hex[i]) * 16 + v(hex[i + 1]));
  return out;
}

std::optional<PeerPacket> ServerPeer::parse(const std::string& s) {
  PeerPacket p;
  if (s.empty() || s[0] < '0' || s[0] > '6') return std::nullopt;
  p.type = s[0] - '0';
  std::size_t i = 1;
  std::size_t count = 0;
  if (p.type == 5 || p.type == 6) {
    const std::size_t dash = s.find('-', i);
    if (dash == std::string::npos || dash == i) return std::nullopt;
    for (std::size_t k = i; k < dash; ++k) {
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
      count = count * 10 + static_cast<std::size_t>(s[k] - '0');
    }
    i = dash + 1;
  }
  if (i < s.size() && s[i] == '/') {
    std::size_t comma = s.find(',', i);
    if (comma == std::string::npos) comma = s.size();
    std::string nsp = s.substr(i, comma - i);
    const std::size_t q = nsp.find('?');
    if (q != std::string::npos) {
      p.query = nsp.substr(q + 1);
      nsp.resize(q);
    }
    p.nsp = nsp;
    i = comma < s.size() ? comma + 1 : s.size();
  }
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    std::uint64_t id = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') id = id * 10 + static_cast<std::uint64_t>(s[i++] - '0');
    p.id = id;
  }
  p.data = s.substr(i);
  if (!p.data.empty() && !json::accept(p.data)) return std::nullopt;
  p.attachments.resize(count);  // placeholders for the count; filled by the caller
  return p;
}

bool ServerPeer::known(const std::string& nsp) const {
  return std::find(options_.namespaces.begin(), options_.namespaces.end(), nsp) != options_.namespaces.end();
}
bool ServerPeer::is_protected(const std::string& nsp) const {
  return std::find(options_.protected_namespaces.begin(), options_.protected_namespaces.end(), nsp) !=
         options_.protected_namespaces.end();
}

const ServerPeer::Connection* ServerPeer::connection(std::uint32_t conn) const {
  auto it = conns_.find(conn);
  return it == conns_.end() ? nullptr : &it->second;
}
std::optional<std::uint32_t> ServerPeer::last_connection() const {
  if (last_ == 0) return std::nullopt;
  return last_;
}
bool ServerPeer::closed(std::uint32_t conn) const {
  auto it = conns_.find(conn);
  return it != conns_.end() && it->second.closed;
}
void ServerPeer::drop(std::uint32_t conn) { conns_.erase(conn); }
void ServerPeer::restart() {
  conns_.clear();
  pids_.clear();
}

std::optional<std::vector<WireFrame>> ServerPeer::accept(std::uint32_t conn, const std::string& url) {
  const std::string eio = query_param(url, "EIO");
  if (query_param(url, "transport") != "websocket") return std::nullopt;
  int v = 0;
  if (eio == "3" && options_.accept_eio3) v = 3;
  if (eio == "4" && options_.accept_eio4) v = 4;
  if (v == 0) return std::nullopt;
  Connection c;
  c.eio = v;
  c.protocol = v == 3 ? 4 : options_.protocol_on_eio4;
  c.sid = "sid" + std::to_string(next_sid_++);
  ++accepted;
  json open = {{"sid", c.sid},
               {"upgrades", json::array()},
               {"pingInterval", options_.ping_interval},
               {"pingTimeout", options_.ping_timeout}};
  if (options_.max_payload) open["maxPayload"] = *options_.max_payload;
  std::vector<WireFrame> out{{false, "0" + open.dump()}};
  if (c.protocol == 4) {  // the root namespace is connected implicitly
    c.nsps["/"] = c.sid;
    out.push_back({false, "40"});
  }
  conns_[conn] = std::move(c);
  last_ = conn;
  return out;
}

std::vector<WireFrame> ServerPeer::violation(std::uint32_t conn, Connection& c, std::string what) {
  violations.push_back("#" + std::to_string(conn) + " " + std::move(what));
  c.closed = true;
  return {};
}

std::vector<WireFrame> ServerPeer::message(const Connection& c, const std::string& text) const {
  (void)c;
  return {{false, "4" + text}};
}

std::vector<WireFrame> ServerPeer::packet_frames(const Connection& c, int type, const std::string& nsp,
                                                 std::optional<std::uint64_t> id, const std::string& data,
                                                 const std::vector<std::string>& attachments) const {
  std::string s(1, static_cast<char>('0' + type));
  if (type == 5 || type == 6) s += std::to_string(attachments.size()) + "-";
  if (nsp != "/") s += nsp + ",";
  if (id) s += std::to_string(*id);
  s += data;
  std::vector<WireFrame> out = message(c, s);
  for (const auto& a : attachments) {
    const bool prefix = c.eio == 3 || options_.eio3_binary_prefix_on_eio4;
    out.push_back({true, prefix ? std::string(1, '\x04') + a : a});
  }
  return out;
}

std::vector<WireFrame> ServerPeer::receive(std::uint32_t conn, const WireFrame& frame) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second.closed) return {};
  Connection& c = it->second;
  received.push_back("#" + std::to_string(conn) + " " + (frame.binary ? "<bin " + hex(frame.data) + ">" : frame.data));
  if (frame.binary) {
    std::string bytes = frame.data;
    if (c.eio == 3) {
      if (bytes.empty() || bytes[0] != '\x04') return violation(conn, c, "EIO3 binary frame without 0x04");
      bytes.erase(0, 1);
    }
    if (!c.pending) return violation(conn, c, "unexpected binary frame");
    c.pending->attachments[c.pending->attachments.size() - c.awaited] = bytes;
    if (--c.awaited > 0) return {};
    PeerPacket p = std::move(*c.pending);
    c.pending.reset();
    return on_packet(conn, c, std::move(p));
  }
  const std::string& t = frame.data;
  if (t.empty()) return violation(conn, c, "empty frame");
  if (c.pending) return violation(conn, c, "text frame while awaiting attachments");
  switch (t[0]) {
    case '1':
      c.closed = true;
      return {};
    case '2':
      if (c.eio == 4) return violation(conn, c, "invalid heartbeat direction");
      ++c.pings;
      return {{false, "3" + t.substr(1)}};
    case '3':
      if (c.eio == 3) return violation(conn, c, "invalid heartbeat direction");
      ++c.pongs;
      return {};
    case '4': {
      auto p = parse(t.substr(1));
      if (!p) return violation(conn, c, "malformed packet " + t);
      if (!p->attachments.empty()) {
        c.awaited = p->attachments.size();
        c.pending = std::move(*p);
        return {};
      }
      return on_packet(conn, c, std::move(*p));
    }
    default:
      return violation(conn, c, "unexpected Engine.IO packet " + t);
  }
}

std::vector<WireFrame> ServerPeer::on_packet(std::uint32_t conn, Connection& c, PeerPacket p) {
  switch (p.type) {
    case 0: {
      connects.push_back(p);
      std::string token;
      if (c.protocol == 5) {
        if (!p.data.empty()) {
          const json auth = json::parse(p.data, nullptr, false);
          if (!auth.is_object()) return violation(conn, c, "CONNECT payload not an object");
          if (auth.contains("token") && auth["token"].is_string()) token = auth["token"].get<std::string>();
        }
      } else {
        token = query_param("?" + p.query, "token");
        if (p.nsp == "/" && c.nsps.count("/")) return {};  // already connected implicitly
      }
      if (!known(p.nsp)) {
        const std::string err = (options_.string_errors || c.protocol == 4) ? "\"Invalid namespace\""
                                                                            : "{\"message\":\"Invalid namespace\"}";
        return packet_frames(c, 4, p.nsp, std::nullopt, err, {});
      }
      if (is_protected(p.nsp) && token != options_.required_token) {
        const std::string err = (options_.string_errors || c.protocol == 4)
                                    ? "\"Not authorized\""
                                    : "{\"message\":\"Not authorized\",\"data\":{\"code\":401}}";
        return packet_frames(c, 4, p.nsp, std::nullopt, err, {});
      }
      const std::string sid = "s" + std::to_string(next_sid_++);
      c.nsps[p.nsp] = sid;
      if (c.protocol == 5 && options_.recovery) {
        std::string pid;
        const json auth = p.data.empty() ? json::object() : json::parse(p.data, nullptr, false);
        if (auth.contains("pid") && auth["pid"].is_string() &&
            std::find(pids_.begin(), pids_.end(), auth["pid"].get<std::string>()) != pids_.end()) {
          pid = auth["pid"].get<std::string>();
        } else {
          pid = "p" + sid;
          pids_.push_back(pid);
        }
        return packet_frames(c, 0, p.nsp, std::nullopt, "{\"sid\":\"" + sid + "\",\"pid\":\"" + pid + "\"}", {});
      }
      return packet_frames(c, 0, p.nsp, std::nullopt, c.protocol == 5 ? "{\"sid\":\"" + sid + "\"}" : "", {});
    }
    case 1:
      disconnects.push_back(p);
      c.nsps.erase(p.nsp);
      return {};
    case 2:
    case 5: {
      if (!c.nsps.count(p.nsp)) return violation(conn, c, "EVENT on a namespace that is not connected: " + p.nsp);
      const json args = json::parse(p.data, nullptr, false);
      if (!args.is_array() || args.empty()) return violation(conn, c, "EVENT payload not a non-empty array");
      events.push_back(p);
      const std::string name = args[0].is_string() ? args[0].get<std::string>() : std::string();
      const int evtype = p.attachments.empty() ? 2 : 5;
      if (name == "message" || name == "echo") {
        json back = args;
        back[0] = name == "message" ? "message-back" : "echo";
        return packet_frames(c, evtype, p.nsp, std::nullopt, back.dump(), p.attachments);
      }
      if (name == "message-with-ack" && p.id) {
        json rest = args;
        rest.erase(rest.begin());
        return packet_frames(c, p.attachments.empty() ? 3 : 6, p.nsp, p.id, rest.dump(), p.attachments);
      }
      if (name == "disconnect-me") {
        c.nsps.erase(p.nsp);
        return packet_frames(c, 1, p.nsp, std::nullopt, "", {});
      }
      if (name == "ask") return packet_frames(c, 2, p.nsp, 7, "[\"question\",42]", {});
      return {};
    }
    case 3:
    case 6:
      client_acks.push_back(p);
      return {};
    default:
      return violation(conn, c, "client sent packet type " + std::to_string(p.type));
  }
}

std::vector<WireFrame> ServerPeer::emit(std::uint32_t conn, const std::string& nsp, const std::string& args_json,
                                        const std::vector<std::string>& attachments,
                                        std::optional<std::uint64_t> ack_id) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second.closed) return {};
  return packet_frames(it->second, attachments.empty() ? 2 : 5, nsp, ack_id, args_json, attachments);
}

std::vector<WireFrame> ServerPeer::disconnect(std::uint32_t conn, const std::string& nsp) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second.closed) return {};
  it->second.nsps.erase(nsp);
  return packet_frames(it->second, 1, nsp, std::nullopt, "", {});
}

std::vector<WireFrame> ServerPeer::ping(std::uint32_t conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second.closed || it->second.eio != 4) return {};
  return {{false, "2"}};
}

std::vector<WireFrame> ServerPeer::raw(std::uint32_t conn, WireFrame frame) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second.closed) return {};
  return {std::move(frame)};
}

}  // namespace echat::testing
