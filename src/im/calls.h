// The calls the IM session keeps until each one's Response is out: app calls, outbox messages, sync
// pages, the conversation list. A small machine owned by the Client (issue 13), beside the Inbox and
// the Outbox: it holds the calls, knows each one's phase and deadlines, and answers the questions the
// Client's scheduling asks on every input without walking every call (a burst of 1,000 messages made
// each of those walks O(calls) per answer: docs/benchmarks.md).
//
// A call's life:
//
//   emplace_back / _front  ──▶ Queued ──sent(wire)──▶ InFlight ──requeue(not_before)──▶ Queued …
//                                 │                       │
//                                 └──── take / erase ◀────┘   (answered, refused, timed out, session end)
//
//   - Queued: waiting for a login, a free place in the send window, an HTTP slot, or the end of a
//     retry's wait (not_before > 0; wait_over() clears it).
//   - InFlight: one attempt is out under its wire id (the socket emit id or the HttpRequest id); an HTTP
//     attempt also has its attempt_deadline.
//
// Order: calls go in the order they were made (emplace_back), except the session's own calls that must
// go first after a login (the conversation list, a sync page: emplace_front). A call is named by its id,
// never by its place.
//
// The Client changes a call's phase, wire and deadlines only through these transitions; the other
// fields (attempts, last_error, auth_retries, the form of a sync page) are its own. The Debug build
// checks what is kept against a walk of every call (check(), from the Client's own_deadline()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/queue.h"
#include "core/timers.h"
#include "core/u64map.h"
#include "im/json_util.h"
#include "im/types.h"

namespace echat::im {

struct Call {
  enum class Kind : unsigned char { App, Outbox, Sync, ConversationList };  // the last two are internal
  enum class Phase : unsigned char { Queued, InFlight };

  std::uint64_t id = 0;
  Kind kind = Kind::App;
  // Static texts, never copies: the catalogue's names (find_method) or the session's own literals.
  std::string_view module;
  std::string_view method;
  std::optional<json> form;  // the request fields (an object), without the envelope (form_of)
  // An outbox message sent by the host's lane (Client::send_fast): the form stays in the host, as the
  // handle of its wire text (the form without its opening '{', then ']': what follows the envelope the
  // core writes per attempt, `["topic.message",{"requestId":...,"jwt":...,`); `form` is then empty.
  std::uint32_t ext = 0;
  std::size_t ext_size = 0;  // in host units (UTF-16)
  Transport transport = Transport::Http;
  // Its requestId is the session's prefix, '-', then this number (Client::request_id): made when
  // written, not kept as a string per call.
  std::uint64_t request_no = 0;
  std::string client_msg_id;         // Outbox calls (Client::cmid_of)
  std::uint64_t msg_no = 0;          // != 0: the core made its clientMsgId (client_msg_id is then empty)
  // The total deadline: an app call's requestTimeout, an outbox message's sendTimeout (none when 0);
  // sync pages and the conversation list have none (they are repeated until the session ends).
  std::optional<Millis> deadline;
  Phase phase = Phase::Queued;
  std::uint64_t wire = 0;            // the emit id (socket) or HttpRequest id of the attempt in flight
  std::optional<Millis> attempt_deadline;  // HTTP attempt in flight: give up waiting at this time
  std::size_t endpoint = 0;          // HTTP attempt in flight: the index in Config::hosts it went to
  Millis not_before = 0;             // a retry waits until then
  int auth_retries = 0;              // renewals done for this call (401 once, 419 twice)
  bool renew_first = false;          // an outbox call past those: renew the JWT when its wait is over
  int attempts = 0;
  std::string last_error;            // why the last attempt did not get through (shown when it fails)
};

class Calls {
 public:
  using List = std::list<Call>;  // stable references: a call stays where it is while others come and go

  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  // In call order. Finishing the call at `it` (take/erase) leaves every other iterator valid.
  List::iterator begin() { return list_.begin(); }
  List::iterator end() { return list_.end(); }
  List::const_iterator begin() const { return list_.begin(); }
  List::const_iterator end() const { return list_.end(); }
  Call& front() { return list_.front(); }

