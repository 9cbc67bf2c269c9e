// Whole IM sessions: im::Client against the scripted E聊 server (fake_echat.h) over the in-memory
// socket.io peer, with a fake clock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fake_echat.h"
#include "im/client.h"

using namespace echat::testing;  // NOLINT
using echat::im::Transport;
namespace code = echat::im::code;

namespace {

json data_of(const echat::im::Response& r) { return parse(r.data_json); }

}  // namespace

TEST_CASE("im session: logs in over the socket on connect, then answers requests", "[im][session]") {
  ImHarness h;
  const auto id = h.request("user", "get", R"({"auid":"bob"})");  // before the connection exists: queued
  h.start();
  CHECK(h.states == std::vector<std::string>{"connecting:start", "connected:logged in"});
  CHECK(h.client.logged_in());
  CHECK(h.client.jwt() == "jwt-alice-1");
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(data_of(h.responses[id])["auid"] == "bob");
  CHECK(h.responses[id].request_id.find('-') != std::string::npos);
  // login first, then the first sync, then the queued call
  REQUIRE(h.echat.calls.size() >= 4);
  CHECK(h.echat.calls[0] == "login socket alice");
  CHECK(h.echat.calls[1] == "socket conversation/list");
  CHECK(h.echat.calls[2] == "socket message/sync");
  CHECK(h.echat.calls[3] == "socket user/get");
  REQUIRE(h.syncs.size() == 1);
  CHECK(h.syncs[0].from == 0);
  CHECK(h.syncs[0].to == 0);
}

TEST_CASE("im session: a queued call names its method after the caller's texts are gone", "[im][session]") {
  // A call keeps views of the catalogue's names (Call::module, Call::method), never of the caller's
  // texts, which need not outlive request(): were it the caller's, the attempt below would read freed
  // memory (ASan: heap-use-after-free) or name another method.
  for (const Transport t : {Transport::Socket, Transport::Http}) {
    ImHarness h(ImHarness::base_config(t));
    auto module = std::make_unique<std::string>("user");
    auto method = std::make_unique<std::string>("get");
    const auto id = h.request(*module, *method, R"({"auid":"bob"})");  // queued: not connected yet
    *module = "room";
    *method = "add";
    module.reset();
    method.reset();
    h.start();
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    CHECK(data_of(h.responses[id])["auid"] == "bob");
    const std::string named = t == Transport::Socket ? "socket user/get" : "http user/get";
    CHECK(std::count(h.echat.calls.begin(), h.echat.calls.end(), named) == 1);
  }
}

TEST_CASE("im session: HTTP transport carries the socket login's JWT", "[im][session]") {
  ImHarness h(ImHarness::base_config(Transport::Http));
  h.start();
  const auto id = h.request("user", "get", R"({"auid":"carol"})");
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(h.echat.calls.back() == "http user/get");
  const auto bad = h.request("user", "get", "{}");
  REQUIRE(h.responses.count(bad));
  CHECK(h.responses[bad].code == 400);
  CHECK(data_of(h.responses[bad])["field"] == "auid");
}

