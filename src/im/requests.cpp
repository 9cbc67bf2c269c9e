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

// docs/protocol.md section 10. Reads, and writes that converge (read marks, message/send with a
// clientMsgId), are idempotent; creations, deletions and toggles are not (a repeat answers 409/404 or
// does it twice).
constexpr std::array<Entry, 33> kCatalogue{{
    {"connection", "authority/request", true},
    {"auth", "login", true},
    {"user", "add", false},
    {"user", "update", true},
    {"user", "get", true},
    {"user", "list", true},
    {"user", "update_token", true},
    {"user", "refresh_token", false},
    {"friend", "add", false},
    {"friend", "del", false},
    {"friend", "list", true},
    {"friend", "update_alias", true},
    {"blacklist", "add", false},
    {"blacklist", "del", false},
    {"blacklist", "list", true},
    {"room", "add", false},
    {"room", "update", true},
    {"room", "del", false},
    {"room", "list", true},
    {"room", "list_member", true},
    {"room", "add_user", true},
    {"room", "del_user", false},
    {"message", "send", true},
    {"message", "sync", true},
    {"message", "history", true},
    {"message", "list", true},
    {"message", "recall", false},
    {"message", "read", true},
    {"conversation", "list", true},
    {"conversation", "read", true},
    {"conversation", "del", false},
    {"client", "list", true},
    {"file", "upload", false},
}};

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
