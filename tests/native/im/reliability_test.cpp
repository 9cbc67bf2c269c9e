// Issue 11 "Reliability (SDK)": bursts beyond 200 waiting messages, pipelined sends in order, a visible
// state per message, sendTimeout with a reason, refused connections named, unreadable input acknowledged,
// the first conversation load, history on a fresh install, admin calls with the config's secret.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fake_echat.h"
#include "im/client.h"
#include "im/json_util.h"

using namespace echat::testing;  // NOLINT
using echat::im::Transport;
namespace code = echat::im::code;
namespace im = echat::im;

namespace {

std::string msg(const std::string& text, const std::string& extra = "") {
  return R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":")" + text + R"("})" + extra + "}";
}

std::vector<std::string> stored_texts(const FakeEchat& e) {
  std::vector<std::string> out;
  auto it = e.timeline.find("bob");
  if (it == e.timeline.end()) return out;
  for (const auto& m : it->second) {
    if (m["formUser"] == "alice") out.push_back(m["body"].value("text", "?"));
  }
  return out;
}

// The SendState outputs, as "clientMsgId-suffix:state".
std::vector<const im::SendState*> send_states(const ImHarness& h) {
  std::vector<const im::SendState*> out;
  for (const auto& o : h.outputs) {
    if (const auto* s = std::get_if<im::SendState>(&o)) out.push_back(s);
  }
  return out;
}

// The most messages "sending" at once (sending minus sent/failed/queued-again), from the SendState log.
int max_in_flight(const ImHarness& h) {
  int now = 0, best = 0;
  for (const auto* s : send_states(h)) {
    const std::string st = s->state;
    if (st == "sending") best = std::max(best, ++now);
    if (st == "sent" || st == "failed") --now;
  }
  return best;
}

}  // namespace

TEST_CASE("im reliability: 500 messages sent offline all wait (no 200 bound), then pipeline in order", "[im][outbox]") {
  ImHarness h;
  h.lanes = GENERATE(false, true);  // the wasm host's send and answer lanes (fake_echat.h)
  h.reachable = false;
  h.start();
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 500; ++i) {
    auto r = h.send_message(msg("m" + std::to_string(i)));
    REQUIRE(r.ok());
    ids.push_back(r.value());
  }
  h.pump();
  CHECK(h.client.outbox_size() == 500);
  h.reachable = true;
  h.advance(10000);
  for (auto id : ids) {
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
  }
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) want.push_back("m" + std::to_string(i));
  CHECK(stored_texts(h.echat) == want);     // send order kept
  CHECK(max_in_flight(h) == 16);            // sendWindow: several on the wire at once
  CHECK(h.client.outbox_size() == 0);
  if (h.lanes) {
    CHECK(h.lane_sends == 500);  // accepted on the lane (sent later by the general path)
    CHECK(h.lane_answers >= 400);  // most answers; one behind pending outputs takes the general path
    CHECK(h.lane_next >= 400);     // ... each letting the next message go
    CHECK(h.kept.empty());         // every form the host kept was released once stored
  }
}

TEST_CASE("im reliability: the outbox bound is storage's (5 MB), said in the error", "[im][outbox]") {
  ImHarness h;
  h.lanes = GENERATE(false, true);
  h.reachable = false;
  h.start();
  const std::string big(200000, 'x');
  int accepted = 0;
  std::string refusal, refusal_code;
  for (int i = 0; i < 40; ++i) {
    auto r = h.send_message(msg(big));
    if (r.ok()) {
      ++accepted;
    } else {
      refusal = r.error().message;
      refusal_code = r.error().code;
    }
  }
  CHECK(accepted == 26);  // 26 x ~200 KB under 5 MiB
  CHECK(refusal_code == "-1005");
  CHECK(refusal.find("of 5242880 bytes waiting") != std::string::npos);
}

TEST_CASE("im reliability: over HTTP messages go one at a time (requests may be stored in any order)", "[im][outbox]") {
  ImHarness h(ImHarness::base_config(Transport::Http));
  h.reachable = false;
  h.start();
  for (int i = 0; i < 20; ++i) REQUIRE(h.client.send_message(h.now(), msg("h" + std::to_string(i))).ok());
  h.reachable = true;
  h.advance(10000);
  CHECK(stored_texts(h.echat).size() == 20);
  CHECK(max_in_flight(h) == 1);
}

