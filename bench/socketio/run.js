#!/usr/bin/env node
'use strict';
// Socket.IO client benchmark: the same two scenarios, one after the other in this process, for four
// clients against one socket.io 4 server (allowEIO3 on) on 127.0.0.1:
//   sdk.io              dist/echatim-sdk.js + .wasm.br in the mini-program sandbox (tests/sandbox)
//   sdk.io (Node)       the same core and shim outside the sandbox: dist/browser/echatim-sdk.js (its
//                       platform is the browser's WebSocket, here npm ws's, which has that API) on Node
//                       directly, as socket.io-client and raw ws run: the like-for-like peer of those
//                       two (the sandbox's own wx.connectSocket costs more per frame than ws, see raw wx)
//   weapp.socket.io     npm weapp.socket.io 3.0.0 (socket.io-client 3, Engine.IO 4) in the same sandbox, same wx
//   socket.io-client    npm socket.io-client 4.8 on Node directly (WebSocket transport)
//   raw ws              npm ws speaking Engine.IO 4 / Socket.IO 5 by hand, no parsing: the physical limit
//   raw wx              the same by hand over the sandbox's wx.connectSocket: the limit for any client in
//                       the sandbox (each received frame is a task of its own there, as in WeChat, and
//                       the sandbox logs it), which the sandboxed clients' CPU per event is also compared to
// Scenarios:
//   push  the server emits N events ("push", i, a 64-byte string); events per second at the client
//         (after a warm-up push)
//   echo  one emit with an ack at a time, M times; round-trip latency p50 / p99
// Also the client process's CPU time per pushed event and per round trip (the server runs in a child
// process). ROUNDS interleaved rounds (every client once per round, the order alternating); every
// figure is the median of the rounds and a ratio against weapp.socket.io in the same run.
//
//   node bench/socketio/run.js [--events 20000] [--echoes 2000] [--size 64] [--rounds 3] [--clients sdk,weapp,...] [--json]
//   --clients: only the clients whose names start with these words (sdk.io (s, sdk.io (N, weapp, socket.io-client, raw)
//   ECHAT_DIST=<dir> measures another build of the SDK (default: dist/)
// Bounded: every phase has a time limit; a peer that misses it is reported as such.

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { fork } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N_EVENTS = opt('events', 20000);
const N_ECHO = opt('echoes', 2000);
const SIZE = opt('size', 64);
const WARM = 200;
const ROUNDS = opt('rounds', 3);
const PHASE_MS = 30000;  // limit of one phase

const { createSandbox } = require(path.join(ROOT, 'tests', 'sandbox'));
const ioClient = require(path.join(ROOT, 'node_modules', 'socket.io-client'));
const WebSocket = require(path.join(ROOT, 'node_modules', 'ws'));

