'use strict';
// What socket.io-client's own tests get from `import { io, Manager } from ".."` when run by
// tests/upstream-suite/run.sh: the shipped dist/echatim-sdk.js, loaded in the mini-program sandbox
// (tests/sandbox: no WebAssembly/TextDecoder/window, WXWebAssembly, a wx backed by real sockets), and its
// sdk.io. One sandbox (one mini-program) for the whole run, as one app would use it.
//
// The sandbox is a separate JavaScript realm (WeChat's logic layer), so the SDK's Error and ArrayBuffer
// objects are not `instanceof` the test realm's constructors. Values the SDK hands to the tests (listener
// and ack arguments, errors) are copied into the test realm at this boundary (`toHost`), the way they
// would simply be the same realm in a mini-program. Nothing else is changed.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = process.env.ECHAT_ROOT;
const { createSandbox } = require(path.join(ROOT, 'tests', 'sandbox'));

const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-upstream-pkg-'));
fs.mkdirSync(path.join(pkg, 'utils'));
for (const f of ['echatim-sdk.js', 'echatim-sdk.wasm.br']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(pkg, 'utils', f));
process.once('exit', () => fs.rmSync(pkg, { recursive: true, force: true }));

const quiet = () => {};
const sb = createSandbox({
  packageRoot: pkg,
  console: { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet },
  quietErrors: true,
});
const sdk = sb.require('/utils/echatim-sdk.js');

// A value of the sandbox realm as the same value of this realm (errors, binary, plain data).
function toHost(v, seen = new Map()) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
  if (typeof v === 'function') return v;  // an ack callback: the test's arguments go in as they are
  if (seen.has(v)) return seen.get(v);
  const tag = Object.prototype.toString.call(v);
  if (tag === '[object ArrayBuffer]') {
    const out = new ArrayBuffer(v.byteLength);
    new Uint8Array(out).set(new Uint8Array(v));
    return out;
  }
  if (ArrayBuffer.isView(v) && tag !== '[object DataView]') {
    const C = globalThis[tag.slice(8, -1)];
    return C ? new C(toHost(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength))) : v;
  }
  if (tag === '[object Error]') {
    const e = new Error(v.message);
    seen.set(v, e);
    for (const k of Object.keys(v)) e[k] = toHost(v[k], seen);
    return e;
  }
  if (tag === '[object Date]') return new Date(v.getTime());
  if (Array.isArray(v)) {
    const out = [];
    seen.set(v, out);
    for (const x of v) out.push(toHost(x, seen));
    return out;
  }
  if (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(Object.getPrototypeOf(v)) === null) {
    const out = {};
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = toHost(v[k], seen);
    return out;
  }
  return v;  // SDK objects (sockets, the manager, the engine) pass as they are
}

// Listeners registered by the tests receive test-realm values.
const wrapped = new WeakMap();
function hostListener(fn) {
  if (typeof fn !== 'function') return fn;
  let w = wrapped.get(fn);
  if (!w) {
    w = function (...args) { return fn.apply(this, args.map((a) => toHost(a))); };
    wrapped.set(fn, w);
  }
  return w;
}

function patchEmitter(proto) {
  for (const name of ['on', 'once', 'off', 'removeListener', 'addEventListener', 'onAny', 'prependAny', 'offAny',
    'onAnyOutgoing', 'prependAnyOutgoing', 'offAnyOutgoing']) {
    const orig = proto[name];
    if (typeof orig !== 'function' || orig.__host) continue;
    const patched = function (...args) {
      return orig.apply(this, args.map((a) => hostListener(a)));
    };
    patched.__host = true;
    proto[name] = patched;
  }
  const emit = proto.emit;
  if (typeof emit === 'function' && !emit.__host) {
    // An ack function passed to emit() gets test-realm values too.
    const patched = function (...args) {
      if (typeof args[args.length - 1] === 'function') args[args.length - 1] = hostListener(args[args.length - 1]);
      return emit.apply(this, args);
    };
    patched.__host = true;
    proto.emit = patched;
  }
}

const probe = new sdk.Manager('http://127.0.0.1:1', { autoConnect: false });
patchEmitter(Object.getPrototypeOf(probe.socket('/')));
patchEmitter(Object.getPrototypeOf(probe));
probe._close();
const socketProto = Object.getPrototypeOf(probe.socket('/'));
const emitWithAck = socketProto.emitWithAck;
socketProto.emitWithAck = function (...args) {
  return new Promise((resolve, reject) => emitWithAck.apply(this, args).then((v) => resolve(toHost(v)), (e) => reject(toHost(e))));
};

module.exports = { io: sdk.io, connect: sdk.io, Manager: sdk.Manager, default: sdk.io, sandbox: sb };
