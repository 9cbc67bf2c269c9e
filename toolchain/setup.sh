#!/usr/bin/env bash
# Idempotent setup of everything the build and the tests need, on a fresh Debian (bookworm) machine.
# Installs Debian packages (apt) and the Node packages of package-lock.json (npm ci); safe to run again:
# a second run installs nothing and takes about a second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages:
#   emscripten (3.1.6) ......................... the wasm build
#   nlohmann-json3-dev, catch2 ................. the native tests' JSON yardstick and test framework
#   cmake, make, g++ ........................... native build
#   clang, libclang-rt-14-dev .................. libFuzzer targets (clang -fsanitize=fuzzer)
#   brotli ..................................... the shipped echatim-sdk.wasm.br
#   lcov ....................................... coverage reports (toolchain/coverage.sh)
#   python3, build-essential ................... node-gyp builds better-sqlite3 from source when needed
#   redis-server, postgresql ................... tests/multinode and bench/multinode start their own
#                                                redis-server and PostgreSQL 15 (initdb + postgres) in a
#                                                temporary directory on loopback ports
#   chromium ................................... the browser suite (tests/browser, driven by npm puppeteer-core;
#                                                puppeteer's own browser download is not used)
#   libjavascriptcoregtk-4.0-bin ............... `jsc`, JavaScriptCore (WeChat's engine on iOS) with
#                                                 WebAssembly: tests/jsc and bench/jsc run the SDK in it
APT_PACKAGES=(emscripten nlohmann-json3-dev catch2 cmake make g++ clang libclang-rt-14-dev brotli lcov
              python3 build-essential redis-server postgresql chromium libjavascriptcoregtk-4.0-bin)
if ! command -v node >/dev/null 2>&1; then APT_PACKAGES+=(nodejs npm); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "setup: Node.js >= 18 is needed (found $(node --version))" >&2
  exit 1
fi

# Node packages, exactly as locked. Skipped when node_modules already matches the lockfile.
stamp=node_modules/.echat-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# better-sqlite3 is a native addon: npm builds it with node-gyp against this Node. If the install
# script was skipped (npm's allowScripts policy) or the Node changed, build it now.
if ! node -e "new (require('better-sqlite3'))(':memory:').close()" >/dev/null 2>&1; then
  echo "setup: building better-sqlite3 for $(node --version)"
  (cd node_modules/better-sqlite3 && npm exec --yes -- node-gyp rebuild --release >/dev/null 2>&1) ||
    npm rebuild better-sqlite3 --foreground-scripts >/dev/null
  node -e "new (require('better-sqlite3'))(':memory:').close()"
fi
# emcc (Python) must be read to the end: `| head -1` closed the pipe early and Python printed a
# BrokenPipeError traceback at the top of run.sh's output.
emcc_version=$(NODE_PATH=/usr/share/nodejs emcc --version 2>/dev/null | sed -n '1s/[^0-9]*\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/p')
echo "setup: ok (emcc ${emcc_version:-?}, node $(node --version))"
