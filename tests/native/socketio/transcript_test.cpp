// Scripted sessions kept as data (tests/native/data/socketio/transcripts/*.txt, after llhttp's
// Markdown tests): each "> input" line drives the Manager; the "< output" lines after it must be every
// output it produced, in order (described as in harness.h). "options k=v ..." sets ManagerOptions.
//
// Inputs: connect <nsp> [auth-json] | disconnect <nsp> | emit <nsp> <args-json> [ack] [timeout=N]
//         [volatile] [bin=HEX,HEX] | ack <nsp> <id> <args-json> | close | wake | online 0|1
//         | open #t | frame #t <text> | binary #t <hex> | closed #t <code> | error #t <message>
//         | time +N (fires every deadline up to now+N, in order) | timer
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

using namespace echat::testing;  // NOLINT
using echat::socketio::Manager;
using echat::socketio::ManagerOptions;

namespace {

std::string word(std::string& rest) {
  const std::size_t sp = rest.find(' ');
  std::string w = rest.substr(0, sp);
  rest = sp == std::string::npos ? std::string() : rest.substr(sp + 1);
  return w;
}

std::uint32_t transport(const std::string& w) {
  REQUIRE(!w.empty());
  REQUIRE(w[0] == '#');
  return static_cast<std::uint32_t>(std::stoul(w.substr(1)));
}

// The JSON text at the start of `rest` (up to the first space outside strings and brackets).
std::string json_word(std::string& rest) {
  int depth = 0;
  bool in_string = false;
  std::size_t i = 0;
  for (; i < rest.size(); ++i) {
    const char c = rest[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') --depth;
    else if (c == ' ' && depth == 0) break;
  }
  std::string w = rest.substr(0, i);
  rest = i < rest.size() ? rest.substr(i + 1) : std::string();
  return w;
}

void run_transcript(const std::filesystem::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  ManagerOptions o = Harness::base_options();
  std::size_t i = 0;
  for (; i < lines.size(); ++i) {
    if (lines[i].rfind("options", 0) == 0) {
      std::string rest = lines[i].substr(8);
      while (!rest.empty()) {
        const std::string kv = word(rest);
        const std::size_t eq = kv.find('=');
        const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
        if (k == "protocol") o.protocol = std::stoi(v);
        else if (k == "seed") o.seed = std::stoull(v);
        else if (k == "randomization_factor") o.randomization_factor = std::stod(v);
        else if (k == "reconnection_attempts") o.reconnection_attempts = static_cast<std::uint32_t>(std::stoul(v));
        else if (k == "timeout") o.timeout = std::stoll(v);
        else if (k == "query") o.query = v;
        else if (k == "url") o.url = v;
        else FAIL("unknown option " << k);
      }
      ++i;
      break;
    }
    if (!lines[i].empty() && lines[i][0] != '#') break;
  }
  Manager m(o);
  REQUIRE_FALSE(m.error());
  std::int64_t now = 0;
  std::vector<std::string> got;
  auto collect = [&] {
    for (const auto& out : m.take_outputs()) got.push_back(describe(out));
  };

  std::size_t n_inputs = 0;
  while (i < lines.size()) {
    const std::string line = lines[i++];
    if (line.empty() || line[0] == '#') continue;
    REQUIRE(line.rfind("> ", 0) == 0);
    INFO(file.filename().string() << ":" << i << ": " << line);
    std::string rest = line.substr(2);
    const std::string cmd = word(rest);
    ++n_inputs;
    if (cmd == "connect") {
      const std::string nsp = word(rest);
      REQUIRE(m.connect_socket(now, nsp, rest).ok());
    } else if (cmd == "disconnect") {
      m.disconnect_socket(now, word(rest));
    } else if (cmd == "emit") {
      const std::string nsp = word(rest);
      const std::string args = json_word(rest);
      Manager::EmitOptions eo;
      std::vector<std::string> att;
      while (!rest.empty()) {
        const std::string f = word(rest);
        if (f == "ack") eo.want_ack = true;
        else if (f == "volatile") eo.is_volatile = true;
        else if (f.rfind("timeout=", 0) == 0) eo.ack_timeout = std::stoll(f.substr(8));
        else if (f.rfind("bin=", 0) == 0) {
          std::string hexes = f.substr(4);
          std::stringstream ss(hexes);
          for (std::string h; std::getline(ss, h, ',');) att.push_back(ServerPeer::unhex(h));
        } else FAIL("unknown emit flag " << f);
      }
      REQUIRE(m.emit(now, nsp, args, att, eo).ok());
    } else if (cmd == "ack") {
      const std::string nsp = word(rest);
      const std::uint64_t id = std::stoull(word(rest));
      REQUIRE(m.ack(now, nsp, id, rest, {}).ok());
    } else if (cmd == "close") {
      m.close(now);
    } else if (cmd == "wake") {
      m.wake(now);
    } else if (cmd == "online") {
      m.set_online(now, word(rest) == "1");
    } else if (cmd == "open") {
      m.on_transport_open(now, transport(word(rest)));
    } else if (cmd == "frame") {
      const auto t = transport(word(rest));
      m.on_frame(now, t, {false, rest});
    } else if (cmd == "binary") {
      const auto t = transport(word(rest));
      m.on_frame(now, t, {true, ServerPeer::unhex(rest)});
    } else if (cmd == "closed") {
      const auto t = transport(word(rest));
      m.on_transport_close(now, t, std::stoi(word(rest)), rest);
    } else if (cmd == "error") {
      const auto t = transport(word(rest));
      m.on_transport_error(now, t, rest);
    } else if (cmd == "time") {
      REQUIRE(rest[0] == '+');
      const std::int64_t target = now + std::stoll(rest.substr(1));
      for (auto d = m.next_deadline(); d && *d <= target; d = m.next_deadline()) {
        now = std::max(now, *d);
        m.on_timer(now);
        collect();
      }
      now = target;
    } else if (cmd == "timer") {
      m.on_timer(now);
    } else {
      FAIL("unknown input " << cmd);
    }
    collect();
    std::vector<std::string> want;
    while (i < lines.size() && (lines[i].rfind("< ", 0) == 0 || (!lines[i].empty() && lines[i][0] == '#'))) {
      if (lines[i][0] == '<') want.push_back(lines[i].substr(2));
      ++i;
    }
    CHECK(got == want);
    got.clear();
  }
  CHECK(n_inputs > 5);
}

}  // namespace

TEST_CASE("transcripts: scripted sessions kept as data", "[socketio][manager][transcript]") {
  const std::filesystem::path dir = std::filesystem::path(ECHAT_TEST_DATA_DIR) / "socketio" / "transcripts";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    SECTION(entry.path().filename().string()) { run_transcript(entry.path()); }
    ++files;
  }
  CHECK(files >= 3);
}
