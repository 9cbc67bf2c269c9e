// The boundary's two buffers (bindings/boundary.h): the host's string arguments in, a call's bytes out.
#include "bindings/boundary.h"

#include <emscripten/emscripten.h>

#include <memory>

namespace {

// The host's string arguments: g_in_size is what the host may write. A plain array (std::string's
// resize() brought its growth code here, ~250 B of wasm): its content need not survive a resize.
std::unique_ptr<char[]> g_in;
std::size_t g_in_size = 0;
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

Input::Input() : at_(g_in.get()), left_(g_in_size) {}

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
  if (g_in_size < size || (size <= kKeep && g_in_size > kKeep)) {
    g_in.reset();  // (before the new one: a large buffer is not held twice)
    g_in.reset(new char[size]);
    g_in_size = size;
  }
  return g_in.get();
}

}  // extern "C"
