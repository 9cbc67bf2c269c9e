// API calls: the catalogue of docs/protocol.md section 10 and what may be repeated when its outcome is
// unknown. (The record the Client keeps per call: im/calls.h.)
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

}  // namespace echat::im