TEST_CASE("im reliability: every send has a visible state: queued, sending, sent", "[im][outbox]") {
  ImHarness h;
  h.lanes = GENERATE(false, true);
  h.start();
  const auto id = h.send(msg("hi"));
  std::vector<std::string> seen;
  for (const auto* s : send_states(h)) {
    CHECK(s->id == id);
    seen.push_back(s->state);
  }
  CHECK(seen == std::vector<std::string>{"queued", "sending", "sent"});
  if (h.lanes) {  // sent at once, answered on the lane
    CHECK(h.lane_sends == 1);
    CHECK(h.lane_answers == 1);
    CHECK(h.kept.empty());
  }
}

TEST_CASE("im reliability: sendTimeout fails a message with the reason; a resend (same clientMsgId) is stored once",
          "[im][outbox]") {
  SECTION("the socket cannot connect") {
    im::Config c = ImHarness::base_config();
    c.send_timeout = 5000;
    ImHarness h(c);
    h.lanes = GENERATE(false, true);
    h.reachable = false;
    h.start();
    const auto id = h.send(msg("lost", R"(,"clientMsgId":"c-1")"));
    h.advance(6000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == code::kTimeout);
    CHECK(h.responses[id].msg ==
          "timeout: not confirmed within 5000 ms (sendTimeout): cannot connect to ws://127.0.0.1:59092: connection refused");
    CHECK(std::string(send_states(h).back()->state) == "failed");
    CHECK(h.client.outbox_size() == 0);
    h.reachable = true;
    h.advance(3000);
    const auto again = h.send(msg("lost", R"(,"clientMsgId":"c-1")"));
    REQUIRE(h.responses.count(again));
    CHECK(h.responses[again].code == 0);
    CHECK(stored_texts(h.echat) == std::vector<std::string>{"lost"});
  }
  SECTION("HTTP refused (wrong httpPort): reported at once naming the address, then the send fails with it") {
    im::Config c = ImHarness::base_config(Transport::Http);
    c.send_timeout = 8000;
    ImHarness h(c);
    h.start();
    h.http_up = false;
    const auto id = h.send(msg("x"));
    REQUIRE(h.errors.size() == 1);
    CHECK(h.errors[0].message == "cannot reach http://127.0.0.1:58082: network error");  // wx said only "request:fail"
    CHECK_FALSE(h.errors[0].fatal);
    h.advance(9000);
    CHECK(h.errors.size() == 1);  // once per streak, not per attempt
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == code::kTimeout);
    CHECK(h.responses[id].msg.find("cannot reach http://127.0.0.1:58082") != std::string::npos);
  }
}

TEST_CASE("im reliability: a socket that cannot connect is a state reason per attempt, not an error", "[im][session]") {
  ImHarness h;
  h.reachable = false;
  h.start();
  h.advance(12000);
  CHECK(h.errors.empty());
  int reasons = 0;
  for (const auto& s : h.states) reasons += s == "connecting:cannot connect to ws://127.0.0.1:59092: connection refused";
  CHECK(reasons >= 2);
}

