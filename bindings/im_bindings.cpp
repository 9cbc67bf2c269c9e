// embind over im::Client: thin, no logic. Every method is one input of the sans-I/O core and returns
// one batch (src/host/im_batch.h). Raw names carry a leading underscore; the friendly API is
// js-shim/im.js and js-shim/apis.js.
//
// Compiled only with ECHAT_WITH_IM defined (emcmake cmake ... -DCMAKE_CXX_FLAGS=-DECHAT_WITH_IM=1): the
// IM layer adds about 19 KB to the .wasm.br and 10 KB to the .js, past the 100,000-byte budget that
// tests/js/artifact.test.js enforces, so it stays out of the default artifact until that budget is
// decided (docs/im-design.md, "Size").
#ifdef ECHAT_WITH_IM
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <string>
#include <utility>

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

  std::string status(double now) { return run(now, [](Client&) {}); }
  // ["key", ...]: the storage records load() wants.
  std::string storageKeys(double now) {
    return run(now, [&](Client& c) {
      std::string r = "[";
      for (const auto& k : c.storage_keys()) {
        if (r.size() > 1) r += ',';
        echat::host::append_json_string(r, k);
      }
      result_ = r + "]";
    });
  }
  std::string info(double now) {
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
  std::string load(double now, std::string records) {
    return run(now, [&](Client& c) { c.load(Millis(now), echat::host::records_from_json(records)); });
  }
  std::string start(double now) { return run(now, [&](Client& c) { c.start(Millis(now)); }); }
  // transport: -1 = the configured apiTransport, 0 = HTTP, 1 = socket
  std::string request(double now, std::string module, std::string method, std::string form, int transport) {
    return run(now, [&](Client& c) {
      std::optional<echat::im::Transport> t;
      if (transport == 0) t = echat::im::Transport::Http;
      if (transport == 1) t = echat::im::Transport::Socket;
      id(c.request(Millis(now), module, method, form, t));
    });
  }
  std::string send(double now, std::string form) {
    return run(now, [&](Client& c) { id(c.send_message(Millis(now), form)); });
  }
  std::string conversations(double now) {
    return run(now, [&](Client& c) { result_ = c.conversations_json(); });
  }
  std::string markRead(double now, std::string way, std::string to_target) {
    return run(now, [&](Client& c) { id(c.mark_read(Millis(now), way, to_target)); });
  }
  std::string close(double now) { return run(now, [&](Client& c) { c.close(Millis(now)); }); }
  std::string wake(double now) { return run(now, [&](Client& c) { c.wake(Millis(now)); }); }
  std::string setOnline(double now, bool online) { return run(now, [&](Client& c) { c.set_online(Millis(now), online); }); }
  std::string httpResponse(double now, double hid, int status, std::string body) {
    return run(now, [&](Client& c) { c.on_http_response(Millis(now), static_cast<std::uint64_t>(hid), status, body); });
  }
  std::string httpError(double now, double hid, std::string message) {
    return run(now, [&](Client& c) { c.on_http_error(Millis(now), static_cast<std::uint64_t>(hid), message); });
  }
  std::string transportOpen(double now, unsigned tid) {
    return run(now, [&](Client& c) { c.on_transport_open(Millis(now), tid); });
  }
  std::string textFrame(double now, unsigned tid, std::string data) {
    return run(now, [&](Client& c) { c.on_frame(Millis(now), tid, {false, std::move(data)}); });
  }
  std::string binaryFrame(double now, unsigned tid, std::string bytes) {
    return run(now, [&](Client& c) { c.on_frame(Millis(now), tid, {true, std::move(bytes)}); });
  }
  std::string transportClose(double now, unsigned tid, int code, std::string reason) {
    return run(now, [&](Client& c) { c.on_transport_close(Millis(now), tid, code, std::move(reason)); });
  }
  std::string transportError(double now, unsigned tid, std::string message) {
    return run(now, [&](Client& c) { c.on_transport_error(Millis(now), tid, std::move(message)); });
  }
  std::string timer(double now) { return run(now, [&](Client& c) { c.on_timer(Millis(now)); }); }

  emscripten::val binary() const {
    const auto& a = writer_.arena();
    return emscripten::val(emscripten::typed_memory_view(a.size(), reinterpret_cast<const unsigned char*>(a.data())));
  }

 private:
  template <typename F>
  std::string run(double, F&& f) {
    result_ = "null";
    writer_.begin();
    if (!client_) {
      writer_.set_error(*error_);
      return writer_.finish(std::nullopt);
    }
    f(*client_);
    for (auto& out : client_->take_outputs()) writer_.add(out);
    writer_.set_result(result_);
    return writer_.finish(client_->next_deadline());
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

}  // namespace

EMSCRIPTEN_BINDINGS(echat_im) {
  emscripten::class_<ImClient>("_ImClient")
      .constructor<std::string>()
      .function("status", &ImClient::status)
      .function("storageKeys", &ImClient::storageKeys)
      .function("info", &ImClient::info)
      .function("load", &ImClient::load)
      .function("start", &ImClient::start)
      .function("request", &ImClient::request)
      .function("send", &ImClient::send)
      .function("conversations", &ImClient::conversations)
      .function("markRead", &ImClient::markRead)
      .function("close", &ImClient::close)
      .function("wake", &ImClient::wake)
      .function("setOnline", &ImClient::setOnline)
      .function("httpResponse", &ImClient::httpResponse)
      .function("httpError", &ImClient::httpError)
      .function("transportOpen", &ImClient::transportOpen)
      .function("textFrame", &ImClient::textFrame)
      .function("binaryFrame", &ImClient::binaryFrame)
      .function("transportClose", &ImClient::transportClose)
      .function("transportError", &ImClient::transportError)
      .function("timer", &ImClient::timer)
      .function("binary", &ImClient::binary);
}

#endif  // ECHAT_WITH_IM
