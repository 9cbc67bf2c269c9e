// The outbox: message/send with formUser and clientMsgId filled, persisted while it waits, sent in
// order, repeated with the same clientMsgId until stored, restored after an app restart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_echat.h"
#include "im/client.h"
#include "im/outbox.h"

using namespace echat::testing;  // NOLINT
using echat::im::Transport;
namespace code = echat::im::code;

namespace {

const char* kHello = R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"hello"}})";

std::string msg(const std::string& text) {
  return R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":")" + text + R"("}})";
}

// The outbox entries in storage, in send order, whichever form the client writes (the single record
// [{c, f}], or one record per message {n, c, f}).
std::vector<json> outbox_records(const ImHarness& h) {
  std::vector<json> out;
  auto single = h.storage.find(h.client.outbox_key());
  if (single != h.storage.end() && parse(single->second).is_array()) {
    int n = 0;
    for (auto e : parse(single->second)) {
      e["n"] = ++n;
      out.push_back(e);
    }
  }
  const std::string prefix = h.client.outbox_prefix();
  for (const auto& [k, v] : h.storage) {
    if (k.compare(0, prefix.size(), prefix) == 0) out.push_back(parse(v));
    if (!out.empty() && !out.back().is_object()) out.back() = json{{"n", 0}, {"junk", v}};
  }
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["n"] < b["n"]; });
  return out;
}

// What the server stored from alice, in mid order.
std::vector<std::string> stored_texts(const FakeEchat& e) {
  std::vector<std::string> out;
  auto it = e.timeline.find("bob");
  if (it == e.timeline.end()) return out;
  for (const auto& m : it->second) {
    if (m["formUser"] == "alice") out.push_back(m["body"].value("text", "?"));
  }
  return out;
}

}  // namespace

TEST_CASE("outbox: send fills formUser and clientMsgId and resolves once stored", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  for (Transport t : {Transport::Socket, Transport::Http}) {
    ImHarness h(ImHarness::base_config(t));
    h.lanes = lanes;
    h.start();
    const auto id = h.send(kHello);
    REQUIRE(h.responses.count(id));
    const auto& r = h.responses[id];
    CHECK(r.code == 0);
    const json d = parse(r.data_json);
    CHECK(d["mid"] == 1);
    CHECK(d["seq"] == 1);
    CHECK(d["clientMsgId"] == r.client_msg_id);
    CHECK(r.client_msg_id.find("-m-1") != std::string::npos);
    const json stored = h.echat.timeline["bob"][0];
    CHECK(stored["formUser"] == "alice");
    CHECK(stored["clientMsgId"] == r.client_msg_id);
    // The sender's own delivery comes back through the inbox.
    REQUIRE(h.messages.size() == 1);
    CHECK(h.messages[0].mid == 1);
    CHECK(outbox_records(h).empty());  // written, then removed
    CHECK(h.storage.count(h.client.outbox_key()) == 0);
    CHECK(h.client.outbox_size() == 0);
  }
}

TEST_CASE("outbox: a long user id, and one with a quote: the message is stored whole, on the send lane or not",
          "[im][outbox]") {
  // The host writes `,"formUser":"<the user>"` from the session's user as it is (no room of the core's
  // to fit): any length takes the lane; a user that needs escapes in JSON leaves every message to the
  // general path, which stores it as it would any other.
  for (const std::string& auid : {std::string(150, 'u'), std::string(400, 'u'), std::string("u\"q")}) {
    echat::im::Config c = ImHarness::base_config();
    c.auid = auid;
    ImHarness h(c);
    h.echat.tokens[c.auid] = c.token;
    h.lanes = true;
    h.start();
    const auto id = h.send(kHello);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    REQUIRE(h.echat.timeline["bob"].size() == 1);
    CHECK(h.echat.timeline["bob"][0]["formUser"] == c.auid);
    CHECK(h.lane_sends == (auid.size() > 3 ? 1 : 0));
    CHECK(outbox_records(h).empty());
  }
}

