// What every binding area shares (bindings stay thin: no logic here either).
//
// - Handles<T>: the JS side holds an int, not an embind class_. A class brings ~8 KB of minified glue
//   (class handles, smart pointers, upcasts) that this boundary does not use.
// - Batches go out as bytes (a view of wasm memory, valid until the next call) that the shim decodes
//   itself (js-shim/utf8.js): the glue's std::string return decodes UTF-8 one character and one string
//   concatenation at a time (there is no TextDecoder in a mini-program), which was half of the CPU per
//   received event (docs/benchmarks.md).
// - Session<Core, Writer>: one core instance and its batch writer; run() applies one input and returns
//   the batch (outputs, result, error, next deadline). A core whose options were invalid answers every
//   call with that error.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include "core/timers.h"
#include <vector>

#include "core/error.h"

namespace echat::bindings {

// The hot path's shared region of wasm memory (plain exported functions, no embind: the socket.io
// calls in socketio_bindings.cpp, the IM's delivery in im_bindings.cpp): numbers and short texts in and
// out. js-shim/core-driver.js views it (views()).
//   f64 f[0] the deadline for the host timer, f[1] an id, f[2..8) numbers; i32 i[0] a length, i[1] a
//   transport id, i[2..8) small numbers; head[kHead] header bytes. Each area documents its use.
// 1 KiB: an IM send's answer carries the envelope (its JWT, typically 200-400 bytes) with the record's head.
constexpr int kHead = 1024;
struct Shared {
  double f[8];
  std::int32_t i[8];
  char head[kHead];
};
Shared& shared_region();  // one per module (socketio_bindings.cpp)

inline emscripten::val bytes_view(const std::string& s) {
  return emscripten::val(emscripten::typed_memory_view(s.size(), reinterpret_cast<const unsigned char*>(s.data())));
}

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
  emscripten::val run(F&& f) {
    result_ = "null";
    call_error_.reset();
    if (core_) f(*core_);
    complete([](void*, Outputs&, const Core&) { return -1; }, nullptr);
    return bytes_view(*last_);
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
    result_ = "null";
    call_error_.reset();
    if (core_) f(*core_);
    return complete(
        [](void* ctx, Outputs& outs, const Core& c) { return (*static_cast<Fast*>(ctx))(outs, c); },
        &fast);
  }

  // The part of every call that does not depend on the call (one copy per area, not per function).
  int complete(FastFn fast, void* ctx) {
    writer_.begin();
    if (!core_) {
      writer_.set_error(*error_);
      last_ = &writer_.finish(std::nullopt);
      return kBatch;
    }
    auto outs = core_->take_outputs();
    if (!call_error_) {
      const int code = fast(ctx, outs, *core_);
      if (code >= 0) return code;
    }
    for (auto& out : outs) writer_.add(out);
    writer_.set_result(result_);
    if (call_error_) writer_.set_error(*call_error_);
    last_ = &writer_.finish(core_->next_deadline());
    return kBatch;
  }

  void result(std::string json) { result_ = std::move(json); }
  void fail(const core::Error& e) { call_error_ = e; }
  void check(const core::Result<core::Ok>& r) {
    if (!r.ok()) fail(r.error());
  }
  void id(const core::Result<std::uint64_t>& r) {
    if (r.ok()) result(std::to_string(r.value()));
    else fail(r.error());
  }

  // The last batch written (run_fast answered kBatch), and its binary payloads.
  emscripten::val last() const { return last_ ? bytes_view(*last_) : emscripten::val::null(); }
  emscripten::val binary() const { return bytes_view(writer_.arena()); }
  Core* core() { return core_ ? &*core_ : nullptr; }

 private:
  std::optional<Core> core_;
  std::optional<core::Error> error_;
  std::optional<core::Error> call_error_;
  Writer writer_;
  std::string result_;
  const std::string* last_ = nullptr;
};

}  // namespace echat::bindings
