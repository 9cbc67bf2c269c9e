// Randomised sessions: pushes lost or repeated, links cut, time jumps, app restarts (a clean close and
// a new client from the same storage and server), forced 419/429/503/401 answers, lost answers, expired
// JWTs. Invariant: across all runs the application is
// handed every delivery exactly once, in seq order, and every message sent is stored exactly once.
// And the wasm host's lanes change nothing: the same session with and without them sends the same
// frames and ends the same way.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fake_echat.h"

using namespace echat::testing;  // NOLINT

namespace {

// One randomised session (its seed picks the transport, the outbox form and every step).
struct RandomSession {
  std::unique_ptr<ImHarness> h;       // the last run's (after the restarts)
  std::vector<std::uint64_t> handed;  // seqs handed to the app, over every run
  int sent_by_alice = 0;
  std::map<std::string, int> outcome;  // clientMsgId -> the last Response code (closed ones skipped)
  int lane_sends = 0, lane_answers = 0, lane_deliveries = 0;
  // What the session did, in order: every frame the client sent (its arguments as JSON values: the
  // general path of this harness writes a form's keys in its own order, the host the app's), then the
  // deliveries, the outcomes, the states, the sync runs, the errors and the storage at the end.
  std::string transcript;
};

std::string frame_as_values(const std::string& frame) {
  const auto k = frame.find('[');
  if (k == std::string::npos) return frame;
  const auto args = nlohmann::json::parse(frame.substr(k), nullptr, false);
  return args.is_discarded() ? frame : frame.substr(0, k) + args.dump();
}

// lanes: the wasm host's send and answer lanes (fake_echat.h); socket_order: frames from the server
// arrive after the outputs being handled even without them (as lanes have them).
RandomSession random_session(std::uint32_t seed, bool lanes, bool socket_order = false) {
  RandomSession out;
  {
    std::mt19937 rng(seed);
    auto config = ImHarness::base_config(seed % 2 ? echat::im::Transport::Socket : echat::im::Transport::Http);
    config.seed = seed;
    config.outbox_per_message = seed % 3 == 0;
    auto& h = out.h;
    h = std::make_unique<ImHarness>(config);
    h->lanes = lanes;
    h->socket_order = socket_order;
    h->start();
    auto& handed = out.handed;
    std::size_t taken = 0;
    int& sent_by_alice = out.sent_by_alice;
    auto& outcome = out.outcome;
    auto frames = [&]() {
      for (const auto& f : h->sent_frames) out.transcript += frame_as_values(f) + "\n";
      h->sent_frames.clear();
    };
    auto collect = [&]() {
      for (; taken < h->messages.size(); ++taken) handed.push_back(h->messages[taken].seq);
      for (const auto& [id, r] : h->responses) {
        if (!r.client_msg_id.empty() && r.code != echat::im::code::kClosed) outcome[r.client_msg_id] = r.code;
      }
      frames();
    };
    for (int step = 0; step < 60; ++step) {
      switch (rng() % 11) {
        case 0:
        case 1:
          h->send_as("bob", "alice", "b" + std::to_string(step), rng() % 3 != 0);
          break;
        case 2: {
          auto& tl = h->echat.timeline["alice"];
          if (!tl.empty()) h->push("alice", tl[rng() % tl.size()]);  // a repeated push
          h->pump();
          break;
        }
        case 3:
          h->cut();
          break;
        case 4:
          h->advance(static_cast<std::int64_t>(rng() % 8000));
          break;
        case 5: {
          auto r = h->send_message(R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"a"}})");
          if (r.ok()) ++sent_by_alice;
          h->pump();
          break;
        }
        case 6: {  // the app restarts
          collect();
          h->client.close(h->now());
          h->pump();
          frames();
          out.lane_sends += h->lane_sends;
          out.lane_answers += h->lane_answers;
          out.lane_deliveries += h->lane_deliveries;
          auto next = std::make_unique<ImHarness>(config);
          next->lanes = lanes;
          next->socket_order = socket_order;
          next->echat = h->echat;
          next->storage = h->storage;
          next->clock = h->clock;
          h = std::move(next);
          taken = 0;
          h->start();
          break;
        }
        case 7: {  // the server answers the next call with a code it did not run it for
          static const int codes[] = {419, 429, 503, 401};
          h->echat.forced_codes.push_back(codes[rng() % 4]);
          break;
        }
        case 8:  // the server runs the next call but its answer is lost
          h->echat.lose_answers = 1;
          break;
        case 9: {  // an expired JWT
          if (!h->client.jwt().empty()) h->echat.expired.insert(h->client.jwt());
          break;
        }
        default:
          h->advance(100);
          break;
      }
    }
    h->advance(60000);
    // A push the fake server skipped (push_now false) with no later message to reveal the gap is found
    // by the next login's sync (on a live link the real server never skips one): reconnect once.
    h->cut();
    h->advance(60000);
    collect();
    out.lane_sends += h->lane_sends;
    out.lane_answers += h->lane_answers;
    out.lane_deliveries += h->lane_deliveries;
    for (const auto seq : handed) out.transcript += "handed " + std::to_string(seq) + "\n";
    for (const auto& [cmid, code] : outcome) out.transcript += cmid + " " + std::to_string(code) + "\n";
    for (const auto& state : h->states) out.transcript += state + "\n";
    for (const auto& y : h->syncs) {
      out.transcript += "sync " + std::to_string(y.from) + ".." + std::to_string(y.to) + " " + std::to_string(y.count) + "\n";
    }
    for (const auto& e : h->errors) out.transcript += std::to_string(e.code) + " " + e.message + "\n";
    for (const auto& [key, value] : h->storage) out.transcript += key + " = " + value + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("im random sessions: exactly once, in order, across drops and restarts", "[im][random]") {
  int lane_sends = 0, lane_answers = 0;  // over the sessions with lanes
  for (std::uint32_t seed = 1; seed <= 100; ++seed) {
    const bool lanes = seed % 4 == 3;  // the wasm host's send and answer lanes (fake_echat.h)
    RandomSession run = random_session(seed, lanes);
    auto& h = run.h;
    const auto& handed = run.handed;
    const int sent_by_alice = run.sent_by_alice;
    const auto& outcome = run.outcome;
    lane_sends += run.lane_sends;
    lane_answers += run.lane_answers;
    if (lanes && h->client.outbox_size() == 0) CHECK(h->kept.empty());  // every kept form released once stored
    const std::uint64_t total = h->echat.timeline["alice"].size();
    std::vector<std::uint64_t> want(total);
    for (std::uint64_t i = 0; i < total; ++i) want[i] = i + 1;
    INFO("seed " << seed);
    std::string errs;
    for (const auto& e : h->errors) errs += std::to_string(e.code) + " " + e.message + "; ";
    INFO("state " << echat::im::to_string(h->client.state()) << ", synced " << h->client.synced_seq() << ", pending "
                  << h->client.pending_calls() << ", errors: " << errs);
    std::string calls;
    for (std::size_t i = h->echat.calls.size() > 12 ? h->echat.calls.size() - 12 : 0; i < h->echat.calls.size(); ++i)
      calls += h->echat.calls[i] + "; ";
    INFO("last calls: " << calls);
    REQUIRE(handed == want);
    // every message alice sent was stored exactly once (clientMsgIds are unique in her sends)
    std::size_t stored = 0;
    for (const auto& m : h->echat.timeline["bob"]) stored += m["formUser"] == "alice";
    CHECK(stored == static_cast<std::size_t>(sent_by_alice));
    CHECK(h->client.outbox_size() == 0);
    CHECK(outcome.size() == static_cast<std::size_t>(sent_by_alice));
    for (const auto& [cmid, code] : outcome) {
      INFO("clientMsgId " << cmid);
      CHECK(code == 0);
      std::size_t copies = 0;
      for (const auto& m : h->echat.timeline["bob"]) copies += m["clientMsgId"] == cmid;
      CHECK(copies == 1);
    }
  }
  INFO("lane sends " << lane_sends << ", lane answers " << lane_answers);
  CHECK(lane_sends >= 20);  // the lanes were taken, not only refused
  CHECK(lane_answers >= 20);
}

// The same sessions over the socket, with the lanes and without (frames from the server arriving in
// the same order): the same frames sent, the same deliveries, outcomes, states, errors and storage.
TEST_CASE("im random sessions: the lanes send what the general path sends, and end the same", "[im][random]") {
  int lane_sends = 0, lane_deliveries = 0;
  for (std::uint32_t seed = 1; seed <= 100; seed += 2) {
    INFO("seed " << seed);
    const RandomSession general = random_session(seed, false, true);
    const RandomSession lanes = random_session(seed, true);
    lane_sends += lanes.lane_sends;
    lane_deliveries += lanes.lane_deliveries;
    CHECK(general.lane_sends + general.lane_deliveries == 0);
    if (general.transcript == lanes.transcript) continue;
    std::size_t k = 0;  // the first difference, with what came before it
    while (k < general.transcript.size() && general.transcript[k] == lanes.transcript[k]) ++k;
    const std::size_t from = k > 400 ? k - 400 : 0;
    FAIL_CHECK("differ from byte " << k << "\ngeneral: " << general.transcript.substr(from, 800)
                                   << "\nlanes: " << lanes.transcript.substr(from, 800));
  }
  INFO("lane sends " << lane_sends << ", lane deliveries " << lane_deliveries);
  CHECK(lane_sends >= 20);
  CHECK(lane_deliveries >= 20);
}
