'use strict';
// Loads the C++ core (echatim-sdk.wasm) once per page and hands out the Emscripten module.
//
// Mini-program: there is no WebAssembly global; WXWebAssembly.instantiate takes only a path inside the
// code package ('/utils/echatim-sdk.wasm.br'), and lacks RuntimeError. We hand the glue a small
// WebAssembly-shaped object (glue-pre.js makes the glue use it instead of the global) and instantiate
// through Module.instantiateWasm. Elsewhere: the standard WebAssembly, with the bytes given as
// `wasmBinary` (Node), or fetched from `wasmUrl` (browsers: by default echatim-sdk.wasm beside the
// <script> that loaded the SDK, see js-shim/platform/browser.js).
const createEchatCore = require('echatim-core-glue');
const log = require('./log.js');

// Where the wasm is in the code package: the two-file copy puts it in /utils/; the npm route's entry
// (dist/miniprogram/index.js, what DevTools' "构建 npm" copies to /miniprogram_npm/echatim-sdk/)
// configures its own path before any page code runs (an app's configure() later still wins).
const DEFAULT_WASM_PATH = '/utils/echatim-sdk.wasm.br';

let settings = { wasmPath: DEFAULT_WASM_PATH, wasmBinary: null, wasmUrl: null };
let loading = null;

// configure({wasmPath, wasmBinary, wasmUrl, logLevel}); the first three only before the core loads.
function configure(options) {
  if (!options) return;
  if (options.logLevel !== undefined) log.setLevel(options.logLevel);
  if (loading) {
    if (['wasmPath', 'wasmBinary', 'wasmUrl'].some((k) => options[k] !== undefined && options[k] !== settings[k])) {
      log.warn('the wasm options changed after the core was loaded: ignored');
    }
    return;
  }
  if (options.wasmPath !== undefined) {
    if (typeof options.wasmPath !== 'string' || options.wasmPath[0] !== '/') {
      const err = new TypeError(`invalid argument 'wasmPath': must be absolute from the package root, e.g. "${DEFAULT_WASM_PATH}"`);
      err.field = 'wasmPath';
      throw err;
    }
    settings.wasmPath = options.wasmPath;
  }
  if (options.wasmBinary !== undefined) settings.wasmBinary = options.wasmBinary;
  if (options.wasmUrl !== undefined) settings.wasmUrl = options.wasmUrl;
}

function wasmApi() {
  const onWx = typeof WXWebAssembly !== 'undefined';
  const W = onWx ? WXWebAssembly : typeof WebAssembly === 'object' && WebAssembly;
  return W ? {
    kind: onWx ? 'wx' : 'std',
    Memory: W.Memory,
    Table: W.Table,
    RuntimeError: W.RuntimeError || Error,  // WXWebAssembly has none; abort() throws one (onAbort says why)
    instantiate: (source, imports) => W.instantiate(source, imports),
  } : null;
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
    } else if (settings.wasmBinary) {
      source = api.instantiate(settings.wasmBinary, imports);
    } else if (typeof __ECHAT_BROWSER__ !== 'undefined' && __ECHAT_BROWSER__ && settings.wasmUrl) {
      const url = settings.wasmUrl;
      log.debug('fetching the core from', url);
      source = fetch(url).then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
        return res.arrayBuffer();
      }).then((bytes) => api.instantiate(bytes, imports));
    } else {
      throw new Error('no WXWebAssembly here: pass the bytes of echatim-sdk.wasm as the wasmBinary option');
    }
    source.then((result) => receiveInstance(result.instance || result), (err) => failLoad(err));
    return {};
  };
}

let failLoad = () => {};

// -> Promise of the Emscripten module (the core's echat_* exports on it, and HEAPU8/HEAPU32).
function loadCore() {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const api = wasmApi();
    if (!api) {
      reject(new Error('neither WXWebAssembly nor WebAssembly is available (base library 2.13.0+ is required)'));
      return;
    }
    const from = api.kind === 'wx' ? settings.wasmPath : settings.wasmUrl || 'wasmBinary';
    failLoad = (err) => reject(new Error(`loading the SDK's wasm from "${from}" failed: ${err && err.message || err}`));
    let moduleArg;
    try {
      moduleArg = {
        wasmApi: api,
        instantiateWasm: instantiateWith(api),
        print: (text) => log.info(text),
        printErr: (text) => log.warn(text),
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
