// libFuzzer target: an Engine.IO Session driven by an input sequence decoded from the fuzz bytes.
//
// Byte 0: options (bit 0 version, bit 1 base64_binary, bit 2 keep the EIO4 0x04 prefix, bits 3-4 a small
// max_incoming_bytes or the default). Then a sequence of commands, each one byte `op` followed by its
// arguments:
//   op % 10 == 0  open            1 close          2 on_timer        3 on_transport_open
//              4  on_frame text   5 on_frame bin   6 transport close 7 transport error
//              8  send text       9 send binary
// Every command first advances the clock by the next byte * 16 ms (a byte 0xff means a long jump of
// 100 s: a suspension). Frames/payloads: a length byte then that many bytes; op bit 7 set selects a
// stale transport id. Frame commands with op bit 6 set use a canned valid open packet instead.
//
// Invariants checked after every command:
//  - no output at all after Closed until the next open() (and open() only outputs OpenTransport);
//  - next_deadline() is empty or > now; it is empty in Idle and Closed;
//  - Opened appears only once per connection and before any Message;
//  - outputs carry the current transport id; Closed is the last output of a connection;
//  - send() fails (and outputs nothing) unless Open;
//  - the same input replayed gives the identical outputs (determinism).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_input.h"
#include "engineio/session.h"

using namespace echat::engineio;

namespace {

using echat::fuzz::check;
using echat::fuzz::Reader;

const char* const kOpens[] = {
    R"({"sid":"f","upgrades":[],"pingInterval":300,"pingTimeout":200})",
    R"({"sid":"f","upgrades":["websocket"],"pingInterval":1000,"pingTimeout":500,"maxPayload":16})",
    R"({"sid":"f","pingInterval":2147483647,"pingTimeout":1})",
    R"({"sid":"f","pingInterval":1,"pingTimeout":1})",
};

// Runs the whole input; returns a flat log of the outputs for the determinism check.
std::vector<std::string> run(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> log;
  Reader r{data, size};
  const std::uint8_t o = r.byte();
  SessionOptions opt;
  opt.version = (o & 1) ? Version::V3 : Version::V4;
  opt.base_url = "ws://fuzz/socket.io/";
  opt.base64_binary = (o & 2) != 0;
  opt.strip_v4_binary_prefix = (o & 4) == 0;
  switch ((o >> 3) & 3) {
    case 1: opt.max_incoming_bytes = 8; break;
    case 2: opt.max_incoming_bytes = 64; break;
    default: break;
  }
  opt.connect_timeout = 1 + ((o >> 5) * 700);
  Session s(opt);

  Millis now = 1000;
  bool closed_conn = false;  // the current connection has output Closed
  bool opened = false;       // the current connection has output Opened
  while (!r.empty()) {
    const std::uint8_t op = r.byte();
    const std::uint8_t dt = r.byte();
    now += dt == 0xff ? 100000 : static_cast<Millis>(dt) * 16;
    const bool stale = (op & 0x80) != 0;
    const std::uint32_t id = stale ? s.transport() + 1 + (op & 1) : s.transport();
    const State before = s.state();
    bool send_ok = false;
    bool is_open_call = false;
    switch (op % 10) {
      case 0: s.open(now); is_open_call = true; break;
      case 1: s.close(now); break;
      case 2: s.on_timer(now); break;
      case 3: s.on_transport_open(now, id); break;
      case 4:
      case 5: {
        std::string d = r.bytes();
        if (op & 0x40) d = std::string("0") + kOpens[d.size() % 4];
        s.on_frame(now, id, Frame{op % 10 == 5 && !(op & 0x40), std::move(d)});
        break;
      }
      case 6: s.on_transport_close(now, id, 1000 + (op & 7), r.bytes()); break;
      case 7: s.on_transport_error(now, id, r.bytes()); break;
      case 8:
      case 9: {
        auto res = s.send(now, Frame{op % 10 == 9, r.bytes()});
        send_ok = res.ok();
        if (!res.ok()) check(res.error().kind == echat::core::ErrorKind::Caller);
        log.push_back(res.ok() ? "ok" : res.error().code);
        break;
      }
    }
    auto outs = s.take_outputs();
    const auto dl = s.next_deadline();
    check(!dl || *dl > now);
    if (s.state() == State::Idle || s.state() == State::Closed) check(!dl);
    if (send_ok) check(before == State::Open || before == State::Opening);

    bool restarted = false;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      const Output& out = outs[i];
      if (const auto* ot = std::get_if<OpenTransport>(&out)) {
        check(is_open_call && i == outs.size() - 1 && (before == State::Idle || before == State::Closed));
        check(ot->transport == s.transport());
        restarted = true;
        closed_conn = false;
        opened = false;
        log.push_back("open " + ot->url);
        continue;
      }
      check(!closed_conn);  // nothing after Closed
      if (const auto* sf = std::get_if<SendFrame>(&out)) {
        check(sf->transport == s.transport());
        log.push_back("send " + sf->frame.data);
      } else if (const auto* ct = std::get_if<CloseTransport>(&out)) {
        check(ct->transport == s.transport() && ct->code == 1000 && ct->reason.size() < 123);
        log.push_back("close " + ct->reason);
      } else if (std::get_if<Opened>(&out)) {
        check(!opened);
        opened = true;
        log.push_back("opened");
      } else if (const auto* m = std::get_if<Message>(&out)) {
        check(opened);
        log.push_back("message " + m->payload.data);
      } else if (const auto* c = std::get_if<Closed>(&out)) {
        check(i == outs.size() - 1);
        check(c->before_open == !opened);
        if (c->error) check(c->error->message.size() < 600 && !c->error->code.empty());
        closed_conn = true;
        log.push_back("closed " + c->reason);
      }
    }
    if (closed_conn) check(s.state() == State::Closed);
    if (is_open_call && !restarted) check(before == State::Opening || before == State::Open);
  }
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto a = run(data, size);
  const auto b = run(data, size);
  check(a == b);
  return 0;
}
