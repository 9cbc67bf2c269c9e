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

// A call of the catalogue. `idempotent`: running the call twice has the effect of running it once, so
// it may be repeated after a failure whose outcome is unknown (connection lost, answer lost).
// message/send is idempotent only with a clientMsgId (docs/protocol.md 11.3), which the SDK always sets.
struct Method {
  std::string_view module;  // static texts: a call keeps these, not copies (Call::module, Call::method)
  std::string_view method;
  bool idempotent;
};

// module/method's entry in the catalogue (aliases included); nullptr when it is not there.
const Method* find_method(std::string_view module, std::string_view method);

inline bool known_method(std::string_view module, std::string_view method) { return find_method(module, method) != nullptr; }

inline bool idempotent(std::string_view module, std::string_view method) {
  const Method* m = find_method(module, method);
  return m && m->idempotent;
}

// The failure answers after which the server did not run the call, so repeating it is always safe.
inline bool not_executed(int code) {
  return code == code::kTokenExpired || code == code::kUnauthenticated || code == code::kRateLimited ||
         code == code::kUnavailable;
}

}  // namespace echat::im
