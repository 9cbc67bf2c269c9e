// The session against a small in-memory Engine.IO server over a simulated network with latency, the
// clock jumping straight to the next event (quinn-style); plus randomized, replayed input sequences.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <limits>

#include "core/random.h"
#include "engineio/session.h"
#include "engineio/support.h"

using namespace echat::engineio;
using echat::core::Millis;
using eio_test::Driver;

namespace {

constexpr Millis kNever = std::numeric_limits<Millis>::max();

// A minimal server: the heartbeat rules of engine.io 3.x / 4.x for one client.
struct FakeServer {
  Version version = Version::V4;
  Millis ping_interval = 25000, ping_timeout = 20000;
  bool answer_pings = true;  // EIO3: answer "2" with "3"
  bool send_pings = true;    // EIO4: ping every ping_interval
  bool closed = false;
  std::string close_why;
  Millis next_ping = kNever;       // EIO4
  Millis pong_deadline = kNever;   // EIO4: our ping's pong
  Millis client_deadline = kNever; // EIO3: client silent this long -> drop
  int pings_sent = 0, pings_received = 0, pongs_received = 0, messages = 0;

  std::vector<Frame> on_connect(Millis now) {
    if (version == Version::V4) next_ping = now + ping_interval;
    else client_deadline = now + ping_interval + ping_timeout;
    return {Frame{false, "0{\"sid\":\"sim\",\"upgrades\":[],\"pingInterval\":" + std::to_string(ping_interval) +
                             ",\"pingTimeout\":" + std::to_string(ping_timeout) + "}"}};
  }
  std::vector<Frame> on_frame(Millis now, const Frame& f) {
    std::vector<Frame> out;
    if (version == Version::V3) client_deadline = now + ping_interval + ping_timeout;
    if (!f.binary && f.data == "2") {
      ++pings_received;
      if (version == Version::V4) {
        closed = true;  // "invalid heartbeat direction"
        close_why = "client pinged on EIO4";
      } else if (answer_pings) {
        out.push_back(Frame{false, "3"});
      }
    } else if (!f.binary && f.data == "3") {
      ++pongs_received;
      pong_deadline = kNever;
      next_ping = now + ping_interval;
    } else {
      ++messages;
      out.push_back(f);  // echo
    }
    return out;
  }
  Millis next_event() const { return std::min({next_ping, pong_deadline, client_deadline}); }
  std::vector<Frame> on_time(Millis now) {
    std::vector<Frame> out;
    if (now >= client_deadline || now >= pong_deadline) {
      closed = true;
      close_why = "client timed out";
      return out;
    }
    if (now >= next_ping) {
      next_ping = kNever;
      if (send_pings) {
        ++pings_sent;
        pong_deadline = now + ping_timeout;
        out.push_back(Frame{false, "2"});
      }
    }
    return out;
  }
};

struct Link {
  Millis latency = 30;
  std::deque<std::pair<Millis, Frame>> to_client, to_server;
};

struct Sim {
  Driver client;
  FakeServer server;
  Link link;
  Millis now = 0;
  bool client_closed = false;
  std::string closed_reason;
  std::vector<std::string> log;

  Sim(Version v, Millis interval, Millis timeout) : client(eio_test::opts(v)) {
    server.version = v;
    server.ping_interval = interval;
    server.ping_timeout = timeout;
  }

  void pump_client() {
    for (auto& o : client.s.take_outputs()) {
      log.push_back(eio_test::describe(o));
      if (auto* send = std::get_if<SendFrame>(&o)) link.to_server.emplace_back(now + link.latency, send->frame);
      if (std::get_if<OpenTransport>(&o)) {
        client.s.on_transport_open(now + link.latency, client.t());
        for (auto& f : server.on_connect(now + link.latency)) link.to_client.emplace_back(now + 2 * link.latency, f);
      }
      if (auto* c = std::get_if<Closed>(&o)) {
        client_closed = true;
        closed_reason = c->reason;
      }
    }
  }

