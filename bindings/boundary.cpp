// The boundary's two buffers (bindings/boundary.h): the host's string arguments in, a call's bytes out.
#include "bindings/boundary.h"

#include <emscripten/emscripten.h>

namespace {

std::string g_in;                // the host's string arguments: its size is what the host may write
echat::bindings::Bytes g_out{};  // the last call's answer

// Past this, the buffer is let go once the host asks for a small one again (js-shim does when a call
// needs at most this much): a multi-MiB frame taken whole (the general path) leaves no buffer of its
// size behind in the heap. js-shim/core-driver.js IN_KEEP.
constexpr std::size_t kKeep = 64 * 1024;

}  // namespace

namespace echat::bindings {

const Bytes* bytes_out(const std::string& s) {
  g_out.data = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(s.data()));
  g_out.size = static_cast<std::uint32_t>(s.size());
  return &g_out;
}

Input::Input() : at_(g_in.data()), left_(g_in.size()) {}

std::string_view Input::next(std::uint32_t size) {
  const std::size_t n = size <= left_ ? size : left_;
  std::string_view v(at_, n);
  at_ += n;
  left_ -= n;
  return v;
}

}  // namespace echat::bindings

extern "C" {

// Room for at least `size` bytes of string arguments: its address. The host writes there and keeps
// using it for every call whose arguments fit (each call passes their lengths), and asks again when
// they do not, or to let a large buffer go.
EMSCRIPTEN_KEEPALIVE char* echat_in(std::uint32_t size) {
  if (size <= kKeep && g_in.size() > kKeep) std::string().swap(g_in);
  if (g_in.size() < size) g_in.resize(size);
  return g_in.data();
}

}  // extern "C"
