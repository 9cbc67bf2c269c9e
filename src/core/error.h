// Errors as values. Nothing in src/ throws across a public function: every fallible call returns
// a Result<T> (or records a sticky Error in its state machine).
//
// Two kinds matter to a caller (after h11 and rustls):
//  - Caller:    the application misused the API (emit before connect with buffering off, a bad option,
//               a payload larger than the server accepts). Nothing on the wire changed.
//  - Peer:      the server broke the protocol (a malformed frame, a packet that is invalid in this state).
//  - Transport: the link failed (closed, errored, timed out) — not anybody's protocol fault.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace echat::core {

enum class ErrorKind : unsigned char { Caller, Peer, Transport };

struct Error {
  ErrorKind kind = ErrorKind::Caller;
  std::string code;     // stable, machine-readable: "eio.bad_open", "sio.bad_ack_id", "arg.invalid", ...
  std::string message;  // human-readable; names the frame or field at fault

  // Out of line (error.cpp), the code a string_view: a call site passes a literal's address and length
  // instead of building a std::string of it (53 call sites).
  static Error caller(std::string_view code, std::string message);
  static Error peer(std::string_view code, std::string message);
  static Error transport(std::string_view code, std::string message);
  // A literal message, likewise built inside.
  static Error caller(std::string_view code, const char* message);
  static Error peer(std::string_view code, const char* message);
  static Error transport(std::string_view code, const char* message);
};

const char* to_string(ErrorKind kind);

// A value or an Error. Deliberately tiny: no exceptions, no monadic helpers. The value is always
// there (default-constructed beside an error) and the error is on the heap when there is one: no
// std::variant, whose visitation tables were instantiated for every T (issue 10, goal 4), and errors
// are the rare path.
// The heap copy of a Result's error, out of line: one copy of the allocation and move for every T.
std::unique_ptr<Error> box(Error error);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                                // NOLINT(google-explicit-constructor)
  Result(Error error) : error_(box(std::move(error))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  T& value() { return value_; }
  const T& value() const { return value_; }
  const Error& error() const { return *error_; }
  Error& error() { return *error_; }

 private:
  T value_{};
  std::unique_ptr<Error> error_;
};

struct Ok {};  // Result<Ok> for operations that return nothing on success.

}  // namespace echat::core
