'use strict';
// bench/jsc/wasm-instr.js's counter (docs/benchmarks.md quotes its counts): a module it instruments
// still validates and computes the same, and its counters say how many instructions ran. Runs on Node.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { instrument } = require('../../bench/jsc/wasm-instr.js');
const { MODULE, PER_TURN } = require('../../bench/jsc/ipint.js');
const { ROOT } = require('./run-jsc.js');

const counted = (exports) => Object.keys(exports).filter((k) => /^c[0-9]+$/.test(k))
  .reduce((sum, k) => sum + Number(exports[k].value), 0);

test('wasm-instr: a loop of 30 instructions and a call per turn counts 30 per turn, and computes the same', () => {
  const plain = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(MODULE, 'hex')), {}).exports;
  const { wasm } = instrument(Buffer.from(MODULE, 'hex'));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {}).exports;
  assert.equal(inst.run(10), plain.run(10));
  const ten = counted(inst);
  assert.equal(inst.run(1010), plain.run(1010));
  assert.equal(counted(inst) - 2 * ten, 1000 * PER_TURN, 'a call of a thousand more turns: 30 instructions each');
});

test('wasm-instr: the shipped wasm, instrumented, validates and keeps its imports and exports', () => {
  const bytes = fs.readFileSync(path.join(process.env.ECHAT_DIST || path.join(ROOT, 'dist'), 'echatim-sdk.wasm'));
  const before = new WebAssembly.Module(bytes);
  const after = new WebAssembly.Module(instrument(bytes).wasm);
  assert.deepEqual(WebAssembly.Module.imports(after), WebAssembly.Module.imports(before));
  const exports = WebAssembly.Module.exports(after);
  const own = exports.filter((e) => !/^c[0-9]+$/.test(e.name));
  assert.deepEqual(own, WebAssembly.Module.exports(before));
  assert.ok(exports.length - own.length > 500, 'a counter per function');
});
