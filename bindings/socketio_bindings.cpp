// embind over socketio::Manager: thin, no logic. Each function is one input of the sans-I/O core on the
// manager `h` (from _SioManager_new) and returns one batch (src/host/batch.h) as bytes (bindings/boundary.h).
// The friendly API is js-shim/io.js; js-shim/core-driver.js calls these.
#include <emscripten/bind.h>

#include <string>
#include <utility>

#include "bindings/boundary.h"
#include "host/batch.h"
#include "socketio/manager.h"

namespace {

using echat::core::Millis;
using echat::socketio::Manager;
using SioSession = echat::bindings::Session<Manager, echat::host::BatchWriter>;

echat::bindings::Handles<SioSession> g_managers;  // bindings only: src/ has no globals

int sio_new(std::string options_json) {
  return g_managers.add(std::make_unique<SioSession>(echat::host::manager_options_from_json(options_json)));
}

emscripten::val sio_emit(int h, double now, std::string nsp, std::string args, int flags, double ack_timeout,
                         std::string blob) {
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) {
    auto parts = echat::host::split_blob(blob);
    if (!parts.ok()) return s.fail(parts.error());
    Manager::EmitOptions o;
    o.want_ack = flags & 1;
    o.is_volatile = flags & 2;
    if (ack_timeout >= 0) o.ack_timeout = Millis(ack_timeout);
    s.id(m.emit(Millis(now), nsp, std::move(args), std::move(parts.value()), o));
  });
}

emscripten::val sio_ack(int h, double now, std::string nsp, double ack_id, std::string args, std::string blob) {
  SioSession& s = g_managers.at(h);
  return s.run([&](Manager& m) {
    auto parts = echat::host::split_blob(blob);
    if (!parts.ok()) return s.fail(parts.error());
    s.check(m.ack(Millis(now), nsp, static_cast<std::uint64_t>(ack_id), std::move(args), std::move(parts.value())));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(echat_socketio) {
  using emscripten::function;
  function("_SioManager_new", &sio_new);
  function("_SioManager_delete", +[](int h) { g_managers.remove(h); });
  function("_SioManager_status", +[](int h, double) { return g_managers.at(h).run([](Manager&) {}); });
  function("_SioManager_binary", +[](int h) { return g_managers.at(h).binary(); });
  function("_SioManager_emit", &sio_emit);
  function("_SioManager_ack", &sio_ack);
  function("_SioManager_connectSocket", +[](int h, double now, std::string nsp, std::string auth) {
    SioSession& s = g_managers.at(h);
    return s.run([&](Manager& m) { s.check(m.connect_socket(Millis(now), std::move(nsp), std::move(auth))); });
  });
  function("_SioManager_disconnectSocket", +[](int h, double now, std::string nsp) {
    return g_managers.at(h).run([&](Manager& m) { m.disconnect_socket(Millis(now), nsp); });
  });
  function("_SioManager_close", +[](int h, double now) { return g_managers.at(h).run([&](Manager& m) { m.close(Millis(now)); }); });
  function("_SioManager_wake", +[](int h, double now) { return g_managers.at(h).run([&](Manager& m) { m.wake(Millis(now)); }); });
  function("_SioManager_setOnline", +[](int h, double now, bool online) {
    return g_managers.at(h).run([&](Manager& m) { m.set_online(Millis(now), online); });
  });
  function("_SioManager_transportOpen", +[](int h, double now, unsigned tid) {
    return g_managers.at(h).run([&](Manager& m) { m.on_transport_open(Millis(now), tid); });
  });
  function("_SioManager_textFrame", +[](int h, double now, unsigned tid, std::string data) {
    return g_managers.at(h).run([&](Manager& m) { m.on_frame(Millis(now), tid, {false, std::move(data)}); });
  });
  function("_SioManager_binaryFrame", +[](int h, double now, unsigned tid, std::string bytes) {
    return g_managers.at(h).run([&](Manager& m) { m.on_frame(Millis(now), tid, {true, std::move(bytes)}); });
  });
  function("_SioManager_transportClose", +[](int h, double now, unsigned tid, int code, std::string reason) {
    return g_managers.at(h).run([&](Manager& m) { m.on_transport_close(Millis(now), tid, code, std::move(reason)); });
  });
  function("_SioManager_transportError", +[](int h, double now, unsigned tid, std::string message) {
    return g_managers.at(h).run([&](Manager& m) { m.on_transport_error(Millis(now), tid, std::move(message)); });
  });
  function("_SioManager_timer", +[](int h, double now) { return g_managers.at(h).run([&](Manager& m) { m.on_timer(Millis(now)); }); });
}
