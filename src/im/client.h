// The E聊 IM session: a sans-I/O state machine over a socketio::Manager (which it owns).
//
// The host
//   - builds a Config (config_from_json), restores the records named by storage_keys() with load(), and
//     calls start(now);
//   - performs the outputs of take_outputs() in order: the socket transport commands (exactly as for
//     socketio::Manager, answering with on_transport_*), HttpRequest (POST, answered with
//     on_http_response / on_http_error), StorageSet (synchronously, before the next output), and hands
//     the rest to the application;
//   - arms one timer at next_deadline() and calls on_timer(now).
//
// What the Client does (docs/protocol.md; rules in docs/im-design.md):
//   - on every connect of "/": logs in (topic.connection, authority/request); keeps the JWT; a 401 to
//     the login is fatal (ErrorEvent fatal, state Disconnected, every call fails with -1003);
//   - API calls (request()): queued until logged in, sent over the socket (topic.<module> + ack) or
//     HTTP per the transport, one total timeout each; 419/401 renew the JWT and repeat; 429/503 repeat
//     after a delay; a connection lost with the call out repeats it only if it is idempotent;
//   - the inbox: every topic.message is offered to the Inbox; messages leave as Message outputs in seq
//     order, exactly once, followed by the StorageSet that records the new position; each delivery is acked
//     (socket.io ack of topic.message, {seq}); after every login and on every gap, message/sync pages
//     from the persisted position; each finished sync run gives a Sync output;
//   - the outbox: send_message() fills formUser and clientMsgId, persists the message, and sends the
//     messages in send order, up to sendWindow on the socket at once (one at a time over HTTP and for a
//     while after a 429/503; docs/im-design.md "Pipelining"), repeating each with the same clientMsgId
//     until the server stores it (or refuses it for good);
//   - topic.notify → Notify; session.kicked → Kicked, no reconnect.
//
// Errors: application misuse returns a core::Error whose `code` is the numeric SDK/server code as text
// ("400", "405", "-1004", "-1005") and whose message names the field; nothing changes. Failures of a call
// arrive later as its Response (code != 0). Peer misbehaviour is an ErrorEvent (non-fatal).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/random.h"
#include "core/timers.h"
#include "core/u64map.h"
#include "im/calls.h"
#include "im/conversations.h"
#include "im/history.h"
#include "im/inbox.h"
#include "im/lifecycle.h"
#include "im/login.h"
#include "im/outbox.h"
#include "im/requests.h"
#include "im/sync.h"
#include "im/types.h"
#include "socketio/manager.h"

namespace echat::im {

class Client {
 public:
  explicit Client(Config config);

  const Config& config() const { return config_; }
  // The session's random prefix of its requestIds and clientMsgIds (request_id, lane_cmid).
  const std::string& id_prefix() const { return prefix_; }

  // ---- Storage ----
  // The records this client reads at load() and writes with StorageSet (per user and app key).
  const std::string& synced_key() const { return synced_key_; }  // written after every message handed over
  const std::string& outbox_key() const { return outbox_key_; }  // a marker while messages wait (earlier versions: the whole list)
  std::string outbox_prefix() const;  // one record per waiting message: prefix + clientMsgId
  std::string outbox_marker() const;  // the value of outbox_key() while messages wait
  std::vector<std::string> storage_keys() const { return {synced_key(), outbox_key()}; }
  // The form fields the core sets itself: the envelope (erased from an app's form and written per
  // attempt) and `secret` (an administrative call's, taken from the config). A send lane form has none.
  static constexpr const char* kEnvelopeFields[] = {"requestId", "timestamp", "method", "jwt"};
  static constexpr const char* kSetByCore[] = {"requestId", "timestamp", "method", "jwt", "secret"};
  // The outbox's bounds (docs/api.md "Outbox"): WeChat keeps at most 10 MB of storage per app and user,
  // 1 MB per key. One record per message: at most 5 MB (half of it, the rest is the app's) and 20,000
  // messages; the single-record layout: that record under 1 MB (900,000 bytes).
  static constexpr std::size_t kOutboxMaxEntries = 20000;
  static constexpr std::size_t kOutboxMaxBytes = 5 * 1024 * 1024;
  static constexpr std::size_t kOutboxMaxBytesOneRecord = 900000;
  // load() also wants every record whose key starts with one of these.
  std::vector<std::string> storage_prefixes() const { return {outbox_prefix()}; }
  // Restores persisted records (key, value); unknown keys and damaged values are ignored. Call before
  // start(); restored outbox messages are sent once logged in, their Responses carry new ids.
  void load(Millis now, const std::vector<std::pair<std::string, std::string>>& records);

