#include "engineio/payload.h"

#include <string>

#include "core/json.h"

namespace echat::engineio {
namespace {

core::Error bad_payload(std::size_t offset, const std::string& what, std::string_view body) {
  return core::Error::peer("eio.bad_payload", "eio: polling payload, at byte " + core::decimal(offset) + ": " +
                                                  what + ", in " + describe_frame(Frame{false, std::string(body)}));
}

// Bytes of the UTF-8 sequence starting with `lead`, and how many UTF-16 units it makes.
std::size_t sequence_bytes(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0) return lead < 0xf0 ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;  // a continuation byte out of place: one unit, as a replacement character would be
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t n = sequence_bytes(static_cast<unsigned char>(utf8[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

std::vector<Frame> encode_payload(const std::vector<Frame>& frames, Version version) {
  std::vector<Frame> pieces;
  pieces.reserve(frames.size());
  for (const Frame& f : frames) {
    Frame piece;
    if (version == Version::V4) {
      if (!pieces.empty()) piece.data += '\x1e';
    } else {
      piece.data += core::decimal(utf16_length(f.data) + f.ext_size);
      piece.data += ':';
    }
    piece.data += f.data;
    piece.ext = f.ext;
    piece.ext_size = f.ext_size;
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

core::Result<std::vector<Frame>> decode_payload(std::string_view body, Version version) {
  if (body.empty()) return bad_payload(0, "empty body", body);
  std::vector<Frame> frames;
  if (version == Version::V4) {
    std::size_t start = 0;
    for (;;) {
      const std::size_t end = body.find('\x1e', start);
      frames.push_back(Frame{false, std::string(body.substr(start, end == std::string_view::npos ? end : end - start))});
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return frames;
  }
  std::size_t i = 0;
  while (i < body.size()) {
    const std::size_t colon = body.find(':', i);
    if (colon == std::string_view::npos || colon == i || colon - i > 10) {
      return bad_payload(i, "expected a length (digits) and ':'", body);
    }
    std::size_t units = 0;
    for (std::size_t k = i; k < colon; ++k) {
      if (body[k] < '0' || body[k] > '9') return bad_payload(k, "expected a length (digits) and ':'", body);
      units = units * 10 + static_cast<std::size_t>(body[k] - '0');
    }
    std::size_t end = colon + 1;
    for (std::size_t seen = 0; seen < units;) {
      if (end >= body.size()) {
        return bad_payload(colon + 1, "a packet of " + core::decimal(units) + " characters runs past the end", body);
      }
      const std::size_t n = sequence_bytes(static_cast<unsigned char>(body[end]));
      seen += n == 4 ? 2 : 1;
      end += n;
    }
    if (end > body.size()) return bad_payload(colon + 1, "a character is cut at the end", body);
    frames.push_back(Frame{false, std::string(body.substr(colon + 1, end - colon - 1))});
    i = end;
  }
  return frames;
}

}  // namespace echat::engineio