  // Advance to the next event (client deadline, server timer, or a delivery) and handle it.
  bool step(Millis until) {
    pump_client();
    Millis next = kNever;
    if (auto d = client.s.next_deadline()) next = std::min(next, *d);
    next = std::min(next, server.next_event());
    if (!link.to_client.empty()) next = std::min(next, link.to_client.front().first);
    if (!link.to_server.empty()) next = std::min(next, link.to_server.front().first);
    if (next == kNever || next > until || client_closed || server.closed) return false;
    now = next;
    while (!link.to_server.empty() && link.to_server.front().first <= now) {
      for (auto& f : server.on_frame(now, link.to_server.front().second)) link.to_client.emplace_back(now + link.latency, f);
      link.to_server.pop_front();
    }
    for (auto& f : server.on_time(now)) link.to_client.emplace_back(now + link.latency, f);
    while (!link.to_client.empty() && link.to_client.front().first <= now) {
      client.s.on_frame(now, client.t(), link.to_client.front().second);
      link.to_client.pop_front();
      pump_client();
    }
    if (auto d = client.s.next_deadline(); d && *d <= now) client.s.on_timer(now);
    pump_client();
    const auto d = client.s.next_deadline();
    REQUIRE((!d || *d > now));
    return true;
  }
  void run(Millis until) {
    while (step(until)) {
    }
  }
};

}  // namespace

TEST_CASE("simulation: EIO3 heartbeat for an hour with a live server", "[engineio][sim]") {
  Sim sim(Version::V3, 25000, 5000);
  sim.client.s.open(0);
  sim.run(3600000);
  CHECK_FALSE(sim.client_closed);
  CHECK_FALSE(sim.server.closed);
  CHECK(sim.client.s.state() == State::Open);
  // One ping per pingInterval + one round trip: 3600000 / 25060 -> 143 pings.
  CHECK(sim.server.pings_received == 143);
}

TEST_CASE("simulation: EIO4 answers the server's pings for an hour and never pings", "[engineio][sim]") {
  Sim sim(Version::V4, 25000, 20000);
  sim.client.s.open(0);
  sim.run(3600000);
  CHECK_FALSE(sim.client_closed);
  INFO(sim.server.close_why);
  CHECK_FALSE(sim.server.closed);
  CHECK(sim.server.pings_received == 0);
  CHECK(sim.server.pings_sent >= 140);
  CHECK(sim.server.pongs_received == sim.server.pings_sent);
}

TEST_CASE("simulation: a server that stops answering is detected", "[engineio][sim]") {
  SECTION("EIO3 server stops answering pings") {
    Sim sim(Version::V3, 25000, 5000);
    sim.client.s.open(0);
    sim.run(100000);
    sim.server.answer_pings = false;
    sim.run(3600000);
    CHECK(sim.client_closed);
    CHECK(sim.closed_reason == "ping timeout");
    // 100060 is in the 4th cycle; ping at ~125240, timeout 5000 later.
    CHECK(sim.now <= 100000 + 25000 + 5000 + 100);
  }
  SECTION("EIO4 server stops pinging") {
    Sim sim(Version::V4, 25000, 20000);
    sim.client.s.open(0);
    sim.run(100000);
    sim.server.send_pings = false;
    sim.run(3600000);
    CHECK(sim.client_closed);
    CHECK(sim.closed_reason == "ping timeout");
    CHECK(sim.now <= 100000 + 25000 + 45000 + 100);
  }
}