  // ---- Application calls ----
  void start(Millis now);
  // An API call; `form_json` is a JSON object of the request fields ("" = {}). Returns the call id its
  // Response will quote. message/send goes through send_message().
  core::Result<std::uint64_t> request(Millis now, std::string_view module, std::string_view method,
                                      std::string_view form_json, std::optional<Transport> transport = std::nullopt);
  // message/send through the outbox: fills formUser and clientMsgId (kept if the form has one).
  core::Result<std::uint64_t> send_message(Millis now, std::string_view form_json);
  // Conversations, most recent first (JSON array of docs/protocol.md 9.6 objects): seeded by
  // conversation/list after each login, updated by every message handed over.
  std::string conversations_json() const { return conversations_.to_json(); }
  // Marks a conversation read locally and calls conversation/read; returns that call's id.
  core::Result<std::uint64_t> mark_read(Millis now, const std::string& way, const std::string& to_target);
  // Ends the session: no reconnect; pending calls fail with -1004 (the outbox stays persisted).
  void close(Millis now);
  // The app came to the foreground / the network changed. After the reconnection attempts ran out
  // (state Disconnected, "reconnect failed"), either starts connecting again.
  void wake(Millis now);
  void set_online(Millis now, bool online);

  // ---- Host inputs ----
  void on_http_response(Millis now, std::uint64_t id, int status, std::string_view body);
  void on_http_error(Millis now, std::uint64_t id, std::string_view message);
  void on_transport_open(Millis now, std::uint32_t t) { manager_.on_transport_open(now, t); settle(now); }
  void on_frame(Millis now, std::uint32_t t, engineio::Frame frame) { manager_.on_frame(now, t, std::move(frame)); settle(now); }
  void on_transport_close(Millis now, std::uint32_t t, int code, std::string reason) {
    manager_.on_transport_close(now, t, code, std::move(reason));
    settle(now);
  }
  void on_transport_error(Millis now, std::uint32_t t, std::string message) {
    manager_.on_transport_error(now, t, std::move(message));
    settle(now);
  }
  // A received text frame whose arguments the host keeps (the wasm hot path: bindings/im_lane.cpp):
  // `head` is the frame up to its arguments, `payload` what the host's JSON.parse found, `m` the seq,
  // mid and facts the host read from the message object in ["topic.message", {...}] (json, ref unset). Returns false, having
  // changed nothing, unless the Manager's fast lane takes the event (socketio::Manager::on_event_fast);
  // the host then passes the whole frame to on_frame. Taken, the message is offered to the inbox as
  // the general path does; outputs name it by `payload.ext` (Message::ref, Release).
  bool on_message_external(Millis now, std::uint32_t transport, std::string_view head,
                           const socketio::ExternalArgs& payload, Message m);
  // The same input, its header read by the host (`head_size` bytes: "42", then the ack id in decimal if
  // any: socketio::Manager::event_ack_fast) and its facts the caller's (copied only if the general path
  // takes it); its common case decided at once (the wasm hot path; delivery_lane.cpp): a
  // delivery that is the next in seq order, with nothing buffered, no call queued, nothing due and no
  // output waiting, is handed over without outputs: `out` says what the general path would have output,
  // in its order:
  //   Message{seq, mid, ref}; ConversationChanged of *conversation (if one changed); Release{ref} if
  //   `dropped` (no conversation holds the message); StorageSet{synced_key(), record(seq, boot)}; when
  //   `ack`, the frame "43<ack_id>" + ack_args(seq) on `transport`; Release{released} (0: none).
  // The texts are left to the caller to write from `seq`, `boot` and the ack id (on iOS the engine's
  // own number-to-text is native, the core's interpreted): put_record and put_ack_args say them, as the
  // general path writes them; the ack's head is "43" and the id's digits, as the delivery's head had
  // them after "42". `conversation` stays valid until the next call. Returns Handed; anything else is
  // left to on_message_external (Batch: taken, read take_outputs(); NotTaken: pass the frame to on_frame).
  static constexpr std::size_t kRecordMax = 56;   // {"seq":<20 digits>,"boot":<20 digits>}
  static constexpr std::size_t kAckArgsMax = 30;  // [{"seq":<20 digits>}]
  // Boots above this take the general path (a double holds every integer up to it: the caller's text
  // of `boot` is then the core's).
  static constexpr std::uint64_t kBootMax = 9007199254740991ull;
  struct Handover {
    std::uint64_t seq = 0;
    std::uint64_t mid = 0;
    std::uint64_t boot = 0;
    std::uint32_t ref = 0;
    const Conversation* conversation = nullptr;
    bool target_is_sender = false;  // conversation->to_target is the message's formUser (else its toTarget)
    bool dropped = false;
    std::uint32_t transport = 0;
    bool ack = false;  // send the ack of the delivery's ack id now
    std::uint32_t released = 0;  // Conversations::on_message releases at most one
    std::optional<Millis> deadline;  // never later than next_deadline() (perhaps earlier, as the Manager's lanes)
  };
  enum class Lane : unsigned char { NotTaken, Batch, Handed, Refused };  // Refused: send_fast only
  struct Delivery {
    std::size_t head_size = 2;
    std::optional<std::uint64_t> ack_id;
    std::uint64_t seq = 0;
    std::uint64_t mid = 0;
    const MessageFacts* facts = nullptr;
    std::uint64_t texts = 0;  // changes whenever facts' way, formUser or toTarget may have (0: unknown;
                              // Conversations::on_message)
  };
  Lane deliver_fast(Millis now, std::uint32_t transport, const Delivery& d, const socketio::ExternalArgs& payload,
                    Handover& out);

