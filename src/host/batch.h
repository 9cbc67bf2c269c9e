// The host boundary: what crosses between the core and the JavaScript shim, as data.
//
// Every call from the shim into the core returns ONE batch (design: "one call in, one batch out"), a
// JSON text the shim reads with a single JSON.parse:
//
//   {"r": <result or null>, "x": <error or null>, "t": <next deadline in host ms, or -1>, "o": [<outputs>]}
//
// Outputs are objects; "k" names the kind, the other members are named here and nowhere else (the
// shim reads them by name; tests/native/host/batch_test.cpp checks every kind's members):
//   {k:"open", tid, url}                     open a WebSocket; later inputs quote `tid`
//   {k:"send", tid, text}                    send a text frame
//   {k:"sendx", tid, text, ref}              send text + the host-kept payload `ref` as one text frame
//   {k:"sendb", tid, off, len}               send a binary frame: bytes [off, off+len) of the arena
//   {k:"close", tid, code, reason}           close the WebSocket
//   {k:"poll", tid, req, post, url, texts, refs}  a long-polling HTTP request (GET, or POST of each
//                                            texts[i] followed by the host-kept payload refs[i] when not 0)
//   {k:"m.open", sid, polling} {k:"m.close", reason} {k:"m.error", err} {k:"m.attempt", n}
//   {k:"m.reconnect", n} {k:"m.rerror", err} {k:"m.failed"} {k:"m.upgrade"}   the manager's events
//   {k:"s.connect", nsp, sid, pid|null}
//   {k:"s.cerror", nsp, data|null, message, active}
//   {k:"s.disconnect", nsp, reason}
//   {k:"s.event", nsp, args|null, ackId|-1, bin:[off, len, ...], ref}
//   {k:"s.ack", nsp, emitId, ok, args|null, error|null, bin:[off, len, ...], ref}
//   the IM area's (src/host/im_batch.h): {k:"http", id, url, body} {k:"store", key, value}
//   {k:"state", state, reason} {k:"resp", id, code, msg, data, requestId, clientMsgId}
//   {k:"msg", seq, mid, message, history} {k:"sendstate", id, clientMsgId, state, reason}
//   {k:"convs", list} {k:"ready"} {k:"notify", type, data} {k:"sync", from, to, count} {k:"kicked", reason}
//   {k:"conv", conv} {k:"error", code, message, fatal}
// `ref` != 0: the arguments are the host-kept payload the host passed in with that handle (args null).
// `err` is {"kind": "caller"|"peer"|"transport", "code": "...", "message": "..."}.
// Payload JSON that the core already validated (`args`, `data`, `message`, `list`, `conv`) is embedded
// as is, not re-serialised, so the shim gets parsed arguments out of the same single JSON.parse. Binary
// payloads are appended to one byte arena per batch, which the shim reads once (a view of wasm memory)
// and copies out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/timers.h"
#include "socketio/manager.h"

namespace echat::host {

// The batch text and its arena, and the pieces every area's outputs are written with. One instance per
// binding; begin() starts a batch, finish() returns it.
class BatchText {
 public:
  // Starts a new batch (and a new arena).
  void begin();
  // The call's result as raw JSON ("12"), and its error; both null unless set.
  void set_result(std::string_view json) { result_.assign(json.data(), json.size()); }
  void set_error(const core::Error& error);
  // Finishes the batch with the next deadline and returns its text.
  const std::string& finish(std::optional<core::Millis> deadline);

  // The arena of the last finished batch (binary frames and attachments).
  const std::string& arena() const { return arena_; }

 protected:
  void open_output(std::string_view kind);  // `{"k":kind`; the caller closes with close_output()
  void close_output() { text_ += '}'; }
  void key(const char* name);                // `,"name":`; the member's value follows
  void str(const char* name, std::string_view s);
  void raw(const char* name, std::string_view json);  // embedded as is; "" -> null
  void num(const char* name, long long n);
  void boolean(const char* name, bool b) {
    key(name);
    text_ += b ? "true" : "false";
  }
  void error(const char* name, const core::Error& e);
  // [off, len, ...] of parts appended to the arena
  void ranges(const char* name, const std::vector<std::string>& parts);
  // The transport commands, spelled the same in every area: open, send, sendb, close.
  void transport(const engineio::OpenTransport& o);
  void transport(const engineio::SendFrame& o);
  void transport(const engineio::CloseTransport& o);
  void transport(const engineio::HttpRequest& o);

  std::string text_;

 private:
  std::string result_ = "null";
  std::string error_ = "null";
  std::string arena_;
  bool first_output_ = true;
};

// The socket.io area's outputs (bindings/socketio_bindings.cpp).
class BatchWriter : public BatchText {
 public:
  void add(const socketio::Output& output);
};

// Appends `s` to `out` as a JSON string literal (quotes included): core::append_json_string.
void append_json_string(std::string& out, std::string_view s);

// Splits a blob of length-prefixed parts (4-byte little-endian length, then the bytes) — how the shim
// passes binary attachments in one crossing. Caller error naming the part when the blob is truncated.
core::Result<std::vector<std::string>> split_blob(std::string_view blob);

// ManagerOptions from the JSON object the shim builds out of io(url, options). Unknown keys are
// ignored; a wrongly typed key is a Caller error naming it ("reconnectionDelay: must be a number").
core::Result<socketio::ManagerOptions> manager_options_from_json(std::string_view json);

}  // namespace echat::host