TEST_CASE("simulation: messages echo through both versions", "[engineio][sim]") {
  for (Version v : {Version::V3, Version::V4}) {
    Sim sim(v, 25000, 5000);
    sim.client.s.open(0);
    sim.run(1000);
    REQUIRE(sim.client.s.state() == State::Open);
    REQUIRE(sim.client.s.send(sim.now, Frame{false, "42[\"echo\"]"}).ok());
    REQUIRE(sim.client.s.send(sim.now, Frame{true, std::string("\x00\x04\xff", 3)}).ok());
    sim.run(2000);
    CHECK(sim.server.messages == 2);
    CHECK(std::count(sim.log.begin(), sim.log.end(), "message 42[\"echo\"]") == 1);
    CHECK(std::count(sim.log.begin(), sim.log.end(), "message bin:\\x00\\x04\\xff") == 1);
  }
}

// ---- randomized input sequences -------------------------------------------------------------------

namespace {

const char* const kFrames[] = {
    "0{\"sid\":\"r\",\"pingInterval\":1000,\"pingTimeout\":500}",
    "0{\"sid\":\"r\",\"pingInterval\":1000,\"pingTimeout\":500,\"maxPayload\":8}",
    "0{\"sid\":1}", "0", "1", "2", "3", "2probe", "4hello", "4", "5", "6", "bAQID", "b4AQID", "abc", "", "7",
};

// A deterministic random script: the same seed gives the same inputs.
std::vector<std::string> random_run(std::uint64_t seed, Version v, int steps) {
  echat::core::Rng rng(seed);
  Driver d(eio_test::opts(v));
  std::vector<std::string> transcript;
  Millis now = 0;
  bool was_closed = false;
  for (int i = 0; i < steps; ++i) {
    now += static_cast<Millis>(rng.next_u64() % 1500);
    const auto pick = rng.next_u64() % 12;
    const std::uint32_t id = rng.next_u64() % 8 == 0 ? d.t() + 1 : d.t();  // sometimes a stale id
    switch (pick) {
      case 0: d.s.open(now); break;
      // (rarer inputs: otherwise a transport-open event, which changes nothing but the clock)
      case 1: if (rng.next_u64() % 4 == 0) d.s.close(now); else d.s.on_transport_open(now, id); break;
      case 2: d.s.on_transport_open(now, id); break;
      case 3: if (rng.next_u64() % 6 == 0) d.s.on_transport_close(now, id, 1006, "gone"); else d.s.on_timer(now); break;
      case 4: if (rng.next_u64() % 6 == 0) d.s.on_transport_error(now, id, "err"); else d.s.on_timer(now); break;
      case 5: {
        auto r = d.s.send(now, Frame{rng.next_u64() % 2 == 0, "payload"});
        transcript.push_back(r.ok() ? "send ok" : "send " + r.error().code);
        break;
      }
      case 6: d.s.on_frame(now, id, Frame{true, std::string(1, static_cast<char>(rng.next_u64() % 8))}); break;
      default: {
        const std::size_t n = sizeof(kFrames) / sizeof(kFrames[0]);
        d.s.on_frame(now, id, Frame{false, kFrames[rng.next_u64() % n]});
        break;
      }
    }
    if (rng.next_u64() % 3 == 0) d.s.on_timer(now);
    const auto outs = d.drain();
    // Invariants: after Closed nothing more until open(); deadlines never in the past.
    if (was_closed && pick != 0) CHECK(outs.empty());
    if (!outs.empty() && outs.back().rfind("closed ", 0) == 0) was_closed = true;
    if (pick == 0 && !outs.empty()) was_closed = false;
    const auto dl = d.s.next_deadline();
    CHECK((!dl || *dl > now));
    if (d.s.state() == State::Closed || d.s.state() == State::Idle) CHECK_FALSE(dl);
    transcript.insert(transcript.end(), outs.begin(), outs.end());
  }
  return transcript;
}

}  // namespace

TEST_CASE("randomized scripts: invariants hold and replays are identical", "[engineio][sim][replay]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    for (Version v : {Version::V3, Version::V4}) {
      const auto a = random_run(seed, v, 400);
      const auto b = random_run(seed, v, 400);
      REQUIRE(a == b);
      CHECK(a.size() > 10);
    }
  }
}

