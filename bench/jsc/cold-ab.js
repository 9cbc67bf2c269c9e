#!/usr/bin/env node
'use strict';
// Cold start of builds of the SDK side by side (and weapp.socket.io 3.0.0 in the same rounds): the
// socket.io scenario's require() -> 'connect' (bench/jsc/connect.js), one process per client per round,
// the clients interleaved, on JSC without a JIT and on V8; medians of the harness's stamps, in ms since
// the client's file began to load. For A/B of a change to the cold start, where bench/jsc/startup.js
// measures one build.
//   node bench/jsc/cold-ab.js [--rounds 11] [--on-load MS] [--connect-ms 0] [--again] DIST [DIST...]
//   --on-load MS: the page calls io() MS ms after require(), in a task of its own (as from onLoad)
//   --again: also a second io() to another server in the same process, once the first connected: the
//            cold start without the first calls' costs (JavaScript and, on V8, wasm compiled on first call)
const path = require('node:path');
const { runJsc } = require('../../tests/jsc/run-jsc.js');
const { clientFiles, numberOption, median } = require('./common.js');

const args = process.argv.slice(2);
const ROUNDS = numberOption(args, 'rounds', 11);
const CONNECT_MS = numberOption(args, 'connect-ms', 0);
const ON_LOAD = args.includes('--on-load') ? numberOption(args, 'on-load', 0) : undefined;
const AGAIN = args.includes('--again');
const valued = new Set(['--rounds', '--on-load', '--connect-ms']);
const dists = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1])).map((d) => path.resolve(d));
if (!dists.length) {
  console.error('usage: node bench/jsc/cold-ab.js [--rounds 11] [--on-load MS] [--connect-ms 0] [--again] DIST [DIST...]');
  process.exit(2);
}
const SCENARIO = path.join(__dirname, AGAIN ? 'connect-again.js' : 'connect.js');
const STEPS = ['loaded', 'instantiate called', 'instantiated', 'connected'];
const clients = [...dists.map((d) => [d, clientFiles(d).sdk]), ['weapp.socket.io 3.0.0', clientFiles().weapp]];

console.log(`${ROUNDS} interleaved rounds; io() ${ON_LOAD === undefined ? 'in the same task as require()' : `${ON_LOAD} ms after require()`}; WebSocket open ${CONNECT_MS} ms`);
for (const [engine, jit] of [['jsc', false], ['v8', true]]) {
  const runs = clients.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = clients.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      runs[i].push(runJsc(SCENARIO, { ...clients[i][1], connectMs: CONNECT_MS, onLoadMs: ON_LOAD, stamps: true }, { jit, engine }));
    }
  }
  const connected = (i) => median(runs[i].map((x) => x.connectMs));
  const weapp = connected(clients.length - 1);
  console.log(`\n${engine === 'v8' ? `V8 (node ${process.version})` : 'JSC, JIT off'}`);
  console.log(`| client | ${STEPS.join(' | ')} | vs weapp |${AGAIN ? ' a second io(), ms |' : ''}`);
  console.log(`|---|${STEPS.map(() => '---:').join('|')}|---:|${AGAIN ? '---:|' : ''}`);
  clients.forEach(([name], i) => {
    const cells = STEPS.map((s) => {
      const xs = runs[i].filter((x) => s in x.stamps).map((x) => x.stamps[s]);
      return xs.length ? median(xs).toFixed(2) : '';
    });
    const again = AGAIN ? ` ${median(runs[i].map((x) => x.againMs)).toFixed(2)} |` : '';
    console.log(`| ${name} | ${cells.join(' | ')} | ${(connected(i) / weapp).toFixed(2)}× |${again}`);
  });
}