  // message/send with the form kept by the host (the wasm hot path: send_lane.cpp, bindings/im_send_lane.cpp).
  // The host read the facts the core decides on from the form (plain strings; anything else, and a form
  // carrying one of kSetByCore, goes to send_message()), and keeps its
  // JSON.stringify text `t` (`size` host units) under `ext`. Taken, the message is in the outbox as
  // send_message() would have put it, and `out` says what the host does with `t`, in this order:
  //   form text F = t without its closing '}', then lane_fields(), then '}' (formUser and clientMsgId
  //   where t lacks them); store `{"n":<n>,"c":"<clientMsgId>","f":` + F + '}' under outbox_prefix() +
  //   the clientMsgId (lane_cmid()), and the outbox marker under outbox_key() when `marker`; keep F
  //   without its opening '{', then ']', under `ext` (the wire text: the envelope precedes it on every
  //   attempt) until Release{ext}; when `sent`, send lane_frame_head() + that wire text on `transport`;
  //   then SendState queued (and sending when `sent`), as the general path outputs them.
  // The core decides every number and which texts; the host writes them (on iOS the engine's
  // number-to-text and concatenation are native, the core's interpreted): lane_fields, lane_cmid and
  // lane_frame_head say the texts as the host writes them, which are the general path's bytes (tests).
  // Batch: the same, then the outputs of take_outputs() (a dispatch the general path made). NotTaken:
  // nothing changed: call send_message() with the text (it decides, and names what is wrong). Refused:
  // nothing changed, and send_message() would refuse the text for good: `out.error` is its 400 (a
  // message over the server's maxPayload, refused without the host copying its text into wasm).
  struct SendFacts {
    std::string_view to_target;
    std::string_view way;
    std::optional<std::string_view> form_user;
    std::optional<std::string_view> client_msg_id;
    std::size_t size = 0;
    std::uint32_t ext = 0;
    std::size_t room = 0;  // bytes the host has for the answer's texts: what would not fit is not taken
  };
  // A message the lane sent: the host writes its frame's text before the wire text (lane_frame_head):
  // `42<wire_id>["topic.message",{"requestId":"<prefix>-<request_no>","timestamp":<ts>,"method":"send","jwt":`,
  // then the JWT's JSON text and ',' (Login::jwt_json). The core gives that text (a few hundred bytes)
  // only for the first lane frame of each JWT, in `jwt`, for the host to keep; empty: the host's is current.
  // Every number is at most kBootMax (a double holds it exactly).
  struct Sent {
    std::uint64_t wire_id = 0;
    std::uint64_t request_no = 0;
    std::uint64_t ts = 0;
    std::string_view jwt;
  };
  // They say something only when the lane is taken.
  struct Accepted {
    std::uint64_t id = 0;
    std::uint64_t n = 0;       // the outbox record's order
    std::uint64_t msg_no = 0;  // != 0: the core made the clientMsgId, <prefix>-<boot>-m-<msg_no>; 0: the host's
    std::uint64_t boot = 0;
    bool from = false;         // F gets `,"formUser":"<the session's user>"`
    std::string_view client_msg_id;  // the host's clientMsgId when msg_no is 0 (valid until the next call into the core)
    bool marker = false;
    bool sent = false;
    std::uint32_t transport = 0;
    Sent wire;  // when sent
    std::optional<Millis> deadline;  // when Handed: never later than next_deadline()
    std::string error;               // when Refused: the message of a 400 naming the field (ASCII)
  };
  Lane send_fast(Millis now, const SendFacts& facts, Accepted& out);
  // A call's answer `43<id>[...]` whose arguments the host keeps and read: R (args[0].response, or
  // args[0] if it has no `response`) is an object whose `code` is 0. Taken when that ack answers an app
  // call or an outbox message on the socket: the call is finished as the general path would, and `out`
  // says, in order: when `outbox`, remove the record outbox_prefix() + client_msg_id (and the marker
  // when `marker`), SendState sent; Response{id, 0, R.msg or "ok", R.data or null, request_id,
  // client_msg_id}; forget `released` (0: none); the next message (next_id). `room`: as SendFacts::room.
  // Batch: the same, then take_outputs() (other calls could go). NotTaken: nothing changed; pass the
  // frame to on_frame. The requestId is request_id(request_no), the host's to write.
  struct Answered {
    std::uint64_t id = 0;
    bool outbox = false;
    bool marker = false;
    std::uint64_t request_no = 0;
    // Its clientMsgId and the next message's: lane_cmid(boot, msg_no, client_msg_id) (the text is empty
    // when the core made the id: msg_no != 0).
    std::uint64_t boot = 0;
    std::uint64_t msg_no = 0;
    std::string client_msg_id;
    std::uint32_t released = 0;
    // The message the freed window place let go (next_id != 0): send `wire`'s text + the wire text kept
    // under next_ext on `transport` (before the events above), then SendState sending of it.
    std::uint64_t next_id = 0;
    std::uint64_t next_msg_no = 0;
    std::string_view next_client_msg_id;  // the next call's own (read before any other call into the core)
    std::uint32_t next_ext = 0;
    std::uint32_t transport = 0;
    Sent wire;
    std::optional<Millis> deadline;
  };
  // The frame's head, up to its '[', is `head_size` bytes: "43" and the ack id's digits, which the host
  // read as `ack_id` (taken only when ack_id has head_size - 2 digits, Manager::ack_in_fast: a head with
  // anything else, or leading zeros, is the general path's).
  Lane answer_fast(Millis now, std::uint32_t transport, std::size_t head_size, std::uint64_t ack_id,
                   const socketio::ExternalArgs& payload, std::size_t room, Answered& out);
  void on_timer(Millis now);
  std::optional<Millis> next_deadline() const;
  std::vector<Output> take_outputs();

