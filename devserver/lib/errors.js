'use strict';
// Result codes and the R envelope {code, msg, data} shared by the HTTP and socket transports.
// The numeric values follow HTTP status semantics so they read naturally in logs; the table is
// documented in docs/protocol.md ("Error codes") and the SDK maps each to a typed error.

const Code = Object.freeze({
  OK: 0,
  FAILED: -1, // generic failure, kept for E聊 compatibility; this server always sends a specific code
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_METHOD: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOKEN_EXPIRED: 419,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
});

/** An expected failure of a request: becomes R {code, msg, data} instead of a crash. */
class ApiError extends Error {
  constructor(code, msg, data = null) {
    super(msg);
    this.code = code;
    this.data = data;
  }
}

const ok = (data) => ({ code: Code.OK, msg: 'ok', data: data === undefined ? null : data });

function fromError(err) {
  if (err instanceof ApiError) return { code: err.code, msg: err.message, data: err.data };
  return { code: Code.INTERNAL, msg: 'internal error', data: null };
}

// Shorthands used by the handlers. `invalid` names the offending field both in msg and in data.
const invalid = (field, why) =>
  new ApiError(Code.INVALID_ARGUMENT, `invalid argument '${field}': ${why}`, { field });
const unauthenticated = (msg) => new ApiError(Code.UNAUTHENTICATED, msg);
const forbidden = (msg) => new ApiError(Code.FORBIDDEN, msg);
const notFound = (msg) => new ApiError(Code.NOT_FOUND, msg);
const conflict = (msg) => new ApiError(Code.CONFLICT, msg);
const tooLarge = (msg) => new ApiError(Code.PAYLOAD_TOO_LARGE, msg);

/** HTTP status used for a response carrying R with this code. */
function httpStatus(code) {
  if (code === Code.OK) return 200;
  if (code >= 400 && code <= 599) return code === Code.TOKEN_EXPIRED ? 401 : code;
  return 500;
}

module.exports = {
  Code, ApiError, ok, fromError, httpStatus, invalid, unauthenticated, forbidden, notFound, conflict, tooLarge,
};
