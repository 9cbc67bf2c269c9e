// Replays the manager fuzz corpus natively (under ASan/UBSan here), with the fuzz target's own
// invariants: a seed that breaks them aborts this test run.
#include "../support/corpus_replay.h"

#define LLVMFuzzerTestOneInput echat_fuzz_manager_one
#include "../../fuzz/fuzz_manager.cpp"
#undef LLVMFuzzerTestOneInput

TEST_CASE("fuzz corpus replay: manager", "[socketio][fuzz]") {
  CHECK(echat::testing::replay_corpus("manager", echat_fuzz_manager_one) >= 5);
}

TEST_CASE("fuzz harness on random inputs (a quick native smoke run)", "[socketio][fuzz]") {
  echat::core::Rng rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(64 + rng.next_u64() % 400, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng.next_u64());
    CHECK(echat_fuzz_manager_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
  }
}
