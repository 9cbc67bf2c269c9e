#include "core/error.h"

namespace echat::core {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Caller: return "caller";
    case ErrorKind::Peer: return "peer";
    case ErrorKind::Transport: return "transport";
  }
  return "unknown";
}

}  // namespace echat::core
