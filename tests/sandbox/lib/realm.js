'use strict';
// The logic-layer realm: a node:vm context shaped like WeChat's app-service JS environment.
//
// - codeGeneration.strings = false: eval / new Function(string) throw EvalError (the context's own).
//   WeChat allows exactly one form, new Function('return this'); we emulate it by replacing the global
//   Function with a wrapper that answers that one body and defers everything else to the real constructor
//   (which throws). Function.prototype stays the real one, so `f instanceof Function` still holds;
//   (function(){}).constructor is still the real (throwing) constructor.
// - WebAssembly, SharedArrayBuffer and Atomics are removed from the global object. The context's own
//   WebAssembly is captured first and used privately by WXWebAssembly, so every wasm object (Memory,
//   its ArrayBuffer, exported functions, trap errors) belongs to the context's realm, as in WeChat.
// - Node additions (process, Buffer, require, TextEncoder, TextDecoder, crypto, performance, URL, atob,
//   queueMicrotask, setImmediate, structuredClone, global, window, document) never exist in a fresh
//   vm context, and nothing here adds them.

const vm = require('node:vm');

const REMOVED_GLOBALS = ['WebAssembly', 'SharedArrayBuffer', 'Atomics'];

function createRealm({ hideGlobalThis = false } = {}) {
  const context = vm.createContext({}, {
    name: 'wechat-logic-layer',
    codeGeneration: { strings: false, wasm: true },
  });
  const run = (code, filename) => new vm.Script(code, { filename }).runInContext(context);

  // Grab the intrinsics we need before anything can tamper with them.
  const intr = run(`({
    Object, Array, ArrayBuffer, Uint8Array, Error, TypeError, RangeError, JSON, Promise, Date,
    WebAssembly: globalThis.WebAssembly,
    Function,
  })`, 'sandbox:intrinsics');

  // new Function('return this') — the one form WeChat permits.
  run(`(function () {
    'use strict';
    const RealFunction = globalThis.Function; // not Function: the declaration below shadows it
    const g = globalThis;
    const ALLOWED = /^\\s*return\\s+this\\s*;?\\s*$/;
    function Function() {
      if (arguments.length === 1 && typeof arguments[0] === 'string' && ALLOWED.test(arguments[0])) {
        return function anonymous() { return g; };
      }
      // Everything else goes to the real constructor, which throws EvalError here.
      return Reflect.apply(RealFunction, undefined, arguments);
    }
    Object.defineProperty(Function, 'prototype', { value: RealFunction.prototype, writable: false });
    Object.defineProperty(g, 'Function', { value: Function, writable: true, configurable: true, enumerable: false });
  })()`, 'sandbox:function-shim');

  for (const name of REMOVED_GLOBALS) run(`delete globalThis[${JSON.stringify(name)}]`, 'sandbox:cleanup');
  if (hideGlobalThis) run('delete globalThis.globalThis', 'sandbox:cleanup');

  const global = run('this', 'sandbox:global');
  return { context, global, intr, run };
}

// ---- crossing the realm boundary ----

const toStringTag = (x) => Object.prototype.toString.call(x);
const isArrayBuffer = (x) => toStringTag(x) === '[object ArrayBuffer]';
const isView = (x) => ArrayBuffer.isView(x); // works for any realm (internal slot check)

// Bytes of an ArrayBuffer or view from any realm, as a host Buffer copy.
function bytesOf(x) {
  if (isArrayBuffer(x)) return Buffer.from(new Uint8Array(x)); // copy
  if (isView(x)) return Buffer.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  throw new TypeError('not a buffer');
}

// Make a converter bound to one realm's intrinsics.
function makeConverters(intr) {
  const ctxArrayBuffer = (bytes) => {
    const src = bytes instanceof Uint8Array ? bytes : bytesOf(bytes);
    const ab = new intr.ArrayBuffer(src.length);
    new intr.Uint8Array(ab).set(src);
    return ab;
  };
  // Deep-copy host data (plain objects, arrays, buffers, primitives) into the context realm.
  // Functions are passed through (they stay host functions, callable from the context).
  const toCtx = (v, seen = new Map()) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    if (typeof v === 'function') return v;
    if (seen.has(v)) return seen.get(v);
    const proto = Object.getPrototypeOf(v);
    if (proto === intr.Object.prototype || proto === intr.Array.prototype || proto === intr.ArrayBuffer.prototype
      || proto === intr.Date.prototype) return v; // already the context's own
    if (Buffer.isBuffer(v) || isArrayBuffer(v) || isView(v)) return ctxArrayBuffer(bytesOf(v));
    if (v instanceof Date) return new intr.Date(v.getTime());
    if (Array.isArray(v)) {
      const out = new intr.Array();
      seen.set(v, out);
      for (const item of v) out.push(toCtx(item, seen));
      return out;
    }
    const out = new intr.Object();
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = toCtx(v[k], seen);
    return out;
  };
  const ctxError = (message, Ctor = intr.Error) => new Ctor(message);
  return { ctxArrayBuffer, toCtx, ctxError };
}

module.exports = { createRealm, makeConverters, isArrayBuffer, isView, bytesOf, toStringTag, REMOVED_GLOBALS };
