#!/usr/bin/env node
'use strict';
// Wasm instructions executed per item of a bench scenario, by function, counted exactly (give or take a
// branch, below): a copy of the build's .wasm gets one i64 counter global per function, exported as
// "c<function index>", and each straight run of its instructions adds its length to it when it starts;
// the scenario runs twice on V8 (bench/jsc/v8-shell.js), a short and a long workload, and the harness
// reads the counters at the end (P.countInstructions); the difference per extra item is printed. The
// counts are the same on every engine and machine.
//
// Why: JavaScriptCore's wasm interpreter (WeChat on iOS, JSC_useJIT=0) pays per instruction. bench/jsc/
// calls.js counts calls and loop turns; this counts the instructions themselves, and where they are.
// Measured 2026-12-07 with it (docs/benchmarks.md): an IM delivery executes ~2,400 wasm instructions, a
// message of a burst of sends ~10,400, a socket.io event ~440.
//
//   node bench/jsc/wasm-instr.js [--mode im|send|serial|sio] [--rows 30] [--time] DIST [DIST...]
//   (the modes and sizes of calls.js). Functions have names only in a build that keeps them
//   (bench/jsc/profile.js says how to make one); else "function N".
//   --time: also the time spent inside the wasm's exports per item in jsc without a JIT (the uninstrumented
//   .wasm, the harness's P.wasmTimes 'all', median of 5 runs of each size), and so the ns per instruction
//   where the scenario runs them: between the client's JavaScript, not in a loop of their own
//   (bench/jsc/ipint.js measures that).
//
// A run is counted where it starts: after a block, loop, if, else, end or br_if, through the next of
// those (or a br, br_table, return, unreachable). A run left early (a taken br_if inside it is its end,
// so only a call that does not return, or a trap) would be counted whole; dead code after a br is not
// counted. block/loop/end count as instructions: an interpreter steps over them too.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { itemArgs, itemParams, runOnV8, scenarioOf, median } = require('./common.js');

// --- the wasm binary: LEB128, sections, instructions ------------------------------------------------
class Reader {
  constructor(bytes, at = 0) {
    this.b = bytes;
    this.p = at;
  }

  u32() {
    let r = 0;
    let shift = 0;
    let x;
    do {
      x = this.b[this.p++];
      r += (x & 0x7f) * 2 ** shift;
      shift += 7;
    } while (x & 0x80);
    return r;
  }

  skipLeb() {
    while (this.b[this.p++] & 0x80);
  }

  name() {
    const n = this.u32();
    const s = this.b.toString('utf8', this.p, this.p + n);
    this.p += n;
    return s;
  }
}

function uleb(n) {
  const out = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n) x |= 0x80;
    out.push(x);
  } while (n);
  return Buffer.from(out);
}

function sleb(n) {
  const out = [];
  let v = BigInt(n);
  for (;;) {
    const x = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && !(x & 0x40)) || (v === -1n && (x & 0x40))) {
      out.push(x);
      return Buffer.from(out);
    }
    out.push(x | 0x80);
  }
}

function sections(bytes) {
  const r = new Reader(bytes, 8);
  const list = [];
  while (r.p < bytes.length) {
    const id = bytes[r.p++];
    const size = r.u32();
    list.push({ id, start: r.p, end: r.p + size });
    r.p += size;
  }
  return list;
}

// Skips one instruction's immediates (the MVP, sign extension, the 0xFC group); returns false for an
// opcode it does not know.
function skipImmediates(r, op) {
  if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x41 || op === 0x42) r.skipLeb();  // block type, const
  else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) r.skipLeb();
  else if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.skipLeb();
  } else if (op === 0x11 || (op >= 0x28 && op <= 0x3e)) {  // call_indirect, loads and stores
    r.skipLeb();
    r.skipLeb();
  } else if (op === 0x1c) r.p += r.u32();
  else if (op === 0x3f || op === 0x40 || op === 0xd0) r.p += 1;
  else if (op === 0x43) r.p += 4;
  else if (op === 0x44) r.p += 8;
  else if (op === 0xfc) {
    const sub = r.u32();
    if (sub === 8) { r.skipLeb(); r.p += 1; } else if (sub === 10) r.p += 2;
    else if (sub === 11) r.p += 1;
    else if (sub === 12 || sub === 14) { r.skipLeb(); r.skipLeb(); } else if (sub >= 9) r.skipLeb();
  } else if (op > 0xc4 && op !== 0xd1) return false;
  return true;
}

const STARTS_RUN = new Set([0x02, 0x03, 0x04, 0x05, 0x0b, 0x0d]);  // block loop if else end br_if: a run starts after
const ENDS_FLOW = new Set([0x00, 0x0c, 0x0e, 0x0f]);                // unreachable br br_table return: dead after

// The function's body with a counter run before each run of instructions.
function countedBody(bytes, start, end, global) {
  const r = new Reader(bytes, start);
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.skipLeb();
    r.p += 1;
  }
  const out = [bytes.subarray(start, r.p)];
  const ins = [];
  while (r.p < end) {
    const at = r.p;
    const op = bytes[r.p++];
    if (!skipImmediates(r, op)) throw new Error(`opcode 0x${op.toString(16)} at byte ${at}: not known to this counter`);
    ins.push([at, r.p, op]);
  }
  const g = uleb(global);
  const add = (k) => Buffer.concat([Buffer.from([0x23]), g, Buffer.from([0x42]), sleb(k), Buffer.from([0x7c, 0x24]), g]);
  let i = 0;
  while (i < ins.length) {
    let j = i;
    while (j < ins.length - 1 && !STARTS_RUN.has(ins[j][2]) && !ENDS_FLOW.has(ins[j][2])) j++;
    out.push(add(j - i + 1));
    for (let t = i; t <= j; t++) out.push(bytes.subarray(ins[t][0], ins[t][1]));
    i = j + 1;
    if (ENDS_FLOW.has(ins[j][2])) {  // dead until the next else or end, which a run follows
      while (i < ins.length && !STARTS_RUN.has(ins[i][2])) out.push(bytes.subarray(ins[i][0], ins[i++][1]));
      if (i < ins.length) out.push(bytes.subarray(ins[i][0], ins[i++][1]));
    }
  }
  const body = Buffer.concat(out);
  return Buffer.concat([uleb(body.length), body]);
}

