// Randomised sessions: pushes lost or repeated, links cut, time jumps, app restarts (a clean close and
// a new client from the same storage and server). Invariant: across all runs the application is
// handed every delivery exactly once, in seq order, and every message sent is stored exactly once.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fake_echat.h"

using namespace echat::testing;  // NOLINT

TEST_CASE("im random sessions: exactly once, in order, across drops and restarts", "[im][random]") {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    auto config = ImHarness::base_config(seed % 2 ? echat::im::Transport::Socket : echat::im::Transport::Http);
    config.seed = seed;
    auto h = std::make_unique<ImHarness>(config);
    h->start();
    std::vector<std::uint64_t> handed;  // seqs handed to the app, over every run
    std::size_t taken = 0;
    int sent_by_alice = 0;
    auto collect = [&]() {
      for (; taken < h->messages.size(); ++taken) handed.push_back(h->messages[taken].seq);
    };
    for (int step = 0; step < 60; ++step) {
      switch (rng() % 8) {
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
          auto r = h->client.send_message(h->now(), R"({"toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"a"}})");
          if (r.ok()) ++sent_by_alice;
          h->pump();
          break;
        }
        case 6: {  // the app restarts
          collect();
          h->client.close(h->now());
          h->pump();
          auto next = std::make_unique<ImHarness>(config);
          next->echat = h->echat;
          next->storage = h->storage;
          next->clock = h->clock;
          h = std::move(next);
          taken = 0;
          h->start();
          break;
        }
        default:
          h->advance(100);
          break;
      }
    }
    h->advance(60000);
    collect();
    const std::uint64_t total = h->echat.timeline["alice"].size();
    std::vector<std::uint64_t> want(total);
    for (std::uint64_t i = 0; i < total; ++i) want[i] = i + 1;
    INFO("seed " << seed);
    REQUIRE(handed == want);
    // every message alice sent was stored exactly once (clientMsgIds are unique in her sends)
    std::size_t stored = 0;
    for (const auto& m : h->echat.timeline["bob"]) stored += m["formUser"] == "alice";
    CHECK(stored == static_cast<std::size_t>(sent_by_alice));
    CHECK(h->client.outbox_size() == 0);
  }
}
