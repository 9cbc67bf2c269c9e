#!/usr/bin/env node
'use strict';
// What a wasm instruction costs in JavaScriptCore's wasm interpreter (IPInt; WeChat on iOS: no JIT), in a
// loop of its own and between a client's JavaScript. A small module (below) probes a 4,096-slot table in
// its memory: 30 instructions and a call per turn (bench/jsc/wasm-instr.js counted them). Three runs in
// `jsc` with JSC_useJIT=0:
//   tight      run(N) once: the interpreter's state (its branch predictions, the caches) stays its own
//   js         run(50) between the JavaScript a client does per item (a JSON.parse of a ~230-byte
//              message, an object copy, a string cut and joined): only the time inside run() counts
//   sweep      run(50) between reads of a 4 MB array, a byte per 64 (the caches emptied; 1/10 of the items):
//              an upper bound
// Measured 2026-12-07 (docs/benchmarks.md): tight 1.9, js 2.2, sweep 5.6 ns per instruction; the SDK's own
// wasm where a bench scenario runs it, 3.7 to 7.5 (wasm-instr.js --time).
//   node bench/jsc/ipint.js [--rounds 3]   (~15 s a round)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { numberOption, median } = require('./common.js');

// wasm-as of:
// (module (memory 2) (global $unused (mut i32) (i32.const 0))
//   (func $probe (param $k i64) (result i32) (local $i i32)
//     (local.set $i (i32.shl (i32.wrap_i64 (i64.shr_u (i64.mul (local.get $k) (i64.const -7046029254386353131))
//       (i64.const 52))) (i32.const 4)))
//     (i64.store (local.get $i) (i64.add (i64.load (local.get $i)) (local.get $k))) (local.get $i))
//   (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
//     (loop $l (local.set $s (i32.add (local.get $s) (call $probe (i64.extend_i32_u (local.get $i)))))
//       (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
//     (local.get $s)))
const MODULE = '0061736d01000000010b0260017e017f60017f017f030302000105030100020606017f0141000b0707010372756e00010a4c022a' +
  '01017f20004295f8a9fa97b7de9b9e7f7e423488a741047421012001200129030020007c37030020010b1f01027f034020022001ad10006a21' +
  '02200141016a22012000490d000b20020b';
const PER_TURN = 30;

const SCRIPT = `
var run = new WebAssembly.Instance(new WebAssembly.Module(readFile(FILE, 'binary')), {}).exports.run;
var ITEMS = 20000, TURNS = 50;
var message = JSON.stringify({ seq: 1, mid: 500000, formUser: 'alice', toTarget: 'bob', way: 'P2P', type: 'TEXT',
  body: { text: 'message 1 ' + new Array(41).join('w') }, createTime: 1764900000000, clientMsgId: 'alice-c-1' });
var frame = '42["topic.message",' + message + ']';
var big = new Uint8Array(4 << 20);
run(100000);
var t = preciseTime();
run(ITEMS * TURNS);
var tight = preciseTime() - t;
function between(work, items) {
  var inside = 0;
  for (var i = 0; i < items; i++) {
    work(i);
    var t0 = preciseTime();
    run(TURNS);
    inside += preciseTime() - t0;
  }
  return inside;
}
var sink = 0;
var js = between(function (i) {
  var m = JSON.parse(frame.slice(frame.indexOf('[')))[1];
  var copy = Object.assign({}, m);
  sink += copy.seq + (m.formUser + ':' + i).length;
}, ITEMS);
var sweep = between(function () { for (var j = 0; j < big.length; j += 64) sink += big[j]; }, ITEMS / 10) * 10;
print('RESULT ' + JSON.stringify({ tight: tight, js: js, sweep: sweep, sink: sink }));
`;

function main() {
  const rounds = numberOption(process.argv.slice(2), 'rounds', 3);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-ipint-'));
  try {
    const wasm = path.join(tmp, 'probe.wasm');
    fs.writeFileSync(wasm, Buffer.from(MODULE, 'hex'));
    const script = path.join(tmp, 'ipint.js');
    fs.writeFileSync(script, SCRIPT);
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      const out = execFileSync('jsc', ['-e', `var FILE = ${JSON.stringify(wasm)};`, script],
        { env: { ...process.env, JSC_useJIT: '0' }, encoding: 'utf8' });
      runs.push(JSON.parse(out.split('\n').find((l) => l.startsWith('RESULT ')).slice(7)));
    }
    const instructions = 20000 * 50 * PER_TURN;
    console.log(`jsc, JIT off, ${rounds} runs, median ns per wasm instruction (${PER_TURN} per turn, a call included):`);
    for (const k of ['tight', 'js', 'sweep']) {
      console.log(`  ${k.padEnd(6)} ${((median(runs.map((x) => x[k])) * 1e9) / instructions).toFixed(2)}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
module.exports = { MODULE, PER_TURN };
