// embind over socketio::Manager: thin, no logic. Every method is one input of the sans-I/O core and
// returns one batch (src/host/batch.h) with the outputs, the result or error, and the next deadline.
// Raw names carry a leading underscore; the friendly API is js-shim/io.js (CanvasKit's split).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <optional>
#include <vector>
#include <string>
#include <utility>

#include "host/batch.h"
#include "socketio/manager.h"

namespace {

using echat::core::Error;
using echat::core::Millis;
using echat::host::BatchWriter;
using echat::socketio::Manager;

class SioManager {
 public:
  explicit SioManager(const std::string& options_json) {
    auto options = echat::host::manager_options_from_json(options_json);
    if (options.ok()) {
      manager_.emplace(std::move(options.value()));
    } else {
      error_ = options.error();
    }
  }

  // {"x": the options error or null}
  emscripten::val status() { return run(0, [](Manager&) {}); }

  emscripten::val connectSocket(double now, std::string nsp, std::string auth) {
    return run(now, [&](Manager& m) { result(m.connect_socket(Millis(now), std::move(nsp), std::move(auth))); });
  }
  emscripten::val disconnectSocket(double now, std::string nsp) {
    return run(now, [&](Manager& m) { m.disconnect_socket(Millis(now), nsp); });
  }
  emscripten::val emit(double now, std::string nsp, std::string args, int flags, double ack_timeout, std::string blob) {
    return run(now, [&](Manager& m) {
      auto parts = echat::host::split_blob(blob);
      if (!parts.ok()) return writer_.set_error(parts.error());
      Manager::EmitOptions o;
      o.want_ack = flags & 1;
      o.is_volatile = flags & 2;
      if (ack_timeout >= 0) o.ack_timeout = Millis(ack_timeout);
      auto id = m.emit(Millis(now), nsp, std::move(args), std::move(parts.value()), o);
      if (id.ok()) result_ = std::to_string(id.value());
      else writer_.set_error(id.error());
    });
  }
  emscripten::val ack(double now, std::string nsp, double ack_id, std::string args, std::string blob) {
    return run(now, [&](Manager& m) {
      auto parts = echat::host::split_blob(blob);
      if (!parts.ok()) return writer_.set_error(parts.error());
      result(m.ack(Millis(now), nsp, static_cast<std::uint64_t>(ack_id), std::move(args), std::move(parts.value())));
    });
  }
  emscripten::val close(double now) { return run(now, [&](Manager& m) { m.close(Millis(now)); }); }
  emscripten::val wake(double now) { return run(now, [&](Manager& m) { m.wake(Millis(now)); }); }
  emscripten::val setOnline(double now, bool online) {
    return run(now, [&](Manager& m) { m.set_online(Millis(now), online); });
  }
  emscripten::val transportOpen(double now, unsigned tid) {
    return run(now, [&](Manager& m) { m.on_transport_open(Millis(now), tid); });
  }
  emscripten::val textFrame(double now, unsigned tid, std::string data) {
    return run(now, [&](Manager& m) { m.on_frame(Millis(now), tid, {false, std::move(data)}); });
  }
  emscripten::val binaryFrame(double now, unsigned tid, std::string bytes) {
    return run(now, [&](Manager& m) { m.on_frame(Millis(now), tid, {true, std::move(bytes)}); });
  }
  emscripten::val transportClose(double now, unsigned tid, int code, std::string reason) {
    return run(now, [&](Manager& m) { m.on_transport_close(Millis(now), tid, code, std::move(reason)); });
  }
  emscripten::val transportError(double now, unsigned tid, std::string message) {
    return run(now, [&](Manager& m) { m.on_transport_error(Millis(now), tid, std::move(message)); });
  }
  emscripten::val timer(double now) { return run(now, [&](Manager& m) { m.on_timer(Millis(now)); }); }

