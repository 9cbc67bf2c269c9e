// The IM boundary: im::Client's outputs as one batch, in the format of src/host/batch.h
//   {"r": <result or null>, "x": <error or null>, "t": <next deadline or -1>, "o": [<outputs>]}
// with the transport outputs spelled exactly as there ({k:"open", tid, url}, {k:"send", tid, text},
// {k:"sendb", tid, off, len}, {k:"close", tid, code, reason}) and these IM outputs:
//   {k:"http", id, url, body}                POST body (JSON text) to url; answer httpResponse/httpError
//   {k:"store", key, value}                  storage: set key to value (JSON text); "" = remove
//   {k:"state", state, reason}               connecting | connected | reconnecting | disconnected
//   {k:"resp", id, code, msg, data, requestId, clientMsgId}   a call's outcome (data embedded as JSON)
//   {k:"msg", seq, mid, message, history}    a delivery (message embedded as JSON), or
//   {k:"msg", seq, mid, ref, history}        one whose object the host keeps under ref
//   {k:"drop", ref}                          the host may forget the object ref (im::Release)
//   {k:"sendstate", id, clientMsgId, state, reason}
//   {k:"convs", list}                        the conversation list, loaded (embedded as JSON)
//   {k:"ready"}                              logged in with the list loaded, once: init calls back
//   {k:"notify", type, data}                 topic.notify (data embedded as JSON)
//   {k:"sync", from, to, count}
//   {k:"kicked", reason}
//   {k:"conv", conv}                         a conversation changed (embedded as JSON); a last message the
//                                            host keeps is "lastMessage": null, "lastRef": ref and perhaps
//                                            "lastPatch": {fields that replace the object's}
//   {k:"error", code, message, fatal}
// The shared pieces (batch text, arena, transport commands) are BatchText (host/batch.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/timers.h"
#include "host/batch.h"
#include "im/types.h"

namespace echat::host {

class ImBatchWriter : public BatchText {
 public:
  void add(const im::Output& output);
};

// {"key": "value", ...} (what the shim read from storage) -> records for im::Client::load. Non-string
// values are skipped.
std::vector<std::pair<std::string, std::string>> records_from_json(std::string_view json);

}  // namespace echat::host
