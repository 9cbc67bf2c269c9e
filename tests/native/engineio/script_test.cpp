// Runs the session transcripts in tests/native/data/engineio/sessions.txt (llhttp-style: scripted inputs
// and the exact outputs expected after each one). The format is described at the top of that file.
#include <catch2/catch.hpp>

#include "engineio/session.h"
#include "engineio/support.h"
#include "support/transcript.h"

using namespace echat::engineio;
using echat::testing::next_word;
using eio_test::Driver;

namespace {

SessionOptions parse_options(std::string rest) {
  SessionOptions o = eio_test::opts(Version::V4);
  while (!rest.empty()) {
    const std::string w = next_word(rest);
    const auto eq = w.find('=');
    const std::string k = w.substr(0, eq);
    const std::string v = eq == std::string::npos ? "" : w.substr(eq + 1);
    if (k == "v3") o.version = Version::V3;
    else if (k == "v4") o.version = Version::V4;
    else if (k == "query") o.query = v;
    else if (k == "max_incoming") o.max_incoming_bytes = std::stoul(v);
    else if (k == "connect_timeout") o.connect_timeout = std::stoll(v);
    else if (k == "base64") o.base64_binary = true;
    else if (k == "keep_v4_prefix") o.strip_v4_binary_prefix = false;
    else if (k == "first_id") o.first_transport_id = static_cast<std::uint32_t>(std::stoul(v));
    else throw std::runtime_error("unknown option " + k);
  }
  return o;
}

const char* state_name(State s) {
  switch (s) {
    case State::Idle: return "idle";
    case State::Opening: return "opening";
    case State::Open: return "open";
    case State::Closed: return "closed";
  }
  return "?";
}

// One input line -> the lines it produced (outputs and, for send, its result).
std::vector<std::string> run_input(Driver& d, std::string rest) {
  std::vector<std::string> got;
  const std::string cmd = next_word(rest);
  const long long now = std::stoll(next_word(rest));
  std::uint32_t id = d.t();
  if (!rest.empty() && rest[0] == '#') {
    id = static_cast<std::uint32_t>(std::stoul(next_word(rest).substr(1)));
  }
  if (cmd == "open") d.s.open(now);
  else if (cmd == "close") d.s.close(now);
  else if (cmd == "timer") d.s.on_timer(now);
  else if (cmd == "topen") d.s.on_transport_open(now, id);
  else if (cmd == "text") d.s.on_frame(now, id, Frame{false, eio_test::unescape(rest)});
  else if (cmd == "bin") d.s.on_frame(now, id, Frame{true, eio_test::unescape(rest)});
  else if (cmd == "terror") d.s.on_transport_error(now, id, rest);
  else if (cmd == "tclose") {
    const int code = std::stoi(next_word(rest));
    d.s.on_transport_close(now, id, code, rest);
  } else if (cmd == "send" || cmd == "sendbin") {
    auto r = d.s.send(now, Frame{cmd == "sendbin", eio_test::unescape(rest)});
    got.push_back(r.ok() ? "ok" : "error " + r.error().code);
  } else {
    throw std::runtime_error("unknown input " + cmd);
  }
  auto outs = d.drain();
  got.insert(got.end(), outs.begin(), outs.end());
  return got;
}

}  // namespace

TEST_CASE("session transcripts (sessions.txt)", "[engineio][session][script]") {
  const auto scripts = echat::testing::load_transcripts("engineio/sessions.txt");
  REQUIRE(scripts.size() >= 20);
  for (const auto& sc : scripts) {
    // Run each script twice: the second run must give the identical transcript (determinism).
    std::vector<std::string> transcripts[2];
    for (int pass = 0; pass < 2; ++pass) {
      std::optional<Driver> d;
      std::vector<std::string> pending;  // outputs of the last input not yet matched by "<" lines
      int pending_line = 0;
      const auto flush = [&](int at) {
        INFO("script '" << sc.name << "' line " << pending_line << " (checked at line " << at << ")");
        CHECK(pending.empty());
        pending.clear();
      };
      for (const auto& [n, text] : sc.lines) {
        INFO("script '" << sc.name << "' line " << n << ": " << text);
        if (text.rfind("options", 0) == 0) {
          d.emplace(parse_options(text.size() > 8 ? text.substr(8) : std::string()));
        } else if (text.rfind("< ", 0) == 0) {
          REQUIRE_FALSE(pending.empty());
          CHECK(pending.front() == text.substr(2));
          pending.erase(pending.begin());
        } else if (text.rfind("> ", 0) == 0) {
          flush(n);
          if (!d) d.emplace(parse_options(""));
          pending = run_input(*d, text.substr(2));
          pending_line = n;
          for (const auto& p : pending) transcripts[pass].push_back(p);
        } else if (text.rfind("? ", 0) == 0) {
          flush(n);
          std::string rest = text.substr(2);
          const std::string what = next_word(rest);
          if (what == "state") {
            CHECK(state_name(d->s.state()) == rest);
          } else if (what == "deadline") {
            const auto dl = d->s.next_deadline();
            CHECK((dl ? std::to_string(*dl) : std::string("none")) == rest);
          } else if (what == "error") {
            CHECK((d->s.error() ? d->s.error()->code + " " + d->s.error()->message : std::string("none")) == rest);
          } else if (what == "transport") {
            CHECK(std::to_string(d->s.transport()) == rest);
          } else {
            FAIL("unknown check " << what);
          }
        } else {
          FAIL("bad line");
        }
      }
      flush(0);
    }
    CHECK(transcripts[0] == transcripts[1]);
  }
}
