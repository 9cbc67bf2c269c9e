// The E聊 IM session's vocabulary: configuration, the SDK's own result codes, and the closed set of
// outputs im::Client produces (in the order they happened; see client.h for the inputs).
//
// Everything here is a plain value. JSON that the core does not need to change (message objects,
// request data) is carried as text, so the host parses it once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/timers.h"
#include "socketio/manager.h"

namespace echat::im {

using core::Millis;

enum class Transport : unsigned char { Http, Socket };

// The SDK's own result codes, for conditions no server can report. Server codes (docs/protocol.md
// section 7) are positive (or -1); these are all below -1000 so they can never collide.
// Invalid arguments detected by the SDK use the server's 400, with the field named the server's way.
namespace code {
constexpr int kOk = 0;
constexpr int kInvalidArgument = 400;
constexpr int kUnauthenticated = 401;
constexpr int kTokenExpired = 419;
constexpr int kRateLimited = 429;
constexpr int kInternal = 500;
constexpr int kUnavailable = 503;
constexpr int kTimeout = -1001;      // no answer within the request timeout
constexpr int kNetwork = -1002;      // the connection failed while the request was out (outcome unknown)
constexpr int kNotLoggedIn = -1003;  // the login was refused: nothing can be sent
constexpr int kClosed = -1004;       // close() was called, or the session was kicked
constexpr int kOutboxFull = -1005;   // the offline send queue reached its bound
constexpr int kBadResponse = -1006;  // the server's answer was not an R envelope
}  // namespace code

// One server of `hosts` (docs/api.md "Several servers").
struct Endpoint {
  std::string host;
  int http_port = 58082;
  int socket_port = 59092;
};

struct Config {
  std::string host;  // hosts[0] when `hosts` is given
  int http_port = 58082;
  int socket_port = 59092;
  // `hosts`: the servers to use, in order of preference (always at least one: host/httpPort/socketPort
  // when the app gave no list). The session tries them in turn: see Client::socket_endpoint().
  std::vector<Endpoint> hosts;
  std::string app_key;   // `key`
  std::string secret;    // `secret` (administrative calls only; never sent unless the form has it)
  Transport api_transport = Transport::Http;
  std::string auid;      // `loginAuid`
  std::string token;     // `loginToken`
  bool secure = false;   // https / wss
  int protocol = 0;      // Engine.IO version: 0 = auto, 3 or 4
  std::string file_base_url;  // fileServerConfig.baseUrl ("" = http(s)://host:httpPort)
  std::string file_version = "v1";
  bool reconnection = true;
  std::uint32_t reconnection_attempts = UINT32_MAX;
  Millis reconnection_delay = 1000;
  Millis reconnection_delay_max = 5000;
  Millis request_timeout = 15000;   // per API call (queue wait included), and per outbox attempt
  std::uint64_t seed = 1;           // the host's randomness: request-id prefix, clientMsgIds, jitter
  // `outboxPerMessageRecords`: persist the outbox as one storage record per message (O(1) per message)
  // instead of one record holding the list (O(outbox size) per send and answer). On by default
  // (bench/im: flat CPU per message at any outbox depth); false keeps the single record; either form
  // found in storage is read and migrated at start.
  bool outbox_per_message = true;
  // `maxHttpRequests`: HTTP calls in flight at once (wx.request allows 10, uploads and downloads
  // included; 8 leaves room for file.upload).
  std::size_t max_http_requests = 8;
  // `sendWindow`: outbox messages on the wire at once over the socket (pipelined, sent in order; the
  // server stores them in arrival order and drops repeats by clientMsgId). Over HTTP always 1: separate
  // requests may reach the server in any order.
  std::size_t send_window = 16;
  // `sendTimeout`: a message not confirmed this long after send() (or after the init that restored it)
  // fails with -1001 and the last reason; 0 = never. Resending it (same clientMsgId) is safe.
  Millis send_timeout = 120000;
  // `historyOnFreshInstall`: what the first catch-up of an install (no position stored yet) hands to
  // the app: -1 = everything the server has ("all"), 0 = nothing ("none"), N = the last N messages of
  // each conversation.
  long long history_on_fresh_install = -1;
};

// The IM layer's caller errors carry its numeric codes as text (docs/errors.md): a form or config
// field at fault is "400", its message naming the field as the application wrote it:
// "invalid argument 'loginAuid': required" (the shim reads the field's name from it).
core::Error invalid_argument(const std::string& field, const std::string& why);

// Parses the JSON object the shim builds from sdk.im.init's config. Caller errors: invalid_argument.
core::Result<Config> config_from_json(std::string_view json);

enum class State : unsigned char { Idle, Connecting, Connected, Reconnecting, Disconnected };
const char* to_string(State state);

// ---- Outputs ---------------------------------------------------------------------------------------

// Socket transport commands, passed through from the socketio::Manager unchanged.
using OpenTransport = socketio::OpenTransport;
using SendFrame = socketio::SendFrame;
using CloseTransport = socketio::CloseTransport;

// POST `url` with a JSON body; answer with on_http_response / on_http_error quoting `id`.
struct HttpRequest {
  std::uint64_t id = 0;
  std::string url;
  std::string body;
};

// Persist `value_json` under `key` (replacing it); an empty value means remove the key.
struct StorageSet {
  std::string key;
  std::string value_json;
};

// The session state changed. reason: "start", "logged in", "transport close", "kicked", "closed",
// "login refused", "reconnect failed", ...
struct StateChanged {
  State state = State::Idle;
  std::string reason;
};

// The outcome of request() / send_message(), exactly once per id. code 0 = success.
struct Response {
  std::uint64_t id = 0;
  int code = 0;
  std::string msg;
  std::string data_json = "null";  // R.data as received (success) or null / {field}
  std::string request_id;          // the envelope's requestId of the last attempt ("" if never sent)
  std::string client_msg_id;       // for send_message(): the clientMsgId used
};

// What the session decides on in a message (docs/protocol.md 9.5) beside its seq and mid: read from the
// object by the core (message_of in json_util.h), or by the host when the object stays in JavaScript
// (Client::on_message_external).
struct MessageFacts {
  std::string way;          // "P2P" / "P2R" ("" when absent)
  std::string form_user;    // the sender
  std::string to_target;    // a number is written in decimal
  std::optional<std::uint64_t> create_time;
  bool recalled = false;
};

// A delivery, handed over exactly once, in seq order. The message object is either `json` (it came
// through the core: a sync page, or a frame the host passed whole) or the host-kept object `ref`
// (engineio::ExternalRef; the host holds it until a Release names it).
struct Message {
  std::uint64_t seq = 0;
  std::uint64_t mid = 0;
  std::string json;      // the message object (docs/protocol.md 9.5); "" when `ref` is set
  bool history = false;  // handed over by the first catch-up of a fresh install (replayed, not live)
  std::uint32_t ref = 0;
  MessageFacts facts;
};

// The host may forget its object `ref`: the core no longer refers to it (after the Message output that
// handed it over, and after any ConversationChanged that shows it as a last message).
struct Release {
  std::uint32_t ref = 0;
};

// An outbox message changed state: "queued" (waiting: not sent yet, or to be sent again after
// `reason`), "sending" (on the wire), "sent" (stored by the server), "failed" (refused, or not
// confirmed within sendTimeout: `reason`; resending with the same clientMsgId is safe).
struct SendState {
  std::uint64_t id = 0;  // the call id send_message() returned
  std::string client_msg_id;
  const char* state = "queued";
  std::string reason;
};

// The conversation list was loaded (conversation/list after a login answered; on failure the list as
// it is): the JSON array conversations_json() returns.
struct ConversationsLoaded {
  std::string json;
};

// The session is ready: logged in, with its conversation list loaded (or its loading failed, said by
// an ErrorEvent). Once per Client, after the first such login: sdk.im.init calls back on it.
struct Ready {};

// A topic.notify payload {type, data, createTime}, as received.
struct Notify {
  std::string type;
  std::string json;
};

// A sync run finished: the contiguous seq went from `from` to `to`, `count` messages handed over.
struct Sync {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint64_t count = 0;
};

// A conversation changed (a message arrived in it, or its last message was recalled): the
// conversation object (docs/protocol.md 9.6) as JSON.
struct ConversationChanged {
  std::string json;
};

// Another login replaced this session; no reconnect follows.
struct Kicked {
  std::string reason;
};

// Something the application should hear about. fatal: the session is over (login refused, invalid
// configuration) and state is Disconnected.
struct ErrorEvent {
  int code = 0;
  std::string message;
  bool fatal = false;
};

using Output = std::variant<OpenTransport, SendFrame, CloseTransport, HttpRequest, StorageSet,
                            StateChanged, Response, Message, Notify, Sync, Kicked, ErrorEvent,
                            ConversationChanged, SendState, ConversationsLoaded, Ready, Release>;

}  // namespace echat::im
