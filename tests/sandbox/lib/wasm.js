'use strict';
// WXWebAssembly: instantiate(path, imports) with a package path only, plus Memory, Table and Global.
// Missing on purpose (as in WeChat): compile, validate, instantiateStreaming, compileStreaming,
// Module, Instance, CompileError, LinkError, RuntimeError.
//
// The object and its Promise live in the context's realm; compilation uses the context's own
// WebAssembly (captured before it was deleted from the global object), so the instance's memory
// buffer, exported functions and trap errors all belong to the page's realm.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const FACTORY = `(function (WA, load, ready) {
  'use strict';
  var WX = {};
  function instantiate(path, imports) {
    return new Promise(function (resolve, reject) {
      if (typeof path !== 'string') {
        reject(new TypeError('WXWebAssembly.instantiate: first argument must be a string'));
        return;
      }
      var r = load(path);
      if (r.error) { reject(new Error('WXWebAssembly.instantiate: ' + r.error)); return; }
      WA.instantiate(r.bytes, imports).then(function (x) {
        try { resolve(ready(path, x) || x); } catch (e) { reject(e); }
      }, reject);
    });
  }
  Object.defineProperty(WX, 'instantiate', { value: instantiate, enumerable: true, writable: true, configurable: true });
  WX.Memory = WA.Memory;
  WX.Table = WA.Table;
  WX.Global = WA.Global;
  return WX;
})`;

// onLoad(path, size): the file was read (instantiate starts); onReady(path, result): the module is
// instantiated, before the page's continuation runs; what it returns, if anything, is what the page's
// Promise resolves with instead of `result` (a test hook: the sandbox's `wasmResult` option).
function createWXWebAssembly({ run, intr, root, onLoad = () => {}, onReady = () => {} }) {
  const load = (p) => {
    const out = new intr.Object();
    if (/^(wxfile|https?|file|data|blob):/i.test(p)) {
      out.error = `not support wxfile: or http: path: ${p}`;
      return out;
    }
    if (!p.startsWith('/')) {
      out.error = `path must be absolute from the package root, e.g. /utils/x.wasm: ${p}`;
      return out;
    }
    if (!/\.wasm(\.br)?$/.test(p)) {
      out.error = `only .wasm and .wasm.br files are supported: ${p}`;
      return out;
    }
    const file = root ? path.resolve(root, `.${p}`) : null;
    const rel = file ? path.relative(root, file) : '..';
    if (!file || rel.startsWith('..') || !fs.existsSync(file)) {
      out.error = `file not found in the code package: ${p}`;
      return out;
    }
    let bytes = fs.readFileSync(file);
    if (p.endsWith('.br')) {
      try {
        bytes = zlib.brotliDecompressSync(bytes);
      } catch (e) {
        out.error = `cannot decompress ${p}: ${e.message}`;
        return out;
      }
    }
    const u8 = new intr.Uint8Array(bytes.length);
    u8.set(bytes);
    out.bytes = u8;
    onLoad(p, bytes.length);
    return out;
  };
  return run(FACTORY, 'sandbox:WXWebAssembly')(intr.WebAssembly, load, onReady);
}

module.exports = { createWXWebAssembly };