TEST_CASE("im session: caller errors are values naming the field", "[im][session]") {
  ImHarness h;
  h.start();
  auto r = h.client.request(h.now(), "user", "nope", "{}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "405");
  r = h.client.request(h.now(), "user", "get", "[1]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "400");
  CHECK(r.error().message == "invalid argument 'form': must be an object");
  r = h.client.send_message(h.now(), R"({"way":"P2P","type":"TEXT","body":{}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "invalid argument 'toTarget': required");
  r = h.client.send_message(h.now(), R"({"toTarget":"bob","way":"P2X","type":"TEXT","body":{}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "invalid argument 'way': must be one of P2P, P2R");
  r = h.client.send_message(h.now(), R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{},"formUser":"bob"})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "invalid argument 'formUser': must be the logged-in user 'alice'");
}

TEST_CASE("im config: parsed from the init object, errors name the field", "[im][config]") {
  auto c = echat::im::config_from_json(
      R"({"host":"im.example.com","httpPort":"8080","socketPort":9092,"key":"K","secret":"","apiTransport":"SOCKET",
          "loginAuid":"alice","loginToken":"t","fileServerConfig":{"use":"local","client":"plupload","baseUrl":"http://f.example.com/","version":"v1"},
          "protocol":"auto","reconnectionDelay":500})");
  REQUIRE(c.ok());
  CHECK(c.value().http_port == 8080);
  CHECK(c.value().api_transport == Transport::Socket);
  CHECK(c.value().file_base_url == "http://f.example.com");
  CHECK(c.value().reconnection_delay == 500);
  echat::im::Client client(c.value());
  CHECK(client.upload_url() == "http://f.example.com/v1/file/upload");
  CHECK(client.http_base() == "http://im.example.com:8080");

  auto bad = echat::im::config_from_json(R"({"host":"h","key":"K","loginToken":"t"})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid argument 'loginAuid': required");
  bad = echat::im::config_from_json(R"({"host":"h","key":"K","loginAuid":"a","loginToken":"t","apiTransport":"WS"})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid argument 'apiTransport': must be one of HTTP, SOCKET");
  bad = echat::im::config_from_json(R"({"host":"h","key":"K","loginAuid":"a","loginToken":"t","socketPort":70000})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid argument 'socketPort': must be between 1 and 65535");
  bad = echat::im::config_from_json("[]");
  REQUIRE_FALSE(bad.ok());
}

TEST_CASE("im session: pushes are handed over in order, once, and acked", "[im][session][inbox]") {
  ImHarness h;
  h.start();
  h.send_as("bob", "alice", "one");
  h.send_as("bob", "alice", "two");
  CHECK(h.texts() == std::vector<std::string>{"one", "two"});
  CHECK(h.seqs() == std::vector<std::uint64_t>{1, 2});
  CHECK(h.echat.acked["alice"] == std::set<std::uint64_t>{1, 2});
  CHECK(h.storage[h.client.synced_key()] == R"({"seq":2,"boot":1})");
  // The server repeats a push (e.g. offline push after a re-login): dropped, but acked again.
  h.push("alice", h.echat.timeline["alice"][1]);
  CHECK(h.messages.size() == 2);
}

TEST_CASE("im session: a gap in pushed seqs is filled by message/sync, in order", "[im][session][inbox]") {
  ImHarness h;
  h.start();
  h.send_as("bob", "alice", "one");
  h.send_as("bob", "alice", "two", /*push_now=*/false);  // lost push
  h.send_as("bob", "alice", "three");                     // seq 3 arrives: gap at 2
  CHECK(h.texts() == std::vector<std::string>{"one", "two", "three"});
  CHECK(h.client.synced_seq() == 3);
  REQUIRE(h.syncs.size() == 2);
  CHECK(h.syncs[1].from == 1);
  CHECK(h.syncs[1].to == 3);
  CHECK(h.syncs[1].count == 2);
  CHECK(h.echat.acked["alice"].count(3));
}

TEST_CASE("im session: offline messages arrive once at login despite push and sync overlapping",
          "[im][session][inbox]") {
  ImHarness h;
  for (int i = 1; i <= 130; ++i) h.send_as("bob", "alice", "m" + std::to_string(i), false);
  h.start();
  REQUIRE(h.messages.size() == 130);
  for (std::uint64_t i = 0; i < 130; ++i) REQUIRE(h.messages[i].seq == i + 1);
  CHECK(h.client.synced_seq() == 130);
  REQUIRE_FALSE(h.syncs.empty());
  CHECK(h.syncs.back().to == 130);
}

TEST_CASE("im session: reconnects, logs in again, syncs what was missed", "[im][session]") {
  ImHarness h;
  h.config.reconnection_delay = 1000;
  h.start();
  h.send_as("bob", "alice", "before");
  h.cut();
  CHECK(h.client.state() == echat::im::State::Reconnecting);
  h.send_as("bob", "alice", "while away", false);
  h.advance(6000);
  CHECK(h.client.state() == echat::im::State::Connected);
  CHECK(h.texts() == std::vector<std::string>{"before", "while away"});
  int logins = 0;
  for (const auto& c : h.echat.calls) logins += c == "login socket alice";
  CHECK(logins == 2);
  CHECK(h.states.back() == "connected:logged in");
}

TEST_CASE("im session: the sync position survives a restart of the app", "[im][session][inbox]") {
  ImHarness first;
  first.start();
  first.send_as("bob", "alice", "one");
  first.send_as("bob", "alice", "two");
  first.client.close(first.now());
  first.pump();

  ImHarness second;
  second.storage = first.storage;
  second.echat = first.echat;
  second.echat.acked["alice"].clear();  // the server pushes them again at login
  second.send_as("bob", "alice", "three", false);
  second.start();
  CHECK(second.texts() == std::vector<std::string>{"three"});
  CHECK(second.client.synced_seq() == 3);
}

TEST_CASE("im session: an expired JWT is renewed and the call repeated", "[im][session]") {
  SECTION("socket") {
    ImHarness h;
    h.start();
    h.echat.forced_codes.push_back(419);
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    int logins = 0;
    for (const auto& c : h.echat.calls) logins += c == "login socket alice";
    CHECK(logins == 2);
  }
  SECTION("http") {
    ImHarness h(ImHarness::base_config(Transport::Http));
    h.start();
    h.echat.expired.insert(h.client.jwt());
    h.cut();  // the socket is down: renewal goes over HTTP
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
    CHECK(std::find(h.echat.calls.begin(), h.echat.calls.end(), "login http alice") != h.echat.calls.end());
  }
  SECTION("a second 401 fails the call") {
    ImHarness h;
    h.start();
    h.echat.reject_jwts = true;
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 401);
  }
}

