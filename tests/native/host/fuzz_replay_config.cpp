// tests/fuzz/fuzz_config.cpp compiled into the native suite (see fuzz_replay_config_test.cpp).
#include <cstddef>
#include <cstdint>

#define LLVMFuzzerTestOneInput echat_fuzz_config_one
#include "../../fuzz/fuzz_config.cpp"
#undef LLVMFuzzerTestOneInput

namespace echat::fuzz_replay {
int config_one(const std::uint8_t* data, std::size_t size) { return echat_fuzz_config_one(data, size); }
}  // namespace echat::fuzz_replay