  // ---- Introspection ----
  State state() const { return life_.state(); }
  bool logged_in() const { return login_.in(); }
  const std::string& jwt() const { return login_.jwt(); }
  std::uint64_t synced_seq() const { return inbox_.synced(); }
  std::size_t outbox_size() const { return outbox_.size(); }
  std::string outbox_cmid(std::size_t i) const { return cmid_of(outbox_.entries()[i]); }  // the i-th waiting one's
  std::size_t pending_calls() const { return calls_.size(); }
  const socketio::Manager& manager() const { return manager_; }
  std::string http_base() const;   // "http://host:httpPort" of the server HTTP calls go to now
  // Several servers (Config::hosts): the index of the server the next socket connection attempt goes
  // to, and the one HTTP calls go to. A failed connection attempt (refused, failed handshake) or a
  // ping timeout moves the socket to the next server (the Manager's backoff and jitter still apply
  // between attempts); a connection that works keeps it there, and HTTP calls follow it. An HTTP call
  // that cannot reach its server (a transport error, never an error code) moves HTTP to the next one.
  std::size_t socket_endpoint() const { return socket_host_; }
  std::size_t http_endpoint() const { return http_host_; }
  std::string upload_url() const;  // fileServerConfig.baseUrl (or http_base) + "/" + version + "/file/upload"