TEST_CASE("im session: a refused login is fatal", "[im][session]") {
  ImHarness h;
  h.echat.tokens["alice"] = "other";
  const auto id = h.request("user", "get", R"({"auid":"bob"})");
  h.start();
  CHECK(h.client.state() == echat::im::State::Disconnected);
  REQUIRE(h.errors.size() == 1);
  CHECK(h.errors[0].fatal);
  CHECK(h.errors[0].code == 401);
  CHECK(h.errors[0].message == "invalid auid or token");
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == code::kNotLoggedIn);
  CHECK(h.states.back() == "disconnected:login refused");
  auto r = h.client.request(h.now(), "user", "get", "{}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "-1003");
  h.advance(60000);
  CHECK(h.open.empty());  // no reconnect
}

TEST_CASE("im session: a transient login failure is retried", "[im][session]") {
  ImHarness h;
  h.echat.login_codes = {503};
  h.start();
  CHECK_FALSE(h.client.logged_in());
  h.advance(2500);
  CHECK(h.client.logged_in());
  CHECK(h.client.state() == echat::im::State::Connected);
}

TEST_CASE("im session: kicked by another login, no reconnect", "[im][session]") {
  ImHarness h;
  h.start();
  const auto t = h.conn();
  h.deliver(t, h.server.emit(t, "/", R"(["topic.notify",{"type":"session.kicked","data":{"auid":"alice","reason":"logged in elsewhere"},"createTime":1}])"));
  h.deliver(t, h.server.disconnect(t, "/"));
  h.pump();
  CHECK(h.kicked == std::vector<std::string>{"logged in elsewhere"});
  CHECK(h.client.state() == echat::im::State::Disconnected);
  CHECK(h.states.back() == "disconnected:kicked");
  REQUIRE(h.notifies.size() == 1);
  CHECK(h.notifies[0].type == "session.kicked");
  h.advance(60000);
  CHECK(h.open.empty());
}

TEST_CASE("im session: notifications pass through", "[im][session]") {
  ImHarness h;
  h.start();
  const auto t = h.conn();
  h.deliver(t, h.server.emit(t, "/", R"(["topic.notify",{"type":"friend.added","data":{"auid":"bob","friendAuid":"alice"},"createTime":5}])"));
  h.pump();
  REQUIRE(h.notifies.size() == 1);
  CHECK(h.notifies[0].type == "friend.added");
  CHECK(parse(h.notifies[0].json)["data"]["auid"] == "bob");
}

TEST_CASE("im session: a server disconnect (not a kick) is followed by a reconnect", "[im][session]") {
  ImHarness h;
  h.start();
  const auto t = h.conn();
  h.deliver(t, h.server.disconnect(t, "/"));
  h.pump();
  CHECK(h.client.state() == echat::im::State::Reconnecting);
  h.advance(1500);
  CHECK(h.client.state() == echat::im::State::Connected);
}

TEST_CASE("im session: timeouts and lost connections", "[im][session]") {
  SECTION("never connected: the call times out") {
    ImHarness h;
    h.reachable = false;
    h.start();
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    h.advance(15000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == code::kTimeout);
    // Says why, naming the address (not "too many requests waiting").
    CHECK(h.responses[id].msg ==
          "timeout: not connected within 15000 ms (cannot connect to ws://127.0.0.1:59092: connection refused)");
    CHECK(h.client.state() == echat::im::State::Connecting);
  }
  SECTION("answer lost, not idempotent: network error") {
    ImHarness h(ImHarness::base_config(Transport::Http));
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.request("friend", "add", R"({"friendAuid":"bob"})");
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == code::kNetwork);
  }
  SECTION("answer lost, idempotent: repeated") {
    ImHarness h(ImHarness::base_config(Transport::Http));
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    CHECK(h.responses.count(id) == 0);  // repeated after a second (a refused HTTP fails at once)
    h.advance(1000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
  }
  SECTION("socket answer never comes: timeout") {
    ImHarness h;
    h.start();
    h.echat.lose_answers = 1;
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    CHECK(h.responses.count(id) == 0);
    h.advance(15000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == code::kTimeout);
  }
  SECTION("rate limited: repeated after a delay") {
    ImHarness h;
    h.start();
    h.echat.forced_codes = {429};
    const auto id = h.request("user", "get", R"({"auid":"bob"})");
    CHECK(h.responses.count(id) == 0);
    h.advance(1000);
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
  }
}

