#!/usr/bin/env bash
# Builds the shipped SDK: the C++ core to wasm (Emscripten, Release flags of
# toolchain/emscripten-flags.cmake), then js-shim/ + the Emscripten glue into one file.
# Output: dist/echatim-sdk.js, dist/echatim-sdk.wasm, dist/echatim-sdk.wasm.br, dist/echatim-sdk.d.ts
# Usage: toolchain/build.sh [--debug]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh

variant=Release; dir=build-wasm; debug=OFF
if [ "${1:-}" = "--debug" ]; then variant=Debug; dir=build-wasm-debug; debug=ON; fi

# The wasm build's snprintf is integer-only (src/core/small_printf.h): refuse floating-point formats.
if grep -rnE 'printf *\([^;]*%[-+ #0-9.*]*[lLhqjzt]*[fFeEgGaA]' src bindings; then
  echo "build: floating-point printf formats do not work in the wasm build (see src/core/small_printf.h)" >&2
  exit 1
fi

emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$variant -DECHAT_WASM_DEBUG=$debug >/dev/null
cmake --build "$dir" -j"$JOBS" --target echatim_core 2>&1 | grep -v -E '^\[|^$' || true
test -f "$dir/echatim_core.wasm" || { echo "build: the wasm build failed" >&2; exit 1; }
node toolchain/bundle.js "$dir" dist

# The demo mini-program gets the SDK in miniprogram-demo/utils/ (gitignored copies). Until sdk.im is
# part of the default artifact (docs/im-design.md, "Size"), the demo gets the ECHAT_WITH_IM variant,
# built in build-wasm-im and bundled by toolchain/demo-sdk.js; once dist/ has it, dist/ is copied.
if grep -q _ImClient dist/echatim-sdk.wasm && grep -q getConversations dist/echatim-sdk.js; then
  node toolchain/demo-sdk.js dist
else
  emcmake cmake -S . -B "$dir-im" -DCMAKE_BUILD_TYPE=$variant -DECHAT_WASM_DEBUG=$debug \
    -DCMAKE_CXX_FLAGS=-DECHAT_WITH_IM=1 >/dev/null
  cmake --build "$dir-im" -j"$JOBS" --target echatim_core 2>&1 | grep -v -E '^\[|^$' || true
  test -f "$dir-im/echatim_core.wasm" || { echo "build: the wasm build with sdk.im failed" >&2; exit 1; }
  node toolchain/demo-sdk.js --im "$dir-im"
fi
