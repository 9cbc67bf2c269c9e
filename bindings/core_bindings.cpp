// Minimal embind surface proving the toolchain end to end (issue 2). The batched boundary of the
// shipped SDK replaces this (issue 4).
#include <emscripten/bind.h>

#include <string>

#include "engineio/packet.h"

namespace {

std::string _eio_decode_kind(std::string frame) {
  auto r = echat::engineio::decode({false, std::move(frame)}, echat::engineio::Version::V4);
  if (!r.ok()) return "error:" + r.error().code;
  return std::to_string(static_cast<int>(r.value().type));
}

}  // namespace

EMSCRIPTEN_BINDINGS(echat_engineio) { emscripten::function("_eio_decode_kind", &_eio_decode_kind); }
