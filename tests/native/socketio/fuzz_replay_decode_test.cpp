// Replays the socketio_decode fuzz corpus natively (under ASan/UBSan here), with the fuzz target's own
// invariants: a seed that breaks them aborts this test run.
#include "../support/corpus_replay.h"

#define LLVMFuzzerTestOneInput echat_fuzz_socketio_decode_one
#include "../../fuzz/fuzz_socketio_decode.cpp"
#undef LLVMFuzzerTestOneInput

TEST_CASE("fuzz corpus replay: socketio_decode", "[socketio][fuzz]") {
  CHECK(echat::testing::replay_corpus("socketio_decode", echat_fuzz_socketio_decode_one) >= 5);
}