  // A new call (its id unique, its phase Queued, no wire): last in call order, or first. Made in place:
  // `fill` sets the new call's fields (no Call built apart and moved in: an outbox message per
  // message/send, where wasm is interpreted).
  template <class Fill>
  Call& emplace_back(Fill&& fill) { return emplace(list_.end(), fill); }
  template <class Fill>
  Call& emplace_front(Fill&& fill) { return emplace(list_.begin(), fill); }
  // The same with a call made apart (the tests').
  Call& push_back(Call&& c) { return emplace_back([&c](Call& at) { at = std::move(c); }); }
  Call& push_front(Call&& c) { return emplace_front([&c](Call& at) { at = std::move(c); }); }
  // The call, nullptr once finished.
  Call* find(std::uint64_t id);
  // The call whose attempt in flight went out under `wire` on `transport`.
  Call* find_wire(Transport transport, std::uint64_t wire);
  // Finished: out of the machine (take returns it; erase, the lane's common case, moves nothing).
  Call take(std::uint64_t id);
  void erase(std::uint64_t id);

  // ---- Transitions ----
  // Queued -> InFlight: the attempt went out under `wire` (an HTTP attempt with its attempt_deadline).
  void sent(Call& c, std::uint64_t wire, std::optional<Millis> attempt_deadline = std::nullopt);
  // -> Queued: the attempt is over without a Response; the call waits until `not_before` (0: none).
  void requeue(Call& c, Millis not_before);
  // A Queued call's retry wait is over.
  void wait_over(Call& c);

  // ---- What is kept as calls change ----
  std::size_t queued() const { return queued_; }              // calls Queued
  std::size_t queued_other() const { return queued_other_; }  // ... that are not outbox messages
  std::size_t outbox_out() const { return outbox_out_; }      // outbox messages InFlight
  std::size_t http_out() const { return http_out_; }          // HTTP attempts InFlight
  // The earliest of every call's deadline, attempt_deadline and (while Queued) not_before > 0; kNever
  // when none.
  Millis earliest() const {
    return deadlines_.empty() ? core::kNever : static_cast<Millis>(deadlines_.front() ^ kSignBit);
  }

#ifdef NDEBUG
  void check() const {}
#else
  void check() const;  // what is kept, against a walk (asserts)
#endif

 private:
  // A call's deadline counts from push to take; the rest from phase_in to phase_out: its attempt_deadline
  // and wire (InFlight), its not_before > 0 (Queued), and the counts. The transitions change only these,
  // so a call's deadline is not moved in deadlines_ when it is sent or requeued.
  template <class Fill>
  Call& emplace(List::iterator at, Fill& fill) {  // emplace_back's and emplace_front's (list_.end() or begin())
    at = list_.emplace(at);
    fill(*at);
    return admit(at);
  }
  Call& admit(List::iterator at);  // the call just made at `at` into what is kept
  void phase_in(const Call& c);
  void phase_out(const Call& c);
  void add(Millis d);
  void drop(Millis d);
  static std::uint64_t wire_key(Transport t, std::uint64_t wire) { return wire * 2 + (t == Transport::Http ? 1 : 0); }
  // deadlines_'s key of a time: the sign bit flipped, so that keys sort as the times do.
  static constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
  static std::uint64_t deadline_key(Millis d) { return static_cast<std::uint64_t>(d) ^ kSignBit; }
  // by_id_'s value: the bytes of the call's list iterator (a node pointer).
  static_assert(std::is_trivially_copyable_v<List::iterator> && sizeof(List::iterator) <= sizeof(std::uint64_t));
  static std::uint64_t pack(List::iterator it) {
    std::uint64_t v = 0;
    std::memcpy(&v, &it, sizeof it);
    return v;
  }
  static List::iterator unpack(std::uint64_t v) {
    List::iterator it;
    std::memcpy(static_cast<void*>(&it), &v, sizeof it);  // trivially copyable (asserted above)
    return it;
  }

  List list_;
  core::U64Map by_id_;    // id -> pack(the call's place in list_)
  core::U64Map by_wire_;  // wire_key -> id, calls InFlight
  // The deadline_keys of every call's times, sorted (a multiset; the inbox's type): the earliest is taken
  // from the front in O(1), a later time (the common case: a new call's) is added at the back in O(1).
  core::Queue<std::uint64_t> deadlines_;
  std::size_t queued_ = 0;
  std::size_t queued_other_ = 0;
  std::size_t outbox_out_ = 0;
  std::size_t http_out_ = 0;
};

}  // namespace echat::im
