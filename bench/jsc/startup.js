#!/usr/bin/env node
'use strict';
// Where a cold start's time goes: require() -> 'connect' of the socket.io scenario (bench/jsc/run.js's
// "require()→connected"), step by step, for echatim-sdk and weapp.socket.io 3.0.0, on JSC with the JIT off
// and on, and on V8 (bench/jsc/v8-shell.js). One process per client per round, rounds interleaved; every
// figure is the median of the rounds, in ms since the client's file began to load:
//   loaded               the client's file evaluated (parse + top level)
//   instantiate called   WXWebAssembly.instantiate entered (the SDK only)
//   wasm file read       the harness has read the .wasm (WeChat reads the package file natively)
//   instantiated         the module compiled and instantiated (off the JavaScript thread on both engines)
//   io() called          the page called io() (--on-load: in a later task, as from onLoad/onLaunch)
//   connected            the socket's 'connect' event
//   node bench/jsc/startup.js [--rounds 9] [--connect-ms 0] [--on-load MS] [--wasm-times]
//   --on-load MS: the page calls io() MS ms after require(), in a task of its own (a page's onLoad, an
//                 app's onLaunch); without it, in the same task as require() (no page does that: the
//                 harshest case for a client that has a wasm to compile)
//   --wasm-times: also the ms spent in each wasm export before 'connect' (V8 compiles a wasm function on
//                 its first call: there this is mostly compilation)
//   ECHAT_DIST=<dir> measures another build of the SDK (default: dist/)
const path = require('node:path');
const { runJsc } = require('../../tests/jsc/run-jsc.js');
const { clientFiles, numberOption, median } = require('./common.js');

const args = process.argv.slice(2);
const ROUNDS = numberOption(args, 'rounds', 9);
const CONNECT_MS = numberOption(args, 'connect-ms', 0);
const WASM_TIMES = args.includes('--wasm-times');
const ON_LOAD = args.includes('--on-load') ? numberOption(args, 'on-load', 0) : undefined;
const SCENARIO = path.join(__dirname, 'connect.js');
const FILES = clientFiles();
const CLIENTS = { 'echatim-sdk': FILES.sdk, 'weapp.socket.io 3.0.0': FILES.weapp };
const STEPS = ['loaded', 'io() called', 'instantiate called', 'wasm file read', 'instantiated', 'connected'];
const ms = (x) => (Number.isNaN(x) ? '' : x.toFixed(2));

console.log(`${ROUNDS} interleaved rounds, median ms since the client's file began to load; WebSocket open ${CONNECT_MS} ms; io() ${ON_LOAD === undefined ? 'in the same task as require()' : `${ON_LOAD} ms after require(), in a task of its own`}`);
for (const [jit, engine] of [[false, 'jsc'], [true, 'jsc'], [true, 'v8']]) {
  const mode = engine === 'v8' ? `V8 (node ${process.version})` : `JSC, JIT ${jit ? 'on' : 'off'}`;
  const runs = {};
  for (const name of Object.keys(CLIENTS)) runs[name] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(CLIENTS);
    if (r % 2) names.reverse();
    for (const name of names) {
      runs[name].push(runJsc(SCENARIO, { ...CLIENTS[name], connectMs: CONNECT_MS, onLoadMs: ON_LOAD, stamps: true, wasmTimes: WASM_TIMES }, { jit, engine }));
    }
  }
  const connected = (name) => median(runs[name].map((x) => x.stamps.connected));
  // io() -> connected: what the page waits for once it asked (the time before it is the page's own).
  const fromIo = (name) => median(runs[name].map((x) => x.stamps.connected - x.stamps['io() called']));
  const W = 'weapp.socket.io 3.0.0';
  console.log(`\n${mode}`);
  console.log(`| client | ${STEPS.join(' | ')} | connected vs weapp | io() → connected | vs weapp |`);
  console.log(`|---|${STEPS.map(() => '---:').join('|')}|---:|---:|---:|`);
  for (const name of Object.keys(CLIENTS)) {
    const cells = STEPS.map((s) => ms(median(runs[name].filter((x) => s in x.stamps).map((x) => x.stamps[s]))));
    console.log(`| ${name} | ${cells.join(' | ')} | ${(connected(name) / connected(W)).toFixed(2)}× | ${ms(fromIo(name))} | ${(fromIo(name) / fromIo(W)).toFixed(2)}× |`);
  }
  if (WASM_TIMES) {
    const names = new Set(runs['echatim-sdk'].flatMap((x) => Object.keys(x.wasmMs || {})));
    const rows = [...names].map((n) => [n, median(runs['echatim-sdk'].map((x) => (x.wasmMs && x.wasmMs[n]) || 0))])
      .sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((s, [, t]) => s + t, 0);
    console.log(`wasm exports before 'connect': ${total.toFixed(2)} ms (${rows.slice(0, 4).map(([n, t]) => `${n} ${t.toFixed(2)}`).join(', ')})`);
  }
}