 private:
  // The Client's own timers (the calls' deadlines are the calls'): a login again after a failed one; a
  // reconnect after a refused connect; the HTTP login's answer overdue.
  enum class Timer : unsigned char { Relogin, Reconnect, HttpLogin, Count };

  void settle(Millis now);
  void pump(Millis now);
  void handle(Millis now, socketio::Output& out);
  void on_socket_connect(Millis now);
  void on_socket_disconnect(Millis now, const std::string& reason);
  void on_event(Millis now, const socketio::SocketEvent& ev);
  void on_delivery(Millis now, Message m, std::optional<std::uint64_t> ack_id);  // seq, mid, facts, and json or ref
  // Host-kept message objects (Message::ref) are counted by their holders (the inbox, the kept history,
  // a conversation); the last let_go outputs Release.
  void hold_ref(std::uint32_t ref);
  void let_go(std::uint32_t ref);
  bool unhold(std::uint32_t ref);  // let_go without the output: true when that was the last holder
  bool alone_in_order(Millis now, const Delivery& d, Millis& own) const;  // deliver_fast's case (own: own_deadline())
  // on_message_external after the Manager's lane answered (`lane`); m.ref is set here.
  bool taken_external(Millis now, const socketio::Manager::Fast& lane, const socketio::ExternalArgs& payload, Message m);
  // The Client's own deadlines (its timers and the calls'): next_deadline() without the
  // Manager's, kNever when none (in delivery_lane.cpp, compiled into the lane).
  Millis own_deadline() const;
  void on_ack(Millis now, const socketio::AckResult& ack);

  void send_login(Millis now);
  void send_http_login(Millis now);
  void on_login_answer(Millis now, const json& r, bool over_http);
  void logged_in_now(Millis now);
  void fatal(Millis now, int code, const std::string& message, const std::string& reason);
  void end_session(Millis now, int code, std::string message, const char* reason,
                   const char* outbox_message = nullptr);
  void renew(Millis now);

  bool flush(Millis now);  // true when something was sent
  bool dispatch(Millis now, Call& call);
  json envelope(const Call& call, Millis now, bool socket) const;
  void complete(Millis now, std::uint64_t id, const json& r);
  bool waits(Millis now, Call& c, int code, const std::string& msg);  // complete()'s error codes
  // The attempt in flight got no answer. `retry_delay`: how long an idempotent app call waits before
  // its repeat (0 after a dropped socket: it waits for the next login anyway).
  void lost(Millis now, std::uint64_t id, bool timed_out, Millis retry_delay = 0);
  void revive(Millis now);
  void finish(std::uint64_t id, int code, std::string msg, std::string data_json);  // and erase it
  void retry_later(Call& call, Millis now, Millis delay);
  void check_deadlines(Millis now);

