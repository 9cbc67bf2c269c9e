// im::Client, the calls (client.cpp has the file map): which queued call can go now (flush), each
// attempt (dispatch), its answer (complete), its loss (lost), its repeat (retry_later), its end (finish)
// and the deadlines. The calls themselves, their phases, counts and deadlines are im::Calls (calls.h).
#include "im/client.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

#include "im/client_detail.h"

namespace echat::im {

using namespace detail;  // NOLINT: the Client's own rules (client_detail.h)

bool Client::flush(Millis now) {
  if (life_.ended() || calls_.queued() == 0) return false;
  bool sent = false;
  // wx.request allows 10 requests at once (uploads and downloads included): the 11th fails at once.
  std::size_t http_out = calls_.http_out() + (login_.http_asking() ? 1 : 0);
  // The outbox pipelines: up to sendWindow messages on the socket at once, always in send order (a
  // message goes out only when every earlier one is out); over HTTP one at a time (separate requests
  // may be stored in any order), and one at a time for a while after a 429/503.
  std::size_t outbox_out = calls_.outbox_out();
  const std::size_t window = config_.api_transport == Transport::Http || now < careful_until_ ? 1 : config_.send_window;
  bool outbox_blocked = false;
  std::size_t others_waiting = 0;  // calls passed over that are not outbox messages and stay Queued
  // In call order, one pass. A call that fails at once is finished and erased on the way, and only
  // that one (the list keeps the others where they are).
  for (auto it = calls_.begin(); it != calls_.end();) {
    // The rest is outbox messages that cannot go (the window is full, or an earlier one waits) and
    // none has a retry's wait to clear: stop (a burst of 1,000 messages would walk them all per
    // answer otherwise).
    if (outbox_blocked && calls_.queued_other() == others_waiting && calls_.earliest() > now) break;
    Call& c = *it++;
    if (c.phase != Call::Phase::Queued) continue;
    const bool outbox = c.kind == Call::Kind::Outbox;
    // A retry's wait is over whether or not the call can go now: clear it first, or a call waiting
    // behind the window would keep a past deadline in next_deadline() (the host's timer would spin).
    if (c.not_before != 0 && c.not_before <= now) calls_.wait_over(c);
    if (outbox && (outbox_blocked || outbox_out >= window)) {
      outbox_blocked = true;
      continue;
    }
    bool ready = c.not_before == 0;
    if (ready && c.renew_first) {
      c.renew_first = false;
      if (login_.has_jwt()) renew(now);
    }
    ready = ready && login_.has_jwt();
    ready = ready && !(c.transport == Transport::Socket && !login_.in());
    ready = ready && !(c.transport == Transport::Http && http_out >= config_.max_http_requests);
    if (!ready) {
      outbox_blocked = outbox_blocked || outbox;
      others_waiting += !outbox;
      continue;
    }
    const bool http = c.transport == Transport::Http;
    if (!dispatch(now, c)) continue;  // refused at once: finished and erased (the next outbox message may go)
    http_out += http;
    outbox_out += outbox;
    sent = true;
  }
  return sent;
}

json Client::envelope(const Call& call, Millis now, bool socket) const {
  json e = form_of(call.form);
  e["requestId"] = request_id(call.request_no);
  e["timestamp"] = now;
  if (socket) e["method"] = call.method;
  // Administrative calls authenticate with {appKey, secret}; a JWT would make them act as the user.
  if (!field(form_of(call.form), "secret")) e["jwt"] = login_.jwt();
  return e;
}

// The arguments' text of an outbox message's attempt, up to the form's own fields, appended to `s`:
// ["topic.message",{"requestId":"<id>","timestamp":<now>,"method":"send","jwt":<JWT>, (a lane form
// never carries `secret`: the host sends such a form through send_message()). Nothing is escaped per
// attempt: the requestId is the core's own hex and digits (put_request_id), the JWT's JSON text is
// Login's, written once per JWT.
void Client::append_envelope(std::string& s, const Call& c, Millis now, bool jwt) const {
  assert(c.kind == Call::Kind::Outbox && c.module == "message" && c.method == "send");
  // (The send lane writes most frames, in the host: this text is the general path's, a message sent
  // again after a reconnect or one the lane does not take.)
  char h[kEnvelopeOpen.size() + kRequestIdMax + kEnvelopeTime.size() + 20 + kEnvelopeJwt.size()];
  char* p = std::copy(kEnvelopeOpen.begin(), kEnvelopeOpen.end(), h);
  p += put_request_id(p, c.request_no);
  p = std::copy(kEnvelopeTime.begin(), kEnvelopeTime.end(), p);
  p += core::format_uint(p, now > 0 ? static_cast<std::uint64_t>(now) : 0);
  p = std::copy(kEnvelopeJwt.begin(), kEnvelopeJwt.end(), p);
  s.append(h, static_cast<std::size_t>(p - h));
  if (jwt) s += login_.jwt_json();  // its JSON text, then ','
}

bool Client::dispatch(Millis now, Call& c) {
  if (c.kind == Call::Kind::Sync) {
    (c.form ? *c.form : c.form.emplace())["fromSeq"] = inbox_.synced();
    sync_.page_sent(inbox_.synced());
  }
  const Millis timeout = attempt_timeout(c, now);
  ++c.attempts;
  if (c.transport == Transport::Socket) {
    socketio::Manager::EmitOptions o;
    o.want_ack = true;
    o.ack_timeout = timeout;
    core::Result<std::uint64_t> r = std::uint64_t{0};
    if (c.ext != 0) {  // the form stays in the host: the envelope, then its wire text (Call::ext)
      socketio::Packet p;
      append_envelope(p.data, c, now);
      p.ext = c.ext;
      p.ext_size = c.ext_size;
      p.shape.root = socketio::JsonKind::Array;
      p.shape.first = socketio::JsonKind::String;
      r = manager_.emit_external(now, "/", p, o);
    } else if (c.kind == Call::Kind::Outbox && !field(form_of(c.form), "secret")) {
      // The text the send lane writes (send_lane.cpp): the envelope, then the form's own fields.
      std::string args;
      append_envelope(args, c, now);
      const std::string form = dump(form_of(c.form));
      if (form.size() > 2) {
        args.append(form, 1, std::string::npos);
      } else {
        args.back() = '}';
      }
      args += ']';
      r = manager_.emit(now, "/", std::move(args), {}, o);
    } else {
      std::string args = "[\"topic.";  // ["topic.<module>", envelope], without a tree holding a copy of the form
      args += c.module;
      args += "\",";
      args += dump(envelope(c, now, true));
      args += ']';
      r = manager_.emit(now, "/", std::move(args), {}, o);
    }
    if (!r.ok()) {
      finish(c.id, code::kInvalidArgument, r.error().message, "null");
      return false;
    }
    calls_.sent(c, r.value());
  } else {
    const std::uint64_t wire = next_http_id_++;
    c.endpoint = http_host_;
    std::string url = http_base();
    url.append("/v1/", 4).append(c.module) += '/';
    outputs_.push_back(HttpRequest{wire, url.append(c.method), dump(envelope(c, now, false))});
    calls_.sent(c, wire, now + timeout);
  }
  if (c.kind == Call::Kind::Outbox) send_state(c, "sending", "");
  return true;
}

void Client::retry_later(Call& c, Millis now, Millis delay) {
  if (c.kind == Call::Kind::Outbox && c.phase == Call::Phase::InFlight) send_state(c, "queued", c.last_error);
  calls_.requeue(c, delay > 0 ? now + delay : 0);
}

void Client::complete(Millis now, std::uint64_t id, const json& r) {
  Call& c = *calls_.find(id);
  const std::optional<int> envelope_code = code_field(r);
  if (!r.is_object() || !envelope_code) {
    if (c.kind == Call::Kind::App) {
      finish(id, code::kBadResponse, "the answer is not an R envelope", "null");
    } else {
      retry_later(c, now, kUnavailableDelay);
    }
    return;
  }
  const int code = *envelope_code;
  const std::string msg = string_field(r, "msg");
  const json* data = field(r, "data");
  if (code == 0) {
    if (c.kind == Call::Kind::ConversationList) {
      if (data) conversations_.replace(*data);
      calls_.erase(id);
      conversations_loaded();
      return;
    }
    if (c.kind == Call::Kind::Sync) {
      const json page = data ? *data : json::object();
      calls_.erase(id);
      sync_.page_gone();
      on_sync_page(now, page);
      return;
    }
  } else if (waits(now, c, code, msg)) {
    return;
  }
  // Done: stored, answered, or refused for good. (One site for both: each would inline the dump.)
  if (c.kind == Call::Kind::Outbox) leave_outbox(c);
  finish(id, code, code == 0 && msg.empty() ? "ok" : msg, data ? dump(*data) : "null");
}

// complete()'s error codes: true when the call waits for a repeat (a renewed JWT, a delay); else it
// was refused for good, and a sync run or a conversation list says so.
bool Client::waits(Millis now, Call& c, int code, const std::string& msg) {
  if (code == code::kTokenExpired || code == code::kUnauthenticated) {
    const int limit = code == code::kTokenExpired ? 2 : 1;
    // The outbox never gives up on credentials: an earlier attempt whose answer was lost may have been
    // stored, so "failed" could be a lie; a login that is really refused ends the session (fatal) and
    // the message stays persisted. Only refusals of the message itself (400, 403, 404, 413) drop it.
    if (c.auth_retries < limit || c.kind == Call::Kind::Outbox) {
      ++c.auth_retries;
      const bool wait = c.auth_retries > limit;
      retry_later(c, now, wait ? kUnavailableDelay : 0);
      // After the wait the JWT is renewed again (not now): a short-lived JWT renewed now could expire
      // during the wait, and the message would meet 419 at every attempt (several in flight make that
      // likely).
      if (wait) c.renew_first = true;
      else renew(now);
      return true;
    }
  }
  if (code == code::kRateLimited || code == code::kUnavailable) {
    const Millis delay = code == code::kRateLimited ? kRateLimitDelay : kUnavailableDelay;
    if (c.kind == Call::Kind::Outbox) careful_until_ = now + delay + 5000;
    c.last_error = msg.empty() ? "server busy (" + core::decimal(code) + ")" : msg;
    retry_later(c, now, delay);
    return true;
  }
  if (code == code::kInternal && c.kind != Call::Kind::App && c.attempts < 5) {
    retry_later(c, now, kUnavailableDelay);
    return true;
  }
  if (c.kind == Call::Kind::Sync) {
    error_event(code, "message/sync failed: " + msg, false);
    sync_.failed();
    if (history_.fresh()) release_history();
  }
  if (c.kind == Call::Kind::ConversationList) {
    error_event(code, "conversation/list failed: " + msg, false);
    conversations_loaded();
  }
  return false;
}

// The list of a login's conversation/list is in (or its call failed): the app gets it, and the first
// time since start() it is there with the session connected, the session says it is Ready.
void Client::conversations_loaded() {
  outputs_.push_back(ConversationsLoaded{conversations_.to_json()});
  if (life_.ready_now()) outputs_.push_back(Ready{});
}

void Client::lost(Millis now, std::uint64_t id, bool timed_out, Millis retry_delay) {
  Call& c = *calls_.find(id);
  if (c.last_error.empty() || timed_out) {
    c.last_error = timed_out ? "no answer within " + core::decimal(config_.request_timeout) + " ms"
                             : "the connection was lost";
  }
  if (c.kind != Call::Kind::App) {
    retry_later(c, now, 0);  // Outbox (same clientMsgId) and Sync are idempotent
    return;
  }
  if (timed_out) {
    finish(id, code::kTimeout, "timeout: " + c.last_error, "null");  // "no answer within ... ms", set above
  } else if (idempotent(c.module, c.method)) {
    retry_later(c, now, retry_delay);
  } else {
    finish(id, code::kNetwork,
           "network: " + c.last_error + " while the request was out; it may or may not have been carried out",
           "null");
  }
}

void Client::finish(std::uint64_t id, int code, std::string msg, std::string data_json) {
  Call c = calls_.take(id);
  if (c.kind == Call::Kind::Sync) sync_.page_gone();
  if (c.kind == Call::Kind::Sync || c.kind == Call::Kind::ConversationList) return;
  // A message left in the outbox by close() or a refused login stays queued (sent after the next init).
  if (c.kind == Call::Kind::Outbox && code != code::kClosed && code != code::kNotLoggedIn) {
    send_state(c, code == 0 ? "sent" : "failed", code == 0 ? std::string() : msg);
  }
  Response r;
  r.id = c.id;
  r.code = code;
  r.msg = std::move(msg);
  r.data_json = std::move(data_json);
  if (c.attempts > 0) r.request_id = request_id(c.request_no);
  r.client_msg_id = cmid_of(c);
  outputs_.push_back(std::move(r));
}

void Client::check_deadlines(Millis now) {
  if (calls_.earliest() > now) return;
  // In call order; handling a call finishes at most that one (the list keeps the others where they are).
  for (auto it = calls_.begin(); it != calls_.end();) {
    Call& c = *it++;
    const std::uint64_t id = c.id;
    if (c.kind == Call::Kind::Outbox && c.deadline && *c.deadline <= now) {
      // sendTimeout: the message fails with the last reason and leaves the outbox (an attempt may have
      // been stored: resending it with the same clientMsgId is safe).
      std::string why = "timeout: not confirmed within " + core::decimal(config_.send_timeout) + " ms (sendTimeout)";
      std::string reason = c.last_error;
      if (c.transport == Transport::Socket && !login_.in() && !socket_error_.empty()) reason = socket_error_;
      if (!reason.empty()) why += ": " + reason;
      leave_outbox(c);
      finish(id, code::kTimeout, why, "null");
      continue;
    }
    if (c.kind == Call::Kind::App && c.deadline && *c.deadline <= now) {
      // "timeout: <what> within <requestTimeout> ms (<detail>)", the detail left out when there is none.
      const char* what = "no answer";
      std::string detail = c.last_error;
      if (c.attempts == 0) {
        what = "not sent";
        if (c.transport == Transport::Socket && !login_.in()) {
          what = "not connected";
          detail = socket_error_;
        } else if (!login_.has_jwt()) {
          what = "not logged in";
          detail = socket_error_;
        } else if (detail.empty()) {
          detail = "waiting for a free request slot";
        }
      }
      std::string why = "timeout: ";
      why += what;
      why += " within " + core::decimal(config_.request_timeout) + " ms";
      if (!detail.empty()) why += " (" + detail + ")";
      finish(id, code::kTimeout, why, "null");
      continue;
    }
    if (c.phase == Call::Phase::InFlight && c.attempt_deadline && *c.attempt_deadline <= now) lost(now, id, true);
  }
}

void Client::on_http_response(Millis now, std::uint64_t id, int status, std::string_view body) {
  http_down_ = false;
  if (login_.http_asking(id)) {
    timers_.clear(Timer::HttpLogin);
    const json r = parse_json(body);
    if (!r.is_object() || !field(r, "code")) {
      login_.http_over();
      timers_.set(Timer::Relogin, now + kReloginDelay);
    } else {
      on_login_answer(now, r, true);
    }
    settle(now);
    return;
  }
  const Call* c = calls_.find_wire(Transport::Http, id);
  if (!c) return;
  const json r = parse_json(body);
  if (!r.is_object() && c->kind == Call::Kind::App) {
    finish(c->id, code::kBadResponse, "HTTP " + core::decimal(status) + ": the answer is not an R envelope", "null");
  } else {
    complete(now, c->id, r);
  }
  settle(now);
}

void Client::on_http_error(Millis now, std::uint64_t id, std::string_view message) {
  if (login_.http_asking(id)) {
    login_.http_over();
    timers_.clear(Timer::HttpLogin);
    next_http_host(login_.http_host());
    timers_.set(Timer::Relogin, now + kReloginDelay);
    settle(now);
    return;
  }
  Call* found = calls_.find_wire(Transport::Http, id);
  if (!found) return;
  Call& c = *found;
  // A refused connection is reported at once, naming the address (once per streak of failures).
  const std::string why = "cannot reach " + http_base() + ": " + plain_reason(message);
  c.last_error = why;
  next_http_host(c.endpoint);  // a transport failure only: error codes never get here
  if (!http_down_) {
    http_down_ = true;
    error_event(code::kNetwork, why, false);
  }
  if (c.kind != Call::Kind::App) {
    retry_later(c, now, kUnavailableDelay);  // the server may be down: do not spin
  } else {
    lost(now, c.id, false, kHttpRetryDelay);  // a refused connection fails at once: do not spin
  }
  settle(now);
}

}  // namespace echat::im
