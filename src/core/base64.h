// Base64 (RFC 4648, standard alphabet "A-Za-z0-9+/", '=' padding), as used by Engine.IO's text fallback
// for binary messages ("b4<base64>" on EIO3, "b<base64>" on EIO4). No state, no allocation beyond the
// returned string.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace echat::core {

// Bytes -> base64 text, always padded to a multiple of 4 characters.
std::string base64_encode(std::string_view bytes);

// Base64 text -> bytes. Accepts padded input and, to be lenient with encoders that drop it, unpadded
// input whose length is not 1 mod 4. Rejects with a Peer error (the text came from the wire):
//  - "base64.bad_char":   a character outside the alphabet (whitespace included), naming it and its offset;
//  - "base64.bad_length": a length of 1 mod 4, padding anywhere but the end, or more than two '='.
// Unused low bits of the last character are ignored (as Node's Buffer.from(s, "base64") does).
Result<std::string> base64_decode(std::string_view text);

}  // namespace echat::core