TEST_CASE("outbox: each message's envelope carries the time it was sent (the digits are kept between sends)",
          "[im][outbox]") {
  // The envelope keeps the text around the last timestamp and, within the same second, rewrites only
  // its last three digits (Client::append_envelope): below 1000 ms, the first in a second, the same
  // millisecond again, later ones in the same second, another second with the same milliseconds, and
  // a second with one digit more.
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  ImHarness h;
  h.lanes = lanes;
  h.start();
  std::vector<std::int64_t> times;
  for (const std::int64_t at : {std::int64_t{999}, std::int64_t{1000}, std::int64_t{1000}, std::int64_t{1042},
                                std::int64_t{2042}, std::int64_t{2942}, std::int64_t{9999}, std::int64_t{10000}, std::int64_t{10005}}) {
    h.clock.now = at;
    times.push_back(at);
    const auto id = h.send(msg("t" + std::to_string(times.size())));
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
  }
  std::vector<std::int64_t> seen;
  for (const auto& in : h.echat.socket_requests) {
    if (in.value("method", "") == "send") seen.push_back(in["timestamp"].get<std::int64_t>());
  }
  CHECK(seen == times);
  if (lanes) CHECK(h.lane_sent == static_cast<int>(times.size()));  // each one by the lane, at once
}

TEST_CASE("outbox: waits while disconnected, persisted, then sent in order", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  ImHarness h;
  h.lanes = lanes;
  h.reachable = false;
  h.start();
  const auto a = h.send(msg("a"));
  const auto b = h.send(msg("b"));
  const auto c = h.send(msg("c"));
  CHECK(h.responses.empty());
  const std::vector<json> rec = outbox_records(h);
  REQUIRE(rec.size() == 3);

  CHECK(rec[0]["f"]["formUser"] == "alice");
  CHECK(rec[2]["f"]["body"]["text"] == "c");
  h.reachable = true;
  h.advance(10000);
  REQUIRE(h.responses.count(a));
  REQUIRE(h.responses.count(b));
  REQUIRE(h.responses.count(c));
  CHECK(stored_texts(h.echat) == std::vector<std::string>{"a", "b", "c"});
  CHECK(outbox_records(h).empty());
}

TEST_CASE("outbox: survives an app restart and is stored exactly once", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  ImHarness first;
  first.lanes = lanes;
  first.reachable = false;
  first.start();
  const auto id = first.send(kHello);
  first.client.close(first.now());
  first.pump();
  REQUIRE(first.responses.count(id));
  CHECK(first.responses[id].code == code::kClosed);
  const std::string cmid = first.responses[id].client_msg_id;
  REQUIRE(outbox_records(first).size() == 1);

  ImHarness second;
  second.lanes = lanes;
  second.storage = first.storage;
  second.start();
  REQUIRE(second.responses.size() == 1);
  const auto& r = second.responses.begin()->second;
  CHECK(r.code == 0);
  CHECK(r.client_msg_id == cmid);
  CHECK(stored_texts(second.echat) == std::vector<std::string>{"hello"});
  CHECK(second.echat.timeline["bob"][0]["clientMsgId"] == cmid);
  CHECK(outbox_records(second).empty());
}

