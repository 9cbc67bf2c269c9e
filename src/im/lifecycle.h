// The session's life (issue 13): whether it has started, what the app sees of it (State, one
// StateChanged per change), its one end and its one Ready. A small machine owned by the Client, which
// outputs what it decides. It was five fields of the Client (state_, started_, ended_ with its code and
// message, ready_) that every input read in its own combination.
//
//   phase      on                                     to
//   Unstarted  load(records)                          Unstarted (only here: a started session keeps its own)
//   Unstarted  start()                                Running   state Connecting
//   Running    start()                                Running   (ignored: one start per Client)
//   Unstarted  end(code, message)   (close)           Ended     state Disconnected
//   Running    end(code, message)   (close, kick,     Ended     state Disconnected
//                                    fatal)
//   Ended      start() / end()                        Ended     (ignored: sticky)
//   Running    show(state)                            Running   (StateChanged when it differs)
//   Running    ready_now()      (Connected, the       Running   true once per Client: the Ready output
//                                conversation list in)
//
// Ended is sticky, as a fatal error is in rustls: every later call fails with the end's code and message.
// The app-facing states inside Running (Connecting, Connected, Reconnecting, Disconnected after the
// reconnection attempts ran out) are the Client's table at the top of client.cpp.
#pragma once

#include <string>
#include <utility>

#include "im/types.h"

namespace echat::im {

class Lifecycle {
 public:
  enum class Phase : unsigned char { Unstarted, Running, Ended };

  Phase phase() const { return phase_; }
  bool unstarted() const { return phase_ == Phase::Unstarted; }
  bool running() const { return phase_ == Phase::Running; }
  bool ended() const { return phase_ == Phase::Ended; }
  State state() const { return state_; }
  int end_code() const { return end_code_; }
  const std::string& end_message() const { return end_message_; }
  // Running, and down for good until something revives it (the reconnection attempts ran out).
  bool down() const { return phase_ == Phase::Running && state_ == State::Disconnected; }

  // ---- Transitions ----
  // Unstarted -> Running: true once; the Client then shows Connecting.
  bool start() {
    if (phase_ != Phase::Unstarted) return false;
    phase_ = Phase::Running;
    return true;
  }
  // -> Ended, with what every later call fails with: true the first time (the Client ends the calls,
  // the timers and the socket, and shows Disconnected).
  bool end(int code, std::string message) {
    if (phase_ == Phase::Ended) return false;
    phase_ = Phase::Ended;
    end_code_ = code;
    end_message_ = std::move(message);
    return true;
  }
  // The app-facing state: true when it changed (the Client outputs StateChanged).
  bool show(State state) {
    if (state == state_) return false;
    state_ = state;
    return true;
  }
  // Connected with the conversation list loaded: true the first time (the Ready output, once per Client).
  bool ready_now() {
    if (ready_ || phase_ != Phase::Running || state_ != State::Connected) return false;
    ready_ = true;
    return true;
  }

 private:
  Phase phase_ = Phase::Unstarted;
  State state_ = State::Idle;
  bool ready_ = false;
  int end_code_ = 0;
  std::string end_message_;
};

}  // namespace echat::im
