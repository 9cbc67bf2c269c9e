// im::Client, the login (client.cpp has the file map): the socket login (topic.connection
// authority/request) on every connect of "/", the HTTP login (POST /v1/auth/login) while HTTP calls
// wait for a JWT, their answers, and the JWT's renewal after a 419/401. The state is im::Login (login.h).
#include "im/client.h"

#include <string>
#include <utility>

#include "im/client_detail.h"

namespace echat::im {

using namespace detail;  // NOLINT: the Client's own rules (client_detail.h)

void Client::send_login(Millis now) {
  if (life_.ended() || login_.asking()) return;
  if (manager_.socket_state("/") != socketio::SocketState::Connected) return;
  json payload = json::object({{"requestId", next_request_id()}, {"timestamp", now}, {"method", "authority/request"},
                  {"appKey", config_.app_key}, {"auid", config_.auid}, {"token", config_.token}});
  socketio::Manager::EmitOptions o;
  o.want_ack = true;
  o.ack_timeout = config_.request_timeout;
  auto r = manager_.emit(now, "/", dump(json::array({"topic.connection", payload})), {}, o);
  if (r.ok()) login_.asked(r.value());
}

void Client::send_http_login(Millis now) {
  if (life_.ended() || login_.http_asking()) return;
  const std::uint64_t id = next_http_id_++;
  json body = json::object({{"requestId", next_request_id()}, {"timestamp", now}, {"appKey", config_.app_key},
               {"auid", config_.auid}, {"token", config_.token}});
  login_.http_asked(id, http_host_);
  timers_.set(Timer::HttpLogin, now + config_.request_timeout);
  outputs_.push_back(HttpRequest{id, http_base() + "/v1/auth/login", dump(body)});
}

void Client::on_login_answer(Millis now, const json& r, bool over_http) {
  const int code = code_field(r).value_or(code::kBadResponse);
  const std::string msg = string_field(r, "msg");
  const json* data = field(r, "data");
  const bool ok = code == 0 && data && data->is_string() && !data->get<std::string>().empty();
  const std::string jwt = ok ? data->get<std::string>() : std::string();
  if (over_http) {
    login_.http_answered(jwt);
  } else if (ok) {
    login_.answered(jwt);
  } else {
    login_.failed();
  }
  if (ok) {
    if (!over_http) logged_in_now(now);
    return;
  }
  if (code == 400 || code == 401 || code == 403 || code == 404) {
    fatal(now, code, msg.empty() ? "login refused" : msg, "login refused");
    return;
  }
  error_event(code, "login failed: " + (msg.empty() ? std::string("no answer") : msg), false);
  timers_.set(Timer::Relogin, now + kReloginDelay);
}

void Client::logged_in_now(Millis now) {
  timers_.clear(Timer::Relogin);
  set_state(State::Connected, "logged in");
  history_.logged_in(inbox_.synced(), config_.history_on_fresh_install);
  start_sync(now);
  bool listing = false;
  for (const auto& c : calls_) listing = listing || c.kind == Call::Kind::ConversationList;
  if (!listing) {
    calls_.emplace_front([&](Call& c) {  // before the sync: its messages then update the list
      c.id = next_call_id_++;
      c.kind = Call::Kind::ConversationList;
      c.module = "conversation";
      c.method = "list";
      c.form = json::object();
      c.transport = Transport::Socket;
      c.request_no = next_request_no_++;
    });
  }
}

void Client::renew(Millis now) {
  login_.forget_jwt();
  if (manager_.socket_state("/") == socketio::SocketState::Connected && login_.in()) {
    send_login(now);
    return;
  }
  bool http_waiting = false;
  for (const auto& c : calls_) http_waiting = http_waiting || c.transport == Transport::Http;
  if (http_waiting) send_http_login(now);
  // Socket calls wait for the next connect's login.
}

}  // namespace echat::im
