// Replays the seed corpus of tests/fuzz/fuzz_config (sdk.im.init's config, io() options, storage
// records) natively, under this build's ASan/UBSan, with the target's own invariants: an input that
// breaks them aborts this test run. The corpus holds the inputs of the bugs the fuzzer found (crash_*,
// docs/fuzzing.md), so these are their regression tests too.
#include <cstddef>
#include <cstdint>

#include "../support/corpus_replay.h"

namespace echat::fuzz_replay {
int config_one(const std::uint8_t* data, std::size_t size);
}  // namespace echat::fuzz_replay

TEST_CASE("fuzz corpus replay: config, options and storage parsers", "[host][fuzz]") {
  CHECK(echat::testing::replay_corpus("config", echat::fuzz_replay::config_one) >= 8);
}
