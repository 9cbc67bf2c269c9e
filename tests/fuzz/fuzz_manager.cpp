// libFuzzer target: a socketio::Manager driven by a random sequence of inputs: app calls, transport
// events, frames (random bytes or canned valid ones), timers and clock jumps.
//
// Bytes 0-1: options (protocol auto/3/4, reconnection on/off, small attempt limits, jitter on/off,
// small max_attachments, a small max_incoming_bytes). Then commands: one byte `op`, one byte of clock
// advance (x 8 ms; 0xff = a 100 s suspension), then arguments.
//
// Invariants checked after every command:
//  - no crash, no sanitizer report;
//  - after on_timer(now): next_deadline() is empty or > now;
//  - an input quoting a dead or unknown transport id produces no output at all;
//  - transport commands only name the newest transport, and never one that is dead;
//  - every AckResult names an emit id that emit() returned with want_ack (or a dropped volatile),
//    exactly once; SocketConnect only for namespaces the app asked for;
//  - the same input replayed on a fresh Manager gives the identical outputs (determinism).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_input.h"
#include "socketio/manager.h"

using namespace echat::socketio;

namespace {

using echat::fuzz::check;
using echat::fuzz::Reader;

const char* const kNsps[] = {"/", "/admin", "/chat", "bad"};
const char* const kAuth[] = {"", "{\"token\":\"x\"}", "{\"n\":1,\"o\":{}}", "[1]"};
const char* const kArgs[] = {"[\"message\",1]",
                             "[\"echo\",{\"_placeholder\":true,\"num\":0}]",
                             "[\"message-with-ack\",\"a\"]",
                             "[\"connect\"]",
                             "{}",
                             "[1,2]"};
const char* const kFrames[] = {
    "0{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200}",
    "0{\"sid\":\"b\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":500,\"maxPayload\":64}",
    "40",
    "40{\"sid\":\"s1\"}",
    "40/admin,{\"sid\":\"s2\",\"pid\":\"p\"}",
    "40/chat,",
    "44{\"message\":\"Not authorized\",\"data\":1}",
    "44/admin,\"Invalid namespace\"",
    "41",
    "41/chat,{\"x\":1}",
    "42[\"news\",1]",
    "420[\"question\"]",
    "430[\"answer\"]",
    "43/admin,1[]",
    "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
    "461-0[{\"_placeholder\":true,\"num\":0}]",
    "2",
    "3",
    "1",
    "6",
    "4abc",
};

struct Run {
  std::string log;  // every output, serialised (for the determinism check)
};

void log_output(std::string& log, const Output& o) {
  log += std::to_string(o.index());
  log += ':';
  if (auto* x = std::get_if<OpenTransport>(&o)) log += std::to_string(x->transport) + x->url;
  if (auto* x = std::get_if<SendFrame>(&o)) log += std::to_string(x->transport) + (x->frame.binary ? "b" : "t") + x->frame.data;
  if (auto* x = std::get_if<CloseTransport>(&o)) log += std::to_string(x->transport) + x->reason;
  if (auto* x = std::get_if<SocketEvent>(&o)) log += x->nsp + x->args_json;
  if (auto* x = std::get_if<AckResult>(&o)) log += std::to_string(x->emit_id) + (x->ok ? x->args_json : *x->error);
  if (auto* x = std::get_if<ManagerError>(&o)) log += x->error.message;
  log += '\n';
}

Run run(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  const std::uint8_t a = in.byte();
  const std::uint8_t b = in.byte();
  ManagerOptions o;
  o.url = "http://127.0.0.1:3000";
  o.protocol = (a % 3 == 0) ? 0 : (a % 3 == 1) ? 3 : 4;
  o.reconnection = (a & 4) == 0;
  o.reconnection_attempts = (a & 8) ? 3 : UINT32_MAX;
  o.randomization_factor = (a & 16) ? 0.0 : 0.5;
  o.timeout = (a & 32) ? 50 : 20000;
  o.reconnection_delay = (a & 64) ? 0 : 1000;
  o.max_attachments = b & 3;
  o.max_incoming_bytes = (b & 4) ? 128 : (16u << 20);
  o.seed = b;
  Manager m(o);
  check(!m.error());

  Run r;
  std::int64_t now = 0;
  std::uint32_t newest = 0;        // newest OpenTransport id
  std::set<std::uint32_t> dead;    // transports closed by either side
  std::set<std::uint64_t> ack_ids;  // emit ids that may get an AckResult
  std::set<std::uint64_t> acked;
  std::set<std::string> asked;      // namespaces connect_socket() was called for

  auto drain = [&](bool expect_none) {
    std::vector<Output> outs = m.take_outputs();
    if (expect_none) check(outs.empty());
    for (const auto& out : outs) {
      log_output(r.log, out);
      if (auto* x = std::get_if<OpenTransport>(&out)) {
        check(x->transport > newest);
        if (newest) dead.insert(newest);
        newest = x->transport;
      } else if (auto* x = std::get_if<SendFrame>(&out)) {
        check(x->transport == newest && !dead.count(x->transport));
      } else if (auto* x = std::get_if<CloseTransport>(&out)) {
        check(x->transport == newest && !dead.count(x->transport));
        dead.insert(x->transport);
      } else if (auto* x = std::get_if<AckResult>(&out)) {
        check(ack_ids.count(x->emit_id) == 1);
        check(acked.insert(x->emit_id).second);
      } else if (auto* x = std::get_if<SocketConnect>(&out)) {
        check(asked.count(x->nsp) == 1);
      }
    }
  };
  auto pick_transport = [&](std::uint8_t sel) -> std::uint32_t {
    switch (sel & 3) {
      case 0:
      case 1: return newest;
      case 2: return newest > 0 ? newest - 1 : 0;
      default: return newest + 1 + (sel >> 2);
    }
  };
  auto stale = [&](std::uint32_t t) { return t == 0 || t != newest || dead.count(t) > 0; };

  while (!in.empty()) {
    const std::uint8_t op = in.byte();
    const std::uint8_t dt = in.byte();
    now += dt == 0xff ? 100000 : dt * 8;
    switch (op % 15) {
      case 0: {
        const std::uint8_t s = in.byte();
        const std::string nsp = kNsps[s % 4];
        auto res = m.connect_socket(now, nsp, kAuth[(s >> 2) % 4]);
        if (res.ok()) asked.insert(nsp);
        drain(false);
        break;
      }
      case 1:
        m.disconnect_socket(now, kNsps[in.byte() % 4]);
        drain(false);
        break;
      case 2: {
        const std::uint8_t s = in.byte();
        std::string args = (s & 0x80) ? in.bytes() : kArgs[s % 6];
        std::vector<std::string> att((s >> 3) & 1, std::string("\x01\x02", 2));
        Manager::EmitOptions eo;
        eo.want_ack = s & 0x10;
        eo.is_volatile = s & 0x20;
        if (s & 0x40) {  // an ack timeout (x 16 ms) and 0-3 retries (the retry queue)
          const std::uint8_t b = in.byte();
          eo.ack_timeout = (b & 0x3f) * 16;
          eo.retries = b >> 6;
        }
        auto res = m.emit(now, kNsps[(s >> 1) % 4], args, att, eo);
        if (res.ok() && eo.want_ack) ack_ids.insert(res.value());
        drain(false);
        break;
      }
      case 3: {
        const std::uint8_t s = in.byte();
        std::vector<std::string> att((s >> 4) & 1, std::string("\x03", 1));
        (void)m.ack(now, kNsps[s % 4], (s >> 2) & 3,
                    att.empty() ? "[\"ok\"]" : "[{\"_placeholder\":true,\"num\":0}]", att);
        drain(false);
        break;
      }
      case 4:
        m.close(now);
        drain(false);
        break;
      case 5:
        m.wake(now);
        drain(false);
        break;
      case 6:
        m.set_online(now, in.byte() & 1);
        drain(false);
        break;
      case 7: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        m.on_transport_open(now, t);
        drain(st);
        break;
      }
      case 8:
      case 9: {
        const std::uint8_t s = in.byte();
        const std::uint32_t t = pick_transport(s);
        echat::engineio::Frame f;
        f.binary = op % 15 == 9;
        if (!f.binary && (s & 4)) {
          f.data = kFrames[in.byte() % (sizeof(kFrames) / sizeof(kFrames[0]))];
        } else {
          f.data = in.bytes();
          if (!f.binary && (s & 8)) f.data = "4" + f.data;
        }
        const bool st = stale(t);
        m.on_frame(now, t, f);
        drain(st);
        break;
      }
      case 10: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        m.on_transport_close(now, t, 1006, "gone");
        drain(st);
        if (!st) dead.insert(t);
        break;
      }
      case 11: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        m.on_transport_error(now, t, "err");
        drain(st);
        if (!st) dead.insert(t);
        break;
      }
      case 12:
        m.on_timer(now);
        drain(false);
        if (auto d = m.next_deadline()) check(*d > now);
        break;
      case 13:
        if (auto d = m.next_deadline()) {
          if (*d > now) now = *d;
        }
        m.on_timer(now);
        drain(false);
        if (auto d = m.next_deadline()) check(*d > now);
        break;
      default:
        if (auto d = m.next_deadline()) check(*d >= 0);
        (void)m.state();
        (void)m.socket_state("/");
        break;
    }
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Run a = run(data, size);
  const Run b = run(data, size);
  check(a.log == b.log);
  return 0;
}
