// A server (or anyone who can write to the socket) sends answers the session did not ask for: an ack id
// nobody awaits, a call answered twice, the login answered again with another JWT, an answer whose R is
// not an R. Each case runs on the general path and through the wasm host's answer lane
// (Client::answer_fast, which must hand every such frame to the general path): nothing is handed over
// twice, no call is finished by an answer that was not its own, and the session goes on.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "fake_echat.h"
#include "im/client.h"

using namespace echat::testing;  // NOLINT

namespace {

const char* kHello = R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"hello"}})";

// The ack id of the client's last emit of `name` (and `method`) that the server saw.
// (Wire ack ids start at 0.)
std::uint64_t last_emit(const ImHarness& h, const std::string& name, const std::string& method = "") {
  std::optional<std::uint64_t> id;
  for (const auto& p : h.server.events) {
    const json args = parse(p.data);
    if (!args.is_array() || args.empty() || args[0] != name || !p.id) continue;
    if (!method.empty() && (args.size() < 2 || args[1].value("method", "") != method)) continue;
    id = *p.id;
  }
  REQUIRE(id);
  return *id;
}

void inject(ImHarness& h, const std::string& frame) {
  h.deliver(h.conn(), h.server.raw(h.conn(), WireFrame{false, frame}));
  h.pump();
}

}  // namespace

TEST_CASE("hostile server: an answer to an ack id nobody awaits changes nothing", "[im][hostile]") {
  const bool lanes = GENERATE(false, true);
  ImHarness h;
  h.lanes = lanes;
  h.start();
  REQUIRE(h.client.logged_in());
  const auto responses = h.responses.size();
  inject(h, R"(43999[{"response":{"code":0,"msg":"ok","data":{"mid":77,"seq":77}}}])");
  inject(h, R"(430[{"response":{"code":0}}])");
  CHECK(h.responses.size() == responses);
  CHECK(h.client.logged_in());
  const auto id = h.send(kHello);  // and the session goes on
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(h.echat.timeline["bob"].size() == 1);
}

TEST_CASE("hostile server: a message answered twice is finished once", "[im][hostile]") {
  const bool lanes = GENERATE(false, true);
  ImHarness h;
  h.lanes = lanes;
  h.start();
  const auto id = h.send(kHello);
  REQUIRE(h.responses.count(id));
  const auto cmid = h.responses[id].client_msg_id;
  const auto ack = last_emit(h, "topic.message", "send");
  const auto responses = h.responses.size();
  const auto states = h.outputs.size();
  // The same answer again, then one saying it failed: the call is gone, neither finishes anything.
  inject(h, "43" + std::to_string(ack) + R"([{"response":{"code":0,"msg":"ok","data":{"mid":1,"seq":1}}}])");
  inject(h, "43" + std::to_string(ack) + R"([{"response":{"code":403,"msg":"no"}}])");
  CHECK(h.responses.size() == responses);
  CHECK(h.responses[id].code == 0);
  CHECK(h.outputs.size() == states);  // no second SendState
  CHECK(h.client.outbox_size() == 0);
  CHECK(h.echat.timeline["bob"].size() == 1);
  if (lanes) CHECK(h.kept.empty());  // the form's text released once (answer_lane checks each release)
  const auto next = h.send(kHello);
  REQUIRE(h.responses.count(next));
  CHECK(h.responses[next].code == 0);
  CHECK(h.responses[next].client_msg_id != cmid);
}

TEST_CASE("hostile server: the login answered again with another JWT is ignored", "[im][hostile]") {
  const bool lanes = GENERATE(false, true);
  ImHarness h;
  h.lanes = lanes;
  h.start();
  REQUIRE(h.client.logged_in());
  const std::string jwt = h.client.jwt();
  const auto states = h.states.size();
  const auto login = last_emit(h, "topic.connection");
  inject(h, "43" + std::to_string(login) + R"([{"response":{"code":0,"msg":"ok","data":"forged-jwt"}}])");
  inject(h, "43" + std::to_string(login) + R"([{"response":{"code":401,"msg":"bye"}}])");  // not fatal either
  CHECK(h.client.jwt() == jwt);
  CHECK(h.states.size() == states);
  CHECK(h.client.state() == echat::im::State::Connected);
  const auto id = h.send(kHello);
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
}

TEST_CASE("hostile server: an answer that is not an R makes the message go again, stored once", "[im][hostile]") {
  const bool lanes = GENERATE(false, true);
  // (a code of 2^32 or 2^33 is no int: read as one it was 0, and the forged answer a success)
  const std::string bad = GENERATE(std::string(R"([{"response":{"code":"0"}}])"), std::string("[]"),
                                   std::string(R"([{"response":[]}])"), std::string(R"(["no"])"),
                                   std::string(R"([{"response":{"code":4294967296,"msg":"ok"}}])"),
                                   std::string(R"([{"response":{"code":8589934592}}])"));
  ImHarness h;
  h.lanes = lanes;
  h.start();
  h.echat.lose_answers = 1;  // the server stores the message but its answer is lost ...
  const auto id = h.send_message(kHello);
  REQUIRE(id.ok());
  CHECK(!h.responses.count(id.value()));
  // ... and a forged answer in its place is not an R: the message is not "sent", it goes again.
  inject(h, "43" + std::to_string(last_emit(h, "topic.message", "send")) + bad);
  CHECK(!h.responses.count(id.value()));
  for (int i = 0; i < 40 && !h.responses.count(id.value()); ++i) h.advance(500);
  REQUIRE(h.responses.count(id.value()));
  CHECK(h.responses[id.value()].code == 0);
  CHECK(h.echat.timeline["bob"].size() == 1);  // the repeat carried the same clientMsgId
  CHECK(h.client.outbox_size() == 0);
}

// The answer lane takes a head only when its ack id, as the host reads it (parseInt: the leading
// digits), has as many digits as the head holds after "43" (Manager::ack_in_fast). A forged answer with
// a fraction or an exponent after the id of a message awaiting its answer must not finish it: the
// general path refuses such a frame, and the message is answered by the server in the end, once.
TEST_CASE("hostile server: a forged answer whose head has more than the ack id's digits finishes nothing",
          "[im][hostile]") {
  const bool lanes = GENERATE(false, true);
  const std::string tail = GENERATE(std::string(".0"), std::string("e0"), std::string("0x"));
  INFO(tail);
  ImHarness h;
  h.lanes = lanes;
  h.start();
  h.echat.lose_answers = 1;  // the message is stored, its answer lost: the call waits
  const auto id = h.send(kHello);
  CHECK_FALSE(h.responses.count(id));
  const auto ack = last_emit(h, "topic.message", "send");
  inject(h, "43" + std::to_string(ack) + tail + R"([{"response":{"code":0,"msg":"ok","data":{"mid":666,"seq":666}}}])");
  if (lanes) CHECK(h.lane_answers == 0);
  CHECK((!h.responses.count(id) || h.responses[id].data_json.find("666") == std::string::npos));
  h.advance(60000);
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(h.responses[id].data_json.find("666") == std::string::npos);
  CHECK(h.echat.timeline["bob"].size() == 1);
}
