#!/usr/bin/env bash
# Builds the shipped SDK: the C++ core to wasm (Emscripten, Release flags of
# toolchain/emscripten-flags.cmake; a standalone .wasm, no JS glue), then js-shim/ into one file.
# Output: dist/echatim-sdk.js, dist/echatim-sdk.wasm, dist/echatim-sdk.wasm.br, dist/echatim-sdk.d.ts
# Usage: toolchain/build.sh [--debug]   (--debug: dist-debug/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh

variant=Release; dir=build-wasm; debug=OFF; out=dist
# --debug: assertions, SAFE_HEAP, stack checks, no optimisation, into dist-debug/ (the release dist/ stays;
# toolchain/test.sh runs the JS suites against it too: ECHAT_DIST=dist-debug).
if [ "${1:-}" = "--debug" ]; then variant=Debug; dir=build-wasm-debug; debug=ON; out=dist-debug; fi

# The wasm build's snprintf is integer-only (src/core/small_printf.h): refuse floating-point formats.
if grep -rnE 'printf *\([^;]*%[-+ #0-9.*]*[lLhqjzt]*[fFeEgGaA]' src bindings; then
  echo "build: floating-point printf formats do not work in the wasm build (see src/core/small_printf.h)" >&2
  exit 1
fi

mkdir -p "$dir"
# A checkout copied or moved elsewhere brings its old CMake cache, which names the old source folder:
# CMake then refuses ("does not match the source ... used to generate cache"). Start that cache afresh.
cache="$dir/CMakeCache.txt"
if [ -f "$cache" ]; then
  cached_src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  if [ -n "$cached_src" ] && [ "$(cd "$cached_src" 2>/dev/null && pwd -P)" != "$(pwd -P)" ]; then
    echo "build: $dir was configured for $cached_src: reconfiguring for $(pwd -P)" >&2
    rm -rf "$cache" "$dir/CMakeFiles"
  fi
fi
if ! emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=$variant -DECHAT_WASM_DEBUG=$debug >"$dir/configure.log" 2>&1; then
  cat "$dir/configure.log" >&2
  echo "build: configuring the wasm build failed" >&2
  exit 1
fi
log="$dir/build.log"
if ! cmake --build "$dir" -j"$JOBS" --target echatim_core >"$log" 2>&1; then
  grep -E 'error|Error' "$log" | head -40 >&2
  echo "build: the wasm build failed (full log: $log)" >&2
  exit 1
fi
node toolchain/bundle.js "$dir" "$out"
[ "$out" = dist ] || exit 0

# The demo mini-program gets the SDK in miniprogram-demo/utils/ (gitignored copies), as a developer
# would copy it; the app loads the wasm from /utils/echatim-sdk.wasm.br.
mkdir -p miniprogram-demo/utils
cp dist/echatim-sdk.js dist/echatim-sdk.wasm.br miniprogram-demo/utils/