// ---- every prefix of every vector through a live session --------------------------------------------

TEST_CASE("every prefix of every frame, fed to an open session, is handled or closes cleanly",
          "[engineio][session][prefix]") {
  for (const auto& v : eio_test::load_vectors()) {
    for (Version ver : v.versions) {
      for (std::size_t n = 0; n <= v.frame.data.size(); ++n) {
        Driver d(eio_test::opts(ver));
        d.s.open(0);
        d.text(1, ver == Version::V3 ? eio_test::kOpenV3 : eio_test::kOpenV4);
        d.drain();
        d.s.on_frame(2, d.t(), Frame{v.frame.binary, v.frame.data.substr(0, n)});
        const auto outs = d.drain();
        if (d.s.state() == State::Closed) {
          REQUIRE(outs.size() >= 1);
          CHECK(outs.back().rfind("closed ", 0) == 0);
          REQUIRE(d.s.error());
          // Closed by the frame: the error names it (or the server closed it).
          const bool named = d.s.error()->message.find("(") != std::string::npos;
          CHECK((named || d.s.error()->code == "eio.server_close"));
        } else {
          CHECK(d.s.state() == State::Open);
          CHECK(outs.size() <= 1);
        }
        // Afterwards the session still works or stays closed: no stuck state.
        d.s.on_timer(1000000);
        CHECK(d.s.state() == State::Closed);
      }
    }
  }
}

// ---- extremes ---------------------------------------------------------------------------------------

TEST_CASE("huge clocks and timer values saturate instead of overflowing", "[engineio][session]") {
  const Millis big = std::numeric_limits<Millis>::max() - 10;
  Driver d(eio_test::opts(Version::V3));
  d.s.open(big);
  CHECK(*d.s.next_deadline() == std::numeric_limits<Millis>::max());
  d.text(big, R"(0{"sid":"s","pingInterval":2147483647,"pingTimeout":2147483647})");
  CHECK(d.drain().size() == 2);
  CHECK(d.s.state() == State::Open);
  CHECK(*d.s.next_deadline() == std::numeric_limits<Millis>::max());
  d.s.on_timer(std::numeric_limits<Millis>::max());  // everything fires
  const auto outs = d.drain();
  CHECK(outs == eio_test::Lines{"close#1 1000 ping timeout", "closed ping timeout [eio.ping_timeout]"});

  Driver n(eio_test::opts(Version::V4));
  n.s.open(std::numeric_limits<Millis>::min());
  n.text(std::numeric_limits<Millis>::min(), eio_test::kOpenV4);
  CHECK(n.s.state() == State::Open);
  CHECK(*n.s.next_deadline() == std::numeric_limits<Millis>::min() + 45000);
}

TEST_CASE("transport ids skip 0 when they wrap", "[engineio][session]") {
  SessionOptions o = eio_test::opts(Version::V4);
  o.first_transport_id = 0xffffffffu;
  Session s(o);
  s.open(0);
  CHECK(s.transport() == 0xffffffffu);
  s.close(1);
  s.open(2);
  CHECK(s.transport() == 1u);
  SessionOptions z = eio_test::opts(Version::V4);
  z.first_transport_id = 0;
  Session t(z);
  t.open(0);
  CHECK(t.transport() == 1u);
  t.on_frame(1, 0, Frame{false, eio_test::kOpenV4});  // 0 is never current
  CHECK(t.state() == State::Opening);
}

TEST_CASE("a Session is a value: copies continue independently", "[engineio][session]") {
  Driver d(eio_test::opts(Version::V4));
  d.s.open(0);
  d.text(1, eio_test::kOpenV4);
  d.drain();
  Session copy = d.s;
  d.text(2, "1");
  CHECK(d.s.state() == State::Closed);
  CHECK(copy.state() == State::Open);
  copy.on_frame(3, 1, Frame{false, "4x"});
  CHECK(copy.take_outputs().size() == 1);
}
