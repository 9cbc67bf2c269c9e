#!/usr/bin/env bash
# The main job: install what is missing, build the SDK, start the local E聊-compatible server on its
# embedded default storage (SQLite in ./.echat-devserver/), and run the headless chat demo against it.
# Ports: HTTP 58082, socket.io 59092 (the E聊 sample configuration's), overridable with HTTP_PORT and
# SOCKET_PORT. The server is stopped at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash toolchain/setup.sh
bash toolchain/build.sh

HTTP_PORT=${HTTP_PORT:-58082}
SOCKET_PORT=${SOCKET_PORT:-59092}
log=$(mktemp)
node devserver/bin/echat-devserver.js --http-port "$HTTP_PORT" --socket-port "$SOCKET_PORT" \
  --user admin:admin --user alice:alice:Alice --user bob:bob:Bob >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q '"event":"listening"' "$log" && break
  kill -0 $server 2>/dev/null || { cat "$log"; echo "run: the devserver did not start" >&2; exit 1; }
  sleep 0.1
done
echo "run: devserver listening: $(grep '"event":"listening"' "$log")"
echo
node toolchain/chat-demo.js "$SOCKET_PORT"
cat <<MSG

The same server is what a mini-program talks to in WeChat DevTools (project setting
"不校验合法域名、web-view（业务域名）、TLS 版本以及 HTTPS 证书" on): start it with
  node devserver/bin/echat-devserver.js
and copy dist/echatim-sdk.js and dist/echatim-sdk.wasm.br into the mini-program's utils/ folder.
The demo mini-program (miniprogram-demo/) arrives with its own issue.
MSG
