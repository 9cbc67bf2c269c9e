// embind over im::Client: thin, no logic. Every function is one input of the sans-I/O core and returns
// one batch (src/host/im_batch.h) as UTF-8 bytes. Raw names carry a leading underscore; the friendly API is
// js-shim/im.js and js-shim/apis.js.
//
// Compiled only with ECHAT_WITH_IM defined (emcmake cmake ... -DCMAKE_CXX_FLAGS=-DECHAT_WITH_IM=1): the
// IM layer adds about 19 KB to the .wasm.br and 10 KB to the .js, past the 100,000-byte budget that
// tests/js/artifact.test.js enforces, so it stays out of the default artifact until that budget is
// decided (docs/im-design.md, "Size").
#ifdef ECHAT_WITH_IM
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/batch.h"  // append_json_string
#include "host/im_batch.h"
#include "im/client.h"

namespace {

using echat::core::Error;
using echat::core::Millis;
using echat::host::ImBatchWriter;
using echat::im::Client;

class ImClient {
 public:
  explicit ImClient(const std::string& config_json) {
    auto config = echat::im::config_from_json(config_json);
    if (config.ok()) client_.emplace(std::move(config.value()));
    else error_ = config.error();
  }

  emscripten::val status(double now) { return run(now, [](Client&) {}); }
  // {"keys": [...], "prefixes": [...]}: the storage records load() wants (exact keys, and every key
  // starting with a prefix).
  emscripten::val storageKeys(double now) {
    return run(now, [&](Client& c) {
      auto list = [](const std::vector<std::string>& v) {
        std::string r = "[";
        for (const auto& k : v) {
          if (r.size() > 1) r += ',';
          echat::host::append_json_string(r, k);
        }
        return r + "]";
      };
      result_ = "{\"keys\":" + list(c.storage_keys()) + ",\"prefixes\":" + list(c.storage_prefixes()) + "}";
    });
  }
  emscripten::val info(double now) {
    return run(now, [&](Client& c) {
      std::string r = "{\"jwt\":";
      echat::host::append_json_string(r, c.jwt());
      r += ",\"uploadUrl\":";
      echat::host::append_json_string(r, c.upload_url());
      r += ",\"httpBase\":";
      echat::host::append_json_string(r, c.http_base());
      r += ",\"synced\":" + std::to_string(c.synced_seq());
      r += ",\"state\":";
      echat::host::append_json_string(r, echat::im::to_string(c.state()));
      r += ",\"auid\":";
      echat::host::append_json_string(r, c.config().auid);
      result_ = r + "}";
    });
  }
  emscripten::val load(double now, std::string records) {
    return run(now, [&](Client& c) { c.load(Millis(now), echat::host::records_from_json(records)); });
  }
  emscripten::val start(double now) { return run(now, [&](Client& c) { c.start(Millis(now)); }); }
  // transport: -1 = the configured apiTransport, 0 = HTTP, 1 = socket
  emscripten::val request(double now, std::string module, std::string method, std::string form, int transport) {
    return run(now, [&](Client& c) {
      std::optional<echat::im::Transport> t;
      if (transport == 0) t = echat::im::Transport::Http;
      if (transport == 1) t = echat::im::Transport::Socket;
      id(c.request(Millis(now), module, method, form, t));
    });
  }
  emscripten::val send(double now, std::string form) {
    return run(now, [&](Client& c) { id(c.send_message(Millis(now), form)); });
  }
  emscripten::val conversations(double now) {
    return run(now, [&](Client& c) { result_ = c.conversations_json(); });
  }
  emscripten::val markRead(double now, std::string way, std::string to_target) {
    return run(now, [&](Client& c) { id(c.mark_read(Millis(now), way, to_target)); });
  }
  emscripten::val close(double now) { return run(now, [&](Client& c) { c.close(Millis(now)); }); }
  emscripten::val wake(double now) { return run(now, [&](Client& c) { c.wake(Millis(now)); }); }
  emscripten::val setOnline(double now, bool online) { return run(now, [&](Client& c) { c.set_online(Millis(now), online); }); }
  emscripten::val httpResponse(double now, double hid, int status, std::string body) {
    return run(now, [&](Client& c) { c.on_http_response(Millis(now), static_cast<std::uint64_t>(hid), status, body); });
  }
  emscripten::val httpError(double now, double hid, std::string message) {
    return run(now, [&](Client& c) { c.on_http_error(Millis(now), static_cast<std::uint64_t>(hid), message); });
  }
  emscripten::val transportOpen(double now, unsigned tid) {
    return run(now, [&](Client& c) { c.on_transport_open(Millis(now), tid); });
  }
  emscripten::val textFrame(double now, unsigned tid, std::string data) {
    return run(now, [&](Client& c) { c.on_frame(Millis(now), tid, {false, std::move(data)}); });
  }
  emscripten::val binaryFrame(double now, unsigned tid, std::string bytes) {
    return run(now, [&](Client& c) { c.on_frame(Millis(now), tid, {true, std::move(bytes)}); });
  }
  emscripten::val transportClose(double now, unsigned tid, int code, std::string reason) {
    return run(now, [&](Client& c) { c.on_transport_close(Millis(now), tid, code, std::move(reason)); });
  }
  emscripten::val transportError(double now, unsigned tid, std::string message) {
    return run(now, [&](Client& c) { c.on_transport_error(Millis(now), tid, std::move(message)); });
  }
  emscripten::val timer(double now) { return run(now, [&](Client& c) { c.on_timer(Millis(now)); }); }