  void start_sync(Millis now);
  void conversations_loaded();  // ConversationsLoaded, and the first time Ready
  void on_sync_page(Millis now, const json& data);
  void hand_over(Millis now);
  void ack_delivery(Millis now, std::uint64_t ack_id, std::uint64_t seq);
  void release_history();  // the fresh run ended, or a live message comes: hand over what it kept
  void send_state(const Call& call, const char* state, const std::string& reason);
  // The outputs pushed from many places, built in one (each site would inline the variant's construction).
  void store(std::string key, std::string value);               // StorageSet
  void error_event(int code, std::string message, bool fatal);  // ErrorEvent
  std::string socket_url() const;
  void next_socket_host();                         // failover: the next server for the next attempt
  void next_http_host(std::size_t failed);         // an HTTP call to hosts[failed] could not get through

  void persist_entry(const OutboxEntry& entry);   // StorageSet of its record
  void unpersist_entry(const std::string& client_msg_id);  // StorageSet removing it
  std::uint64_t add_outbox_call(Millis now, OutboxEntry& entry);  // and SendState queued
  // The call carrying `entry`, whose call_id it sets (Outbox::remove finds the entry by it).
  Call& push_outbox_call(Millis now, OutboxEntry& entry);
  void leave_outbox(const Call& c);
  void append_envelope(std::string& s, const Call& c, Millis now, bool jwt = true) const;
  // message/send's envelope around its requestId and timestamp, the bytes of append_envelope (and of the
  // host's send lane frames: lane_frame_head; send_now counts the arguments' size by them):
  // kEnvelopeOpen <requestId> kEnvelopeTime <timestamp> kEnvelopeJwt <the JWT's JSON text and ','>.
  static constexpr std::string_view kEnvelopeOpen = "[\"topic.message\",{\"requestId\":\"";
  static constexpr std::string_view kEnvelopeTime = "\",\"timestamp\":";
  static constexpr std::string_view kEnvelopeJwt = ",\"method\":\"send\",\"jwt\":";
  Call* next_lane_send(Millis now, Millis& own);  // send_lane.cpp
  bool send_now(Millis now, Call& c, std::size_t room, Sent& wire, Millis& due);
  // Each attempt waits at most requestTimeout (and not past the call's own deadline).
  Millis attempt_timeout(const Call& c, Millis now) const {
    return c.deadline ? std::max<Millis>(1, std::min(*c.deadline - now, config_.request_timeout)) : config_.request_timeout;
  }
  void set_state(State state, std::string reason);
  core::Error ended_error() const;  // what a call fails with once the session has ended
  static bool read_form(std::string_view form_json, json& form);
  std::string next_request_id() { return request_id(next_request_no_++); }  // (a login's)
  // The requestId numbered `no` (Call::request_no, request_id below): prefix_ (12 hex digits), '-', the
  // number, put at `at` (at most kRequestIdMax bytes), its size returned.
  static constexpr std::size_t kRequestIdMax = 12 + 1 + 20;
  std::size_t put_request_id(char* at, std::uint64_t no) const;
  // The clientMsgIds the core makes (send_lane.cpp): cmid_stem() (prefix_, '-', boot_, "-m-"), then a
  // number (next_msg_no_ for the next one).
  const std::string& cmid_stem() const;
  // The clientMsgId of a call or an outbox entry: its text, or the one numbered msg_no the core made.
  // The send lane keeps only the number (boot_ no longer changes once started): its text is written by
  // the host, and here only for the general path's outputs.
  template <class T>
  std::string cmid_of(const T& x) const {
    return x.msg_no == 0 ? x.client_msg_id : cmid_stem() + core::decimal(x.msg_no);
  }
  bool waiting(std::string_view cmid) const;  // a message with this clientMsgId is in the outbox
  std::string synced_record() const;  // {"seq": synced, "boot": boot}
  bool plain_user();  // the session's user needs no escapes in JSON (send_lane.cpp)
 public:
  std::string request_id(std::uint64_t no) const;  // the requestId numbered `no` (put_request_id)
  // The send lane's texts as the host writes them from an Accepted or a Sent (js-shim/core-driver.js
  // sendForm, answered): the fields F gets, the clientMsgId, the frame's text before the wire text
  // (with `jwt`, the JWT's JSON text the host keeps). The lane hands over none of them (send_lane.cpp).
  std::string lane_fields(const Accepted& a) const;
  std::string lane_cmid(const Accepted& a) const { return lane_cmid(a.boot, a.msg_no, a.client_msg_id); }
  std::string lane_cmid(std::uint64_t boot, std::uint64_t msg_no, std::string_view own) const;
  std::string lane_frame_head(const Sent& s, std::string_view jwt) const;
  // The ack id of an answer `43<id>[...]` as the host reads it for answer_fast (js-shim/core-driver.js
  // answered: parseInt of what follows "43" up to the '[' at `head_size`: its leading digits), none
  // when it has none or they are past 2^53 (bindings/im_send_lane.cpp refuses those).
  static std::optional<std::uint64_t> lane_ack_id(std::string_view frame, std::size_t head_size);
  // A delivery's ack arguments [{"seq":<seq>}] (at most kAckArgsMax bytes) at `at`; returns their size.
  static std::size_t put_ack_args(char* at, std::uint64_t seq);
  // The synced record {"seq":<seq>,"boot":<boot>} (at most kRecordMax bytes) at `at`; returns its size.
  // Both in delivery_lane.cpp; the host writes the same texts for a Handover (js-shim/core-driver.js).
  static std::size_t put_record(char* at, std::uint64_t seq, std::uint64_t boot);

