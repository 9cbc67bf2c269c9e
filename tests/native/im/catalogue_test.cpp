// src/im/catalogue.json is the one list of calls: the core's table is generated from it (CMake,
// im/catalogue.inc) and js-shim/apis.js requires it. Every entry is known to the core with its
// idempotence; anything else is refused.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "im/requests.h"

TEST_CASE("catalogue: the core knows exactly the calls of src/im/catalogue.json", "[im][catalogue]") {
  std::ifstream in(std::string(ECHAT_TEST_DATA_DIR) + "/../../../src/im/catalogue.json");
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cat = nlohmann::json::parse(text, nullptr, false);
  REQUIRE(cat.is_object());
  int n = 0;
  for (const auto& [module, methods] : cat.items()) {
    if (module == "//") continue;
    for (const auto& [method, info] : methods.items()) {
      INFO(module << "/" << method);
      CHECK(echat::im::known_method(module, method));
      CHECK(echat::im::idempotent(module, method) == info.at("idempotent").get<bool>());
      CHECK_FALSE(echat::im::known_method(module, method + "x"));
      ++n;
    }
  }
  CHECK(n == 33);
  CHECK(echat::im::idempotent("message", "send"));  // with its clientMsgId: the server drops repeats
  CHECK_FALSE(echat::im::idempotent("room", "add"));
  CHECK_FALSE(echat::im::known_method("nope", "get"));
}
