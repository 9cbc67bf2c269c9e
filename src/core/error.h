// Errors as values. Nothing in src/ throws across a public function: every fallible call returns
// a Result<T> (or records a sticky Error in its state machine).
//
// Two kinds matter to a caller (after h11 and rustls):
//  - Caller:    the application misused the API (emit before connect with buffering off, a bad option,
//               a payload larger than the server accepts). Nothing on the wire changed.
//  - Peer:      the server broke the protocol (a malformed frame, a packet that is invalid in this state).
//  - Transport: the link failed (closed, errored, timed out) — not anybody's protocol fault.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace echat::core {

enum class ErrorKind : unsigned char { Caller, Peer, Transport };

struct Error {
  ErrorKind kind = ErrorKind::Caller;
  std::string code;     // stable, machine-readable: "eio.bad_open", "sio.bad_ack_id", "arg.invalid", ...
  std::string message;  // human-readable; names the frame or field at fault

  static Error caller(std::string code, std::string message) {
    return {ErrorKind::Caller, std::move(code), std::move(message)};
  }
  static Error peer(std::string code, std::string message) {
    return {ErrorKind::Peer, std::move(code), std::move(message)};
  }
  static Error transport(std::string code, std::string message) {
    return {ErrorKind::Transport, std::move(code), std::move(message)};
  }
};

const char* to_string(ErrorKind kind);

// A value or an Error. Deliberately tiny: no exceptions, no monadic helpers.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};  // Result<Ok> for operations that return nothing on success.

}  // namespace echat::core
