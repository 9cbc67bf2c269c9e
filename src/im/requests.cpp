#include "im/requests.h"

#include <array>
#include <utility>

namespace echat::im {

namespace {

using Entry = Method;  // (the generated table's name)

// The catalogue (docs/protocol.md section 10), generated from src/im/catalogue.json, the one list of
// calls that js-shim/apis.js reads too. Reads, and writes that converge (read marks, message/send with
// a clientMsgId), are idempotent; creations, deletions and toggles are not (a repeat answers 409/404 or
// does it twice).
#include "im/catalogue.inc"

}  // namespace

const Method* find_method(std::string_view module, std::string_view method) {
  for (const auto& e : kCatalogue) {
    if (e.module == module && e.method == method) return &e;
  }
  return nullptr;
}

}  // namespace echat::im
