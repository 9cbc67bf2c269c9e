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
//  - the same input replayed on a fresh Manager gives the identical outputs (determinism);
//  - the fast lanes decide as the general path (manager.h, "The fast lane of the wasm hot path"): a twin
//    Manager is driven as the wasm host drives it (js-shim/core-driver.js: a text frame cut at its first
//    '[' and handed to on_event_fast with its arguments' Shape, else to on_frame_external, else whole to
//    on_frame; an emit or ack without attachments through emit_fast / ack_fast, else emit_external /
//    ack_external; the payloads kept by the host, by handle), and after every command its outputs, with
//    what each lane answer stands for, must be the reference's, and its deadlines no later.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_input.h"
#include "socketio/manager.h"

using namespace echat::socketio;

namespace {

using echat::core::Millis;
using echat::engineio::ExternalRef;
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

// An error's message without the frame it quotes: a frame whose payload the host keeps is quoted up to
// where the payload starts (engineio::describe_frame), with the whole frame's size.
std::string without_quote(std::string message) {
  const std::size_t from = message.find("text \"");
  const std::size_t to = from == std::string::npos ? from : message.find("\" (", from);
  if (to != std::string::npos) message.erase(from, to + 1 - from);
  return message;
}

void log_output(std::string& log, const Output& o) {
  log += std::to_string(o.index());
  log += ':';
  if (auto* x = std::get_if<OpenTransport>(&o)) log += std::to_string(x->transport) + x->url;
  if (auto* x = std::get_if<SendFrame>(&o)) log += std::to_string(x->transport) + (x->frame.binary ? "b" : "t") + x->frame.data;
  if (auto* x = std::get_if<CloseTransport>(&o)) log += std::to_string(x->transport) + x->reason;
  if (auto* x = std::get_if<SocketEvent>(&o)) {
    log += x->nsp + x->args_json + '#' + (x->ack_id ? std::to_string(*x->ack_id) : "-") + '#' +
           std::to_string(x->attachments.size());
  }
  if (auto* x = std::get_if<AckResult>(&o)) log += x->nsp + std::to_string(x->emit_id) + (x->ok ? x->args_json : *x->error);
  if (auto* x = std::get_if<ManagerError>(&o)) log += x->error.code + without_quote(x->error.message);
  if (auto* x = std::get_if<HttpRequest>(&o)) {
    for (const auto& f : x->body) log += f.data + '|';
  }
  log += '\n';
}

// One Manager, driven either through the general calls with whole texts (the reference), or as the
// wasm host drives it (`lanes`). take() returns what the last command output, the host-kept payloads
// written back into the outputs and each lane answer as the outputs the general path makes for it.
class Side {
 public:
  Side(const ManagerOptions& o, bool lanes) : m(o), lanes_(lanes) {}

  Manager m;

  void frame(Millis now, std::uint32_t t, const echat::engineio::Frame& f) {
    if (lanes_ && !f.binary) {
      const std::size_t k = f.data.find('[');
      if (k != std::string::npos && k > 1 && k <= 1024 && ascii(f.data.substr(0, k))) {
        const std::string head = f.data.substr(0, k);
        const ExternalArgs args = keep(f.data.substr(k));
        const Manager::Fast v = m.on_event_fast(now, t, head, args);
        if (v.code != Manager::kGeneral) {
          lane_checks(v);
          const std::string& text = texts_[args.ext];
          if (v.code == Manager::kEvent) {
            SocketEvent e;
            e.nsp = "/";
            e.args_json = text;
            if (v.value >= 0) e.ack_id = static_cast<std::uint64_t>(v.value);
            lane_out_.emplace_back(std::move(e));
          } else if (v.code == Manager::kAck) {
            AckResult a;
            a.nsp = "/";
            a.emit_id = static_cast<std::uint64_t>(v.value);
            a.ok = true;
            a.args_json = text;
            lane_out_.emplace_back(std::move(a));
          } else {
            check(v.code == Manager::kNothing);
          }
          return;
        }
        if (m.on_frame_external(now, t, head, packet_of(args))) return;
      }
    }
    m.on_frame(now, t, f);
  }

