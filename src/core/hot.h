// ECHAT_HOT marks a hot-path function whose callees should all be inlined into it. The release wasm is
// built with -Oz, which keeps calls; JavaScriptCore without a JIT (WeChat on iOS) interprets wasm, and
// there every call costs about as much as a call from JavaScript into wasm (measured: a socket.io event
// on the fast lane took ~87 us with calls, see docs/benchmarks.md).
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define ECHAT_HOT __attribute__((flatten))
#else
#define ECHAT_HOT
#endif