TEST_CASE("outbox: a lost answer is repeated with the same clientMsgId, stored once", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  SECTION("http: the request fails after the server ran it") {
    ImHarness h(ImHarness::base_config(Transport::Http));
    h.lanes = lanes;
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.send(kHello);
    h.advance(5000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    CHECK(parse(h.responses[id].data_json)["duplicate"] == true);
    CHECK(stored_texts(h.echat) == std::vector<std::string>{"hello"});
  }
  SECTION("socket: the ack never comes") {
    ImHarness h;
    h.lanes = lanes;
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.send(kHello);
    CHECK(h.responses.count(id) == 0);
    h.advance(15000);
    REQUIRE(h.responses.count(id));
    CHECK(parse(h.responses[id].data_json)["duplicate"] == true);
    CHECK(stored_texts(h.echat) == std::vector<std::string>{"hello"});
  }
  SECTION("socket: the connection drops with the send out") {
    ImHarness h;
    h.lanes = lanes;
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.send(kHello);
    h.cut();
    h.advance(6000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    CHECK(stored_texts(h.echat) == std::vector<std::string>{"hello"});
    CHECK(h.messages.size() == 1);  // the own delivery, once
  }
}

TEST_CASE("outbox: a refusal removes the message; the next one goes on", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  ImHarness h;
  h.lanes = lanes;
  h.start();
  h.echat.forced_codes = {403};
  const auto a = h.send(msg("a"));
  const auto b = h.send(msg("b"));
  REQUIRE(h.responses.count(a));
  CHECK(h.responses[a].code == 403);
  REQUIRE(h.responses.count(b));
  CHECK(h.responses[b].code == 0);
  CHECK(stored_texts(h.echat) == std::vector<std::string>{"b"});
  CHECK(h.client.outbox_size() == 0);
}

TEST_CASE("outbox: an application clientMsgId is kept; a repeat while waiting is refused", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  ImHarness h;
  h.lanes = lanes;
  h.reachable = false;
  h.start();
  h.send(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{},"clientMsgId":"mine-1"})");
  auto r = h.send_message(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{},"clientMsgId":"mine-1"})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "invalid argument 'clientMsgId': already waiting in the outbox");
  CHECK(outbox_records(h)[0]["c"] == "mine-1");
}

// A message larger than the server's announced maxPayload is refused at once with a 400 naming body,
// on the general path and on the send lane (which refuses it before the host copies its text into

// The send lane keeps a clientMsgId it made as its number (src/im/send_lane.cpp): an app that gives one
// back while that message waits is refused as for any other id, on the lane (not taken) and on the
// general path; ids that only look like it (a leading zero, a letter after the digits, a number of no
// waiting message, another boot's) are other ids, sent as given.
TEST_CASE("outbox: a clientMsgId the core made, given back while it waits, is refused; look-alikes are not",
          "[im][outbox]") {
  const bool lanes = GENERATE(false, true);
  ImHarness h;
  h.lanes = lanes;
  h.reachable = false;
  h.start();
  h.send(kHello);
  h.send(kHello);
  const std::string made = outbox_records(h)[1]["c"];  // <prefix>-<boot>-m-2
  const std::size_t dash = made.rfind('-');
  REQUIRE(made.substr(dash) == "-2");
  const std::string stem = made.substr(0, dash + 1);
  if (lanes) CHECK(h.lane_sends == 2);
  const auto with_id = [](const std::string& id) {
    return R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{},"clientMsgId":")" + id + R"("})";
  };
  auto r = h.send_message(with_id(made));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "invalid argument 'clientMsgId': already waiting in the outbox");
  r = h.send_message(with_id(stem + "1"));
  REQUIRE_FALSE(r.ok());
  if (lanes) CHECK(h.lane_sends == 2);
  const std::string boot = stem.substr(stem.find('-') + 1, stem.size() - stem.find('-') - 4);
  const std::string other_boot = stem.substr(0, stem.find('-') + 1) + std::to_string(std::stoull(boot) + 1) + "-m-2";
  for (const std::string& id : {stem + "02", stem + "2x", stem + "3", stem, other_boot, stem + "99999999999999999999"}) {
    INFO(id);
    CHECK(h.send_message(with_id(id)).ok());
  }
  if (lanes) CHECK(h.lane_sends == 8);
  const auto records = outbox_records(h);
  REQUIRE(records.size() == 8);
  CHECK(records[2]["c"] == stem + "02");
  CHECK(records[6]["c"] == other_boot);
  // Sent once reachable, each under its own id, in order (the core's two first).
  h.reachable = true;
  h.advance(10000);
  CHECK(h.client.outbox_size() == 0);
  REQUIRE(h.echat.timeline["bob"].size() == 8);
  CHECK(h.echat.timeline["bob"][0]["clientMsgId"] == stem + "1");
  CHECK(h.echat.timeline["bob"][1]["clientMsgId"] == made);
  CHECK(h.echat.timeline["bob"][2]["clientMsgId"] == stem + "02");
}
// wasm: Lane::Refused); nothing is queued or stored, and the next message goes as usual.
TEST_CASE("outbox: a message over the server's maxPayload is refused at once, naming body", "[im][outbox]") {
  const bool lanes = GENERATE(false, true);
  ImHarness h;
  h.server.options().max_payload = 1000;
  h.lanes = lanes;
  h.start();
  REQUIRE(h.client.logged_in());
  const auto r = h.send_message(msg(std::string(1200, 'z')));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "400");
  CHECK(r.error().message.rfind("invalid argument 'body': the message (", 0) == 0);
  CHECK(r.error().message.find("exceeds the server's maxPayload of 1000 bytes") != std::string::npos);
  CHECK(h.lane_refusals == (lanes ? 1 : 0));
  CHECK(h.client.outbox_size() == 0);
  CHECK(outbox_records(h).empty());
  CHECK(h.echat.timeline["bob"].empty());
  const auto id = h.send(msg("small"));
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(h.echat.timeline["bob"].size() == 1);
}

