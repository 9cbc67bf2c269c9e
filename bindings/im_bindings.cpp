// The IM area's boundary over im::Client: thin, no logic. Each export is one input of the sans-I/O core on
// the client `h` (from echat_ImClient_new) and returns one batch (src/host/im_batch.h) as Bytes
// (bindings/boundary.h); a string argument is its byte length, its bytes in the input buffer (echat_in).
// The hot paths of a delivery and a send are plain exports in im_lane.cpp and im_send_lane.cpp.
// The friendly API is js-shim/im.js and js-shim/apis.js.
#include <emscripten/emscripten.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bindings/im_session.h"
#include "host/batch.h"  // append_json_string

namespace echat::bindings {
Handles<ImSession> g_im_sessions;
}  // namespace echat::bindings

namespace {

using echat::core::Millis;
using echat::im::Client;
using echat::bindings::Bytes;
using echat::bindings::ImSession;
using echat::bindings::Input;
using Len = std::uint32_t;  // a string argument's byte length (bindings/boundary.h)
auto& g_clients = echat::bindings::g_im_sessions;

// One input on the client `h`: `f(session, client)` between the session's run and its batch. The run
// is this one function for every export (not one inlined copy each); `f` is reached through a pointer.
using Thunk = void (*)(void* f, ImSession& s, Client& c);
__attribute__((noinline)) const Bytes* run_on(int h, Thunk thunk, void* f) {
  ImSession& s = g_clients.at(h);
  return s.run([&](Client& c) { thunk(f, s, c); });
}
template <typename F>
const Bytes* on(int h, F&& f) {
  return run_on(h, [](void* p, ImSession& s, Client& c) { (*static_cast<std::remove_reference_t<F>*>(p))(s, c); },
                &f);
}

// Appends `,"key":` (`{"key":` first) and the value: a JSON string, or a list of them.
void key(std::string& out, const char* k) {
  out += out.empty() ? "{\"" : ",\"";
  out += k;
  out += "\":";
}
void str(std::string& out, const char* k, std::string_view v) {
  key(out, k);
  echat::host::append_json_string(out, v);
}
void list(std::string& out, const char* k, const std::vector<std::string>& v) {
  key(out, k);
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    echat::host::append_json_string(out, v[i]);
  }
  out += ']';
}

// {"jwt", "uploadUrl", "httpBase", "synced", "state", "auid"}
const Bytes* im_info(int h) {
  return on(h, [](ImSession& s, Client& c) {
    std::string r;
    str(r, "jwt", c.jwt());
    str(r, "uploadUrl", c.upload_url());
    str(r, "httpBase", c.http_base());
    key(r, "synced");
    r += echat::core::decimal(c.synced_seq());
    str(r, "state", echat::im::to_string(c.state()));
    str(r, "auid", c.config().auid);
    s.result(r + "}");
  });
}

// {"keys": [...], "prefixes": [...], "synced", "outbox", "outboxPrefix", "outboxMarker", "setByCore", "idPrefix",
// "user"}: the storage records load() wants (exact keys, and every key starting with a prefix), the key of
// the synced position (echat_im_message's record), the outbox's key, its records' prefix and its marker
// (echat_im_send's), "setByCore": the form fields a send lane form may not carry (im::Client::kSetByCore),
// and what the send lane's texts are made of: the session's id prefix and user (im::Client::lane_fields).
const Bytes* im_storage_keys(int h) {
  return on(h, [](ImSession& s, Client& c) {
    std::string r;
    list(r, "keys", c.storage_keys());
    list(r, "prefixes", c.storage_prefixes());
    str(r, "synced", c.synced_key());
    str(r, "outbox", c.outbox_key());
    str(r, "outboxPrefix", c.outbox_prefix());
    str(r, "outboxMarker", c.outbox_marker());
    const std::vector<std::string> set_by_core(std::begin(Client::kSetByCore), std::end(Client::kSetByCore));
    list(r, "setByCore", set_by_core);
    str(r, "idPrefix", c.id_prefix());
    str(r, "user", c.config().auid);
    s.result(r + "}");
  });
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int echat_ImClient_new(Len config) {
  Input in;
  return g_clients.add(std::make_unique<ImSession>(echat::im::config_from_json(in.next(config))));
}
EMSCRIPTEN_KEEPALIVE void echat_ImClient_delete(int h) { g_clients.remove(h); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_status(int h, double) { return on(h, [](ImSession&, Client&) {}); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_binary(int h) { return g_clients.at(h).binary(); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_last(int h) { return g_clients.at(h).last(); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_info(int h, double) { return im_info(h); }
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_storageKeys(int h, double) { return im_storage_keys(h); }
// transport: -1 = the configured apiTransport, 0 = HTTP, 1 = socket
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_request(int h, double now, Len module, Len method, Len form,
                                                         int transport) {
  Input in;
  const std::string_view mod = in.next(module), meth = in.next(method), f = in.next(form);
  return on(h, [&](ImSession& s, Client& c) {
    std::optional<echat::im::Transport> t;
    if (transport == 0) t = echat::im::Transport::Http;
    if (transport == 1) t = echat::im::Transport::Socket;
    s.id(c.request(Millis(now), mod, meth, f, t));
  });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_load(int h, double now, Len records) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.load(Millis(now), echat::host::records_from_json(in.next(records))); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_start(int h, double now) {
  return on(h, [&](ImSession&, Client& c) { c.start(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_send(int h, double now, Len form) {
  Input in;
  return on(h, [&](ImSession& s, Client& c) { s.id(c.send_message(Millis(now), in.next(form))); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_conversations(int h, double) {
  return on(h, [&](ImSession& s, Client& c) { s.result(c.conversations_json()); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_markRead(int h, double now, Len way, Len to_target) {
  Input in;
  const std::string w = in.str(way), t = in.str(to_target);
  return on(h, [&](ImSession& s, Client& c) { s.id(c.mark_read(Millis(now), w, t)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_close(int h, double now) {
  return on(h, [&](ImSession&, Client& c) { c.close(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_wake(int h, double now) {
  return on(h, [&](ImSession&, Client& c) { c.wake(Millis(now)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_setOnline(int h, double now, int online) {
  return on(h, [&](ImSession&, Client& c) { c.set_online(Millis(now), online != 0); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_httpResponse(int h, double now, double id, int status, Len body) {
  Input in;
  return on(h, [&](ImSession&, Client& c) {
    c.on_http_response(Millis(now), static_cast<std::uint64_t>(id), status, in.next(body));
  });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_httpError(int h, double now, double id, Len message) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.on_http_error(Millis(now), static_cast<std::uint64_t>(id), in.str(message)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_transportOpen(int h, double now, unsigned tid) {
  return on(h, [&](ImSession&, Client& c) { c.on_transport_open(Millis(now), tid); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_textFrame(int h, double now, unsigned tid, Len data) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.on_frame(Millis(now), tid, {false, in.str(data)}); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_binaryFrame(int h, double now, unsigned tid, Len bytes) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.on_frame(Millis(now), tid, {true, in.str(bytes)}); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_transportClose(int h, double now, unsigned tid, int code, Len reason) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.on_transport_close(Millis(now), tid, code, in.str(reason)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_transportError(int h, double now, unsigned tid, Len message) {
  Input in;
  return on(h, [&](ImSession&, Client& c) { c.on_transport_error(Millis(now), tid, in.str(message)); });
}
EMSCRIPTEN_KEEPALIVE const Bytes* echat_ImClient_timer(int h, double now) {
  return on(h, [&](ImSession&, Client& c) { c.on_timer(Millis(now)); });
}

}  // extern "C"
