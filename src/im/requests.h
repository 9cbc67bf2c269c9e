// API calls: the catalogue of docs/protocol.md section 10, what may be repeated when its outcome is
// unknown, and the Call record the Client keeps for each request until its Response is out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/json_util.h"
#include "im/types.h"

namespace echat::im {

// True when module/method is in the catalogue (aliases included).
bool known_method(std::string_view module, std::string_view method);

// True when running the call twice has the effect of running it once, so it may be repeated after a
// failure whose outcome is unknown (connection lost, answer lost). message/send is idempotent only with
// a clientMsgId (docs/protocol.md 11.3), which the SDK always sets.
bool idempotent(std::string_view module, std::string_view method);

// The failure answers after which the server did not run the call, so repeating it is always safe.
inline bool not_executed(int code) {
  return code == code::kTokenExpired || code == code::kUnauthenticated || code == code::kRateLimited ||
         code == code::kUnavailable;
}

struct Call {
  enum class Kind : unsigned char { App, Outbox, Sync, ConversationList };  // the last two are internal
  enum class Phase : unsigned char { Queued, InFlight };

  std::uint64_t id = 0;
  Kind kind = Kind::App;
  std::string module;
  std::string method;
  json form;  // the request fields (an object), without the envelope
  // An outbox message sent by the host's lane (Client::send_fast): the form stays in the host, as the
  // handle of its wire text (the form without its opening '{', then ']': what follows the envelope the
  // core writes per attempt, `["topic.message",{"requestId":...,"jwt":...,`); `form` is then null.
  std::uint32_t ext = 0;
  std::size_t ext_size = 0;  // in host units (UTF-16)
  Transport transport = Transport::Http;
  std::string request_id;
  std::string client_msg_id;         // Outbox calls
  std::optional<Millis> deadline;    // total deadline (App calls); Outbox and Sync calls retry forever
  Phase phase = Phase::Queued;
  std::uint64_t wire = 0;            // the emit id (socket) or HttpRequest id of the attempt in flight
  std::optional<Millis> attempt_deadline;  // HTTP attempt in flight: give up waiting at this time
  std::size_t endpoint = 0;          // HTTP attempt in flight: the index in Config::hosts it went to
  Millis not_before = 0;             // a retry waits until then
  int auth_retries = 0;              // renewals done for this call (401 once, 419 twice)
  bool renew_first = false;          // an outbox call past those: renew the JWT when its wait is over
  int attempts = 0;
  std::string last_error;            // why the last attempt did not get through (shown when it fails)
};

}  // namespace echat::im
