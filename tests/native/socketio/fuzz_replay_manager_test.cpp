// Replays the manager fuzz corpus natively (under ASan/UBSan here), with the fuzz target's own
// invariants: a seed that breaks them aborts this test run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#define LLVMFuzzerTestOneInput echat_fuzz_manager_one
#include "../../fuzz/fuzz_manager.cpp"
#undef LLVMFuzzerTestOneInput

TEST_CASE("fuzz corpus replay: manager", "[socketio][fuzz]") {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_FUZZ_CORPUS_DIR) / "manager";
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK(echat_fuzz_manager_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++n;
  }
  CHECK(n >= 5);
}

TEST_CASE("fuzz harness on random inputs (a quick native smoke run)", "[socketio][fuzz]") {
  echat::core::Rng rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(64 + rng.next_u64() % 400, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng.next_u64());
    CHECK(echat_fuzz_manager_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
  }
}