 private:

  Config config_;
  socketio::Manager manager_;
  core::Rng rng_;
  core::TimerTable<Timer, static_cast<std::size_t>(Timer::Count)> timers_;
  std::vector<Output> outputs_;
  std::string prefix_;  // random per session: request ids and clientMsgIds
  std::string synced_key_;
  std::string outbox_key_;
  std::uint64_t next_request_no_ = 1;
  std::uint64_t next_msg_no_ = 1;
  std::uint64_t next_call_id_ = 1;
  std::uint64_t next_http_id_ = 1;
  std::uint64_t boot_ = 0;  // starts so far on this device (persisted with the synced seq)

  Lifecycle life_;  // im/lifecycle.h: started, the app-facing State, the one end (sticky), the one Ready
  Login login_;  // im/login.h: the socket login's state, the JWT, the HTTP login in flight

  Calls calls_;  // im/calls.h: in call order, found by id and by wire id, their counts and deadlines kept

  Inbox inbox_;
  core::U64Map held_acks_;  // seq -> ack id of a buffered push (this connection)
  SyncRun sync_;  // im/sync.h: the catch-up run and its page

  Outbox outbox_;
  Conversations conversations_;

  // Outbox pipelining: after a refusal that asks to wait (429/503), one message at a time until then.
  Millis careful_until_ = 0;
  // The send lane (send_lane.cpp): whether the session's user needs no escapes in JSON (0: not known
  // yet, 1: none, 2: some), and the stem of the clientMsgIds the core makes, `<prefix>-<boot>-m-`
  // (for the boot cmid_stem_boot_), made once.
  unsigned char plain_user_ = 0;
  mutable std::string cmid_stem_;
  mutable std::uint64_t cmid_stem_boot_ = 0;
  // The generation (Login::jwt_gen) of the JWT text the host keeps from a lane frame (Sent; 0: none).
  std::uint32_t host_jwt_ = 0;
  // The HTTP server could not be reached (reported once per streak, cleared by any HTTP answer).
  bool http_down_ = false;
  std::size_t socket_host_ = 0;  // Config::hosts index: the socket's server
  std::size_t http_host_ = 0;    // Config::hosts index: HTTP calls' server
  // The last reason the socket could not connect ("" once connected).
  std::string socket_error_;
  FreshHistory history_;  // im/history.h: the first catch-up of a fresh install, and what it keeps
  core::U64Map refs_;  // host-kept message -> holders (hold_ref)
};

}  // namespace echat::im
