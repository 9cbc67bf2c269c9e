#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then builds and runs every suite:
#   1. native Catch2 suites (Debug, ASan + UBSan, -Werror)            tests/native
#   2. libFuzzer smoke run (about 30 s in all)                         tests/fuzz
#   3. the wasm build of the SDK (dist/)                               toolchain/build.sh
#   4. Node suites (node:test): devserver, sandbox, socket.io servers, the SDK in the sandbox, the npm
#      package through miniprogram-ci (tests/npm), the browser build in headless Chromium (tests/browser)
#   5. the debug wasm build (assertions, SAFE_HEAP, stack checks; dist-debug/) and the SDK's suites in
#      the sandbox (tests/js) once more against it, with the long reliability runs shortened
#      (IM_RELIABILITY_N, IM_ROOM_N): the debug build is several times slower
# Environment: FUZZ_SECONDS (total fuzz time, default 30), SKIP_SETUP=1 (skip toolchain/setup.sh),
# TEST_TIMEOUT_MS (one node:test test's limit, default 900000).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh
start=$(date +%s)

[ "${SKIP_SETUP:-0}" = 1 ] || bash toolchain/setup.sh || exit 1

passed=0; failed=0; failures=()
suite() {  # suite NAME COMMAND...
  local name=$1; shift
  echo; echo "=== $name ==="
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

native() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DECHAT_SANITIZE=ON >/dev/null || return 1
  cmake --build build -j"$JOBS" >build/build.log 2>&1 || { tail -60 build/build.log; return 1; }
  ctest --test-dir build --output-on-failure
}
suite "native (Catch2, ASan+UBSan)" native

suite "fuzz smoke (libFuzzer)" bash toolchain/fuzz.sh "${FUZZ_SECONDS:-30}"

suite "wasm build" bash toolchain/build.sh

node_suites=()
for d in tests/devserver tests/multinode tests/sandbox tests/support tests/js tests/jsc tests/types tests/demo tests/npm tests/browser; do
  if ls "$d"/*.test.js >/dev/null 2>&1; then node_suites+=("$d"/*.test.js); fi
done
# A test that hangs fails after TEST_TIMEOUT_MS (default 15 min; the longest test takes a few minutes)
# instead of holding the run until CI's own limit: node --test waits forever by default.
TEST_TIMEOUT_MS=${TEST_TIMEOUT_MS:-900000}
if [ ${#node_suites[@]} -gt 0 ]; then
  suite "node:test (${#node_suites[@]} files)" node --test --test-timeout="$TEST_TIMEOUT_MS" --test-reporter=spec "${node_suites[@]}"
fi

debug_suites() {
  bash toolchain/build.sh --debug || return 1
  ECHAT_DIST=dist-debug ECHAT_WASM_DEBUG=1 IM_RELIABILITY_N=60 IM_ROOM_N=60 \
    node --test --test-timeout="$TEST_TIMEOUT_MS" --test-reporter=spec tests/js/*.test.js
}
suite "debug wasm build + tests/js on it" debug_suites

echo
echo "=== summary: $(( $(date +%s) - start )) s wall time ==="
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
