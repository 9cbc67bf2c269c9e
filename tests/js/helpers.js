'use strict';
// Shared harness of the SDK suite: the shipped dist/echatim-sdk.js + .wasm.br in a temp mini-program
// package, loaded in the WeChat sandbox (tests/sandbox), against real socket.io servers in child
// processes (fixtures/servers.js). Every wait is bounded (a guard against hanging, never a timing
// assertion); every sandbox and server a test starts is stopped by t.after / after.
//
// ECHAT_TEST_CLIENT=weapp swaps sdk.io for npm weapp.socket.io (socket.io-client 3, EIO4 only) in
// the same sandbox: a development aid to check a test against a reference client. Tests of features
// that client lacks (protocol 3, timeout(), emitWithAck, ...) fail in that mode, as expected.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createSandbox } = require('../sandbox');
const { startSioServer, fromLog } = require('../support/sio-server');

const ROOT = path.join(__dirname, '..', '..');
// ECHAT_DIST: test another build of the artifact (default: dist/)
const DIST = process.env.ECHAT_DIST ? path.resolve(process.env.ECHAT_DIST) : path.join(ROOT, 'dist');
const SDK_JS = path.join(DIST, 'echatim-sdk.js');
const SDK_BR = path.join(DIST, 'echatim-sdk.wasm.br');
const WEAPP = path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js');
const CLIENT = process.env.ECHAT_TEST_CLIENT || 'sdk';

const WAIT_MS = 10000;  // default bound of a wait: generous, only there so that nothing hangs

function distMissing() {
  if (fs.existsSync(SDK_JS) && fs.existsSync(SDK_BR)) return false;
  return 'dist/echatim-sdk.js or dist/echatim-sdk.wasm.br is missing: run `bash toolchain/build.sh` first';
}

// One temp package root per test process: utils/echatim-sdk.js + utils/echatim-sdk.wasm.br (the
// .br only, so the default wasmPath is what loads), and the weapp.socket.io peer.
let pkgRoot = null;
function sdkPackage() {
  if (pkgRoot) return pkgRoot;
  const missing = distMissing();
  if (missing && CLIENT !== 'weapp') throw new Error(missing);
  pkgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-sdk-pkg-'));
  fs.mkdirSync(path.join(pkgRoot, 'utils'));
  if (!missing) {
    fs.copyFileSync(SDK_JS, path.join(pkgRoot, 'utils', 'echatim-sdk.js'));
    fs.copyFileSync(SDK_BR, path.join(pkgRoot, 'utils', 'echatim-sdk.wasm.br'));
  }
  if (fs.existsSync(WEAPP)) fs.copyFileSync(WEAPP, path.join(pkgRoot, 'utils', 'weapp.socket.io.js'));
  const root = pkgRoot;
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  return pkgRoot;
}

// Runs before the SDK loads: wraps WXWebAssembly.instantiate (page realm) to keep the instance the SDK
// creates, so the test can read the wasm memory size.
const HEAP_PROBE = `(function () {
  var orig = WXWebAssembly.instantiate;
  var instances = [];
  WXWebAssembly.instantiate = function (p, imports) {
    return orig(p, imports).then(function (r) {
      instances.push({ instance: r.instance || r, imports: imports });
      return r;
    });
  };
  function memories() {
    var out = [];
    instances.forEach(function (e) {
      var ex = e.instance.exports;
      Object.keys(ex).forEach(function (k) {
        if (Object.prototype.toString.call(ex[k]) === '[object WebAssembly.Memory]') out.push(ex[k]);
      });
      Object.keys(e.imports || {}).forEach(function (m) {
        var mod = e.imports[m];
        Object.keys(mod || {}).forEach(function (k) {
          if (Object.prototype.toString.call(mod[k]) === '[object WebAssembly.Memory]') out.push(mod[k]);
        });
      });
    });
    return out;
  }
  return {
    count: function () { return instances.length; },
    heapBytes: function () {
      var m = memories();
      return m.length ? m[0].buffer.byteLength : -1;
    },
  };
})()`;

