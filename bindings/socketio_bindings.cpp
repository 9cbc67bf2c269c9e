// The socket.io area's boundary over socketio::Manager: thin, no logic. Each echat_SioManager_* export is
// one input of the sans-I/O core on the manager `h` (from echat_SioManager_new) and returns one batch
// (src/host/batch.h) as Bytes (bindings/boundary.h); a string argument is its byte length, its bytes in
// the input buffer (echat_in). The friendly API is js-shim/io.js; js-shim/core-driver.js calls these.
//
// The hot path (received EVENT/ACK frames, emits, acks) uses the echat_sio_* exports instead, without
// strings: integers in, a small code out, details in one shared region of wasm memory (echat_sio_shared). The payload never enters wasm memory: the host
// keeps it under a handle (engineio::ExternalRef) and reports what JSON.parse found (socketio::Shape).
//   region: f64 f[0] the deadline to arm the host timer at (-1 none; a fast lane may give one earlier than
//           the core's next: the timer input then reports the real one), f[1] ack id / emit id; i32 i[0] header length, i[1]
//           transport id; head[kHead] header bytes (in: the received frame's header or the namespace;
//           out: the header to send before the payload)
//   codes:  -1 not taken (frame: pass it whole to echat_SioManager_textFrame), 0 nothing for the app,
//           1 deliver the event (nsp "/", ack id f[1] or -1), 2 the ack of emit f[1] arrived (nsp "/"),
//           3 read the batch (echat_SioManager_last), 4 send head[0..i[0]) + payload on transport i[1]
//           (emit id f[1] for an emit)
#include <emscripten/emscripten.h>

#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "bindings/boundary.h"
#include "host/batch.h"
#include "socketio/manager.h"

namespace {

using echat::core::Millis;
using echat::socketio::Manager;
using SioSession = echat::bindings::Session<Manager, echat::host::BatchWriter>;
using echat::bindings::Bytes;
using echat::bindings::Input;
using Len = std::uint32_t;  // a string argument's byte length (bindings/boundary.h)

echat::bindings::Handles<SioSession> g_managers;  // bindings only: src/ has no globals

// An emit's flags (1 wants an ack, 2 volatile, bits 2.. the retries: socket.io-client's `retries`) and
// ack timeout (< 0: none), as the host passes them.
Manager::EmitOptions emit_options(int flags, double ack_timeout) {
  Manager::EmitOptions o;
  o.want_ack = flags & 1;
  o.is_volatile = flags & 2;
  o.retries = static_cast<std::uint32_t>(flags) >> 2;
  if (ack_timeout >= 0) o.ack_timeout = Millis(ack_timeout);
  return o;
}

using echat::bindings::kHead;
using echat::bindings::Shared;
alignas(8) Shared g_shared;  // bindings only

echat::socketio::ExternalArgs external(int ext, int size, int shape) {
  echat::socketio::ExternalArgs a;
  a.ext = static_cast<echat::engineio::ExternalRef>(ext);
  a.size = static_cast<std::size_t>(size);
  a.shape.root = static_cast<echat::socketio::JsonKind>(shape & 15);
  a.shape.first = static_cast<echat::socketio::JsonKind>((shape >> 4) & 15);
  a.shape.first_reserved = (shape >> 8) & 1;
  return a;
}

// The same payload for the general path's calls.
echat::socketio::Packet packet_of(const echat::socketio::ExternalArgs& a) {
  echat::socketio::Packet p;
  p.ext = a.ext;
  p.ext_size = a.size;
  p.shape = a.shape;
  return p;
}

// The answer for outputs that need no batch: none, one event or ack with a host-kept payload on "/",
// or one frame carrying the payload `ext` (then `extra` is the emit id to report).
int fast_answer(std::vector<echat::socketio::Output>& outs, std::optional<Millis> deadline,
                echat::engineio::ExternalRef ext, double extra) {
  using namespace echat::socketio;
  g_shared.f[0] = deadline ? static_cast<double>(*deadline) : -1;
  g_shared.f[1] = extra;
  if (outs.empty()) return 0;
  if (outs.size() != 1) return -1;
  if (auto* e = std::get_if<SocketEvent>(&outs[0])) {
    if (e->ext != ext || ext == 0 || e->nsp != "/") return -1;
    g_shared.f[1] = e->ack_id ? static_cast<double>(*e->ack_id) : -1;
    return 1;
  }
  if (auto* a = std::get_if<AckResult>(&outs[0])) {
    if (a->ext != ext || ext == 0 || !a->ok || a->nsp != "/") return -1;
    g_shared.f[1] = static_cast<double>(a->emit_id);
    return 2;
  }
  if (auto* f = std::get_if<SendFrame>(&outs[0])) {
    if (f->frame.binary || f->frame.ext != ext || ext == 0 || f->frame.data.size() > kHead) return -1;
    std::memcpy(g_shared.head, f->frame.data.data(), f->frame.data.size());
    g_shared.i[0] = static_cast<std::int32_t>(f->frame.data.size());
    g_shared.i[1] = static_cast<std::int32_t>(f->transport);
    return 4;
  }
  return -1;
}

// A fast-lane answer (Manager::Fast) in the shared region; -1 when the general path must run.
int fast_lane(const Manager::Fast& v, const Manager::Header* header, int tid) {
  if (v.code < 0) return -1;
  g_shared.f[0] = static_cast<double>(v.deadline);
  g_shared.f[1] = v.value;
  if (header) {
    std::memcpy(g_shared.head, header->text, header->size);
    g_shared.i[0] = static_cast<std::int32_t>(header->size);
    g_shared.i[1] = tid;
  }
  return v.code;
}

std::string_view shared_nsp(int nsp_len) {
  return {g_shared.head, static_cast<std::size_t>(nsp_len < 0 || nsp_len > kHead ? 0 : nsp_len)};
}

}  // namespace

