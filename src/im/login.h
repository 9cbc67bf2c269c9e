// The session's login (issue 13): who the server takes us for. A small machine owned by the Client,
// which performs what it decides (the socket login is an emit of topic.connection authority/request,
// the HTTP login a POST /v1/auth/login; docs/protocol.md) and arms its two timers (Client::Timer
// Relogin and HttpLogin: the Client keeps one timer table).
//
// The socket leg, one enum (it was two fields, logged_in_ and login_emit_, that could disagree):
//
//   state     on                                        to
//   Out       asked(emit)                               Asking
//   In        asked(emit)       (a renewal, 419/401)    Renewing  (still logged in; the JWT is gone)
//   Asking    answered 0 with a JWT                     In        (the Client: Connected, sync, list)
//   Renewing  answered 0 with a JWT                     In
//   Asking    failed (an error code, no answer)         Out       (the Client asks again after Relogin)
//   Renewing  failed                                    In        (the same)
//   any       connected() / disconnected()              Out       (a new connection logs in anew)
//
// The JWT: "" while unknown; an answer 0 on either leg sets it; forget_jwt() (a renewal) clears it.
// Its JSON text is written once per JWT (jwt_json): the send lane puts it in every message's envelope,
// and escaping it there per message (a JWT is the envelope's longest text, often a few hundred bytes)
// was the largest part of writing the envelope in interpreted wasm.
// Calls wait while it is unknown; socket calls also wait until the socket leg is In or Renewing.
//
// The HTTP leg: at most one login POST out (http_asked), until its answer, its failure or its timer
// (http_over). It gives the JWT to HTTP calls while the socket is not logged in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"

namespace echat::im {

class Login {
 public:
  enum class Socket : unsigned char { Out, Asking, In, Renewing };

  Socket socket() const { return socket_; }
  // Logged in on the socket (also while a renewal is out: the connection is still the session's).
  bool in() const { return socket_ == Socket::In || socket_ == Socket::Renewing; }
  bool ever_in() const { return ever_in_; }  // once logged in on the socket (reconnecting, not connecting)
  const std::string& jwt() const { return jwt_; }
  bool has_jwt() const { return !jwt_.empty(); }
  // The JWT as a JSON string, quotes included, then ',' (as the envelope has it).
  const std::string& jwt_json() const { return jwt_json_; }
  bool jwt_ascii() const { return jwt_ascii_; }               // ... and that text is ASCII
  // That text's generation: 1 for the first JWT, one more at every change (the send lane writes the
  // text into the host's frames only when it changed: Client::Sent).
  std::uint32_t jwt_gen() const { return jwt_gen_; }
  // The socket login's emit is out (Asking or Renewing), under `emit_id` when given.
  bool asking() const { return socket_ == Socket::Asking || socket_ == Socket::Renewing; }
  bool asking(std::uint64_t emit_id) const { return asking() && emit_ == emit_id; }
  bool http_asking() const { return http_id_.has_value(); }
  bool http_asking(std::uint64_t id) const { return http_id_ && *http_id_ == id; }
  std::size_t http_host() const { return http_host_; }  // the server the HTTP login in flight went to

  // ---- Transitions ----
  void asked(std::uint64_t emit_id) {
    socket_ = socket_ == Socket::In ? Socket::Renewing : Socket::Asking;
    emit_ = emit_id;
  }
  void http_asked(std::uint64_t id, std::size_t host) {
    http_id_ = id;
    http_host_ = host;
  }
  // The socket login's answer: 0 with `jwt` (In), or anything else (failed).
  void answered(const std::string& jwt) {
    set_jwt(jwt);
    socket_ = Socket::In;
    ever_in_ = true;
  }
  void failed() { socket_ = socket_ == Socket::Renewing ? Socket::In : Socket::Out; }
  // The HTTP login's answer (a JWT when it was 0, else "") or its end without one.
  void http_answered(const std::string& jwt) {
    http_id_.reset();
    if (!jwt.empty()) set_jwt(jwt);
  }
  void http_over() { http_id_.reset(); }
  void connected() { socket_ = Socket::Out; }
  void disconnected() { socket_ = Socket::Out; }
  void forget_jwt() { set_jwt(std::string()); }

 private:
  void set_jwt(const std::string& jwt) {
    jwt_ = jwt;
    ++jwt_gen_;
    jwt_json_.clear();
    core::append_json_string(jwt_json_, jwt);
    jwt_json_ += ',';
    jwt_ascii_ = true;
    for (char c : jwt_json_) jwt_ascii_ = jwt_ascii_ && static_cast<unsigned char>(c) < 0x80;
  }

  Socket socket_ = Socket::Out;
  bool ever_in_ = false;
  std::string jwt_;
  std::string jwt_json_ = "\"\",";
  bool jwt_ascii_ = true;
  std::uint32_t jwt_gen_ = 0;
  std::uint64_t emit_ = 0;
  std::optional<std::uint64_t> http_id_;
  std::size_t http_host_ = 0;
};

}  // namespace echat::im
