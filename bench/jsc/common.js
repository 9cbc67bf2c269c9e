'use strict';
// What the bench/jsc tools share: the two clients' files, a number option, the median; and the per-item
// counters' (calls.js, wasm-instr.js) command line and runs of a scenario on V8.
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT } = require('../../tests/jsc/run-jsc.js');

// The scenario parameters naming each client's files; the SDK's from ECHAT_DIST (default: dist/).
function clientFiles(dist = process.env.ECHAT_DIST || path.join(ROOT, 'dist')) {
  return {
    sdk: { client: 'sdk', sdk: path.join(dist, 'echatim-sdk.js'), wasm: path.join(dist, 'echatim-sdk.wasm') },
    weapp: { client: 'weapp', weapp: path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js') },
  };
}

// `--name N` among args as a number, else def.
function numberOption(args, name, def) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// The per-item counters: each mode's scenario and its two sizes (the difference per extra item cancels
// start-up, loading and warm-up).
const ITEM_MODES = {
  send: { sizes: [100, 600], scenario: 'im.js' },
  serial: { sizes: [100, 600], scenario: 'im.js' },
  im: { sizes: [200, 1200], scenario: 'im.js' },
  sio: { sizes: [500, 3000], scenario: 'bench.js' },
};

// `node bench/jsc/<tool> [--mode send|serial|im|sio] [--rows 30] [flags] DIST [DIST...]`: {mode, rows,
// dists, lo, hi}; the usage and exit 2 when it is wrong.
function itemArgs(tool, flags = '') {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
  };
  const mode = opt('mode', 'send');
  const dists = args.filter((a, i) => !a.startsWith('--') && !['--mode', '--rows', '--sizes'].includes(args[i - 1]));
  if (!ITEM_MODES[mode] || dists.length === 0) {
    console.error(`usage: node bench/jsc/${tool} [--mode send|serial|im|sio] [--rows 30] [--sizes LO,HI]${flags} DIST [DIST...]`);
    process.exit(2);
  }
  // --sizes LO,HI: the two sizes (default the mode's; past 4,096 deliveries the inbox forgets a mid per
  // delivery and its tables no longer grow: the steady state of a long session).
  const [lo, hi] = opt('sizes', ITEM_MODES[mode].sizes.join()).split(',').map(Number);
  if (!(lo >= 0 && hi > lo)) {
    console.error(`${tool}: --sizes wants LO,HI with HI > LO`);
    process.exit(2);
  }
  return { mode, rows: Number(opt('rows', 30)), dists, lo, hi };
}

// The scenario parameters for n items of `mode`, the SDK of `dist` with the wasm file `wasm`.
function itemParams(dist, wasm, mode, n) {
  return {
    client: 'sdk', sdk: path.join(dist, 'echatim-sdk.js'), wasm, events: n, acks: 10, messages: n, connectMs: 0,
    convs: 1, sends: mode === 'send' || mode === 'serial' ? n : 0, serial: mode === 'serial',
  };
}

const scenarioOf = (mode) => path.join(__dirname, ITEM_MODES[mode].scenario);

// Runs the scenario of `mode` with P on V8 (v8-shell.js) and returns the JSON its line `<tag> ...` held.
function runOnV8(p, mode, tag) {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'v8-shell.js'), JSON.stringify(p),
    path.join(__dirname, 'harness.js'), scenarioOf(mode)], { maxBuffer: 1 << 28 }).toString();
  const line = out.split('\n').find((l) => l.startsWith(`${tag} `));
  if (!line) throw new Error(`${p.sdk}: no ${tag} from the scenario:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice(tag.length + 1));
}

module.exports = { clientFiles, numberOption, median, ITEM_MODES, itemArgs, itemParams, scenarioOf, runOnV8 };
