// Several servers (Config::hosts): which server each socket connection attempt and each HTTP call goes
// to, against the scripted E聊 server (one store behind every address, as nodes sharing PostgreSQL).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fake_echat.h"
#include "im/client.h"

using namespace echat::testing;  // NOLINT
using echat::im::Transport;

namespace {

const char* const kA = "127.0.0.1:59092";  // server A's socket
const char* const kB = "127.0.0.2:59093";  // server B's socket

echat::im::Config two_servers(Transport t = Transport::Socket) {
  auto c = ImHarness::base_config(t);
  c.hosts = {{"127.0.0.1", 58082, 59092}, {"127.0.0.2", 58083, 59093}};
  return c;
}

bool to(const std::string& url, const std::string& hostport) { return url.find("//" + hostport + "/") != std::string::npos; }

}  // namespace

TEST_CASE("im config: hosts is a list of servers, errors name the entry", "[im][config][failover]") {
  auto c = echat::im::config_from_json(
      R"({"hosts":[{"host":"10.0.0.1"},{"host":"10.0.0.2","httpPort":"8082","socketPort":9092}],)"
      R"("httpPort":7000,"socketPort":7001,"key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE(c.ok());
  REQUIRE(c.value().hosts.size() == 2);
  CHECK(c.value().hosts[0].host == "10.0.0.1");
  CHECK(c.value().hosts[0].http_port == 7000);  // the top-level ports are the default
  CHECK(c.value().hosts[0].socket_port == 7001);
  CHECK(c.value().hosts[1].http_port == 8082);
  CHECK(c.value().hosts[1].socket_port == 9092);
  CHECK(c.value().host == "10.0.0.1");

  auto one = echat::im::config_from_json(R"({"host":"h","key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE(one.ok());
  REQUIRE(one.value().hosts.size() == 1);
  CHECK(one.value().hosts[0].host == "h");

  auto bad = echat::im::config_from_json(R"({"hosts":[{"host":"a"},{"hots":"b"}],"key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid argument 'hosts[1].host': required, a string");
  auto port = echat::im::config_from_json(R"({"hosts":[{"host":"a","socketPort":70000}],"key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE_FALSE(port.ok());
  CHECK(port.error().message.find("'hosts[0].socketPort'") != std::string::npos);
  auto empty = echat::im::config_from_json(R"({"hosts":[],"key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.find("'hosts'") != std::string::npos);
  auto neither = echat::im::config_from_json(R"({"key":"K","loginAuid":"a","loginToken":"t"})");
  REQUIRE_FALSE(neither.ok());
  CHECK(neither.error().message == "invalid argument 'host': required");
}

TEST_CASE("im failover: a refused first server moves the next attempt to the second, after a backoff",
          "[im][failover]") {
  ImHarness h(two_servers());
  h.dead.insert(kA);
  h.start();
  REQUIRE(h.opened_urls.size() == 1);  // A refused; the next attempt waits for the backoff
  CHECK(to(h.opened_urls[0], kA));
  CHECK_FALSE(h.client.logged_in());
  CHECK(h.client.socket_endpoint() == 1);
  CHECK(h.states.back().find("cannot connect to ws://127.0.0.1:59092") != std::string::npos);
  h.advance(5000);  // reconnectionDelayMax
  REQUIRE(h.opened_urls.size() == 2);
  CHECK(to(h.opened_urls[1], kB));
  CHECK(h.client.logged_in());
  CHECK(h.client.http_base() == "http://127.0.0.2:58083");  // HTTP follows the server that works
}

TEST_CASE("im failover: the session sticks to the server that works; a dead one is left, nothing lost or doubled",
          "[im][failover]") {
  ImHarness h(two_servers());
  h.start();
  REQUIRE(h.client.logged_in());
  CHECK(to(h.opened_urls.back(), kA));
  for (int i = 0; i < 3; ++i) h.send_as("bob", "alice", "m" + std::to_string(i));
  REQUIRE(h.messages.size() == 3);

  // A link drop with A still up: back to A.
  h.cut();
  h.advance(5000);
  REQUIRE(h.client.logged_in());
  CHECK(to(h.opened_urls.back(), kA));
  CHECK(h.client.socket_endpoint() == 0);

  // A dies: messages keep being stored (by the other node) while the client is away.
  h.dead.insert(kA);
  h.cut();
  for (int i = 3; i < 6; ++i) h.send_as("bob", "alice", "m" + std::to_string(i));
  const auto sent = h.send(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"from alice"}})");
  h.advance(5000);  // the retry on A is refused -> B
  h.advance(5000);
  REQUIRE(h.client.logged_in());
  CHECK(to(h.opened_urls.back(), kB));
  REQUIRE(h.responses.count(sent));
  CHECK(h.responses[sent].code == 0);
  // Every message once, in seq order (bob's six and alice's own, which comes back as a delivery).
  const auto seqs = h.seqs();
  REQUIRE(seqs.size() == 7);
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i + 1);
  CHECK(h.texts()[5] == "m5");

  // Stays on B while B works.
  h.cut();
  h.advance(5000);
  CHECK(to(h.opened_urls.back(), kB));
  CHECK(h.client.logged_in());
}

TEST_CASE("im failover: a ping timeout moves to the next server", "[im][failover]") {
  ImHarness h(two_servers());
  h.start();
  REQUIRE(h.client.logged_in());
  const auto attempts = h.opened_urls.size();
  h.server_heartbeat = false;  // A stops answering (a dead node: nothing closes the link)
  h.advance(25000 + 20000 + 1);
  h.server_heartbeat = true;
  h.advance(5000);
  REQUIRE(h.opened_urls.size() > attempts);
  CHECK(to(h.opened_urls[attempts], kB));
  CHECK(h.client.logged_in());
}

TEST_CASE("im failover: HTTP calls move on transport errors only, not on error codes", "[im][failover]") {
  ImHarness h(two_servers(Transport::Http));
  h.dead.insert("127.0.0.1:58082");  // A's HTTP port refuses; its socket works
  h.start();
  REQUIRE(h.client.logged_in());
  CHECK(h.client.http_endpoint() == 0);
  const auto id = h.request("user", "get", R"({"auid":"bob"})");
  CHECK(h.client.http_endpoint() == 1);
  h.advance(2000);  // the call's retry goes to B
  REQUIRE(h.responses.count(id));
  CHECK(h.responses[id].code == 0);
  CHECK(h.http_urls.back().rfind("http://127.0.0.2:58083/v1/user/get", 0) == 0);

  // An error code is an answer: HTTP stays where it is.
  const auto bad = h.request("user", "get", "{}");
  REQUIRE(h.responses.count(bad));
  CHECK(h.responses[bad].code == 400);
  CHECK(h.client.http_endpoint() == 1);
  CHECK(h.http_urls.back().rfind("http://127.0.0.2:58083/", 0) == 0);
}
