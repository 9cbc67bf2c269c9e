// What the im::Client's source files share (client*.cpp; client.cpp has the file map) and nothing
// else uses: the session's delays (docs/im-design.md "Repeats") and a helper.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "im/types.h"

namespace echat::im::detail {

constexpr Millis kReloginDelay = 2000;      // a login that failed (not refused) is asked again after this
constexpr Millis kRateLimitDelay = 1000;    // a 429's repeat
constexpr Millis kUnavailableDelay = 2000;  // a 503's, a 500's (internal calls), an unreachable server's
constexpr Millis kHttpRetryDelay = 1000;    // an idempotent HTTP app call whose connection was refused

// A transport error as a person would say it: `eio: WebSocket error: text "-102:net::ERR_CONNECTION_REFUSED"
// (32 bytes)` -> "connection refused"; wx's "request:fail ..." -> what follows.
std::string plain_reason(std::string_view raw);

// A caller's call refused with a 400 naming the field (invalid_argument), as the call's result: one
// out-of-line site for the many literal refusals of the forms (each would build the strings, the
// Error and the Result inline).
core::Result<std::uint64_t> refuse(const char* field, const char* why);

}  // namespace echat::im::detail