echat::bindings::Shared& echat::bindings::shared_region() { return g_shared; }

extern "C" {

EMSCRIPTEN_KEEPALIVE void* echat_sio_shared() { return &g_shared; }

// A received text frame, cut at `head_len` (its first head_len bytes are in head[]), the rest kept by
// the host as payload `ext` of `size` characters with `shape` (root | first << 4 | reserved << 8).
EMSCRIPTEN_KEEPALIVE int echat_sio_text(int h, double now, int tid, int head_len, int ext, int size, int shape) {
  SioSession& s = g_managers.at(h);
  Manager* m = s.core();
  if (!m || head_len < 0 || head_len > kHead) return -1;
  const echat::socketio::ExternalArgs args = external(ext, size, shape);
  const std::string_view head(g_shared.head, static_cast<std::size_t>(head_len));
  if (const int lane = fast_lane(m->on_event_fast(Millis(now), static_cast<unsigned>(tid), head, args), nullptr, 0);
      lane >= 0) {
    return lane;
  }
  bool taken = false;
  const echat::socketio::Packet payload = packet_of(args);
  const int code = s.run_fast(
      [&](Manager& core) {
        taken = core.on_frame_external(Millis(now), static_cast<unsigned>(tid), head, payload);
      },
      [&](auto& outs, const Manager& m) { return fast_answer(outs, m.next_deadline(), payload.ext, -1); });
  return taken ? code : -1;
}

// An emit whose arguments (a JSON array) the host keeps as `ext`; head[0..nsp_len) is the namespace.
// flags: 1 wants an ack, 2 volatile, bits 2.. the retries (socket.io-client's `retries`); ack_timeout < 0: none.
EMSCRIPTEN_KEEPALIVE int echat_sio_emit(int h, double now, int nsp_len, int ext, int size, int shape, int flags,
                                        double ack_timeout) {
  SioSession& s = g_managers.at(h);
  const std::string_view nsp = shared_nsp(nsp_len);
  const echat::socketio::ExternalArgs args = external(ext, size, shape);
  const Manager::EmitOptions o = emit_options(flags, ack_timeout);
  if (Manager* m = s.core()) {
    Manager::Header header;
    const int lane = fast_lane(m->emit_fast(Millis(now), nsp, args, o, header), &header, static_cast<int>(m->transport()));
    if (lane >= 0) return lane;
  }
  double emit_id = -1;
  const echat::socketio::Packet payload = packet_of(args);
  return s.run_fast(
      [&](Manager& m) {
        auto r = m.emit_external(Millis(now), std::string(nsp), payload, o);
        if (r.ok()) emit_id = static_cast<double>(r.value());
        s.id(r);
      },
      [&](auto& outs, const Manager& m) { return fast_answer(outs, m.next_deadline(), payload.ext, emit_id); });
}

// The answer to the server's ack request `ack_id`, arguments kept by the host as `ext`.
EMSCRIPTEN_KEEPALIVE int echat_sio_ack(int h, double now, int nsp_len, double ack_id, int ext, int size, int shape) {
  SioSession& s = g_managers.at(h);
  const std::string_view nsp = shared_nsp(nsp_len);
  const echat::socketio::ExternalArgs args = external(ext, size, shape);
  const auto id = static_cast<std::uint64_t>(ack_id);
  if (Manager* m = s.core()) {
    Manager::Header header;
    const int lane = fast_lane(m->ack_fast(Millis(now), nsp, id, args, header), &header, static_cast<int>(m->transport()));
    if (lane >= 0) return lane;
  }
  const echat::socketio::Packet payload = packet_of(args);
  return s.run_fast([&](Manager& m) { s.check(m.ack_external(Millis(now), std::string(nsp), id, payload)); },
                    [&](auto& outs, const Manager& m) { return fast_answer(outs, m.next_deadline(), payload.ext, -1); });
}

// The oldest host-kept payload the manager still holds (0: none).
EMSCRIPTEN_KEEPALIVE int echat_sio_oldest(int h) {
  SioSession& s = g_managers.at(h);
  return s.core() ? static_cast<int>(s.core()->oldest_external()) : 0;
}

EMSCRIPTEN_KEEPALIVE int echat_SioManager_new(Len options) {
  Input in;
  return g_managers.add(std::make_unique<SioSession>(echat::host::manager_options_from_json(in.next(options))));
}
EMSCRIPTEN_KEEPALIVE void echat_SioManager_delete(int h) { g_managers.remove(h); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_status(int h, double) { return g_managers.at(h).run([](Manager&) {}); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_binary(int h) { return g_managers.at(h).binary(); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_last(int h) { return g_managers.at(h).last(); }
// The event names socket.io reserves, comma-separated.
EMSCRIPTEN_KEEPALIVE const Bytes* echat_sio_reserved() {
  static const std::string names(echat::socketio::reserved_event_names());
  return echat::bindings::bytes_out(names);
}
// flags and ack_timeout: emit_options. blob: the binary attachments, length-prefixed (host/batch.h
// split_blob).
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_emit(int h, double now, Len nsp_len, Len args_len, int flags,
                                                        double ack_timeout, Len blob_len) {
  Input in;
  std::string nsp = in.str(nsp_len), args = in.str(args_len);
  const std::string_view blob = in.next(blob_len);
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) {
    auto parts = echat::host::split_blob(blob);
    if (!parts.ok()) return s.fail(parts.error());
    s.id(m.emit(Millis(now), std::move(nsp), std::move(args), std::move(parts.value()), emit_options(flags, ack_timeout)));
  });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_ack(int h, double now, Len nsp_len, double ack_id, Len args_len,
                                                       Len blob_len) {
  Input in;
  std::string nsp = in.str(nsp_len), args = in.str(args_len);
  const std::string_view blob = in.next(blob_len);
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) {
    auto parts = echat::host::split_blob(blob);
    if (!parts.ok()) return s.fail(parts.error());
    s.check(m.ack(Millis(now), nsp, static_cast<std::uint64_t>(ack_id), std::move(args), std::move(parts.value())));
  });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_connectSocket(int h, double now, Len nsp_len, Len auth_len) {
  Input in;
  std::string nsp = in.str(nsp_len), auth = in.str(auth_len);
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) { s.check(m.connect_socket(Millis(now), std::move(nsp), std::move(auth))); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_disconnectSocket(int h, double now, Len nsp_len) {
  Input in;
  const std::string nsp = in.str(nsp_len);
  return g_managers.at(h).run([&](Manager& m) { m.disconnect_socket(Millis(now), nsp); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_setOptions(int h, double, Len options) {
  Input in;
  const std::string_view json = in.next(options);
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) {
    auto o = echat::host::manager_options_from_json(json);
    if (!o) return s.fail(o.error());
    s.check(m.set_reconnect_options(std::move(o.value())));
  });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_setOffset(int h, double, Len nsp_len, Len offset_len) {
  Input in;
  const std::string nsp = in.str(nsp_len);
  std::string offset = in.str(offset_len);
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) { s.check(m.set_recovery_offset(nsp, std::move(offset))); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_dropConnection(int h, double now) {
  return g_managers.at(h).run([&](Manager& m) { m.drop_connection(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_open(int h, double now) {
  return g_managers.at(h).run([&](Manager& m) { m.open(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_close(int h, double now) {
  return g_managers.at(h).run([&](Manager& m) { m.close(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_wake(int h, double now) {
  return g_managers.at(h).run([&](Manager& m) { m.wake(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_setOnline(int h, double now, int online) {
  return g_managers.at(h).run([&](Manager& m) { m.set_online(Millis(now), online != 0); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_transportOpen(int h, double now, unsigned tid) {
  return g_managers.at(h).run([&](Manager& m) { m.on_transport_open(Millis(now), tid); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_textFrame(int h, double now, unsigned tid, Len data) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_frame(Millis(now), tid, {false, in.str(data)}); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_binaryFrame(int h, double now, unsigned tid, Len bytes) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_frame(Millis(now), tid, {true, in.str(bytes)}); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_transportClose(int h, double now, unsigned tid, int code, Len reason) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_transport_close(Millis(now), tid, code, in.str(reason)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_transportError(int h, double now, unsigned tid, Len message) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_transport_error(Millis(now), tid, in.str(message)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_httpResponse(int h, double now, unsigned tid, unsigned rid, int status,
                                                                Len body) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_http_response(Millis(now), tid, rid, status, in.str(body)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_httpError(int h, double now, unsigned tid, unsigned rid, Len message) {
  Input in;
  return g_managers.at(h).run([&](Manager& m) { m.on_http_error(Millis(now), tid, rid, in.str(message)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_SioManager_timer(int h, double now) {
  return g_managers.at(h).run([&](Manager& m) { m.on_timer(Millis(now)); });
}

}  // extern "C"
