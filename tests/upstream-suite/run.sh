#!/usr/bin/env bash
# Runs socket.io-client's own test suite (socket.io monorepo, packages/socket.io-client/test, 4.8.3)
# against sdk.io: the shipped dist/echatim-sdk.js in the mini-program sandbox, with only the library
# import (`..`) pointed at it (sdk-shim.js). Compares every test's result with expected.json and exits
# non-zero when a test expected to pass fails, or a test is missing from the list. docs/upstream-suite.md.
#
#   SOCKETIO_SRC=<socket.io checkout or its .git / bare git dir> bash tests/upstream-suite/run.sh
#   (get it: git clone --branch socket.io-client@4.8.3 https://github.com/socketio/socket.io)
#
# The suite is copied to build/upstream-suite/pkg (never committed); its npm dependencies are installed
# there (npm registry), not in the repository's package.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
SRC=${SOCKETIO_SRC:?set SOCKETIO_SRC to a socket.io monorepo checkout (or git dir)}
SCRATCH=$ROOT/build/upstream-suite
TEST_DIR=packages/socket.io-client/test
[ -f dist/echatim-sdk.js ] || { echo "dist/ missing: bash toolchain/build.sh first" >&2; exit 2; }

rm -rf "$SCRATCH/pkg"
mkdir -p "$SCRATCH/pkg"
if [ -d "$SRC/$TEST_DIR" ]; then
  cp -r "$SRC/$TEST_DIR" "$SCRATCH/pkg/test"
else
  git --git-dir="$SRC" archive "${SOCKETIO_REF:-HEAD}" "$TEST_DIR" | tar -x -C "$SCRATCH/pkg" --strip-components=2
fi
# `import ... from ".."` in test/*.ts resolves to pkg/: its main is the shim.
cp tests/upstream-suite/sdk-shim.js "$SCRATCH/pkg/sdk-shim.js"
echo '{"name":"socket.io-client","version":"4.8.3","main":"sdk-shim.js"}' > "$SCRATCH/pkg/package.json"
# The entry: the suite's own files except url.ts (an internal module) and node.ts (Node's autoUnref).
cat > "$SCRATCH/pkg/test/sdk-index.ts" <<'TS'
import "./connection";
import "./socket";
import "./connection-state-recovery";
import "./retry";
TS

if [ ! -d "$SCRATCH/node_modules/mocha" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$SCRATCH" \
    mocha@10.8.2 tsx@4.19.2 expect.js@0.3.1 has-cors@1.1.0 @sinonjs/fake-timers@11.3.1 \
    text-blob-builder@0.0.1 engine.io-client@6.6.3 base64-arraybuffer@1.0.2 >/dev/null
fi
# The support server (test/support/server.ts) uses the repository's socket.io 4.
ln -sfn "$ROOT/node_modules/socket.io" "$SCRATCH/node_modules/socket.io" 2>/dev/null || true
for dep in "$ROOT"/node_modules/{engine.io,socket.io-adapter,socket.io-parser,ws,@socket.io,base64id,cors,debug,ms,accepts,negotiator,mime-types,mime-db,vary,object-assign,cookie,@types}; do
  [ -e "$dep" ] && [ ! -e "$SCRATCH/node_modules/$(basename "$dep")" ] && ln -s "$dep" "$SCRATCH/node_modules/$(basename "$dep")"
done

# Tests listed as not applicable are not run (one of them would leave fake timers installed).
SKIP=$(node -e '
  const e = require(process.argv[1]);
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  console.log(Object.keys(e).filter((k) => /^not applicable/.test(e[k])).map((k) => "^" + esc(k) + "$").join("|") || "^$^");
' "$ROOT/tests/upstream-suite/expected.json")
cd "$SCRATCH/pkg"
set +e
ECHAT_ROOT=$ROOT timeout 900 node --import tsx "$SCRATCH/node_modules/mocha/bin/mocha.js" \
  --require test/support/hooks.ts --exit --timeout 5000 --grep "$SKIP" --invert --reporter json \
  --reporter-option "output=$SCRATCH/results.json" test/sdk-index.ts >"$SCRATCH/mocha.log" 2>&1
set -e
cd "$ROOT"
node tests/upstream-suite/compare.js "$SCRATCH/results.json" tests/upstream-suite/expected.json
