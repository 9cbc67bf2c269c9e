// The first catch-up of a fresh install (issue 13; docs/api.md, historyOnFreshInstall): its messages are
// history (Message::history), and Config::history_on_fresh_install decides which are handed over. A
// small machine owned by the Client, which feeds it the run's messages and outputs what it lets go. It
// was two booleans of the Client (fresh_run_, fresh_decided_) and two vectors kept in step by hand.
//
//   state      on                                          to
//   Undecided  logged_in(synced = 0, keep)                 Fresh  (the first run's messages are history)
//   Undecided  logged_in(synced > 0, keep)                 Live   (this device has synced before)
//   Fresh      logged_in() / Live logged_in()              (unchanged: decided once per Client)
//   Fresh      over()   (the first run ended or failed)    Live   (the kept messages, in seq order)
//
// What Fresh does with a message, by `keep` (history_on_fresh_install):
//   keep < 0   hand it over now, marked history            (-1, 'all': the default)
//   keep = 0   hand nothing over; the synced position moves on ('none')
//   keep = N   keep the last N of each conversation; hand them over at over(), in seq order
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>  // std::move
#include <vector>

#include "im/types.h"

namespace echat::im {

class FreshHistory {
 public:
  enum class State : unsigned char { Undecided, Fresh, Live };
  enum class Verdict : unsigned char { Hand, Skip, Keep };

  State state() const { return state_; }
  bool fresh() const { return state_ == State::Fresh; }
  std::size_t kept() const { return kept_.size(); }

  // A login answered. The first decides: a device that never synced (`synced` 0) is a fresh install.
  void logged_in(std::uint64_t synced, long long keep) {
    if (state_ != State::Undecided) return;
    state_ = synced == 0 ? State::Fresh : State::Live;
    keep_ = keep;
  }
  // While Fresh: what happens to a message of the run (the Client marks it history first).
  Verdict verdict() const { return keep_ < 0 ? Verdict::Hand : keep_ == 0 ? Verdict::Skip : Verdict::Keep; }
  // Verdict::Keep: keep `m` (in seq order: the run hands over in order). When its conversation (as `me`
  // sees it: the other user of a P2P, the room of a P2R) already has N kept, the oldest of them goes: its
  // ref is returned, for the Client to let go (the message it was is never handed over).
  std::optional<std::uint32_t> keep(Message m, const std::string& me) {
    std::size_t same = 0;
    std::size_t oldest = kept_.size();
    for (std::size_t k = kept_.size(); k-- > 0;) {
      if (same_conversation(kept_[k].facts, m.facts, me)) {
        ++same;
        oldest = k;
      }
    }
    std::optional<std::uint32_t> dropped;
    if (static_cast<long long>(same) >= keep_) {
      dropped = kept_[oldest].ref;
      kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(oldest));
    }
    kept_.push_back(std::move(m));
    return dropped;
  }
  // Fresh -> Live: the first run is over. The kept messages, in seq order, to hand over now.
  std::vector<Message> over() {
    std::vector<Message> out;
    if (state_ != State::Fresh) return out;
    state_ = State::Live;
    out.swap(kept_);
    return out;
  }

 private:
  static const std::string& other(const MessageFacts& f, const std::string& me) {
    return f.way == "P2P" && f.to_target == me ? f.form_user : f.to_target;
  }
  static bool same_conversation(const MessageFacts& a, const MessageFacts& b, const std::string& me) {
    return a.way == b.way && other(a, me) == other(b, me);
  }

  State state_ = State::Undecided;
  long long keep_ = -1;
  std::vector<Message> kept_;  // in seq order
};

}  // namespace echat::im
