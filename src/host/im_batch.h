// The IM boundary: im::Client's outputs as one batch, in the format of src/host/batch.h
//   {"r": <result or null>, "x": <error or null>, "t": <next deadline or -1>, "o": [<outputs>]}
// with the transport outputs spelled exactly as there (["open", tid, url], ["send", tid, text],
// ["sendb", tid, off, len], ["close", tid, code, reason]) and these IM outputs:
//   ["http", id, url, body]                          POST body (JSON text) to url; answer httpResponse/httpError
//   ["store", key, value]                            storage: set key to value (JSON text); "" = remove
//   ["state", state, reason]                         connecting | connected | reconnecting | disconnected
//   ["resp", id, code, msg, data, requestId, clientMsgId]   a call's outcome (data embedded as JSON)
//   ["msg", seq, mid, message]                       a delivery (message embedded as JSON)
//   ["notify", type, payload]                        topic.notify (payload embedded as JSON)
//   ["sync", from, to, count]
//   ["kicked", reason]
//   ["conv", conversation]                           a conversation changed (embedded as JSON)
//   ["error", code, message, fatal]
// Kept apart from batch.{h,cpp} (the socket.io boundary) so the two areas evolve independently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/timers.h"
#include "im/types.h"

namespace echat::host {

class ImBatchWriter {
 public:
  void begin();
  void set_result(std::string_view json) { result_.assign(json.data(), json.size()); }
  void set_error(const core::Error& error);
  void add(const im::Output& output);
  const std::string& finish(std::optional<core::Millis> deadline);
  const std::string& arena() const { return arena_; }

 private:
  void open_output(std::string_view kind);
  void str(std::string_view s);
  void num(double n);
  void raw(std::string_view json);

  std::string text_;
  std::string result_ = "null";
  std::string error_ = "null";
  std::string arena_;
  bool first_ = true;
};

// {"key": "value", ...} (what the shim read from storage) -> records for im::Client::load. Non-string
// values are skipped.
std::vector<std::pair<std::string, std::string>> records_from_json(std::string_view json);

}  // namespace echat::host