  // Returns the emit id or the error's code.
  std::string emit(Millis now, const std::string& nsp, const std::string& args, std::vector<std::string> att,
                   Manager::EmitOptions eo) {
    if (lanes_ && att.empty()) {
      if (auto x = external(args)) {
        Manager::Header h;
        const Manager::Fast v = m.emit_fast(now, nsp, *x, eo, h);
        if (v.code != Manager::kGeneral) {
          check(v.code == Manager::kSend);
          lane_checks(v);
          lane_out_.emplace_back(SendFrame{m.transport(), echat::engineio::Frame{false, std::string(h.text, h.size) + args}});
          return std::to_string(static_cast<std::uint64_t>(v.value));
        }
        return describe(m.emit_external(now, nsp, packet_of(*x), eo));
      }
    }
    return describe(m.emit(now, nsp, args, std::move(att), eo));
  }

  std::string ack(Millis now, const std::string& nsp, std::uint64_t id, const std::string& args,
                  std::vector<std::string> att) {
    if (lanes_ && att.empty()) {
      if (auto x = external(args)) {
        Manager::Header h;
        const Manager::Fast v = m.ack_fast(now, nsp, id, *x, h);
        if (v.code != Manager::kGeneral) {
          check(v.code == Manager::kSend && h.id == id);
          lane_checks(v);
          lane_out_.emplace_back(SendFrame{m.transport(), echat::engineio::Frame{false, std::string(h.text, h.size) + args}});
          return "ok";
        }
        auto r = m.ack_external(now, nsp, id, packet_of(*x));
        return r.ok() ? "ok" : r.error().code;
      }
    }
    auto r = m.ack(now, nsp, id, args, std::move(att));
    return r.ok() ? "ok" : r.error().code;
  }

  std::vector<Output> take() {
    std::vector<Output> outs = std::move(lane_out_);
    lane_out_.clear();
    for (auto& o : m.take_outputs()) {
      if (auto* x = std::get_if<SocketEvent>(&o); x && x->ext) x->args_json = texts_.at(x->ext);
      if (auto* x = std::get_if<AckResult>(&o); x && x->ext) x->args_json = texts_.at(x->ext);
      if (auto* x = std::get_if<SendFrame>(&o)) write_back(x->frame);
      if (auto* x = std::get_if<HttpRequest>(&o)) {
        for (auto& f : x->body) write_back(f);
      }
      outs.push_back(std::move(o));
    }
    return outs;
  }

 private:
  static bool ascii(const std::string& s) {
    for (const char c : s) {
      if (static_cast<unsigned char>(c) > 127) return false;
    }
    return true;
  }
  static Packet packet_of(const ExternalArgs& x) {
    Packet p;
    p.ext = x.ext;
    p.ext_size = x.size;
    p.shape = x.shape;
    return p;
  }
  static std::string describe(const echat::core::Result<std::uint64_t>& r) {
    return r.ok() ? std::to_string(r.value()) : r.error().code;
  }
  // The payload kept here, as the host keeps it, with the Shape its parser reports (Invalid: refused).
  ExternalArgs keep(const std::string& text) {
    ExternalArgs x;
    x.ext = next_++;
    x.size = text.size();
    if (!echat::socketio::shape_of_text(text, x.shape)) x.shape = Shape{JsonKind::Invalid};
    texts_[x.ext] = text;
    return x;
  }
  // An app's arguments: the host has them as values, whose JSON is always valid; other texts go the
  // batch path, as arguments with attachments do.
  std::optional<ExternalArgs> external(const std::string& args) {
    Shape sh;
    if (!echat::socketio::shape_of_text(args, sh)) return std::nullopt;
    return keep(args);
  }
  // A taken lane's deadline is never later than the Manager's next one (the host arms its timer there).
  void lane_checks(const Manager::Fast& v) const {
    check(v.deadline <= m.next_deadline().value_or(echat::core::kNever));
  }
  void write_back(echat::engineio::Frame& f) const {
    if (!f.ext) return;
    f.data += texts_.at(f.ext);
    f.ext = 0;
    f.ext_size = 0;
  }

  bool lanes_;
  std::map<ExternalRef, std::string> texts_;
  ExternalRef next_ = 1;
  std::vector<Output> lane_out_;
};

struct Run {
  std::string log;  // every output, serialised (for the determinism check)
};

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
  Side ref(o, false);   // the general path, whole texts
  Side lane(o, true);   // the host's lanes
  Manager& m = ref.m;
  check(!m.error() && !lane.m.error());

  Run r;
  std::int64_t now = 0;
  std::uint32_t newest = 0;        // newest OpenTransport id
  std::set<std::uint32_t> dead;    // transports closed by either side
  std::set<std::uint64_t> ack_ids;  // emit ids that may get an AckResult
  std::set<std::uint64_t> acked;
  std::set<std::string> asked;      // namespaces connect_socket() was called for