// A page: a fresh sandbox with the SDK loaded. Disposed by t.after.
//   page.sdk      the module a page gets from require('/utils/echatim-sdk.js')
//   page.io       sdk.io (or weapp.socket.io with ECHAT_TEST_CLIENT=weapp)
//   page.sb       the sandbox (sockets(), stats(), hideApp/showApp, setNetwork)
//   page.heapBytes()  the wasm memory's size in bytes
//   page.isPageArrayBuffer(x)  instanceof ArrayBuffer of the page's realm
function openPage(t, sandboxOptions = {}) {
  const logs = [];
  const quiet = (level) => (...args) => logs.push({ level, text: args.map(String).join(' ') });
  const sb = createSandbox({
    packageRoot: sdkPackage(),
    console: { log: quiet('log'), info: quiet('info'), warn: quiet('warn'), error: quiet('error'), debug: quiet('debug') },
    quietErrors: true,
    ...sandboxOptions,
  });
  const page = { sb, logs };
  const sockets = [];
  t.after(async () => {
    for (const s of sockets) {
      try { s.disconnect(); } catch (_) { /* the sandbox goes anyway */ }
    }
    await sb.dispose();
  });
  page.probe = sb.runScript(HEAP_PROBE, 'test:heap-probe');
  page.heapBytes = () => page.probe.heapBytes();
  page.sdk = CLIENT === 'weapp' && distMissing() ? null : sb.require('/utils/echatim-sdk.js');
  if (CLIENT === 'weapp') {
    const weapp = sb.require('/utils/weapp.socket.io.js');
    page.io = (url, opts) => weapp(url, { transports: ['websocket'], ...opts });
  } else {
    page.io = (url, opts) => page.sdk.io(url, opts);
  }
  // io() that also disconnects the socket at the end of the test
  const io = page.io;
  page.io = (url, opts) => {
    const s = io(url, opts);
    sockets.push(s);
    return s;
  };
  page.isPageArrayBuffer = sb.runScript('(function (x) { return x instanceof ArrayBuffer; })', 'test:realm');
  page.pageBytes = (bytes) => {  // a Uint8Array of the page's realm
    const u = new sb.intr.Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) u[i] = bytes[i];
    return u;
  };
  page.pageArrayBuffer = (bytes) => page.pageBytes(bytes).buffer;
  // page-side errors: what the sandbox caught and what the SDK reported as a throwing listener
  page.errors = () => [
    ...sb.errors.map((e) => String(e && e.stack || e)),
    ...logs.filter((l) => l.level === 'error').map((l) => l.text),
  ];
  page.assertNoErrors = () => assert.deepEqual(page.errors(), [], 'page errors');
  page.socketRecords = () => sb.sockets();
  // the sandbox's record of the WebSocket in use (the last one opened)
  page.liveRecord = () => {
    const open = sb.sockets().filter((r) => r.state === 'open');
    return open[open.length - 1] || null;
  };
  page.outFrames = () => sb.sockets().flatMap((r) => r.frames.filter((f) => f.dir === 'out').map((f) => f.data));
  page.eioVersions = () => sb.sockets().map((r) => eioOfUrl(r.url));
  return page;
}

function eioOfUrl(url) {
  const m = /[?&]EIO=(\d)/.exec(url || '');
  return m ? Number(m[1]) : null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A loopback URL nothing listens on (connection refused).
async function deadUrl() {
  const net = require('node:net');
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

async function waitFor(cond, what = 'condition', ms = WAIT_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await sleep(5);
  }
}

// Resolves with the arguments of the next `event` on `emitter` (an SDK Socket or Manager).
function waitEvent(emitter, event, { ms = WAIT_MS, filter = null, what } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, fn);
      reject(new Error(`timed out (${ms} ms) waiting for ${what || `"${event}"`}`));
    }, ms);
    function fn(...args) {
      if (filter && !filter(...args)) return;
      clearTimeout(timer);
      emitter.off(event, fn);
      resolve(args);
    }
    emitter.on(event, fn);
  });
}

// Rejects after `ms` unless `promise` settles first.
function within(promise, what, ms = WAIT_MS) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out (${ms} ms) waiting for ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// Records the listed events of an emitter: [[event, ...args], ...].
function record(emitter, events) {
  const log = [];
  for (const ev of events) emitter.on(ev, (...args) => log.push([ev, ...args]));
  Object.defineProperty(log, 'names', { value: () => log.map((e) => e[0]) });
  Object.defineProperty(log, 'count', { value: (ev) => log.filter((e) => e[0] === ev).length });
  return log;
}

// emit with an ack, as a Promise of the ack's arguments (array).
function ackOf(socket, event, ...args) {
  return within(new Promise((resolve) => socket.emit(event, ...args, (...res) => resolve(res))), `the ack of "${event}"`);
}

const bytesOf = (ab) => Array.from(new Uint8Array(ab));
// A host-realm copy of JSON-able page data (deepStrictEqual compares prototypes, which differ by realm).
const plain = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

// The three server generations the SDK is run against (tests/support/sio-server.js kinds), and what
// the SDK must use on each.
const SERVERS = {
  // eios: the EIO= of the WebSockets a first connection opens (auto mode probes EIO4 first)
  'socket.io@4 (EIO4)': { server: { kind: 'v4' }, client: {}, eio: 4, eios: [4], protocol: 5 },
  'socket.io@4 allowEIO3, protocol: 3': { server: { kind: 'v4-eio3' }, client: { protocol: 3 }, eio: 3, eios: [3], protocol: 4 },
  'socket.io@2 (EIO3), protocol auto': { server: { kind: 'v2' }, client: {}, eio: 3, eios: [4, 3], protocol: 4 },
};

// What the server received: the events of its log ({nsp, sid, event, args} with Buffers decoded).
async function serverEvents(server, pred = () => true) {
  return (await server.events()).filter((e) => e.type === 'event' && pred(e)).map((e) => ({ ...e, args: fromLog(e.args) }));
}

// A server shared by the tests of one file (or describe): started in before, stopped in after.
function sharedServer(before, after, opts) {
  const holder = { server: null };
  before(async () => { holder.server = await startSioServer(opts); });
  after(async () => { if (holder.server) await holder.server.stop(); });
  return holder;
}

// A server of the test's own (it may kill and restart it). Stopped by t.after.
async function ownServer(t, opts) {
  const server = await startSioServer(opts);
  t.after(() => server.stop());
  return server;
}

module.exports = {
  ROOT, DIST, SDK_JS, SDK_BR, CLIENT, WAIT_MS, SERVERS,
  distMissing, sdkPackage, openPage, eioOfUrl, sleep, deadUrl, waitFor, waitEvent, within, record, ackOf, bytesOf, plain,
  sharedServer, ownServer, startSioServer, serverEvents, fromLog,
};
