#!/usr/bin/env node
'use strict';
// Wasm function calls and loop turns per item of a bench scenario, counted exactly: binaryen's
// --log-execution instruments a copy of the build's .wasm (a call to env.log_execution(id) at every
// function's entry and every loop's turn), bench/jsc/harness.js counts them (P.countCalls), and the
// scenario runs twice on V8 (bench/jsc/v8-shell.js), a short and a long workload: the difference per
// extra item. The counts are the same on every engine and machine, and do not move with the load.
//
// Why calls: JavaScriptCore's wasm interpreter (WeChat on iOS, JSC_useJIT=0) spends ~380 x86
// instructions on a call (measured 2026-12-07: 67 calls fewer per message sent, 25,700 instructions
// fewer, bench/jsc/instr.py), about as much as a short function's body. -Oz leaves many one-line
// functions as calls (docs/benchmarks.md).
//
//   node bench/jsc/calls.js [--mode send|serial|im|sio] [--rows 30] DIST [DIST...]
//     send    message.send, all at once (bench/jsc/im.js), 100 vs 600
//     serial  message.send one at a time, each after the last is confirmed, 100 vs 600
//     im      E聊 deliveries received, 200 vs 1,200
//     sio     socket.io events pushed (bench/jsc/bench.js), 500 vs 3,000
//   DIST: a dist/ folder of echatim-sdk (echatim-sdk.js and the uncompressed .wasm). Functions have names
//   only in a build that keeps them (bench/jsc/profile.js says how to make one); else wasm-dis's $N.
// Needs binaryen's wasm-opt and wasm-dis (Debian `binaryen`, installed with emscripten).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { itemArgs, itemParams, runOnV8 } = require('./common.js');

const { mode, rows, dists, lo, hi } = itemArgs('calls.js');

// wasm-dis writes a name's special characters as \XX (hex bytes of its UTF-8).
function readable(name) {
  try {
    return decodeURIComponent(name.replace(/\\([0-9a-f]{2})/g, '%$1'));
  } catch (err) {
    return name;  // not UTF-8 after all: as wasm-dis wrote it
  }
}

// The instrumented copy, and what each log id is: [function name, true for its entry].
function instrument(wasm, out) {
  execFileSync('wasm-opt', ['-g', wasm, '--log-execution', '-o', out]);
  const text = execFileSync('wasm-dis', [out], { maxBuffer: 1 << 30 }).toString();
  const lines = text.split('\n');
  const logger = /\(import "env" "log_execution" \(func \$(\S+)/.exec(text);
  if (!logger) throw new Error(`${wasm}: wasm-opt --log-execution added no import`);
  const call = `(call $${logger[1]}`;
  const ids = [];
  let fn = null;
  let seen = false;  // the function's first log is its entry (its loops' ids may be lower)
  for (let i = 0; i < lines.length; i++) {
    const f = /^ \(func \$(\S+)/.exec(lines[i]);
    if (f) {
      fn = readable(f[1]);
      seen = false;
    } else if (lines[i].trim() === call) {
      const id = Number(/i32\.const (\d+)/.exec(lines[i + 1])[1]);
      ids[id] = [fn, !seen];
      seen = true;
    }
  }
  return ids;
}

function counts(dist, wasm, n, size) {
  return runOnV8({ ...itemParams(dist, wasm, mode, n), countCalls: size }, mode, 'COUNTS');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-calls-'));
try {
  console.log(`${mode}: wasm calls and loop turns per item (binaryen --log-execution, on V8; ${lo} vs ${hi} items)`);
  for (const dist of dists) {
    const wasm = path.join(tmp, 'counted.wasm');
    const ids = instrument(path.join(dist, 'echatim-sdk.wasm'), wasm);
    const a = counts(dist, wasm, lo, ids.length);
    const b = counts(dist, wasm, hi, ids.length);
    const byFn = new Map();
    let calls = 0;
    let turns = 0;
    for (let id = 0; id < ids.length; id++) {
      const d = (b[id] - a[id]) / (hi - lo);
      if (!ids[id] || d === 0) continue;
      const [fn, entry] = ids[id];
      const row = byFn.get(fn) || { calls: 0, turns: 0 };
      if (entry) {
        row.calls += d;
        calls += d;
      } else {
        row.turns += d;
        turns += d;
      }
      byFn.set(fn, row);
    }
    console.log(`\n${dist}: ${calls.toFixed(1)} calls, ${turns.toFixed(1)} loop turns per item`);
    console.log('   calls    turns  function');
    const top = [...byFn].sort((x, y) => y[1].calls - x[1].calls || y[1].turns - x[1].turns).slice(0, rows);
    for (const [fn, r] of top) console.log(`${r.calls.toFixed(2).padStart(8)} ${r.turns.toFixed(2).padStart(8)}  ${fn.slice(0, 140)}`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