// The host writes the send lane's numbers (the record's order, the boot in a clientMsgId) from doubles:
// a stored record (another version's, or damaged) that puts either past 2^53 leaves every message to
// the general path, whose text of the number is exact. Both messages are stored, the old one first.
TEST_CASE("outbox: a restored record's order or boot past 2^53 leaves the send lane to the general path",
          "[im][outbox]") {
  for (const bool order : {true, false}) {
    ImHarness h;
    h.lanes = true;
    if (order) {
      h.storage[h.client.outbox_prefix() + "old-1"] =
          R"({"n":9007199254740993,"c":"old-1","f":{"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"old"},"formUser":"alice","clientMsgId":"old-1"}})";
    } else {
      h.storage[h.client.synced_key()] = R"({"seq":0,"boot":9007199254740993})";
    }
    h.start();
    const auto id = h.send(kHello);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    CHECK(h.lane_sends == 0);
    CHECK(stored_texts(h.echat) == (order ? std::vector<std::string>{"old", "hello"} : std::vector<std::string>{"hello"}));
    if (!order) CHECK(h.responses[id].client_msg_id.find("-9007199254740994-m-") != std::string::npos);  // (the next boot)
    CHECK(outbox_records(h).empty());
  }
}

// The host writes the send lane's clientMsgId between quotes as it is: an app's id of 128 quotes (or
// backslashes) is left to the general path, which writes it escaped, restores and sends it.
TEST_CASE("outbox: an application clientMsgId of 128 quotes, beside the send lane and across a restart", "[im][outbox]") {
  const std::string cmid(128, '"');
  const std::string form = R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"q"},"clientMsgId":)" + json(cmid).dump() + "}";
  ImHarness first;
  first.lanes = true;
  first.reachable = false;
  first.start();
  first.send(form);
  CHECK(first.lane_sends == 0);
  REQUIRE(outbox_records(first).size() == 1);
  CHECK(outbox_records(first)[0]["c"] == cmid);
  CHECK(outbox_records(first)[0]["f"]["clientMsgId"] == cmid);
  first.client.close(first.now());
  first.pump();
  ImHarness second;
  second.lanes = true;
  second.storage = first.storage;
  second.start();
  REQUIRE(stored_texts(second.echat) == std::vector<std::string>{"q"});
  CHECK(second.echat.timeline["bob"][0]["clientMsgId"] == cmid);
  CHECK(outbox_records(second).empty());
  // Sent at once this time, by the general path, and answered there too (the answer lane takes only a
  // clientMsgId it can hand over as it is).
  second.send(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"r"},"clientMsgId":)" + json(std::string(128, '\\')).dump() + "}");
  CHECK(second.lane_sends == 0);
  CHECK(second.lane_answers == 0);
  CHECK(stored_texts(second.echat) == std::vector<std::string>{"q", "r"});
  CHECK(second.echat.timeline["bob"][1]["clientMsgId"] == std::string(128, '\\'));
}

