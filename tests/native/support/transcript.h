// What the transcript runners share (tests/native/engineio/script_test.cpp, tests/native/im/
// transcript_test.cpp): reading a transcript file into scripts, and splitting a line into words. The
// format of each file is described at its top.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace echat::testing {

struct TranscriptScript {
  std::string name;
  int line = 0;                                    // where its "=== name" is
  std::vector<std::pair<int, std::string>> lines;  // (line number, text), comments and blanks left out
};

// The scripts of tests/native/data/<relative>: each starts at a "=== <name>" line.
inline std::vector<TranscriptScript> load_transcripts(const std::string& relative) {
  std::ifstream in(std::string(ECHAT_TEST_DATA_DIR) + "/" + relative);
  if (!in) throw std::runtime_error("cannot open " + relative);
  std::vector<TranscriptScript> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("=== ", 0) == 0) {
      out.push_back(TranscriptScript{line.substr(4), n, {}});
      continue;
    }
    if (line.empty() || line[0] == '#' || out.empty()) continue;
    out.back().lines.emplace_back(n, line);
  }
  return out;
}

// Splits off the first space-separated word of `rest`.
inline std::string next_word(std::string& rest) {
  const auto sp = rest.find(' ');
  std::string w = rest.substr(0, sp);
  rest = sp == std::string::npos ? std::string() : rest.substr(sp + 1);
  return w;
}

}  // namespace echat::testing
