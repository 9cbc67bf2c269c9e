// What every binding area shares (bindings stay thin: no logic here either).
//
// The boundary is plain exported C functions (extern "C", EMSCRIPTEN_KEEPALIVE): no embind. Its glue was
// 4.3 KB of the SDK's minified JavaScript and 1.6 KB of the .br (a type registry, generic invokers,
// std::wstring and UTF-16/32 string converters registered whether used or not), and its invoker ran per
// call in JSC's interpreter on iOS. What crosses instead:
// - numbers as wasm arguments; a handle (Handles<T>) names a core instance (an int, not a class);
// - the host's strings through the input buffer: js-shim writes every string argument of a call there
//   in UTF-8, one after the other, and passes their byte lengths; the binding reads them back in order
//   (Input). js-shim asks echat_in(n) for room only when a call needs more than it has;
// - batches out as bytes: a call returns the address of a Bytes {data, size} (valid until the next
//   call) that the shim decodes itself (js-shim/utf8.js, CoreDriver.bytes): the glue's string return
//   decoded UTF-8 one character and one concatenation at a time (there is no TextDecoder in a
//   mini-program), which was half of the CPU per received event (docs/benchmarks.md);
// - Session<Core, Writer>: one core instance and its batch writer; run() applies one input and returns
//   the batch (outputs, result, error, next deadline). A core whose options were invalid answers every
//   call with that error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/timers.h"

namespace echat::bindings {

// The hot path's shared region of wasm memory (the socket.io calls in socketio_bindings.cpp, the IM's
// lanes): numbers and short texts in and out. js-shim/core-driver.js views it (views()).
//   f64 f[0] the deadline for the host timer, f[1] an id, f[2..12) numbers; i32 i[0] a length, i[1] a
//   transport id, i[2..8) small numbers; head[kHead] header bytes. Each area documents its use.
// 1 KiB: an IM send's answer carries the envelope (its JWT, typically 200-400 bytes) with the record's head.
constexpr int kHead = 1024;
struct Shared {
  double f[12];
  std::int32_t i[8];
  char head[kHead];
};
Shared& shared_region();  // one per module (socketio_bindings.cpp)

// An id the host passed as a double (an ack id it read with parseInt): the integer, when it is one in
// [0, 2^53) (a double holds each exactly); none for anything else (NaN, negative, a fraction, past it).
inline std::optional<std::uint64_t> host_uint(double v) {
  if (!(v >= 0 && v < 9007199254740992.0)) return std::nullopt;
  const auto u = static_cast<std::uint64_t>(v);
  if (static_cast<double>(u) != v) return std::nullopt;
  return u;
}

// Bytes handed to the host: their address in wasm memory and their count (two 32-bit words).
struct Bytes {
  std::uint32_t data;
  std::uint32_t size;
};
const Bytes* bytes_out(const std::string& s);  // boundary.cpp: one slot, valid until the next call

// The string arguments of the call being made, in the order the host wrote them (echat_in).
class Input {
 public:
  Input();
  std::string_view next(std::uint32_t size);  // the next string of `size` bytes ("" past the end)
  std::string str(std::uint32_t size) { return std::string(next(size)); }

 private:
  const char* at_;
  std::size_t left_;
};

template <typename T>
class Handles {
 public:
  int add(std::unique_ptr<T> item) {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (!items_[i]) {
        items_[i] = std::move(item);
        return static_cast<int>(i);
      }
    }
    items_.push_back(std::move(item));
    return static_cast<int>(items_.size() - 1);
  }
  T& at(int h) { return *items_.at(static_cast<std::size_t>(h)); }
  void remove(int h) { items_.at(static_cast<std::size_t>(h)).reset(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

template <typename Core, typename Writer>
class Session {
 public:
  template <typename Options>
  explicit Session(core::Result<Options> options) {
    if (options.ok()) core_.emplace(std::move(options.value()));
    else error_ = options.error();
  }

  // Applies f(core) and returns the batch. f may call result()/fail() to answer the call.
  template <typename F>
  const Bytes* run(F&& f) {
    result_.clear();
    call_error_.reset();
    if (core_) f(*core_);
    complete([](void*, Outputs&, const Core&) { return -1; }, nullptr);
    return bytes_out(*last_);
  }

  // The hot path's form (bindings/socketio_bindings.cpp): applies f(core), then offers the outputs and
  // the core to `fast(outputs, core)`, which answers with a small code >= 0 when it could say everything
  // in the shared region (asking the core for its next deadline if it says one); otherwise (-1) the
  // batch is written and kBatch returned (the host then reads it with last()). An error always goes
  // through the batch.
  static constexpr int kBatch = 3;
  using Outputs = decltype(std::declval<Core&>().take_outputs());
  using FastFn = int (*)(void* ctx, Outputs& outs, const Core& core);
  template <typename F, typename Fast>
  int run_fast(F&& f, Fast&& fast) {
    result_.clear();
    call_error_.reset();
    if (core_) f(*core_);
    return complete(
        [](void* ctx, Outputs& outs, const Core& c) { return (*static_cast<Fast*>(ctx))(outs, c); },
        &fast);
  }

  // The part of every call that does not depend on the call (one copy per area, not per function).
  // The batch is begun only when it is written: a call the fast form answers leaves the last batch (and
  // its arena) as they were, and the host reads neither after a fast answer.
  int complete(FastFn fast, void* ctx) {
    if (!core_) {
      writer_.begin();
      writer_.set_error(*error_);
      last_ = &writer_.finish(std::nullopt);
      return kBatch;
    }
    auto outs = core_->take_outputs();
    if (!call_error_) {
      const int code = fast(ctx, outs, *core_);
      if (code >= 0) return code;
    }
    writer_.begin();
    for (auto& out : outs) writer_.add(out);
    if (!result_.empty()) writer_.set_result(result_);
    if (call_error_) writer_.set_error(*call_error_);
    last_ = &writer_.finish(core_->next_deadline());
    return kBatch;
  }

  void result(std::string json) { result_ = std::move(json); }  // raw JSON; none: null
  void fail(const core::Error& e) { call_error_ = e; }
  void check(const core::Result<core::Ok>& r) {
    if (!r.ok()) fail(r.error());
  }
  void id(const core::Result<std::uint64_t>& r) {
    if (r.ok()) result(echat::core::decimal(r.value()));
    else fail(r.error());
  }

  // The last batch written (run_fast answered kBatch), and its binary payloads.
  const Bytes* last() const { return last_ ? bytes_out(*last_) : bytes_out(none()); }
  const Bytes* binary() const { return bytes_out(writer_.arena()); }
  Core* core() { return core_ ? &*core_ : nullptr; }

 private:
  static const std::string& none() {
    static const std::string empty;
    return empty;
  }

  std::optional<Core> core_;
  std::optional<core::Error> error_;
  std::optional<core::Error> call_error_;
  Writer writer_;
  std::string result_;
  const std::string* last_ = nullptr;
};

}  // namespace echat::bindings
