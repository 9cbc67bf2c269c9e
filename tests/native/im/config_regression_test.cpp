// Regressions found by tests/fuzz/fuzz_config (docs/fuzzing.md). Under the native sanitizer build a
// reintroduced bug is reported by UBSan as well as by the assertions.
#include <catch2/catch.hpp>

#include <string>

#include "im/types.h"

TEST_CASE("im config: an integral number beyond the integer range is a range error, not UB", "[im][config][fuzz]") {
  // read_int converted the double to long long before checking the range: 1e300 (integral, not NaN)
  // is beyond long long, which is undefined behaviour (UBSan: float-cast-overflow).
  const std::string base = R"({"host":"h","key":"K","loginAuid":"a","loginToken":"t",)";
  for (const char* field : {"httpPort", "socketPort", "reconnectionDelay", "requestTimeout", "maxHttpRequests",
                            "reconnectionAttempts"}) {
    for (const char* value : {"1e300", "-1e300", "1e19", "-9.3e18"}) {
      INFO(field << " = " << value);
      auto c = echat::im::config_from_json(base + "\"" + field + "\":" + value + "}");
      REQUIRE_FALSE(c.ok());
      CHECK(c.error().code == "400");  // the IM layer's codes are numbers (docs/errors.md), not "arg.invalid"
      CHECK(c.error().message.find(std::string("invalid argument '") + field + "': must be between") == 0);
    }
  }
  // In range, written as a float, is still accepted.
  auto ok = echat::im::config_from_json(base + R"("httpPort":8080.0})");
  REQUIRE(ok.ok());
  CHECK(ok.value().http_port == 8080);
}

TEST_CASE("im config: a protocol beyond int's range is refused, not read modulo 2^32", "[im][config]") {
  // protocol was read with get<int>(): 4294967299 (2^32 + 3) was taken as 3.
  const std::string base = R"({"host":"h","key":"K","loginAuid":"a","loginToken":"t","protocol":)";
  for (const char* value : {"4294967299", "4294967300", "-4294967293"}) {
    INFO("protocol = " << value);
    auto c = echat::im::config_from_json(base + value + "}");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("invalid argument 'protocol'") == 0);
  }
  auto three = echat::im::config_from_json(base + "3}");
  REQUIRE(three.ok());
  CHECK(three.value().protocol == 3);
}

TEST_CASE("im config: a host with a path, user, query, fragment or space is refused, naming the field", "[im][config][fuzz]") {
  // Found by fuzz_config (2026-12-06): a refactoring joined the check to the read with `&&` where
  // bad()'s false needed a `!`, and "host":"/:x::1" was accepted.
  for (const char* host : {"/:x::1", "a/b", "a b", "a?b", "a#b", "u@h"}) {
    INFO("host = " << host);
    auto c = echat::im::config_from_json(std::string(R"({"host":")") + host +
                                         R"(","key":"K","loginAuid":"a","loginToken":"t"})");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "invalid argument 'host': must be a host name or address");
    auto in_hosts = echat::im::config_from_json(std::string(R"({"hosts":[{"host":"ok"},{"host":")") + host +
                                                R"("}],"key":"K","loginAuid":"a","loginToken":"t"})");
    REQUIRE_FALSE(in_hosts.ok());
    CHECK(in_hosts.error().message == "invalid argument 'hosts[1].host': must be a host name or address");
  }
}
