// embind over im::Client: thin, no logic. Each function is one input of the sans-I/O core on the client
// `h` (from _ImClient_new) and returns one batch (src/host/im_batch.h) as bytes (bindings/boundary.h).
// The friendly API is js-shim/im.js and js-shim/apis.js.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings/boundary.h"
#include "host/batch.h"  // append_json_string
#include "host/im_batch.h"
#include "im/client.h"

namespace {

using echat::core::Millis;
using echat::im::Client;
using ImSession = echat::bindings::Session<Client, echat::host::ImBatchWriter>;

echat::bindings::Handles<ImSession> g_clients;  // bindings only: src/ has no globals

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

// {"keys": [...], "prefixes": [...], "synced": key}: the storage records load() wants (exact keys, and
// every key starting with a prefix), and the key of the synced position (echat_im_message's record).
emscripten::val im_storage_keys(int h, double) {
  return on(h, [](ImSession& s, Client& c) {
    s.result("{\"keys\":" + json_list(c.storage_keys()) + ",\"prefixes\":" + json_list(c.storage_prefixes()) +
             ",\"synced\":" + json_string(c.synced_key()) + "}");
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

extern "C" {

// The hot path of a delivery (no embind invoker, no string marshalling; the region: bindings/boundary.h):
// a text frame `42<id>["topic.message", {...}]` whose arguments the host keeps as `ext` (`size`
// characters, JSON.parse'd there). head[0..head_len) is the frame up to its '[', followed by the message
// object's way, formUser and toTarget (way_len, from_len, to_len bytes); seq, mid its positive integers,
// create_time its createTime (-1: none), flags bit 0 its `recalled`.
// Returns -1 when the core did not take it (pass the frame to _ImClient_textFrame), 3 when it did and
// the batch says what follows (_ImClient_last), 5 when it was handed over at once (im::Client::Handover),
// in the region, in the order the host performs it:
//   f[0] the deadline (-1 none); i[3] > 0: send head[i[2]..i[2] + i[3]) on transport i[1]; hand the
//   message over; i[0] & 1: its conversation changed (way and toTarget: the message's way, and its
//   formUser if i[0] & 2, else its toTarget), with unread f[2], readSeq f[3], lastSeq f[4], updateTime
//   f[5] and the message as its last; i[0] & 4: forget the object once handed over; store
//   head[0..i[2]) under the synced key (_ImClient_storageKeys: "synced"); then forget the objects i[5],
//   i[6] (i[4] of them). The texts are ASCII.
EMSCRIPTEN_KEEPALIVE int echat_im_message(int h, double now, int tid, int head_len, int ext, int size, double seq,
                                          double mid, double create_time, int flags, int way_len, int from_len,
                                          int to_len) {
  ImSession& s = g_clients.at(h);
  auto& region = echat::bindings::shared_region();
  if (!s.core() || head_len < 0 || way_len < 0 || from_len < 0 || to_len < 0 ||
      head_len + way_len + from_len + to_len > echat::bindings::kHead || ext <= 0 || size < 0) {
    return -1;
  }
  const char* p = region.head;
  const std::string_view head(p, static_cast<std::size_t>(head_len));
  echat::im::Message m;
  m.seq = static_cast<std::uint64_t>(seq);
  m.mid = static_cast<std::uint64_t>(mid);
  echat::im::MessageFacts& f = m.facts;
  f.way.assign(p + head_len, static_cast<std::size_t>(way_len));
  f.form_user.assign(p + head_len + way_len, static_cast<std::size_t>(from_len));
  f.to_target.assign(p + head_len + way_len + from_len, static_cast<std::size_t>(to_len));
  if (create_time >= 0) f.create_time = static_cast<std::uint64_t>(create_time);
  f.recalled = flags & 1;
  echat::socketio::ExternalArgs args;
  args.ext = static_cast<echat::engineio::ExternalRef>(ext);
  args.size = static_cast<std::size_t>(size);
  args.shape.root = echat::socketio::JsonKind::Array;
  args.shape.first = echat::socketio::JsonKind::String;
  static Client::Handover out;  // reused: its texts keep their capacity
  Client::Lane lane = Client::Lane::NotTaken;
  const int code = s.run_fast(
      [&](Client& c) {
        lane = c.deliver_fast(Millis(now), static_cast<unsigned>(tid), head, args, std::move(m), out);
      },
      [&](auto&, auto) {
        if (lane != Client::Lane::Handed) return -1;
        region.f[0] = out.deadline ? static_cast<double>(*out.deadline) : -1;
        std::int32_t bits = out.dropped ? 4 : 0;
        if (const echat::im::Conversation* c = out.conversation) {
          bits |= out.target_is_sender ? 3 : 1;
          region.f[2] = static_cast<double>(c->unread);
          region.f[3] = static_cast<double>(c->read_seq);
          region.f[4] = static_cast<double>(c->last_seq);
          region.f[5] = static_cast<double>(c->update_time);
        }
        region.i[0] = bits;
        region.i[1] = static_cast<std::int32_t>(out.transport);
        region.i[2] = static_cast<std::int32_t>(out.record.size());  // <= 56 bytes
        region.i[3] = static_cast<std::int32_t>(out.ack.size());     // <= 52 bytes
        region.i[4] = static_cast<std::int32_t>(out.n_released);
        region.i[5] = static_cast<std::int32_t>(out.released[0]);
        region.i[6] = static_cast<std::int32_t>(out.released[1]);
        std::copy(out.ack.begin(), out.ack.end(), std::copy(out.record.begin(), out.record.end(), region.head));
        return 5;
      });
  return lane == Client::Lane::NotTaken ? -1 : code;
}

}  // extern "C"

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
