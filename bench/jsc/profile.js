#!/usr/bin/env node
'use strict';
// Where a client's time goes in JavaScriptCore without a JIT (WeChat on iOS): JSC's own sampling
// profiler (bench/jsc/sampler.js) over one bench scenario, printed as the share of samples per function,
// self and inclusive, and per tier (LLInt = JavaScript interpreted, IPInt = wasm interpreted, "Unknown
// Executable" = native builtins such as JSON.parse). Wasm functions have names only in a build that
// keeps them (the shipped .wasm has no name section):
//   source toolchain/env.sh
//   emcmake cmake -S . -B /tmp/bw-names -DCMAKE_BUILD_TYPE=Release -DECHAT_WASM_DEBUG=OFF \
//     -DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs && cmake --build /tmp/bw-names -j2 --target echatim_core
//   node toolchain/bundle.js /tmp/bw-names /tmp/dist-names
//   node bench/jsc/profile.js --mode im /tmp/dist-names [--rows 40] [--jit] [--items 20000] [--callers]
// (--callers: also the samples by the function on top, its caller and theirs: who calls memcpy.)
// (--profiling-funcs changes only the name section, not the code.) The JavaScript names are the
// minified bundle's (terser mangles the shim's methods); find one with grep -o '}NAME(' in the bundle.
//   --mode im       E聊 deliveries received (bench/jsc/im.js)
//          send     message.send, all at once;  serial: one at a time
//          sio      socket.io events pushed (bench/jsc/bench.js)
//   DIST  a dist/ folder of echatim-sdk, or `weapp` for the raw E聊 client over weapp.socket.io 3.0.0
// The profile covers the whole process (start-up included): use enough items for the loop to dominate.
// Sampling adds its own cost (~10-20 % slower): use it to see where time goes, time and instructions
// (run.js, cpu_ab.py, instr.py) to compare builds.
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { clientFiles } = require('./common.js');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const flagged = new Set(['--mode', '--rows', '--items']);
const target = args.find((a, i) => !a.startsWith('--') && !flagged.has(args[i - 1]));
const mode = opt('mode', 'im');
const rows = Number(opt('rows', 40));
const items = Number(opt('items', mode === 'im' || mode === 'sio' ? 20000 : 5000));
if (!target || !['im', 'send', 'serial', 'sio'].includes(mode)) {
  console.error('usage: node bench/jsc/profile.js [--mode im|send|serial|sio] [--rows 40] [--items N] [--jit] [--callers] DIST|weapp');
  process.exit(2);
}
const files = clientFiles(target === 'weapp' ? undefined : path.resolve(target));
const client = target === 'weapp' ? files.weapp : files.sdk;
const sends = mode === 'send' || mode === 'serial';
const P = { ...client, events: items, acks: 10, messages: items, connectMs: 0, convs: 1, sends: sends ? items : 0, serial: mode === 'serial' };
const env = { ...process.env, JSC_useConcurrentGC: '0', JSC_numberOfGCMarkers: '1' };
if (!args.includes('--jit')) env.JSC_useJIT = '0';
const out = execFileSync('jsc', ['-e', `var P = ${JSON.stringify(P)};`, path.join(__dirname, 'sampler.js'),
  path.join(__dirname, 'harness.js'), path.join(__dirname, mode === 'sio' ? 'bench.js' : 'im.js')],
{ env, encoding: 'utf8', maxBuffer: 64 << 20 });
const result = (out.match(/^RESULT (.*)$/m) || [])[1];
const profile = JSON.parse((out.match(/^PROFILE (.*)$/m) || [])[1] || 'null');
if (!profile) {
  console.error(`no profile from jsc:\n${out.slice(-2000)}`);
  process.exit(1);
}
// "<?>.wasm-function[name]" (a self entry ends with " [tier]") -> "wasm name"
const short = (s) => {
  const at = s.lastIndexOf(' [');
  const [name, tier] = s.endsWith(']') && at > 0 && !s.endsWith(']]') ? [s.slice(0, at), s.slice(at)] : [s, ''];
  const wasm = name.match(/^<\?>\.wasm-function\[(.*)\]$/);
  return ((wasm ? `wasm ${wasm[1]}` : name).replace(/std::__2::/g, '') + tier).slice(0, 160);
};
const table = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, v] of Object.entries(map).sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((100 * v) / profile.samples).toFixed(1).padStart(6)} %  ${short(k)}`);
  }
};
console.log(`${target} --mode ${mode}, ${items} items, JIT ${env.JSC_useJIT === '0' ? 'off' : 'on'}: ${result}; ${profile.samples} samples`);
table('tier of the function on top', profile.tiers, 10);
table('self', profile.self, rows);
table('inclusive', profile.inclusive, rows);
if (args.includes('--callers')) {
  const pairs = {};
  for (const [k, v] of Object.entries(profile.callers)) {
    const key = k.split('  <-  ').map((f) => short(f).replace(/(.)\(.*$/, '$1')).join('  <-  ');
    pairs[key] = (pairs[key] || 0) + v;
  }
  table('self, by caller', pairs, rows);
}
