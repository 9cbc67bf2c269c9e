// Replays the seed corpus of tests/fuzz/fuzz_im_client (scripted im::Client sessions) natively, under
// this build's ASan/UBSan, with the target's own invariants (exactly-once in-order delivery, one
// Response per call, sane deadlines, ...): an input that breaks them aborts this test run.
#include <cstddef>
#include <cstdint>

#include "../support/corpus_replay.h"

namespace echat::fuzz_replay {
int im_client_one(const std::uint8_t* data, std::size_t size);
}  // namespace echat::fuzz_replay

TEST_CASE("fuzz corpus replay: im::Client sessions", "[im][fuzz]") {
  CHECK(echat::testing::replay_corpus("im_client", echat::fuzz_replay::im_client_one) >= 6);
}