TEST_CASE("im session: close fails pending calls and stops", "[im][session]") {
  ImHarness h;
  h.reachable = false;
  h.start();
  const auto id = h.request("user", "get", R"({"auid":"bob"})");
  h.client.close(h.now());
  h.pump();
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == code::kClosed);
  CHECK(h.client.state() == echat::im::State::Disconnected);
  auto r = h.client.request(h.now(), "user", "get", "{}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "-1004");
}

TEST_CASE("im session: a server whose timeline was reset is synced from 0", "[im][session][inbox]") {
  ImHarness first;
  first.start();
  for (int i = 0; i < 3; ++i) first.send_as("bob", "alice", "old");
  first.client.close(first.now());
  first.pump();
  REQUIRE(first.storage[first.client.synced_key()] == R"({"seq":3,"boot":1})");

  ImHarness second;  // a fresh server (new database: mids start at 1 again), the old storage
  second.storage = first.storage;
  second.send_as("bob", "alice", "new", false);
  second.start();
  CHECK(second.texts() == std::vector<std::string>{"new"});
  CHECK(second.client.synced_seq() == 1);
  REQUIRE(second.errors.size() == 1);
  CHECK_FALSE(second.errors[0].fatal);
  second.send_as("bob", "alice", "newer");
  CHECK(second.texts() == std::vector<std::string>{"new", "newer"});
}

TEST_CASE("im session: after the reconnection attempts ran out, a wake starts again", "[im][session]") {
  auto config = ImHarness::base_config();
  config.reconnection_attempts = 2;
  ImHarness h(config);
  h.start();
  h.reachable = false;
  h.cut();
  h.advance(30000);
  CHECK(h.client.state() == echat::im::State::Disconnected);
  CHECK(h.states.back() == "disconnected:reconnect failed");
  h.reachable = true;
  h.client.wake(h.now());
  h.pump();
  CHECK(h.client.state() == echat::im::State::Connected);
  h.client.close(h.now());
  h.pump();
  h.client.wake(h.now());  // closed: stays down
  h.pump();
  CHECK(h.client.state() == echat::im::State::Disconnected);
}

TEST_CASE("im session: an HTTP server that refuses connections is not hammered", "[im][session]") {
  ImHarness h(ImHarness::base_config(Transport::Http));
  h.start();
  h.http_up = false;
  const auto id = h.request("user", "get", R"({"auid":"bob"})");
  h.advance(15000);
  INFO("http requests " << h.http_requests << ", pending " << h.client.pending_calls() << ", next deadline "
                        << h.client.next_deadline().value_or(-1) << ", now " << h.now());
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == code::kTimeout);
  CHECK(h.http_requests <= 17);  // about one attempt a second, not a tight loop
}

TEST_CASE("im session: a sync answer overtaken by pushes is not a timeline reset", "[im][session][inbox]") {
  ImHarness h;
  h.start();
  h.send_as("bob", "alice", "one");
  h.echat.defer_sync = true;
  h.cut();  // reconnect: the login's sync answer (maxSeq 1) is held back
  h.advance(6000);
  REQUIRE(h.deferred.size() == 1);
  h.send_as("bob", "alice", "two");  // pushed live: the position moves to 2
  h.send_as("bob", "alice", "three");
  CHECK(h.client.synced_seq() == 3);
  h.release_syncs();  // {maxSeq: 1} arrives late
  CHECK(h.errors.empty());
  CHECK(h.client.synced_seq() == 3);
  CHECK(h.texts() == std::vector<std::string>{"one", "two", "three"});
}

TEST_CASE("im session: at most maxHttpRequests HTTP calls at once (wx.request allows 10)", "[im][session]") {
  ImHarness h(ImHarness::base_config(Transport::Http));
  h.start();
  h.hold_http = true;
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(h.request("friend", "add", R"({"friendAuid":"bob"})"));
  h.send(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"x"}})");
  CHECK(h.held.size() == 8);
  h.release_http();  // each answer lets the next one go
  for (auto id : ids) {
    REQUIRE(h.responses.count(id));
    CHECK(h.responses[id].code == 0);
  }
  CHECK(h.held.empty());
  CHECK(h.responses.size() == 21);
}
