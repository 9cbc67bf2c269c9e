// core::Json against nlohmann/json (the library it replaced in the shipped core, kept here as the
// yardstick): the same texts accepted and refused, the same dump, plus what JSON.parse does that
// nlohmann does not (lone surrogates, any depth).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/json.h"

using echat::core::Json;

namespace {

// nlohmann's verdict and dump (its error handler replaces invalid UTF-8, as core::Json's dump does).
bool nl_accepts(const std::string& t) { return !nlohmann::json::parse(t, nullptr, false).is_discarded(); }
std::string nl_dump(const std::string& t) {
  return nlohmann::json::parse(t, nullptr, false).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool has_lone_surrogate_escape(const std::string& t) {
  for (std::size_t i = 0; i + 5 < t.size(); ++i) {
    if (t[i] == '\\' && t[i + 1] == 'u' && (t[i + 2] == 'd' || t[i + 2] == 'D')) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("json: the same texts as nlohmann, the same dump", "[core][json]") {
  const std::vector<std::string> valid = {
      "null", "true", "false", "0", "-0", "7", "-12", "1.5", "-0.25", "1e3", "2E-2", "0.5e+1",
      "9223372036854775807", "-9223372036854775808", "18446744073709551615",
      R"("")", R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u0000\u001f\u00e9\u4f60")", R"("\ud83d\ude00")",
      "\"\xE4\xBD\xA0\xF0\x9F\x98\x80\"", "[]", "{}", " [ 1 , 2 ] ", "\t{\n\"a\" :\r1}\n",
      R"({"b":1,"a":[true,null,{"z":"x","y":[]}]})", R"({"a":1,"a":2})", R"([[[[[]]]]])",
      R"({"mid":101,"seq":1,"body":{"text":"hi"},"toTarget":"bob","recalled":false})"};
  for (const auto& t : valid) {
    INFO(t);
    const Json j = Json::parse(t);
    REQUIRE_FALSE(j.is_discarded());
    REQUIRE(nl_accepts(t));
    // nlohmann rewrites fractions (1e3 -> 1000.0) and -0 -> 0; core::Json keeps the number's text.
    const bool rewrites = t.find_first_of(".eE") != std::string::npos && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9'));
    if (!rewrites && t != "-0") CHECK(j.dump() == nl_dump(t));
  }
  const std::vector<std::string> invalid = {
      "", " ", "nul", "tru", "True", "01", "-", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity", "0x1",
      "[1,]", "[,1]", "{,}", R"({"a"})", R"({"a":})", R"({"a":1,})", "{'a':1}", "{a:1}", "[1]x", "[1] [2]",
      "\"abc", "\"a\x01\"", R"("\x")", R"("\u12")", R"("\u12g4")", "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
      "\"\xF5\x80\x80\x80\"", "\"\xE4\xBD\"", "\"\x80\"", "[", "]", "{", "}", "[1", R"({"a":1)"};
  for (const auto& t : invalid) {
    INFO(t);
    CHECK(Json::parse(t).is_discarded());
    CHECK_FALSE(nl_accepts(t));
  }
}

TEST_CASE("json: what JSON.parse accepts and nlohmann does not", "[core][json]") {
  // Lone surrogate escapes: U+FFFD (UTF-8 cannot hold them); a pair is one character.
  CHECK(Json::parse(R"("x\ud800")").get_string() == "x\xEF\xBF\xBD");
  CHECK(Json::parse(R"("\udc00y")").get_string() == "\xEF\xBF\xBDy");
  CHECK(Json::parse(R"("\ud800\u0041")").get_string() == "\xEF\xBF\xBD" "A");
  CHECK(Json::parse(R"("\ud800\ud800\udc00")").get_string() == "\xEF\xBF\xBD\xF0\x90\x80\x80");
  CHECK(Json::parse(R"("\\ud800")").get_string() == "\\ud800");
  // Any depth: containers below kMaxDepth are kept as text, written back as they came.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const Json d = Json::parse(deep);
  REQUIRE(d.is_array());
  CHECK(d.dump() == deep);
  const std::string deep_obj = R"({"x":)" + std::string(5000, '[') + R"({"a" : [1, "s", {}]})" + std::string(5000, ']') + "}";
  const Json o = Json::parse(deep_obj);
  REQUIRE(o.is_object());
  CHECK(Json::parse(o.dump()).dump() == o.dump());
  CHECK(Json::parse(std::string(100000, '[') + std::string(99999, ']')).is_discarded());
  CHECK(Json::parse(std::string(1000, '[') + "1,]" + std::string(999, ']')).is_discarded());
  CHECK(Json::parse(std::string(1000, '[') + R"({"a"})" + std::string(1000, ']')).is_discarded());
  // Exactly at the limit a tree, one below it text.
  std::string at = "1";
  for (int k = 0; k < Json::kMaxDepth; ++k) at = "[" + at + "]";
  const Json* inner = nullptr;
  Json a = Json::parse(at);
  inner = &a;
  for (int k = 0; k < Json::kMaxDepth - 1; ++k) inner = &(*inner)[0];
  CHECK(inner->is_array());
  CHECK((*inner)[0].is_number());
  CHECK(Json::parse("[" + at + "]").dump() == "[" + at + "]");
}

TEST_CASE("json: numbers keep their text and read exactly", "[core][json]") {
  CHECK(Json::parse("9223372036854775807").get_int() == INT64_MAX);
  CHECK(Json::parse("-9223372036854775808").get_int() == INT64_MIN);
  CHECK(Json::parse("-9223372036854775808").is_number_integer());
  CHECK_FALSE(Json::parse("-9223372036854775808").is_number_unsigned());
  CHECK(Json::parse("18446744073709551615").get_uint() == UINT64_MAX);
  CHECK(Json::parse("18446744073709551615").is_number_unsigned());
  CHECK(Json::parse("18446744073709551616").is_number_float());
  CHECK(Json::parse("-9223372036854775809").is_number_float());
  CHECK(Json::parse("1.0").is_number_float());
  CHECK(Json::parse("0").is_number_unsigned());
  CHECK(Json::parse("-0").is_number_unsigned());
  CHECK(Json::parse("-3").get_uint() == 0);
  CHECK(Json::parse("0.5").get_double() == 0.5);
  CHECK(Json::parse("-2.5e-3").get_double() == -0.0025);
  CHECK(Json::parse("0.1").get_double() == 0.1);
  CHECK(Json::parse("123456.789").get_double() == 123456.789);
  CHECK(Json::parse("1e22").get_double() == 1e22);
  CHECK(Json::parse("25e3").get_int() == 25000);
  CHECK(Json::parse("1e999").get_double() == std::numeric_limits<double>::infinity());
  CHECK(Json::parse("1e-999").get_double() == 0);
  CHECK(Json::parse("12345678901234567890123").get_double() == Approx(1.2345678901234568e22));
  CHECK(Json::parse("[1.50e0]").dump() == "[1.50e0]");  // passed through, not rewritten
  CHECK(Json(std::uint64_t{18446744073709551615ULL}).dump() == "18446744073709551615");
  CHECK(Json(-5).get_int() == -5);
}

TEST_CASE("json: building, keys sorted as nlohmann's map, last value of a repeated key", "[core][json]") {
  Json o = Json::object({{"b", 1}, {"a", "x"}, {"c", Json::array({true, nullptr, 2})}});
  CHECK(o.dump() == R"({"a":"x","b":1,"c":[true,null,2]})");
  o["a"] = "y";
  o["0"] = Json::object();
  CHECK(o.dump() == R"({"0":{},"a":"y","b":1,"c":[true,null,2]})");
  CHECK(o.erase("b"));
  CHECK_FALSE(o.erase("b"));
  CHECK(o.find("b") == nullptr);
  CHECK(o.size() == 3);
  CHECK(Json::parse(R"({"a":1,"b":2,"a":3})").dump() == R"({"a":3,"b":2})");
  CHECK(Json::parse(R"({"c":1,"a":1,"b":1,"a":2,"c":2,"a":3})").dump() == R"({"a":3,"b":1,"c":2})");
  // Repeated keys in any order, against nlohmann (the last value of each key stays, as JSON.parse).
  unsigned seed = 7;
  for (int round = 0; round < 300; ++round) {
    std::string text = "{";
    const int n = static_cast<int>((seed = seed * 1103515245u + 12345u) >> 16) % 12;
    for (int k = 0; k < n; ++k) {
      const unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
      text += std::string(k ? "," : "") + "\"" + std::string(1, static_cast<char>('a' + r % 5)) + "\":" + std::to_string(k);
    }
    text += "}";
    CHECK(Json::parse(text).dump() == nl_dump(text));
  }
  const Json& co = o;
  CHECK(co["missing"].is_null());
  CHECK(co["c"][7].is_null());
  Json arr;
  arr.push_back(1);
  arr.push_back("s");
  CHECK(arr.dump() == R"([1,"s"])");
  CHECK(Json().size() == 0);
  CHECK(Json(3).size() == 1);
  CHECK(Json("s").type_name() == std::string("string"));
  // Many keys in reverse order: sorted once, not inserted one by one (a hostile frame may hold many).
  std::string many = "{";
  for (int k = 60000; k > 0; --k) many += "\"k" + std::to_string(k) + "\":" + std::to_string(k) + (k > 1 ? "," : "}");
  const auto t0 = std::chrono::steady_clock::now();
  const Json m = Json::parse(many);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(m.size() == 60000);
  CHECK(m.dump() == nl_dump(many));
  // Not a timed assertion (those flake on shared machines): the time is reported; quadratic insertion
  // would take minutes here, which the suite's own duration shows.
  WARN("60,000 keys in reverse order parsed in " << ms << " ms");
}

TEST_CASE("json: dump escapes as JSON.stringify and replaces invalid UTF-8", "[core][json]") {
  const std::vector<std::string> strings = {std::string("a\x01\x1f\"\\\t\r\n\b\f/\x7f", 13), "\xE4\xBD\xA0",
                                            "bad \xFF byte", "cut \xE4\xBD", "\xC0\x80", "\xED\xA0\x80", ""};
  for (const auto& s : strings) {
    INFO(s);
    CHECK(Json(s).dump() == nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

TEST_CASE("json: random texts get nlohmann's verdict and dump", "[core][json]") {
  // Mutations of valid texts: every text nlohmann accepts, core::Json accepts with the same dump;
  // every text core::Json accepts, nlohmann accepts too (but for lone surrogate escapes).
  const std::vector<std::string> seeds = {
      R"({"a":[1,2,{"b":"c\n"}],"d":null,"e":true})", R"(["\u00e9",-1,0,{}])", R"({"k":"\ud83d\ude00","n":123})",
      "[\"\xE4\xBD\xA0\",[],[[]],{\"x\":{\"y\":false}}]"};
  const std::string alphabet = "{}[]\",:\\u0123456789abcdefnrtlsx -+.eE\x01\x7f\xC3\xA9\xED\xF0";
  std::mt19937 rng(12345);
  int agreed = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string t = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !t.empty(); ++e) {
      const std::size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0: t.erase(at, 1); break;
        case 1: t.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        default: t[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    const Json j = Json::parse(t);
    const bool nl = nl_accepts(t);
    INFO(t);
    if (nl) {
      REQUIRE_FALSE(j.is_discarded());
      if (t.find_first_of(".eE") == std::string::npos && t.find("-0") == std::string::npos) REQUIRE(j.dump() == nl_dump(t));
      ++agreed;
    } else if (!j.is_discarded()) {
      REQUIRE(has_lone_surrogate_escape(t));
    }
    if (!j.is_discarded()) REQUIRE(Json::parse(j.dump()).dump() == j.dump());
  }
  CHECK(agreed > 1000);
}

// core::decimal writes what std::to_string writes, for every integer type the core formats (it replaced
// std::to_string in the wasm build: one digit writer instead of libc++'s per type).
TEST_CASE("json: decimal() is std::to_string for integers", "[core][json]") {
  using echat::core::decimal;
  for (const std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{9}, std::int64_t{-10}, std::int64_t{1234567890123},
                               std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    CHECK(decimal(v) == std::to_string(v));
    CHECK(decimal(static_cast<int>(v)) == std::to_string(static_cast<int>(v)));
    CHECK(decimal(static_cast<long>(v)) == std::to_string(static_cast<long>(v)));
  }
  for (std::uint64_t v = 1; v != 0; v = v * 10 + (v & 7)) {  // every length, up to the largest
    CHECK(decimal(v) == std::to_string(v));
    CHECK(decimal(v - 1) == std::to_string(v - 1));
    CHECK(decimal(static_cast<unsigned>(v)) == std::to_string(static_cast<unsigned>(v)));
    CHECK(decimal(static_cast<std::size_t>(v)) == std::to_string(static_cast<std::size_t>(v)));
    if (v > std::numeric_limits<std::uint64_t>::max() / 10) break;
  }
  CHECK(decimal(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(decimal(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
}

// format_uint, the digit writer of the hot lanes: every value up to 20,000 and every power of ten, give
// or take 101, against std::to_string.
TEST_CASE("json: format_uint() writes every length", "[core][json]") {
  char out[20];
  const auto check = [&out](std::uint64_t v) {
    const std::size_t n = echat::core::format_uint(out, v);
    CHECK(std::string(out, n) == std::to_string(v));
  };
  for (std::uint64_t v = 0; v <= 20000; ++v) check(v);
  for (std::uint64_t p = 10; p != 0; p *= 10) {
    for (std::uint64_t d = 0; d <= 101; ++d) {
      check(p + d);
      check(p - 1 - d);
    }
    if (p > std::numeric_limits<std::uint64_t>::max() / 10) break;
  }
  check(std::numeric_limits<std::uint64_t>::max());
}

// read_uint, the lanes' reader of an ack id's digits and of a clientMsgId's number: 1 to 19 digits from
// the offset on, nothing else; `v` untouched on a refusal.
TEST_CASE("json: read_uint() reads 1 to 19 digits and nothing else", "[core][json]") {
  using echat::core::read_uint;
  std::uint64_t v = 7;
  CHECK(read_uint("430", 2, v));
  CHECK(v == 0);
  CHECK(read_uint("9999999999999999999", 0, v));
  CHECK(v == 9999999999999999999ull);
  CHECK(read_uint("x-12345", 2, v));
  CHECK(v == 12345);
  for (std::uint64_t p = 1; p <= 1000000000000000000ull; p *= 10) {
    CHECK(read_uint(std::to_string(p - 1), 0, v));
    CHECK(v == p - 1);
  }
  v = 7;
  for (const char* bad : {"", "43", "12a", "a12", "-1", "+1", "1 ", " 1", "10000000000000000000", "1.0"}) {
    INFO(bad);
    const std::string_view s = bad;
    CHECK_FALSE(read_uint(s, s.rfind("43", 0) == 0 ? 2 : 0, v));
    CHECK(v == 7);
  }
  CHECK_FALSE(read_uint("123", 3, v));
  CHECK_FALSE(read_uint("123", 9, v));
  CHECK(v == 7);
}