// The send lane writes the JWT's JSON text as Login keeps it (escaped once per JWT): a JWT with quotes,
// a backslash and a tab reaches the server as it was, and the renewed one replaces it at once; with
// a non-ASCII JWT the lane leaves the attempts to the general path (the host's room is ASCII). The lane
// writes that text only into the first frame of a JWT the host does not hold (Client::Sent): the
// host puts the one it keeps into the next ones.
TEST_CASE("outbox: the send lane's envelope carries the JWT escaped, the renewed one after a 419", "[im][outbox]") {
  for (const std::string& tag : {std::string("\"q\\b\t"), std::string("\xc3\xa9")}) {
    const bool ascii = tag[0] == '"';
    ImHarness h;
    h.lanes = true;
    h.echat.jwt_tag = tag;
    h.start();
    h.send(msg("a"));
    CHECK(h.echat.last_jwt == h.client.jwt());
    h.send(msg("a2"));  // the host's JWT text
    CHECK(h.echat.last_jwt == h.client.jwt());
    CHECK(h.lane_jwt_kept == (ascii ? 1 : 0));
    const std::string old = h.client.jwt();
    h.echat.expired.insert(old);
    h.send(msg("b"));  // 419: renewed, then repeated
    CHECK(h.client.jwt() != old);
    h.send(msg("c"));  // the renewed JWT's text, kept by the host ...
    CHECK(h.echat.last_jwt == h.client.jwt());
    CHECK(h.echat.last_jwt.find(tag) != std::string::npos);
    h.send(msg("d"));  // ... for this one
    CHECK(h.echat.last_jwt == h.client.jwt());
    CHECK(stored_texts(h.echat) == std::vector<std::string>{"a", "a2", "b", "c", "d"});
    CHECK(h.lane_sends == 5);
    CHECK(h.lane_sent == (ascii ? 5 : 0));
    CHECK(h.lane_jwt_kept == (ascii ? 3 : 0));  // a2, b's first attempt (the old JWT), d
  }
}

// A server may issue a JWT of any length. One that no longer fits the host's room after a renewal: the
// lane must not leave the new frames to the old JWT's text the host keeps; the general path sends them
// whole, and the server sees the new JWT on every one.
TEST_CASE("outbox: a renewed JWT too long for the host's room goes whole through the general path", "[im][outbox]") {
  ImHarness h;
  h.lanes = true;
  h.start();
  h.send(msg("a"));
  h.send(msg("a2"));
  CHECK(h.lane_jwt_kept == 1);
  const std::string old = h.client.jwt();
  h.echat.jwt_tag = std::string(1500, 'J');  // the next JWT: over the 1,024-byte room
  h.echat.expired.insert(old);
  h.send(msg("b"));  // 419 on the lane's frame with the old JWT: renewed, repeated
  CHECK(h.client.jwt().size() > 1500);
  CHECK(h.echat.last_jwt == h.client.jwt());
  h.send(msg("c"));
  CHECK(h.echat.last_jwt == h.client.jwt());
  h.send(msg("d"));
  CHECK(h.echat.last_jwt == h.client.jwt());
  CHECK(stored_texts(h.echat) == std::vector<std::string>{"a", "a2", "b", "c", "d"});
  CHECK(h.lane_sends == 5);
  CHECK(h.lane_sent == 3);      // a, a2, b's first attempt
  CHECK(h.lane_jwt_kept == 2);  // a2, b's first attempt; none after the renewal
}