function startServer() {
  const child = fork(path.join(__dirname, 'server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: `http://127.0.0.1:${m.port}`, port: m.port }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

const within = (p, ms, what) => {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: over ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
};
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A temp mini-program package with the SDK and the weapp.socket.io bundle in utils/.
function makePackage() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-bench-'));
  fs.mkdirSync(path.join(root, 'utils'));
  for (const f of ['echatim-sdk.js', 'echatim-sdk.wasm.br']) fs.copyFileSync(path.join(process.env.ECHAT_DIST || path.join(ROOT, 'dist'), f), path.join(root, 'utils', f));
  fs.copyFileSync(path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js'), path.join(root, 'utils', 'weapp.socket.io.js'));
  return root;
}

// The browser build on Node (loaded once per process: its core is shared by its Managers, as on a page).
let nodeSdkLoaded = null;
function nodeSdk() {
  if (!nodeSdkLoaded) {
    const dir = path.join(process.env.ECHAT_DIST || path.join(ROOT, 'dist'), 'browser');
    globalThis.WebSocket = WebSocket;  // what the browser platform opens (npm ws offers the same API)
    nodeSdkLoaded = require(path.join(dir, 'echatim-sdk.js'));
    nodeSdkLoaded.configure({ wasmBinary: fs.readFileSync(path.join(dir, 'echatim-sdk.wasm')) });
  }
  return nodeSdkLoaded;
}

// Each peer: connect() -> {emit(ev, arg, ack?), on(ev, fn), off(ev), close()}.
const PEERS = {
  'sdk.io (sandbox, wasm)': async (url, ctx) => {
    const sb = createSandbox({ packageRoot: ctx.pkg, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
    const sdk = sb.require('/utils/echatim-sdk.js');
    await sdk.ready();
    const s = sdk.io(url, { forceNew: true });
    await within(new Promise((r) => s.once('connect', r)), 10000, 'connect');
    return wrapSocketIo(s, async () => { s.disconnect(); await sb.dispose(); });
  },
  'sdk.io (Node, ws)': async (url) => {
    const sdk = nodeSdk();
    await sdk.ready();
    const s = sdk.io(url, { forceNew: true });
    await within(new Promise((r) => s.once('connect', r)), 10000, 'connect');
    return wrapSocketIo(s, async () => { s.disconnect(); });
  },
  'weapp.socket.io 3.0.0 (sandbox)': async (url, ctx) => {
    const sb = createSandbox({ packageRoot: ctx.pkg, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
    const weapp = sb.require('/utils/weapp.socket.io.js');
    const s = weapp(url, { forceNew: true, transports: ['websocket'] });
    await within(new Promise((r) => s.once('connect', r)), 10000, 'connect');
    return wrapSocketIo(s, async () => { s.disconnect(); await sb.dispose(); });
  },
  'socket.io-client 4.8 (Node)': async (url) => {
    const s = ioClient(url, { forceNew: true, transports: ['websocket'] });
    await within(new Promise((r) => s.once('connect', r)), 10000, 'connect');
    return wrapSocketIo(s, async () => { s.disconnect(); });
  },
  'raw ws, no parsing (limit)': async (url) => rawClient(url),
  'raw wx.connectSocket, no parsing (sandbox limit)': async (url, ctx) => {
    const sb = createSandbox({ packageRoot: ctx.pkg, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
    return rawClient(url, sb.wx, async () => { await sb.dispose(); });
  },
};

function wrapSocketIo(s, close) {
  return {
    emit: (ev, arg, ack) => (ack ? s.emit(ev, arg, ack) : s.emit(ev, arg)),
    on: (ev, fn) => s.on(ev, fn),
    off: (ev) => s.off(ev),
    close,
  };
}

// Engine.IO 4 / Socket.IO 5 over a bare WebSocket (npm ws, or wx's SocketTask in the sandbox): answers
// pings, counts "push" frames by prefix, matches acks by id. No JSON parsing of incoming events.
async function rawClient(url, wx, dispose) {
  const wsUrl = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  let ws;
  if (wx) {
    const task = wx.connectSocket({ url: wsUrl });
    ws = {
      on: (ev, fn) => (ev === 'error' ? task.onError((r) => fn(new Error(r.errMsg))) : task.onMessage((r) => fn(r.data))),
      send: (data) => task.send({ data }),
      close: () => task.close({}),
    };
  } else {
    ws = new WebSocket(wsUrl);
  }
  const handlers = {};
  const acks = new Map();
  let nextId = 0;
  await within(new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const s = typeof data === 'string' ? data : data.toString();
      if (s.startsWith('42["push"')) { if (handlers.push) handlers.push(); return; }
      if (s.startsWith('43')) {
        const m = /^43(\d+)/.exec(s);
        const fn = acks.get(Number(m[1]));
        acks.delete(Number(m[1]));
        if (fn) fn();
        return;
      }
      if (s === '2') { ws.send('3'); return; }
      if (s[0] === '0') { ws.send('40'); return; }
      if (s.startsWith('40')) resolve();
    });
  }), 10000, 'connect');
  return {
    emit: (ev, arg, ack) => {
      if (ack) {
        const id = nextId++;
        acks.set(id, ack);
        ws.send(`42${id}${JSON.stringify([ev, arg])}`);
      } else {
        ws.send(`42${JSON.stringify([ev, arg])}`);
      }
    },
    on: (ev, fn) => { handlers[ev] = fn; },
    off: (ev) => { delete handlers[ev]; },
    close: async () => {
      ws.close();
      if (dispose) await dispose();
    },
  };
}

async function pushOnce(peer, n) {
  let count = 0;
  const cpu0 = process.cpuUsage();
  const t0 = nowUs();
  const done = new Promise((resolve) => {
    peer.on('push', () => { if (++count === n) resolve(); });
  });
  peer.emit('push', { n, size: SIZE });
  try {
    await within(done, PHASE_MS, `push: ${count} of ${n} events`);
  } finally {
    peer.off('push');
  }
  const us = nowUs() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { eventsPerSec: Math.round(n / (us / 1e6)), cpuUsPerEvent: (cpu.user + cpu.system) / n };
}

async function echoScenario(peer) {
  const one = (i) => new Promise((resolve) => {
    const t0 = nowUs();
    peer.emit('echo', { i, text: 'round trip' }, () => resolve(nowUs() - t0));
  });
  for (let i = 0; i < WARM; i++) await one(i);
  const lat = [];
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N_ECHO; i++) {
    lat.push(await one(i));
    if (Date.now() - t0 > PHASE_MS) throw new Error(`echo: only ${i} round trips in ${PHASE_MS} ms`);
  }
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { p50: pct(0.5), p99: pct(0.99), mean: lat.reduce((a, b) => a + b, 0) / lat.length,
    cpuUsPerRoundTrip: (cpu.user + cpu.system) / N_ECHO };
}

function machine() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0].model;
  return { nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length, cpu, node: process.version, os: `${os.type()} ${os.release()}` };
}

const median = (xs) => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'echatim-sdk.js'))) throw new Error('dist/ is missing: run bash toolchain/build.sh');
  const pkg = makePackage();
  const server = await startServer();
  const rounds = Object.fromEntries(Object.keys(PEERS).map((n) => [n, []]));
  const errors = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const only = args.includes('--clients') ? args[args.indexOf('--clients') + 1].split(',') : null;
      const names = Object.keys(PEERS).filter((n) => !only || only.some((w) => n.startsWith(w)));
      if (round % 2) names.reverse();
      for (const name of names) {
        let peer;
        try {
          peer = await PEERS[name](server.url, { pkg });
          await sleep(100);
          await pushOnce(peer, Math.ceil(N_EVENTS / 4));  // warm-up (JIT, wasm tier-up)
          await sleep(50);
          const push = await pushOnce(peer, N_EVENTS);
          await sleep(100);
          const echo = await echoScenario(peer);
          rounds[name].push({ push, echo });
        } catch (err) {
          errors[name] = err.message;
        } finally {
          if (peer) await peer.close();
          await sleep(200);
        }
      }
    }
  } finally {
    server.child.kill();
    fs.rmSync(pkg, { recursive: true, force: true });
  }
  const results = Object.entries(rounds).filter(([name, rs]) => rs.length || errors[name]).map(([name, rs]) => (errors[name] || !rs.length ? { name, error: errors[name] || 'no round' } : {
    name,
    eventsPerSec: median(rs.map((r) => r.push.eventsPerSec)),
    cpuUsPerEvent: median(rs.map((r) => r.push.cpuUsPerEvent)),
    p50: median(rs.map((r) => r.echo.p50)),
    p99: median(rs.map((r) => r.echo.p99)),
    cpuUsPerRoundTrip: median(rs.map((r) => r.echo.cpuUsPerRoundTrip)),
    rounds: rs,
  }));
  const m = machine();
  if (args.includes('--json')) {
    console.log(JSON.stringify({ machine: m, events: N_EVENTS, echoes: N_ECHO, size: SIZE, results }, null, 2));
    return;
  }
  const w = results.find((r) => r.name.startsWith('weapp') && !r.error);
  const raw = results.find((r) => r.name.startsWith('raw ws') && !r.error);
  const rawWx = results.find((r) => r.name.startsWith('raw wx') && !r.error);
  const ratio = (x) => (x === undefined ? '' : `${x.toFixed(2)}×`);
  console.log(`machine: ${m.nproc} CPUs, ${m.cpu}, node ${m.node}, ${m.os}`);
  console.log(`push: ${N_EVENTS} events of ${SIZE} bytes; echo: ${N_ECHO} sequential round trips after ${WARM} warm-up; median of ${ROUNDS} interleaved rounds\n`);
  console.log('| client | push events/s | vs weapp | CPU µs/event | vs raw ws | vs raw wx | echo p50 µs | p50 speed vs weapp | echo p99 µs | CPU µs/round trip |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if (r.error) { console.log(`| ${r.name} | failed: ${r.error} | | | | | | | | |`); continue; }
    const sandboxed = r.name.includes('sandbox');
    console.log(`| ${r.name} | ${Math.round(r.eventsPerSec).toLocaleString('en-US')} | ${ratio(w && r.eventsPerSec / w.eventsPerSec)} | ` +
      `${r.cpuUsPerEvent.toFixed(1)} | ${ratio(raw && r.cpuUsPerEvent / raw.cpuUsPerEvent)} | ` +
      `${sandboxed ? ratio(rawWx && r.cpuUsPerEvent / rawWx.cpuUsPerEvent) : ''} | ${Math.round(r.p50)} | ` +
      `${ratio(w && w.p50 / r.p50)} | ${Math.round(r.p99)} | ${r.cpuUsPerRoundTrip.toFixed(1)} |`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