TEST_CASE("im reliability: lone surrogates are read as U+FFFD (what JSON.parse accepts is accepted)", "[im][json]") {
  using im::parse_json;
  CHECK(parse_json(R"({"t":"x\ud800"})")["t"].get_string() == "x\xEF\xBF\xBD");
  CHECK(parse_json(R"({"t":"\udc00y"})")["t"].get_string() == "\xEF\xBF\xBDy");
  CHECK(parse_json(R"({"t":"\ud83d\ude00"})")["t"].get_string() == "\xF0\x9F\x98\x80");  // a pair is untouched
  CHECK(parse_json(R"({"t":"\\ud800"})")["t"].get_string() == "\\ud800");               // an escaped backslash, not an escape
  CHECK(parse_json(R"({"t":"\ud800\u0041"})")["t"].get_string() == "\xEF\xBF\xBD" "A");
  CHECK(parse_json(R"({"t":"x)").is_discarded());
}

TEST_CASE("im reliability: user.list with a lone surrogate in an ext answers (HTTP)", "[im][json]") {
  ImHarness h(ImHarness::base_config(Transport::Http));
  h.start();
  h.hold_http = true;
  const auto id = h.request("user", "list", "{}");
  REQUIRE(h.held.size() == 1);
  const auto req = h.held.front();
  h.held.clear();
  h.client.on_http_response(h.now(), req.id, 200, R"({"code":0,"msg":"ok","data":[{"auid":"bob","ext":"\ud800"}]})");
  h.pump();
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(parse(h.responses[id].data_json)[0]["ext"] == "\xEF\xBF\xBD");
}

TEST_CASE("im reliability: the conversation list is loaded (an output) after the first login", "[im][session]") {
  ImHarness h;
  h.echat.conversation_list = json::array({{{"way", "P2P"}, {"toTarget", "bob"}, {"unread", 2}}});
  h.start();
  int loads = 0;
  for (const auto& o : h.outputs) {
    if (const auto* c = std::get_if<im::ConversationsLoaded>(&o)) {
      ++loads;
      CHECK(parse(c->json)[0]["toTarget"] == "bob");
    }
  }
  CHECK(loads == 1);
}

TEST_CASE("im reliability: historyOnFreshInstall decides what a fresh install replays; replayed ones are marked",
          "[im][inbox]") {
  auto seed = [](ImHarness& h) {
    for (const char* who : {"bob", "carol", "bob", "carol", "bob"}) {
      json answer;
      (void)h.echat.store(who, json{{"formUser", who}, {"toTarget", "alice"}, {"way", "P2P"}, {"type", "TEXT"},
                                    {"body", {{"text", std::string("from ") + who}}}, {"clientMsgId", std::string(who) + std::to_string(h.echat.next_mid)}},
                          answer);
    }
  };
  SECTION("all (default): five, each isHistory") {
    ImHarness h;
    seed(h);
    h.start();
    REQUIRE(h.messages.size() == 5);
    for (const auto& m : h.messages) CHECK(m.history);
  }
  SECTION("none: nothing replayed, the position moves on; a later message is live") {
    im::Config c = ImHarness::base_config();
    c.history_on_fresh_install = 0;
    ImHarness h(c);
    seed(h);
    h.start();
    CHECK(h.messages.empty());
    CHECK(h.client.synced_seq() == 5);
    h.send(msg("now"));
    REQUIRE(h.messages.size() == 1);
    CHECK_FALSE(h.messages[0].history);
    CHECK(h.messages[0].seq == 6);
  }
  SECTION("the last 1 per conversation, in seq order") {
    im::Config c = ImHarness::base_config();
    c.history_on_fresh_install = 1;
    ImHarness h(c);
    seed(h);
    h.start();
    REQUIRE(h.messages.size() == 2);
    CHECK(h.messages[0].seq == 4);  // carol's last
    CHECK(h.messages[1].seq == 5);  // bob's last
  }
  SECTION("not a fresh install: missed messages are not history") {
    ImHarness h;
    seed(h);
    // A stored position > 0 is what makes an install not fresh.
    h.storage[h.client.synced_key()] = R"({"seq":1,"boot":1})";
    h.start();
    REQUIRE(h.messages.size() == 4);
    for (const auto& m : h.messages) CHECK_FALSE(m.history);
  }
}

TEST_CASE("im reliability: admin calls take the config's secret and appKey when the form lacks them", "[im][session]") {
  im::Config c = ImHarness::base_config(Transport::Http);
  c.secret = "s3cret";
  ImHarness h(c);
  h.start();
  h.hold_http = true;
  h.request("user", "add", R"({"auid":"dan","token":"t"})");
  h.request("user", "update", R"({"auid":"alice","name":"A"})");  // the user's own: stays a user call
  REQUIRE(h.held.size() == 2);
  const json add = parse(h.held[0].body);
  CHECK(add["secret"] == "s3cret");
  CHECK(add["appKey"] == "TSDKTEST00001");
  CHECK_FALSE(add.contains("jwt"));
  const json own = parse(h.held[1].body);
  CHECK_FALSE(own.contains("secret"));
  CHECK(own.contains("jwt"));
}
