'use strict';
// Loads the C++ core (echatim-sdk.wasm) once per page and hands out the Emscripten module.
//
// Mini-program: there is no WebAssembly global; WXWebAssembly.instantiate takes only a path inside the
// code package ('/utils/echatim-sdk.wasm.br'), and lacks RuntimeError. We hand the glue a small
// WebAssembly-shaped object (glue-pre.js makes the glue use it instead of the global) and instantiate
// through Module.instantiateWasm. Elsewhere (Node, browsers): the standard WebAssembly with the bytes
// given as `wasmBinary`.
const createEchatCore = require('echatim-core-glue');

const DEFAULT_WASM_PATH = '/utils/echatim-sdk.wasm.br';

class RuntimeErrorPolyfill extends Error {
  constructor(message) {
    super(message);
    this.name = 'RuntimeError';
  }
}

let settings = { wasmPath: DEFAULT_WASM_PATH, wasmBinary: null };
let loading = null;

function configure(options) {
  if (!options) return;
  if (loading) {
    const changed = ('wasmPath' in options && options.wasmPath !== settings.wasmPath) ||
      ('wasmBinary' in options && options.wasmBinary !== settings.wasmBinary);
    if (changed) console.warn('[echatim] wasmPath/wasmBinary changed after the core was loaded: ignored');
    return;
  }
  if (options.wasmPath !== undefined) {
    if (typeof options.wasmPath !== 'string' || options.wasmPath[0] !== '/') {
      throw new TypeError('wasmPath must be a path absolute from the package root, e.g. "/utils/echatim-sdk.wasm.br"');
    }
    settings.wasmPath = options.wasmPath;
  }
  if (options.wasmBinary !== undefined) settings.wasmBinary = options.wasmBinary;
}

function wasmApi() {
  if (typeof WXWebAssembly !== 'undefined') {
    return {
      kind: 'wx',
      Memory: WXWebAssembly.Memory,
      Table: WXWebAssembly.Table,
      RuntimeError: WXWebAssembly.RuntimeError || RuntimeErrorPolyfill,
      instantiate: (path, imports) => WXWebAssembly.instantiate(path, imports),
    };
  }
  if (typeof WebAssembly === 'object' && WebAssembly) {
    return {
      kind: 'std',
      Memory: WebAssembly.Memory,
      Table: WebAssembly.Table,
      RuntimeError: WebAssembly.RuntimeError || RuntimeErrorPolyfill,
      instantiate: (bytes, imports) => WebAssembly.instantiate(bytes, imports),
    };
  }
  return null;
}

function instantiateWith(api) {
  return (imports, receiveInstance) => {
    let source;
    if (api.kind === 'wx') {
      // A .wasm.br path fails on base libraries older than 2.14: fall back to the plain .wasm beside it.
      source = api.instantiate(settings.wasmPath, imports).catch((err) => {
        if (!/\.br$/.test(settings.wasmPath)) throw err;
        return api.instantiate(settings.wasmPath.replace(/\.br$/, ''), imports);
      });
    } else {
      if (!settings.wasmBinary) {
        throw new Error('no WXWebAssembly here: pass the bytes of echatim-sdk.wasm as the wasmBinary option');
      }
      source = api.instantiate(settings.wasmBinary, imports);
    }
    source.then((result) => receiveInstance(result.instance || result), (err) => failLoad(err));
    return {};
  };
}

let failLoad = () => {};

// -> Promise of the Emscripten module (with the embind classes on it).
function loadCore() {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const api = wasmApi();
    if (!api) {
      reject(new Error('neither WXWebAssembly nor WebAssembly is available (base library 2.13.0+ is required)'));
      return;
    }
    failLoad = (err) => reject(new Error(`loading the SDK's wasm from "${settings.wasmPath}" failed: ${err && err.message || err}`));
    let moduleArg;
    try {
      moduleArg = {
        wasmApi: api,
        instantiateWasm: instantiateWith(api),
        print: (text) => console.log(text),
        printErr: (text) => console.warn(text),
        onAbort: (what) => reject(new Error(`the SDK's core aborted: ${what}`)),
      };
      createEchatCore(moduleArg).then(resolve, (err) => failLoad(err));
    } catch (err) {
      failLoad(err);
    }
  });
  loading.catch(() => { /* reported to whoever awaits it */ });
  return loading;
}

module.exports = { configure, loadCore, DEFAULT_WASM_PATH };
