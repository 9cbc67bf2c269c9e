// embind over im::Client: thin, no logic. Each function is one input of the sans-I/O core on the client
// `h` (from _ImClient_new) and returns one batch (src/host/im_batch.h) as bytes (bindings/boundary.h).
// The hot path of a delivery is a plain export in im_lane.cpp.
// The friendly API is js-shim/im.js and js-shim/apis.js.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <optional>
#include <string>
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
using echat::bindings::ImSession;
auto& g_clients = echat::bindings::g_im_sessions;

template <typename F>
emscripten::val on(int h, F&& f) {
  ImSession& s = g_clients.at(h);
  return s.run([&](Client& c) { f(s, c); });
}

std::string json_string(std::string_view s) {
  std::string out;
  echat::host::append_json_string(out, s);
  return out;
}

// {"jwt", "uploadUrl", "httpBase", "synced", "state", "auid"}
emscripten::val im_info(int h, double) {
  return on(h, [](ImSession& s, Client& c) {
    s.result("{\"jwt\":" + json_string(c.jwt()) + ",\"uploadUrl\":" + json_string(c.upload_url()) +
             ",\"httpBase\":" + json_string(c.http_base()) + ",\"synced\":" + std::to_string(c.synced_seq()) +
             ",\"state\":" + json_string(echat::im::to_string(c.state())) + ",\"auid\":" + json_string(c.config().auid) +
             "}");
  });
}

std::string json_list(const std::vector<std::string>& v) {
  std::string r = "[";
  for (const auto& k : v) {
    if (r.size() > 1) r += ',';
    echat::host::append_json_string(r, k);
  }
  return r + "]";
}

// {"keys": [...], "prefixes": [...], "synced", "outbox", "outboxPrefix", "outboxMarker", "setByCore"}: the storage
// records load() wants (exact keys, and every key starting with a prefix), the key of the synced position
// (echat_im_message's record), the outbox's key, its records' prefix and its marker (echat_im_send's), and
// "setByCore": the form fields a send lane form may not carry (im::Client::kSetByCore).
emscripten::val im_storage_keys(int h, double) {
  return on(h, [](ImSession& s, Client& c) {
    s.result("{\"keys\":" + json_list(c.storage_keys()) + ",\"prefixes\":" + json_list(c.storage_prefixes()) +
             ",\"synced\":" + json_string(c.synced_key()) + ",\"outbox\":" + json_string(c.outbox_key()) +
             ",\"outboxPrefix\":" + json_string(c.outbox_prefix()) + ",\"outboxMarker\":" +
             json_string(c.outbox_marker()) + ",\"setByCore\":" +
             json_list({std::begin(Client::kSetByCore), std::end(Client::kSetByCore)}) + "}");
  });
}

// transport: -1 = the configured apiTransport, 0 = HTTP, 1 = socket
emscripten::val im_request(int h, double now, std::string module, std::string method, std::string form, int transport) {
  return on(h, [&](ImSession& s, Client& c) {
    std::optional<echat::im::Transport> t;
    if (transport == 0) t = echat::im::Transport::Http;
    if (transport == 1) t = echat::im::Transport::Socket;
    s.id(c.request(Millis(now), module, method, form, t));
  });
}

}  // namespace


EMSCRIPTEN_BINDINGS(echat_im) {
  using emscripten::function;
  function("_ImClient_new", +[](std::string config_json) {
    return g_clients.add(std::make_unique<ImSession>(echat::im::config_from_json(config_json)));
  });
  function("_ImClient_delete", +[](int h) { g_clients.remove(h); });
  function("_ImClient_status", +[](int h, double) { return on(h, [](ImSession&, Client&) {}); });
  function("_ImClient_binary", +[](int h) { return g_clients.at(h).binary(); });
  function("_ImClient_last", +[](int h) { return g_clients.at(h).last(); });
  function("_ImClient_info", &im_info);
  function("_ImClient_storageKeys", &im_storage_keys);
  function("_ImClient_request", &im_request);
  function("_ImClient_load", +[](int h, double now, std::string records) {
    return on(h, [&](ImSession&, Client& c) { c.load(Millis(now), echat::host::records_from_json(records)); });
  });
  function("_ImClient_start", +[](int h, double now) { return on(h, [&](ImSession&, Client& c) { c.start(Millis(now)); }); });
  function("_ImClient_send", +[](int h, double now, std::string form) {
    return on(h, [&](ImSession& s, Client& c) { s.id(c.send_message(Millis(now), form)); });
  });
  function("_ImClient_conversations", +[](int h, double) {
    return on(h, [&](ImSession& s, Client& c) { s.result(c.conversations_json()); });
  });
  function("_ImClient_markRead", +[](int h, double now, std::string way, std::string to_target) {
    return on(h, [&](ImSession& s, Client& c) { s.id(c.mark_read(Millis(now), way, to_target)); });
  });
  function("_ImClient_close", +[](int h, double now) { return on(h, [&](ImSession&, Client& c) { c.close(Millis(now)); }); });
  function("_ImClient_wake", +[](int h, double now) { return on(h, [&](ImSession&, Client& c) { c.wake(Millis(now)); }); });
  function("_ImClient_setOnline", +[](int h, double now, bool online) {
    return on(h, [&](ImSession&, Client& c) { c.set_online(Millis(now), online); });
  });
  function("_ImClient_httpResponse", +[](int h, double now, double id, int status, std::string body) {
    return on(h, [&](ImSession&, Client& c) { c.on_http_response(Millis(now), static_cast<std::uint64_t>(id), status, body); });
  });
  function("_ImClient_httpError", +[](int h, double now, double id, std::string message) {
    return on(h, [&](ImSession&, Client& c) { c.on_http_error(Millis(now), static_cast<std::uint64_t>(id), message); });
  });
  function("_ImClient_transportOpen", +[](int h, double now, unsigned tid) {
    return on(h, [&](ImSession&, Client& c) { c.on_transport_open(Millis(now), tid); });
  });
  function("_ImClient_textFrame", +[](int h, double now, unsigned tid, std::string data) {
    return on(h, [&](ImSession&, Client& c) { c.on_frame(Millis(now), tid, {false, std::move(data)}); });
  });
  function("_ImClient_binaryFrame", +[](int h, double now, unsigned tid, std::string bytes) {
    return on(h, [&](ImSession&, Client& c) { c.on_frame(Millis(now), tid, {true, std::move(bytes)}); });
  });
  function("_ImClient_transportClose", +[](int h, double now, unsigned tid, int code, std::string reason) {
    return on(h, [&](ImSession&, Client& c) { c.on_transport_close(Millis(now), tid, code, std::move(reason)); });
  });
  function("_ImClient_transportError", +[](int h, double now, unsigned tid, std::string message) {
    return on(h, [&](ImSession&, Client& c) { c.on_transport_error(Millis(now), tid, std::move(message)); });
  });
  function("_ImClient_timer", +[](int h, double now) { return on(h, [&](ImSession&, Client& c) { c.on_timer(Millis(now)); }); });
}