  const bool trace = std::getenv("FUZZ_TRACE") != nullptr;
  auto drain = [&](bool expect_none) {
    std::vector<Output> outs = ref.take();
    std::string step;
    for (const auto& out : outs) log_output(step, out);
    std::string lane_step;
    for (const auto& out : lane.take()) log_output(lane_step, out);
    const auto d = m.next_deadline();
    const auto ld = lane.m.next_deadline();
    if (trace) {  // replaying one input: both sides' outputs, command by command
      std::fprintf(stderr, "at %lld ms\n general:\n%s lanes:\n%s next deadlines %lld %lld\n", static_cast<long long>(now),
                   step.c_str(), lane_step.c_str(), static_cast<long long>(d.value_or(-1)),
                   static_cast<long long>(ld.value_or(-1)));
    }
    check(lane_step == step);
    check(!ld == !d && (!d || *ld <= *d));
    r.log += step;
    if (expect_none) check(outs.empty());
    for (const auto& out : outs) {
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
  // The same call on both sides; their results must agree.
  auto both = [&](auto&& f) {
    auto x = f(ref);
    check(f(lane) == x);
    return x;
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
        const bool ok = both([&](Side& x) { return x.m.connect_socket(now, nsp, kAuth[(s >> 2) % 4]).ok(); });
        if (ok) asked.insert(nsp);
        drain(false);
        break;
      }
      case 1: {
        const char* nsp = kNsps[in.byte() % 4];
        both([&](Side& x) { x.m.disconnect_socket(now, nsp); return 0; });
        drain(false);
        break;
      }
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
        const std::string nsp = kNsps[(s >> 1) % 4];
        const std::string res = both([&](Side& x) { return x.emit(now, nsp, args, att, eo); });
        if (eo.want_ack && !res.empty() && res[0] >= '0' && res[0] <= '9') ack_ids.insert(std::stoull(res));
        drain(false);
        break;
      }
      case 3: {
        const std::uint8_t s = in.byte();
        std::vector<std::string> att((s >> 4) & 1, std::string("\x03", 1));
        const std::string args = att.empty() ? ((s & 0x20) ? "[\"ok\",{\"n\":[1,2]}]" : "[\"ok\"]")
                                             : "[{\"_placeholder\":true,\"num\":0}]";
        both([&](Side& x) { return x.ack(now, kNsps[s % 4], (s >> 2) & 3, args, att); });
        drain(false);
        break;
      }
      case 4:
        both([&](Side& x) { x.m.close(now); return 0; });
        drain(false);
        break;
      case 5:
        both([&](Side& x) { x.m.wake(now); return 0; });
        drain(false);
        break;
      case 6: {
        const bool online = in.byte() & 1;
        both([&](Side& x) { x.m.set_online(now, online); return 0; });
        drain(false);
        break;
      }
      case 7: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        both([&](Side& x) { x.m.on_transport_open(now, t); return 0; });
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
        both([&](Side& x) { x.frame(now, t, f); return 0; });
        drain(st);
        break;
      }
      case 10: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        both([&](Side& x) { x.m.on_transport_close(now, t, 1006, "gone"); return 0; });
        drain(st);
        if (!st) dead.insert(t);
        break;
      }
      case 11: {
        const std::uint32_t t = pick_transport(in.byte());
        const bool st = stale(t);
        both([&](Side& x) { x.m.on_transport_error(now, t, "err"); return 0; });
        drain(st);
        if (!st) dead.insert(t);
        break;
      }
      case 12:
        both([&](Side& x) { x.m.on_timer(now); return 0; });
        drain(false);
        if (auto d = m.next_deadline()) check(*d > now);
        if (auto d = lane.m.next_deadline()) check(*d > now);
        break;
      case 13:
        // To the reference's next deadline (the lane side's may be earlier: a timer a lane left early).
        if (auto d = m.next_deadline()) {
          if (*d > now) now = *d;
        }
        both([&](Side& x) { x.m.on_timer(now); return 0; });
        drain(false);
        if (auto d = m.next_deadline()) check(*d > now);
        if (auto d = lane.m.next_deadline()) check(*d > now);
        break;
      default:
        if (auto d = m.next_deadline()) check(*d >= 0);
        check(both([&](Side& x) { return static_cast<int>(x.m.state()) * 16 + static_cast<int>(x.m.socket_state("/")); }) >= 0);
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
