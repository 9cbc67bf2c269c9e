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

emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$variant -DECHAT_WASM_DEBUG=$debug >/dev/null
cmake --build "$dir" -j"$JOBS" --target echatim_core 2>&1 | grep -v -E '^\[|^$' || true
test -f "$dir/echatim_core.wasm" || { echo "build: the wasm build failed" >&2; exit 1; }
node toolchain/bundle.js "$dir" dist
