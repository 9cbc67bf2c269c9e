#include "im/requests.h"

#include <array>
#include <utility>

namespace echat::im {

namespace {

struct Entry {
  std::string_view module;
  std::string_view method;
  bool idempotent;
};

// The catalogue (docs/protocol.md section 10), generated from src/im/catalogue.json, the one list of
// calls that js-shim/apis.js reads too. Reads, and writes that converge (read marks, message/send with
// a clientMsgId), are idempotent; creations, deletions and toggles are not (a repeat answers 409/404 or
// does it twice).
#include "im/catalogue.inc"

const Entry* find(std::string_view module, std::string_view method) {
  for (const auto& e : kCatalogue) {
    if (e.module == module && e.method == method) return &e;
  }
  return nullptr;
}

}  // namespace

bool known_method(std::string_view module, std::string_view method) { return find(module, method) != nullptr; }

bool idempotent(std::string_view module, std::string_view method) {
  const Entry* e = find(module, method);
  return e && e->idempotent;
}

}  // namespace echat::im
