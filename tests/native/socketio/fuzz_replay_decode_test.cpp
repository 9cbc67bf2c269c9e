// Replays the socketio_decode fuzz corpus natively (under ASan/UBSan here), with the fuzz target's own
// invariants: a seed that breaks them aborts this test run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#define LLVMFuzzerTestOneInput echat_fuzz_socketio_decode_one
#include "../../fuzz/fuzz_socketio_decode.cpp"
#undef LLVMFuzzerTestOneInput

TEST_CASE("fuzz corpus replay: socketio_decode", "[socketio][fuzz]") {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_FUZZ_CORPUS_DIR) / "socketio_decode";
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK(echat_fuzz_socketio_decode_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++n;
  }
  CHECK(n >= 5);
}
