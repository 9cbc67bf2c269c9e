#!/usr/bin/env node
'use strict';
// JavaScriptCore benchmark (WeChat's engine on iOS, where no JIT is allowed), and the same scenario on V8
// (WeChat on Android) through bench/jsc/v8-shell.js: echatim-sdk (dist/) and
// weapp.socket.io 3.0.0 (node_modules) in Debian's `jsc` shell, the same socket.io frames fed straight
// into the socket's onMessage by an in-process server (harness.js), JIT off (JSC_useJIT=0) and on.
// One jsc process per client per round (so require() -> connected is a cold start each time); rounds
// interleave the clients; every figure is the median of the rounds, and a ratio against weapp of the
// same engine mode.
//
//   node bench/jsc/run.js [--rounds 3] [--events 3000] [--acks 300] [--connect-ms 0] [--json]
//   node bench/jsc/run.js --im 2000 [--rounds 3] [--json]   the IM scenario instead (bench/jsc/im.js):
//                                   receiving E聊 deliveries, sdk.im vs a raw E聊 client over weapp
//   node bench/jsc/run.js --im 2000 --convs 500             ... the deliveries from 500 senders in turn (500 conversations)
//   node bench/jsc/run.js --im-send 2000 [--rounds 3]       the same clients sending (message.send)
//   node bench/jsc/run.js --im-send 500 --serial            ... one at a time (each after the last is confirmed)
//   --send-state: the SDK's page listens to sendState (a chat that shows each message's state; the listener
//                 does nothing); without it the SDK makes no sendState events (nobody hears them)
//   --conversation: the same for the 'conversation' event (a chat's list of conversations)
//   --connect-ms N: every WebSocket takes N ms to open (a real network's TCP + TLS + upgrade; 0 = none)
//   --on-load MS: the page calls io()/sdk.im.init MS ms after require(), in a task of its own (onLoad,
//                 onLaunch), not in the same task (the default); require() -> connected includes the MS
//   ECHAT_DIST=<dir> measures another build of the SDK (default: dist/)
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runJsc } = require('../../tests/jsc/run-jsc.js');
const { clientFiles, numberOption, median } = require('./common.js');

const args = process.argv.slice(2);
const opt = (name, def) => numberOption(args, name, def);
const ROUNDS = opt('rounds', 3);
const EVENTS = opt('events', 3000);
const ACKS = opt('acks', 300);
const CONNECT_MS = opt('connect-ms', 0);
const SENDS = opt('im-send', 0);
const SERIAL = args.includes('--serial');
const SEND_STATE = args.includes('--send-state');
const CONVERSATION = args.includes('--conversation');
const CONVS = opt('convs', 1);
const ON_LOAD = args.includes('--on-load') ? opt('on-load', 0) : undefined;
const IM = opt('im', 0) || SENDS;
const SCENARIO = path.join(__dirname, IM ? 'im.js' : 'bench.js');

const FILES = clientFiles();
const CLIENTS = { 'echatim-sdk (dist/)': FILES.sdk, 'weapp.socket.io 3.0.0': FILES.weapp };

function main() {
  const version = (() => {
    try { return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libjavascriptcoregtk-4.0-bin'], { encoding: 'utf8' }); } catch { return '?'; }
  })();
  const results = {};
  for (const [jit, engine] of [[false, 'jsc'], [true, 'jsc'], [true, 'v8']]) {
    const mode = engine === 'v8' ? `V8 (node ${process.version}, bench/jsc/v8-shell.js)` : jit ? 'JIT on' : 'JIT off (JSC_useJIT=0)';
    results[mode] = {};
    for (const name of Object.keys(CLIENTS)) results[mode][name] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const names = Object.keys(CLIENTS);
      if (r % 2) names.reverse();  // interleaved, alternating order
      for (const name of names) {
        const res = runJsc(SCENARIO, { ...CLIENTS[name], events: EVENTS, acks: ACKS, messages: IM, sends: SENDS, serial: SERIAL, sendState: SEND_STATE, conversation: CONVERSATION, connectMs: CONNECT_MS, convs: CONVS, onLoadMs: ON_LOAD },
          { jit, engine });
        results[mode][name].push(res);
      }
    }
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify({ version, rounds: ROUNDS, events: EVENTS, acks: ACKS, messages: IM, results }, null, 1));
    return;
  }
  if (IM) return printIm(version, results);
  console.log(`jsc ${version}; ${ROUNDS} interleaved rounds, median; ${EVENTS} pushed events, ${ACKS} sequential acks; WebSocket open ${CONNECT_MS} ms`);
  for (const [mode, byClient] of Object.entries(results)) {
    const m = {};
    for (const [name, rs] of Object.entries(byClient)) {
      m[name] = {
        push: median(rs.map((x) => x.pushUsPerEvent)),
        acks: median(rs.map((x) => x.acksMs)),
        connect: median(rs.map((x) => x.connectMs)),
      };
    }
    const w = m['weapp.socket.io 3.0.0'];
    console.log(`\n${mode}`);
    console.log('| client | µs per pushed event | events/s vs weapp | ' + `${ACKS} acks, ms | acks speed vs weapp | require()→connected, ms | vs weapp |`);
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, x] of Object.entries(m)) {
      console.log(`| ${name} | ${x.push.toFixed(2)} | ${(w.push / x.push).toFixed(2)}× | ${x.acks.toFixed(1)} | ` +
        `${(w.acks / x.acks).toFixed(2)}× | ${x.connect.toFixed(1)} | ${(x.connect / w.connect).toFixed(2)}× |`);
    }
  }
}

function printIm(version, results) {
  const what = SENDS ? `${SENDS} E聊 messages sent (message.send, confirmed${SERIAL ? ', one at a time' : ', all at once'})`
    : `${IM} E聊 deliveries received${CONVS > 1 ? ` from ${CONVS} senders in turn` : ''}`;
  console.log(`jsc ${version}; ${ROUNDS} interleaved rounds, median; ${what} (bench/jsc/im.js)`);
  for (const [mode, byClient] of Object.entries(results)) {
    const m = {};
    for (const [name, rs] of Object.entries(byClient)) {
      m[name] = { msg: median(rs.map((x) => x.usPerMessage)), connect: median(rs.map((x) => x.connectMs)),
        seen: SENDS ? undefined : median(rs.map((x) => x.seenUsPerMessage)) };
    }
    const w = m['weapp.socket.io 3.0.0'];
    console.log(`\n${mode}`);
    const seenHead = SENDS ? '' : ' µs until the app saw it (acks not yet sent) |';
    console.log(`| client | µs per ${SENDS ? 'sent' : 'received and acknowledged'} message | messages/s vs weapp |${seenHead} require()→logged in, ms | vs weapp |`);
    console.log(`|---|---|---|${SENDS ? '' : '---|'}---|---|`);
    for (const [name, x] of Object.entries(m)) {
      const label = name.startsWith('weapp') ? `${name} (raw E聊 client)` : `${name} sdk.im`;
      const seen = SENDS ? '' : ` ${x.seen.toFixed(2)} |`;
      console.log(`| ${label} | ${x.msg.toFixed(2)} | ${(w.msg / x.msg).toFixed(2)}× |${seen} ${x.connect.toFixed(1)} | ` +
        `${(x.connect / w.connect).toFixed(2)}× |`);
    }
  }
}

main();
