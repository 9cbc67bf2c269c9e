// tests/fuzz/fuzz_im_client.cpp compiled into the native suite (see fuzz_replay_test.cpp).
#include <cstddef>
#include <cstdint>

#define LLVMFuzzerTestOneInput echat_fuzz_im_client_one
#include "../../fuzz/fuzz_im_client.cpp"
#undef LLVMFuzzerTestOneInput

namespace echat::fuzz_replay {
int im_client_one(const std::uint8_t* data, std::size_t size) { return echat_fuzz_im_client_one(data, size); }
}  // namespace echat::fuzz_replay
