#!/usr/bin/env bash
# The main job: install what is missing, build the SDK (dist/, and its copy in miniprogram-demo/utils/),
# start the local E聊-compatible server on its embedded default storage (SQLite in ./.echat-devserver/),
# and run the demo mini-program headlessly: two users, each on a "phone" (a mini-program sandbox running
# miniprogram-demo/ with the real SDK, its pages rendered by miniprogram-simulate), log in through the
# login page, add each other, type and send messages and a picture; the conversation is printed as the
# pages render it. The server is stopped at the end, and the way to open the same demo in WeChat
# DevTools is printed.
# Ports: HTTP 58082, socket.io 59092 (the E聊 sample configuration's, the demo's config.js defaults).
# Other ports (one of them taken, two runs side by side):
#   HTTP_PORT=18082 SOCKET_PORT=19092 bash toolchain/run.sh
# The DevTools steps printed at the end use the ports of the run.
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
grep -q '"event":"listening"' "$log" || { cat "$log"; echo "run: the devserver did not start within 10 s" >&2; exit 1; }
echo
echo "run: devserver listening (SQLite in ./.echat-devserver/): $(grep '"event":"listening"' "$log")"
echo
node toolchain/chat-demo.js --host 127.0.0.1 --http-port "$HTTP_PORT" --socket-port "$SOCKET_PORT"
ports=""
if [ "$HTTP_PORT" != 58082 ] || [ "$SOCKET_PORT" != 59092 ]; then ports=" --http-port $HTTP_PORT --socket-port $SOCKET_PORT"; fi
cat <<MSG

The same demo in WeChat DevTools (miniprogram-demo/README.md has the details):
  1. bash toolchain/build.sh            (done above: the SDK is in miniprogram-demo/utils/)
  2. node devserver/bin/echat-devserver.js$ports --user admin:admin --user alice:alice:Alice --user bob:bob:Bob
  3. DevTools → Import project → the folder miniprogram-demo/ (AppID: touristappid, the test account)
  4. Details → Local settings: check "不校验合法域名、web-view（业务域名）、TLS 版本以及 HTTPS 证书"
     (project.config.json already has urlCheck: false); base library 2.14.0 or later
  5. Compile, log in as alice / alice (server 127.0.0.1, HTTP $HTTP_PORT, socket $SOCKET_PORT, key TSDKTEST00001:
     the login page's fields; miniprogram-demo/config.js holds the defaults)
  6. Someone who answers: node toolchain/chat-demo.js --bot bob$ports   (a headless bob; add him on Contacts)
Pictures of the pages: docs/images/demo-*.png
MSG
