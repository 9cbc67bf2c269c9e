// Replays the seed corpus of tests/fuzz/fuzz_config (sdk.im.init's config, io() options, storage
// records) natively, under this build's ASan/UBSan, with the target's own invariants: an input that
// breaks them aborts this test run. The corpus holds the inputs of the bugs the fuzzer found (crash_*,
// docs/fuzzing.md), so these are their regression tests too.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace echat::fuzz_replay {
int config_one(const std::uint8_t* data, std::size_t size);
}  // namespace echat::fuzz_replay

namespace {

int replay(const char* corpus, int (*one)(const std::uint8_t*, std::size_t)) {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_FUZZ_CORPUS_DIR) / corpus;
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK(one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("fuzz corpus replay: config, options and storage parsers", "[host][fuzz]") {
  CHECK(replay("config", echat::fuzz_replay::config_one) >= 8);
}
