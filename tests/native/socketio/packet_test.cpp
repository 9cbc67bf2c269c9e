// Socket.IO packet codec: the official protocol vectors (tests/native/data/socketio/packets.json), every
// prefix of valid frames, frame-split binary reassembly, limits, and outgoing checks.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "socketio/packet.h"
#include "support/sio_server_peer.h"

using echat::socketio::Decoder;
using echat::socketio::DecoderOptions;
using echat::socketio::Packet;
using echat::socketio::PacketType;
using echat::socketio::Protocol;
using echat::testing::ServerPeer;
using nlohmann::json;

namespace {

json load_vectors() {
  std::ifstream in(std::string(ECHAT_TEST_DATA_DIR) + "/socketio/packets.json", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json j = json::parse(text, nullptr, false);
  REQUIRE(j.is_object());
  return j;
}

struct Frame {
  bool binary;
  std::string data;
};

// A vector's WebSocket frames; text frames lose the Engine.IO message type '4'.
std::vector<Frame> frames_of(const json& v) {
  std::vector<Frame> out;
  for (const auto& f : v["frames"]) {
    if (f.is_string()) {
      std::string s = f.get<std::string>();
      REQUIRE(!s.empty());
      REQUIRE(s[0] == '4');
      out.push_back({false, s.substr(1)});
    } else {
      out.push_back({true, ServerPeer::unhex(f["hex"].get<std::string>())});
    }
  }
  return out;
}

Packet packet_of(const json& e) {
  Packet p;
  p.type = static_cast<PacketType>(e["type"].get<int>());
  p.nsp = e.value("nsp", std::string("/"));
  p.query = e.value("query", std::string());
  if (e.contains("id")) p.id = e["id"].get<std::uint64_t>();
  p.data = e.value("data", std::string());
  for (const auto& a : e["attachments"]) p.attachments.push_back(ServerPeer::unhex(a.get<std::string>()));
  return p;
}

struct Fed {
  std::vector<Packet> packets;
  std::optional<echat::core::Error> error;
};

Fed feed(Decoder& d, const std::vector<Frame>& frames) {
  Fed out;
  for (const auto& f : frames) {
    auto r = f.binary ? d.feed_binary(f.data) : d.feed_text(f.data);
    if (!r) {
      out.error = r.error();
      return out;
    }
    if (r.value()) out.packets.push_back(std::move(*r.value()));
  }
  return out;
}

void check_same(const Packet& got, const Packet& want) {
  CHECK(static_cast<int>(got.type) == static_cast<int>(want.type));
  CHECK(got.nsp == want.nsp);
  CHECK(got.query == want.query);
  CHECK(got.id == want.id);
  CHECK(got.data == want.data);
  CHECK(got.attachments == want.attachments);
}

DecoderOptions opts(int protocol) {
  DecoderOptions o;
  o.protocol = protocol == 4 ? Protocol::V4 : Protocol::V5;
  return o;
}

}  // namespace

TEST_CASE("codec: protocol vectors decode (socket.io-protocol suites, both revisions)", "[socketio][packet]") {
  const json all = load_vectors();
  REQUIRE(all["decode"].size() > 100);
  for (const auto& v : all["decode"]) {
    const std::string label = v["frames"].dump() + " (" + v["source"].get<std::string>() + ")";
    INFO(label);
    Decoder d(opts(v["protocol"].get<int>()));
    const Fed fed = feed(d, frames_of(v));
    if (v.contains("error")) {
      REQUIRE(fed.error);
      CHECK(fed.error->code == v["error"].get<std::string>());
      CHECK(fed.error->kind == echat::core::ErrorKind::Peer);
      CHECK(fed.error->message.find("packet") != std::string::npos);
      CHECK_FALSE(d.awaiting_attachments());
    } else {
      REQUIRE_FALSE(fed.error);
      REQUIRE(fed.packets.size() == 1);
      check_same(fed.packets[0], packet_of(v["expect"]));
      CHECK_FALSE(d.awaiting_attachments());
    }
  }
}

TEST_CASE("codec: protocol vectors encode to the exact frames", "[socketio][packet]") {
  const json all = load_vectors();
  REQUIRE(all["encode"].size() > 20);
  for (const auto& v : all["encode"]) {
    INFO(v["frames"].dump());
    const Packet p = packet_of(v["packet"]);
    const auto frames = frames_of(v);
    CHECK(echat::socketio::encode_text(p) == frames[0].data);
    REQUIRE(frames.size() == p.attachments.size() + 1);
    for (std::size_t i = 0; i < p.attachments.size(); ++i) {
      CHECK(frames[i + 1].binary);
      CHECK(frames[i + 1].data == p.attachments[i]);
    }
    // A client may send every one of these (no CONNECT_ERROR in the set).
    CHECK(echat::socketio::check_outgoing(p).ok());
    // And decoding the encoding gives the packet back.
    Decoder d(opts(5));
    std::vector<Frame> fs{{false, echat::socketio::encode_text(p)}};
    for (const auto& a : p.attachments) fs.push_back({true, a});
    const Fed fed = feed(d, fs);
    REQUIRE_FALSE(fed.error);
    REQUIRE(fed.packets.size() == 1);
    check_same(fed.packets[0], p);
  }
}

TEST_CASE("codec: every prefix of every valid text frame decodes or fails cleanly", "[socketio][packet]") {
  const json all = load_vectors();
  int ok = 0, failed = 0;
  for (const auto& v : all["decode"]) {
    if (v.contains("error")) continue;
    const auto frames = frames_of(v);
    const std::string& text = frames[0].data;
    for (std::size_t n = 0; n <= text.size(); ++n) {
      const std::string prefix = text.substr(0, n);
      INFO(prefix);
      std::uint32_t count = 0;
      auto r = echat::socketio::decode_text(prefix, opts(v["protocol"].get<int>()), &count);
      if (!r) {
        ++failed;
        CHECK(r.error().kind == echat::core::ErrorKind::Peer);
        continue;
      }
      ++ok;
      // Whatever decodes re-encodes to the same header and payload (the nsp comma may be added).
      Packet p = r.value();
      p.attachments.resize(count);
      const std::string again = echat::socketio::encode_text(p);
      std::uint32_t count2 = 0;
      auto r2 = echat::socketio::decode_text(again, opts(v["protocol"].get<int>()), &count2);
      REQUIRE(r2.ok());
      CHECK(r2.value().nsp == p.nsp);
      CHECK(r2.value().id == p.id);
      CHECK(r2.value().data == p.data);
      CHECK(count2 == count);
    }
  }
  CHECK(ok > 50);      // e.g. "0", "0/admin", "2[\"a\"]" are complete packets
  CHECK(failed > 500); // most prefixes cut the JSON
}

TEST_CASE("codec: full frames replayed byte by byte through the decoder", "[socketio][packet]") {
  // The decoder is message-oriented (Engine.IO delivers whole messages), so "byte by byte" here means:
  // each prefix fed as its own message never corrupts the decoder for the next, complete message.
  const json all = load_vectors();
  for (const auto& v : all["decode"]) {
    if (v.contains("error")) continue;
    const auto frames = frames_of(v);
    Decoder d(opts(v["protocol"].get<int>()));
    for (std::size_t n = 0; n < frames[0].data.size(); ++n) {
      auto r = d.feed_text(frames[0].data.substr(0, n));
      if (r.ok() && !r.value() && d.awaiting_attachments()) d.reset();  // a binary header: drop it
    }
    const Fed fed = feed(d, frames);
    REQUIRE_FALSE(fed.error);
    REQUIRE(fed.packets.size() == 1);
    check_same(fed.packets[0], packet_of(v["expect"]));
  }
}

TEST_CASE("codec: binary packets reassemble across frames, one attachment at a time", "[socketio][packet]") {
  Decoder d;
  auto r = d.feed_text("53-/chat,9[\"files\",{\"_placeholder\":true,\"num\":2},{\"_placeholder\":true,\"num\":0},"
                       "{\"_placeholder\":true,\"num\":1}]");
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
  CHECK(d.awaiting_attachments());
  r = d.feed_binary(std::string("\x00\x01", 2));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
  r = d.feed_binary("");  // an empty attachment is fine
  REQUIRE(r.ok());
  CHECK_FALSE(r.value());
  r = d.feed_binary(std::string(1000, 'x'));
  REQUIRE(r.ok());
  REQUIRE(r.value());
  const Packet& p = *r.value();
  CHECK(p.type == PacketType::BinaryEvent);
  CHECK(p.nsp == "/chat");
  CHECK(p.id == 9u);
  REQUIRE(p.attachments.size() == 3);
  CHECK(p.attachments[0] == std::string("\x00\x01", 2));
  CHECK(p.attachments[1].empty());
  CHECK(p.attachments[2].size() == 1000);
  CHECK_FALSE(d.awaiting_attachments());
  // The next packet starts clean.
  r = d.feed_text("2[\"next\"]");
  REQUIRE(r.ok());
  REQUIRE(r.value());
  CHECK(r.value()->data == "[\"next\"]");
}

TEST_CASE("codec: attachment limits and size limits are Peer errors", "[socketio][packet]") {
  DecoderOptions o;
  o.max_attachments = 2;
  o.max_packet_bytes = 64;
  Decoder d(o);
  auto r = d.feed_text("53-[\"a\"]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.too_many_attachments");
  CHECK(r.error().message.find("53-") != std::string::npos);  // names the frame

  r = d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]");
  REQUIRE(r.ok());
  r = d.feed_binary(std::string(40, 'b'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.too_large");
  CHECK_FALSE(d.awaiting_attachments());

  r = d.feed_text("2[\"" + std::string(80, 'x') + "\"]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.too_large");

  DecoderOptions none;
  none.max_attachments = 0;
  Decoder d0(none);
  r = d0.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.too_many_attachments");
}

TEST_CASE("codec: invalid UTF-8 and odd bytes in payloads are Peer errors", "[socketio][packet]") {
  Decoder d;
  for (const std::string& bad : {std::string("2[\"\xff\"]"), std::string("2[\"a\xc3\"]"), std::string("2[\"\x01\"]"),
                                std::string("2\0[\"a\"]", 7), std::string("/admin"), std::string("2/admin,[\"a\"]\0", 14)}) {
    INFO(bad);
    auto r = d.feed_text(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Peer);
    // Error messages stay printable ASCII whatever the frame held.
    for (char c : r.error().message) CHECK((c >= 0x20 && c < 0x7f));
  }
}

TEST_CASE("codec: deep nesting does not overflow the stack", "[socketio][packet]") {
  Decoder d;
  std::string deep = "2[\"a\",";
  for (int i = 0; i < 100000; ++i) deep += '[';
  for (int i = 0; i < 100000; ++i) deep += ']';
  deep += ']';
  auto r = d.feed_text(deep);
  REQUIRE(r.ok());
  REQUIRE(r.value());
  std::string deep_obj = "2[\"a\",";
  for (int i = 0; i < 50000; ++i) deep_obj += "{\"k\":";
  deep_obj += "1";
  for (int i = 0; i < 50000; ++i) deep_obj += '}';
  deep_obj += ']';
  r = d.feed_text(deep_obj);
  REQUIRE(r.ok());
}

TEST_CASE("codec: outgoing checks are Caller errors naming the field", "[socketio][packet]") {
  using echat::socketio::check_outgoing;
  auto event = [](std::string data, std::vector<std::string> att = {}) {
    Packet p;
    p.type = att.empty() ? PacketType::Event : PacketType::BinaryEvent;
    p.data = std::move(data);
    p.attachments = std::move(att);
    return p;
  };
  CHECK(check_outgoing(event("[\"hello\",1]")).ok());
  CHECK(check_outgoing(event("[42]")).ok());
  for (const char* reserved : {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    auto r = check_outgoing(event(std::string("[\"") + reserved + "\"]"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == echat::core::ErrorKind::Caller);
    CHECK(r.error().message.rfind("args:", 0) == 0);
    CHECK(r.error().message.find("reserved") != std::string::npos);
  }
  for (const char* bad : {"", "{}", "\"x\"", "[]", "[null]", "[true]", "[[\"a\"]]", "[\"a\"", "[\"a\"] x"}) {
    INFO(bad);
    auto r = check_outgoing(event(bad));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("args:", 0) == 0);
  }
  const std::string ph0 = "{\"_placeholder\":true,\"num\":0}";
  CHECK(check_outgoing(event("[\"f\"," + ph0 + "]", {"x"})).ok());
  {
    auto r = check_outgoing(event("[\"f\"]", {"x"}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("attachments:", 0) == 0);
  }
  {
    auto r = check_outgoing(event("[\"f\"," + ph0 + "," + ph0 + "]", {"x", "y"}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("attachments:", 0) == 0);
  }
  {
    Packet p = event("[\"f\"," + ph0 + "]");  // placeholder but no attachment: a plain EVENT
    CHECK(check_outgoing(p).ok());
    p.attachments = {"a"};  // attachments on a non-binary type
    p.type = PacketType::Event;
    auto r = check_outgoing(p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("attachments:", 0) == 0);
  }
  for (const char* nsp : {"admin", "", "/a,b", "/a?b", "/a#b", "/a\nb"}) {
    Packet p = event("[\"a\"]");
    p.nsp = nsp;
    auto r = check_outgoing(p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("nsp:", 0) == 0);
  }
  {
    Packet c;
    c.type = PacketType::Connect;
    c.data = "[1]";
    auto r = check_outgoing(c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("auth:", 0) == 0);
    c.data = "{\"token\":\"x\"}";
    CHECK(check_outgoing(c).ok());
    c.query = "a=1";
    CHECK(check_outgoing(c).ok());
    c.query = "a b";
    CHECK_FALSE(check_outgoing(c).ok());
    c.query = "a,b";
    CHECK_FALSE(check_outgoing(c).ok());
  }
  {
    Packet q = event("[\"a\"]");
    q.query = "x=1";
    CHECK_FALSE(check_outgoing(q).ok());
    Packet d;
    d.type = PacketType::Disconnect;
    CHECK(check_outgoing(d).ok());
    d.data = "{}";
    CHECK_FALSE(check_outgoing(d).ok());
    d.data.clear();
    d.id = 3;
    CHECK_FALSE(check_outgoing(d).ok());
    Packet ce;
    ce.type = PacketType::ConnectError;
    ce.data = "\"x\"";
    CHECK_FALSE(check_outgoing(ce).ok());
    Packet a;
    a.type = PacketType::Ack;
    a.data = "[]";
    CHECK_FALSE(check_outgoing(a).ok());  // no id
    a.id = 0;
    CHECK(check_outgoing(a).ok());
  }
}

TEST_CASE("codec: a placeholder's num is plain digits (a fraction of zeros allowed), at most 15", "[socketio][packet]") {
  using echat::socketio::check_outgoing;
  auto packet = [](const std::string& num, std::size_t attachments) {
    Packet p;
    p.type = PacketType::BinaryEvent;
    p.data = "[\"f\",{\"_placeholder\":true,\"num\":" + num + "}]";
    p.attachments.assign(attachments, "x");
    return p;
  };
  for (const char* ok : {"0", "0.0", "0.000"}) {
    INFO(ok);
    CHECK(check_outgoing(packet(ok, 1)).ok());
  }
  CHECK(check_outgoing(packet("2.00", 3)).ok() == false);  // attachments 0 and 1 have no placeholder
  for (const char* bad : {"-0", "0e0", "0E+0", "0.5", "-1", "1", "1000000000000000", "\"0\"", "true"}) {
    INFO(bad);
    auto r = check_outgoing(packet(bad, 1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("attachments: placeholder num ", 0) == 0);
  }
  auto r = check_outgoing(packet("1000000000000000", 1));  // 16 digits
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "attachments: placeholder num not a valid index for 1 attachment(s)");
  r = check_outgoing(packet("1", 1));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "attachments: placeholder num 1 for 1 attachment(s)");
  CHECK(check_outgoing(packet("999999999999999", 1)).ok() == false);  // 15 digits: read, out of range
}

TEST_CASE("codec: names and reserved events", "[socketio][packet]") {
  using echat::socketio::to_string;
  CHECK(std::string(to_string(PacketType::Connect)) == "CONNECT");
  CHECK(std::string(to_string(PacketType::Disconnect)) == "DISCONNECT");
  CHECK(std::string(to_string(PacketType::Event)) == "EVENT");
  CHECK(std::string(to_string(PacketType::Ack)) == "ACK");
  CHECK(std::string(to_string(PacketType::ConnectError)) == "CONNECT_ERROR");
  CHECK(std::string(to_string(PacketType::BinaryEvent)) == "BINARY_EVENT");
  CHECK(std::string(to_string(PacketType::BinaryAck)) == "BINARY_ACK");
  CHECK(std::string(to_string(static_cast<PacketType>(9))) == "UNKNOWN");
  CHECK(echat::socketio::is_reserved_event("newListener"));
  CHECK_FALSE(echat::socketio::is_reserved_event("newlistener"));
  CHECK_FALSE(echat::socketio::is_reserved_event("message"));
}

TEST_CASE("codec: large ack ids and the id limit", "[socketio][packet]") {
  Decoder d;
  auto r = d.feed_text("318446744073709551615[]");
  REQUIRE(r.ok());
  CHECK(r.value()->id == 18446744073709551615ull);
  r = d.feed_text("318446744073709551616[]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "sio.bad_ack_id");
  r = d.feed_text("30[]");
  REQUIRE(r.ok());
  CHECK(r.value()->id == 0u);
}