TEST_CASE("outbox: bounded, and damaged records are skipped", "[im][outbox]") {
  echat::im::Outbox box(2, 10000);
  echat::im::OutboxEntry e;
  e.client_msg_id = "x";
  e.form = echat::im::json::object({{"clientMsgId", "x"}});
  REQUIRE(box.add(e).ok());
  e.client_msg_id = "y";
  e.form = echat::im::json::object({{"clientMsgId", "y"}});
  REQUIRE(box.add(e).ok());
  auto full = box.add(e);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == "-1005");
  const std::string rec = box.serialize();
  echat::im::Outbox back;
  back.restore(rec);
  CHECK(back.size() == 2);
  back.restore(R"([{"c":"a","f":{"clientMsgId":"a"}},{"c":"b","f":{"clientMsgId":"other"}},7,{"c":"d"}])");
  REQUIRE(back.size() == 1);
  CHECK(back.entries()[0].client_msg_id == "a");
  back.restore("{not json");
  CHECK(back.empty());
  CHECK(back.serialize().empty());
  echat::im::Outbox tiny(10, 50);
  e.form = echat::im::json::object({{"clientMsgId", "y"}, {"body", std::string(100, 'z')}});
  CHECK_FALSE(tiny.add(e).ok());
}

TEST_CASE("outbox: one record per message (outboxPerMessageRecords); the single record is migrated", "[im][outbox]") {
  auto config = ImHarness::base_config();
  config.outbox_per_message = true;
  ImHarness h(config);
  h.storage[h.client.outbox_key()] =
      R"([{"c":"old-1","f":{"clientMsgId":"old-1","formUser":"alice","toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"a"}}},
          {"c":"old-2","f":{"clientMsgId":"old-2","formUser":"alice","toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"b"}}}])";
  h.storage[h.client.outbox_prefix() + "new-3"] =
      R"({"n":9,"c":"new-3","f":{"clientMsgId":"new-3","formUser":"alice","toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"c"}}})";
  h.storage[h.client.outbox_prefix() + "junk"] = "{not json";
  h.reachable = false;
  h.start();
  CHECK(parse(h.storage[h.client.outbox_key()]).is_object());  // migrated: now the marker
  CHECK(h.storage.count(h.client.outbox_prefix() + "junk") == 0);  // damaged: removed
  CHECK(outbox_records(h).size() == 3);
  CHECK(h.client.outbox_size() == 3);
  h.send(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"d"}})");
  CHECK(h.storage.count(h.client.outbox_prefix() + h.client.outbox_prefix()) == 0);
  CHECK(outbox_records(h).size() == 4);
  CHECK(outbox_records(h)[3]["n"] == 10);  // after the highest restored n
  h.reachable = true;
  h.advance(10000);
  CHECK(stored_texts(h.echat) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(h.client.outbox_size() == 0);
  CHECK(outbox_records(h).empty());
  CHECK(h.storage.count(h.client.outbox_key()) == 0);  // the marker goes with the last record

  // Back to the single record (outboxPerMessageRecords: false): per-message records are folded into it
  // at the next start.
  auto single = ImHarness::base_config();
  single.outbox_per_message = false;
  ImHarness again(single);
  again.storage[again.client.outbox_prefix() + "x-1"] =
      R"({"n":1,"c":"x-1","f":{"clientMsgId":"x-1","formUser":"alice","toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"x"}}})";
  again.reachable = false;
  again.start();
  CHECK(again.storage.count(again.client.outbox_prefix() + "x-1") == 0);
  REQUIRE(parse(again.storage[again.client.outbox_key()]).is_array());
  CHECK(parse(again.storage[again.client.outbox_key()])[0]["c"] == "x-1");
}

