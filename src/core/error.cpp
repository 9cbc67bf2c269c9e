#include "core/error.h"

namespace echat::core {

Error Error::caller(std::string_view code, std::string message) {
  return {ErrorKind::Caller, std::string(code), std::move(message)};
}
Error Error::peer(std::string_view code, std::string message) {
  return {ErrorKind::Peer, std::string(code), std::move(message)};
}
Error Error::transport(std::string_view code, std::string message) {
  return {ErrorKind::Transport, std::string(code), std::move(message)};
}

Error Error::caller(std::string_view code, const char* message) { return caller(code, std::string(message)); }
Error Error::peer(std::string_view code, const char* message) { return peer(code, std::string(message)); }
Error Error::transport(std::string_view code, const char* message) { return transport(code, std::string(message)); }

std::unique_ptr<Error> box(Error error) { return std::make_unique<Error>(std::move(error)); }

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Caller: return "caller";
    case ErrorKind::Peer: return "peer";
    case ErrorKind::Transport: return "transport";
  }
  return "unknown";
}

}  // namespace echat::core