// The instrumented module, and the functions' names (index -> name) from its name section.
function instrument(bytes) {
  const list = sections(bytes);
  const find = (id) => list.find((s) => s.id === id);
  let funcImports = 0;
  let globalImports = 0;
  const imports = find(2);
  if (imports) {
    const r = new Reader(bytes, imports.start);
    for (let n = r.u32(); n > 0; n--) {
      r.name();
      r.name();
      const kind = bytes[r.p++];
      if (kind === 0) { r.skipLeb(); funcImports++; } else if (kind === 3) { r.p += 2; globalImports++; } else {
        if (kind === 1) r.p += 1;  // a table's element type
        const flags = r.u32();
        r.skipLeb();
        if (flags & 1) r.skipLeb();
      }
    }
  }
  const globals = find(6);
  const g = new Reader(bytes, globals.start);
  const definedGlobals = g.u32();
  const code = find(10);
  const c = new Reader(bytes, code.start);
  const functions = c.u32();
  const bodies = [uleb(functions)];
  for (let f = 0; f < functions; f++) {
    const size = c.u32();
    bodies.push(countedBody(bytes, c.p, c.p + size, globalImports + definedGlobals + f));
    c.p += size;
  }
  const counters = [uleb(definedGlobals + functions), bytes.subarray(g.p, globals.end)];
  for (let f = 0; f < functions; f++) counters.push(Buffer.from([0x7e, 0x01, 0x42, 0x00, 0x0b]));  // mut i64 = 0
  const exports = find(7);
  const e = new Reader(bytes, exports.start);
  const count = e.u32();
  const exported = [uleb(count + functions), bytes.subarray(e.p, exports.end)];
  for (let f = 0; f < functions; f++) {
    const name = Buffer.from(`c${funcImports + f}`);
    exported.push(uleb(name.length), name, Buffer.from([0x03]), uleb(globalImports + definedGlobals + f));
  }
  const names = {};
  for (const s of list.filter((x) => x.id === 0)) {
    const r = new Reader(bytes, s.start);
    if (r.name() !== 'name') continue;
    while (r.p < s.end) {
      const sub = bytes[r.p++];
      const end = r.u32() + r.p;
      if (sub === 1) {
        for (let n = r.u32(); n > 0; n--) {
          const index = r.u32();
          names[index] = r.name();
        }
      }
      r.p = end;
    }
  }
  const out = [bytes.subarray(0, 8)];
  for (const s of list) {
    const body = s.id === 10 ? Buffer.concat(bodies) : s.id === 6 ? Buffer.concat(counters)
      : s.id === 7 ? Buffer.concat(exported) : bytes.subarray(s.start, s.end);
    out.push(Buffer.from([s.id]), uleb(body.length), body);
  }
  return { wasm: Buffer.concat(out), names };
}

// --- the runs -------------------------------------------------------------------------------------
// ms spent inside the wasm's exports over a whole run in jsc without a JIT (median of `rounds`).
function wasmMs(dist, mode, n, rounds) {
  const { runJsc } = require('../../tests/jsc/run-jsc.js');
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const p = { ...itemParams(dist, path.join(dist, 'echatim-sdk.wasm'), mode, n), wasmTimes: 'all' };
    runs.push(Object.values(runJsc(scenarioOf(mode), p).wasmMs).reduce((a, b) => a + b, 0));
  }
  return median(runs);
}

function main() {
  const { mode, rows, dists, lo, hi } = itemArgs('wasm-instr.js', ' [--time]');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-instr-'));
  try {
    console.log(`${mode}: wasm instructions per item, by function (counters in the .wasm, on V8; ${lo} vs ${hi} items)`);
    for (const dist of dists) {
      const { wasm, names } = instrument(fs.readFileSync(path.join(dist, 'echatim-sdk.wasm')));
      const file = path.join(tmp, 'counted.wasm');
      fs.writeFileSync(file, wasm);
      const counts = (n) => runOnV8({ ...itemParams(dist, file, mode, n), countInstructions: true }, mode, 'INSTRUCTIONS');
      const a = counts(lo);
      const b = counts(hi);
      const perFn = Object.keys(b).map((k) => [((b[k] || 0) - (a[k] || 0)) / (hi - lo), names[k] || `function ${k}`])
        .filter(([d]) => d > 0.001).sort((x, y) => y[0] - x[0]);
      const total = perFn.reduce((sum, [d]) => sum + d, 0);
      let timing = '';
      if (process.argv.includes('--time')) {
        const us = ((wasmMs(dist, mode, hi, 5) - wasmMs(dist, mode, lo, 5)) * 1000) / (hi - lo);
        timing = `; in jsc without a JIT ${us.toFixed(2)} us per item inside the exports, ${((us * 1000) / total).toFixed(2)} ns per instruction`;
      }
      console.log(`\n${dist}: ${total.toFixed(0)} instructions per item${timing}`);
      for (const [d, name] of perFn.slice(0, rows)) console.log(`${d.toFixed(1).padStart(9)}  ${name.slice(0, 140)}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
module.exports = { instrument };
