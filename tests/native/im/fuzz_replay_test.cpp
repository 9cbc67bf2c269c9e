// Replays the seed corpus of tests/fuzz/fuzz_im_client (scripted im::Client sessions) natively, under
// this build's ASan/UBSan, with the target's own invariants (exactly-once in-order delivery, one
// Response per call, sane deadlines, ...): an input that breaks them aborts this test run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace echat::fuzz_replay {
int im_client_one(const std::uint8_t* data, std::size_t size);
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

TEST_CASE("fuzz corpus replay: im::Client sessions", "[im][fuzz]") {
  CHECK(replay("im_client", echat::fuzz_replay::im_client_one) >= 6);
}