  emscripten::val binary() const {
    const auto& a = writer_.arena();
    return emscripten::val(emscripten::typed_memory_view(a.size(), reinterpret_cast<const unsigned char*>(a.data())));
  }

 private:
  // The batch goes out as bytes (a view of wasm memory, valid until the next call), decoded by the
  // shim (js-shim/utf8.js), as bindings/socketio_bindings.cpp does.
  static emscripten::val bytes(const std::string& text) {
    return emscripten::val(emscripten::typed_memory_view(text.size(), reinterpret_cast<const unsigned char*>(text.data())));
  }

  template <typename F>
  emscripten::val run(double, F&& f) {
    result_ = "null";
    writer_.begin();
    if (!client_) {
      writer_.set_error(*error_);
      return bytes(writer_.finish(std::nullopt));
    }
    f(*client_);
    for (auto& out : client_->take_outputs()) writer_.add(out);
    writer_.set_result(result_);
    return bytes(writer_.finish(client_->next_deadline()));
  }
  void id(const echat::core::Result<std::uint64_t>& r) {
    if (r.ok()) result_ = std::to_string(r.value());
    else writer_.set_error(r.error());
  }

  std::optional<Client> client_;
  std::optional<Error> error_;
  ImBatchWriter writer_;
  std::string result_;
};

// Free functions over a handle table, no class_ (a class brings ~8 KB of glue), as
// bindings/socketio_bindings.cpp does. `h` is the handle _ImClient_new returned.
std::vector<std::unique_ptr<ImClient>> g_clients;  // bindings only: src/ has no globals

ImClient& at(int h) { return *g_clients.at(static_cast<std::size_t>(h)); }

int im_new(std::string config) {
  g_clients.push_back(std::make_unique<ImClient>(config));
  return static_cast<int>(g_clients.size() - 1);
}
void im_delete(int h) { g_clients.at(static_cast<std::size_t>(h)).reset(); }

}  // namespace

EMSCRIPTEN_BINDINGS(echat_im) {
  using namespace emscripten;
  using S = std::string;
  function("_ImClient_new", &im_new);
  function("_ImClient_delete", &im_delete);
  function("_ImClient_status", +[](int h, double now) { return at(h).status(now); });
  function("_ImClient_storageKeys", +[](int h, double now) { return at(h).storageKeys(now); });
  function("_ImClient_info", +[](int h, double now) { return at(h).info(now); });
  function("_ImClient_load", +[](int h, double now, S records) { return at(h).load(now, records); });
  function("_ImClient_start", +[](int h, double now) { return at(h).start(now); });
  function("_ImClient_request", +[](int h, double now, S m, S method, S form, int t) { return at(h).request(now, m, method, form, t); });
  function("_ImClient_send", +[](int h, double now, S form) { return at(h).send(now, form); });
  function("_ImClient_conversations", +[](int h, double now) { return at(h).conversations(now); });
  function("_ImClient_markRead", +[](int h, double now, S way, S to) { return at(h).markRead(now, way, to); });
  function("_ImClient_close", +[](int h, double now) { return at(h).close(now); });
  function("_ImClient_wake", +[](int h, double now) { return at(h).wake(now); });
  function("_ImClient_setOnline", +[](int h, double now, bool on) { return at(h).setOnline(now, on); });
  function("_ImClient_httpResponse", +[](int h, double now, double id, int status, S body) { return at(h).httpResponse(now, id, status, body); });
  function("_ImClient_httpError", +[](int h, double now, double id, S message) { return at(h).httpError(now, id, message); });
  function("_ImClient_transportOpen", +[](int h, double now, unsigned t) { return at(h).transportOpen(now, t); });
  function("_ImClient_textFrame", +[](int h, double now, unsigned t, S d) { return at(h).textFrame(now, t, d); });
  function("_ImClient_binaryFrame", +[](int h, double now, unsigned t, S d) { return at(h).binaryFrame(now, t, d); });
  function("_ImClient_transportClose", +[](int h, double now, unsigned t, int c, S r) { return at(h).transportClose(now, t, c, r); });
  function("_ImClient_transportError", +[](int h, double now, unsigned t, S m) { return at(h).transportError(now, t, m); });
  function("_ImClient_timer", +[](int h, double now) { return at(h).timer(now); });
  function("_ImClient_binary", +[](int h) { return at(h).binary(); });
}

#endif  // ECHAT_WITH_IM