  // The bytes referenced by the last batch: a view of wasm memory, valid until the next call.
  emscripten::val binary() const {
    const auto& a = writer_.arena();
    return emscripten::val(emscripten::typed_memory_view(a.size(), reinterpret_cast<const unsigned char*>(a.data())));
  }

 private:
  // The batch goes out as bytes (a view of wasm memory, valid until the next call) which the shim
  // decodes itself (js-shim/utf8.js): the glue's std::string return decodes UTF-8 one byte and one
  // string concatenation at a time (there is no TextDecoder in a mini-program), which was half of the
  // CPU per received event (docs/benchmarks.md).
  static emscripten::val bytes(const std::string& text) {
    return emscripten::val(emscripten::typed_memory_view(text.size(), reinterpret_cast<const unsigned char*>(text.data())));
  }

  template <typename F>
  emscripten::val run(double, F&& f) {
    result_ = "null";
    writer_.begin();
    if (!manager_) {
      writer_.set_error(*error_);
      return bytes(writer_.finish(std::nullopt));
    }
    f(*manager_);
    for (auto& out : manager_->take_outputs()) writer_.add(out);
    writer_.set_result(result_);
    return bytes(writer_.finish(manager_->next_deadline()));
  }
  void result(const echat::core::Result<echat::core::Ok>& r) {
    if (!r.ok()) writer_.set_error(r.error());
  }

  std::optional<Manager> manager_;
  std::optional<Error> error_;
  BatchWriter writer_;
  std::string result_;
};


// embind without class_: a class brings ~8 KB of minified glue (handles, pointers, upcasts) that a
// handle table and free functions do not need. `h` is the handle _sio_new returned.
std::vector<std::unique_ptr<SioManager>> g_managers;  // bindings only: src/ has no globals

SioManager& at(int h) { return *g_managers.at(static_cast<std::size_t>(h)); }

int sio_new(std::string options) {
  g_managers.push_back(std::make_unique<SioManager>(options));
  return static_cast<int>(g_managers.size() - 1);
}
void sio_delete(int h) { g_managers.at(static_cast<std::size_t>(h)).reset(); }

}  // namespace

EMSCRIPTEN_BINDINGS(echat_socketio) {
  using namespace emscripten;
  function("_sio_new", &sio_new);
  function("_sio_delete", &sio_delete);
  function("_sio_status", +[](int h) { return at(h).status(); });
  function("_sio_connectSocket", +[](int h, double now, std::string nsp, std::string auth) { return at(h).connectSocket(now, nsp, auth); });
  function("_sio_disconnectSocket", +[](int h, double now, std::string nsp) { return at(h).disconnectSocket(now, nsp); });
  function("_sio_emit", +[](int h, double now, std::string nsp, std::string args, int flags, double t, std::string blob) { return at(h).emit(now, nsp, args, flags, t, blob); });
  function("_sio_ack", +[](int h, double now, std::string nsp, double id, std::string args, std::string blob) { return at(h).ack(now, nsp, id, args, blob); });
  function("_sio_close", +[](int h, double now) { return at(h).close(now); });
  function("_sio_wake", +[](int h, double now) { return at(h).wake(now); });
  function("_sio_setOnline", +[](int h, double now, bool on) { return at(h).setOnline(now, on); });
  function("_sio_transportOpen", +[](int h, double now, unsigned t) { return at(h).transportOpen(now, t); });
  function("_sio_textFrame", +[](int h, double now, unsigned t, std::string d) { return at(h).textFrame(now, t, d); });
  function("_sio_binaryFrame", +[](int h, double now, unsigned t, std::string d) { return at(h).binaryFrame(now, t, d); });
  function("_sio_transportClose", +[](int h, double now, unsigned t, int c, std::string r) { return at(h).transportClose(now, t, c, r); });
  function("_sio_transportError", +[](int h, double now, unsigned t, std::string m) { return at(h).transportError(now, t, m); });
  function("_sio_timer", +[](int h, double now) { return at(h).timer(now); });
  function("_sio_binary", +[](int h) { return at(h).binary(); });
}
