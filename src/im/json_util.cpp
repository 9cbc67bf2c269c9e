// json_util.h: parsing what JavaScript's JSON.parse accepts.
#include "im/json_util.h"

namespace echat::im {

// JSON text with every lone UTF-16 surrogate escape (`\ud800` not followed by a low surrogate, or a
// low surrogate alone) replaced by `\ufffd`; everything else byte for byte. JavaScript's JSON.parse
// accepts lone surrogates, nlohmann rejects the whole text: a server or an app that sends one must
// not make a message (or a user list) unreadable. Returns "" when there was nothing to replace.
std::string replace_lone_surrogates(std::string_view text) {
  auto hex4 = [&](std::size_t at) -> long {
    if (at + 4 > text.size()) return -1;
    long v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const char c = text[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  std::string out;
  bool changed = false;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      in_string = c == '"';
      out += c;
      continue;
    }
    if (c == '"') {
      in_string = false;
      out += c;
      continue;
    }
    if (c != '\\' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    if (text[i + 1] != 'u') {  // a two-character escape: copy both
      out += c;
      out += text[++i];
      continue;
    }
    const long u = hex4(i + 2);
    bool lone = false;
    if (u >= 0xD800 && u <= 0xDBFF) {
      const bool low_follows = i + 7 < text.size() && text[i + 6] == '\\' && text[i + 7] == 'u' &&
                               hex4(i + 8) >= 0xDC00 && hex4(i + 8) <= 0xDFFF;
      if (low_follows) {  // a pair: copy both escapes
        out.append(text.substr(i, 12));
        i += 11;
        continue;
      }
      lone = true;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      lone = true;
    }
    if (lone) {
      out += "\\ufffd";
      changed = true;
      i += 5;
      continue;
    }
    out += c;
  }
  return changed ? out : std::string();
}

// Parses JSON text; what JavaScript's JSON.parse accepts and nlohmann does not (lone surrogate
// escapes) is read with U+FFFD in their place. A failed parse is a discarded value.
json parse_json(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_discarded() || text.find("\\u") == std::string_view::npos) return j;
  const std::string fixed = replace_lone_surrogates(text);
  if (fixed.empty()) return j;
  const std::string_view view(fixed);  // the same iterator type as above: one instantiation of the parser
  return json::parse(view.begin(), view.end(), nullptr, false);
}

}  // namespace echat::im
