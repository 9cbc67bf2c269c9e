// Replays one fuzz target's committed corpus (tests/fuzz/corpus/<name>/) through the target's entry
// function natively, under this build's ASan/UBSan: every input must return 0 (the target's invariants
// hold). Returns how many inputs were replayed, so a test can check the corpus is not empty.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace echat::testing {

inline int replay_corpus(const char* name, int (*one)(const std::uint8_t*, std::size_t)) {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_FUZZ_CORPUS_DIR) / name;
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

}  // namespace echat::testing