TEST_CASE("outbox: records restore in send order whatever order storage lists them", "[im][outbox]") {
  echat::im::Outbox box;
  const auto rejected =
      box.restore_records({R"({"n":5,"c":"e","f":{"clientMsgId":"e"}})", R"({"n":2,"c":"b","f":{"clientMsgId":"b"}})",
                           R"({"n":0,"c":"z","f":{"clientMsgId":"z"}})", R"({"n":3,"c":"c","f":{"clientMsgId":"x"}})",
                           R"({"n":7,"c":"b","f":{"clientMsgId":"b"}})"});
  CHECK(rejected == std::vector<std::uint32_t>{2, 3, 4});
  REQUIRE(box.size() == 2);
  CHECK(box.entries()[0].client_msg_id == "b");
  CHECK(box.entries()[1].client_msg_id == "e");
  echat::im::OutboxEntry next;
  next.client_msg_id = "f";
  next.form = echat::im::json::object({{"clientMsgId", "f"}});
  REQUIRE(box.add(next).ok());
  CHECK(box.entries()[2].n == 6);  // after the restored ones
}

// A burst past the send window on the lanes (Client::send_fast leaves settle() out when the window is
// full, every queued call is an outbox message and none has a wait that is over): the same decisions as
// the general path, compared as the server saw them (each message/send's timestamp and clientMsgId, in
// order) and as the deadline the host is left with. 15 answers are lost and the 16th is a 429 (a retry
// in 1 s, then one message at a time for a while): three sends pass the full window by; a send after
// the 429's wait is over (the host's timer not fired yet) must clear it as flush() does, or the host
// would be left with a deadline in the past; then the acks time out and everything is stored, in order.
TEST_CASE("outbox: a burst past the send window decides as the general path (429 wait, ack timeouts)", "[im][outbox]") {
  const auto run = [](bool lanes) {
    ImHarness h;
    h.lanes = lanes;
    h.start();
    std::vector<std::string> seen;  // what the host and the server saw, step by step
    // (Only message/send is compared: the lanes' harness hands the server's frames over after the
    // outputs, so the own deliveries may arrive in another order and start a sync of their own.)
    const auto sends = [&] {
      std::vector<std::string> out;
      for (const auto& r : h.echat.socket_requests) {
        if (r.value("method", "") == "send") {
          out.push_back(r.value("clientMsgId", "") + " at " + std::to_string(r.value("timestamp", std::int64_t{0})));
        }
      }
      return out;
    };
    const auto note = [&](const char* step) {
      const auto d = h.client.next_deadline();
      seen.push_back(std::string(step) + ": " + std::to_string(sends().size()) + " sends, deadline " +
                     (d ? std::to_string(*d - h.now()) : "none"));
      CHECK((!d || *d > h.now()));  // nothing left due behind the host's back
    };
    h.echat.lose_answers = 15;
    for (int i = 0; i < 15; ++i) h.send(msg("m" + std::to_string(i)));
    h.echat.forced_codes = {429};
    h.send(msg("m15"));
    note("429");
    for (int i = 16; i < 19; ++i) h.send(msg("m" + std::to_string(i)));
    note("window full");
    h.clock.now += 1500;  // the 429's wait is over; the host's timer has not fired yet
    h.send(msg("m19"));
    note("wait over");
    h.advance(40000);
    note("acks timed out");
    for (const auto& s : sends()) seen.push_back(s);
    std::vector<std::string> want;
    for (int i = 0; i < 20; ++i) want.push_back("m" + std::to_string(i));
    CHECK(stored_texts(h.echat) == want);
    CHECK(h.client.outbox_size() == 0);
    CHECK(h.responses.size() == 20);
    if (lanes) {
      CHECK(h.lane_sends == 20);
      CHECK(h.kept.empty());
    }
    return seen;
  };
  const std::vector<std::string> general = run(false);
  CHECK(general[1] == "window full: 16 sends, deadline 1000");        // the 429's wait
  CHECK(general[2] == "wait over: 16 sends, deadline 13500");          // the acks' timeout (15 s)
  CHECK(general[3] == "acks timed out: 36 sends, deadline 28500");     // 15 repeated, then the other 5
  CHECK(run(true) == general);
}
