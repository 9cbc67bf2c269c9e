'use strict';
// Loads the C++ core (echatim-sdk.wasm) once per page and hands out its exports.
//
// The wasm is built standalone (toolchain/emscripten-flags.cmake: STANDALONE_WASM), without Emscripten's
// JS glue: this file instantiates it with the few imports it has (WASI's fd_write and friends, for the
// libc's stderr; env.emscripten_notify_memory_growth) and runs its constructors (_initialize).
//
// Mini-program: there is no WebAssembly global; WXWebAssembly.instantiate takes only a path inside the
// code package ('/utils/echatim-sdk.wasm.br'). Elsewhere: the standard WebAssembly, with the bytes given
// as `wasmBinary` (Node), or fetched from `wasmUrl` (browsers: by default echatim-sdk.wasm beside the
// <script> that loaded the SDK, see js-shim/platform/browser.js).
const { isString } = require('./is.js');
const log = require('./log.js');
const { decodeUtf8 } = require('./utf8.js');

// Where the wasm is in the code package: the two-file copy puts it in /utils/; the npm route's copy of
// this script (dist/miniprogram/index.js, what DevTools' "构建 npm" copies to /miniprogram_npm/echatim-sdk/)
// has its own path here instead (toolchain/bundle.js writes it).
const DEFAULT_WASM_PATH = '/utils/echatim-sdk.wasm.br';

let settings = { wasmPath: DEFAULT_WASM_PATH, wasmBinary: null, wasmUrl: null };
let loading = null;
let early = false;  // `loading` was started by preload() and no caller has asked for the core yet

// configure({wasmPath, wasmBinary, wasmUrl, logLevel}); the first three count until something asks for
// the core (loadCore): a load preload() started from other options is dropped and started again.
function configure(options) {
  if (!options) return;
  if (options.logLevel !== undefined) log.setLevel(options.logLevel);
  const given = Object.keys(settings).filter((k) => options[k] !== undefined && options[k] !== settings[k]);
  if (!given.length) return;
  if (loading && !early) {
    log.warn('wasm options set after the core loaded: ignored');
    return;
  }
  const path = options.wasmPath;
  if (path !== undefined && (!isString(path) || path[0] !== '/')) {
    throw Object.assign(new TypeError(`invalid argument 'wasmPath': must be absolute from the package root, e.g. "${DEFAULT_WASM_PATH}"`),
      { field: 'wasmPath' });
  }
  loading = null;
  for (const k of given) settings[k] = options[k];
}

// Cold start (index.js, in WeChat): the core starts loading right after the code that required the SDK
// has run (a configure() there, e.g. a wasmPath, is already in), so that the wasm compiles while the
// page sets up; the page's first io()/sdk.im.init, usually in a later onLoad/onLaunch, takes it over.
function preload() {
  Promise.resolve().then(() => {
    if (!loading) {
      loadCore();
      early = true;
    }
  });
}

// W: the engine's WebAssembly API (onWx: WXWebAssembly, which takes a path in the code package).
function instantiate(W, onWx, imports) {
  if (onWx) {
    // A .wasm.br path fails on base libraries older than 2.14: fall back to the plain .wasm beside it.
    return W.instantiate(settings.wasmPath, imports).catch((err) => {
      if (!/\.br$/.test(settings.wasmPath)) throw err;
      return W.instantiate(settings.wasmPath.replace(/\.br$/, ''), imports);
    });
  }
  if (settings.wasmBinary) return W.instantiate(settings.wasmBinary, imports);
  if (typeof __ECHAT_BROWSER__ !== 'undefined' && __ECHAT_BROWSER__ && settings.wasmUrl) {
    const url = settings.wasmUrl;
    log.debug('fetching the core from', url);
    return fetch(url).then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
      return res.arrayBuffer();
    }).then((bytes) => W.instantiate(bytes, imports));
  }
  return Promise.reject(new Error('no WXWebAssembly here: pass the bytes of echatim-sdk.wasm as the wasmBinary option'));
}

// The core as the shim uses it: its exports under their own names, views of its memory that follow
// its growth (HEAPU8, HEAPU32), how many times it grew (`grown`: a view made before a growth is
// detached), and where its input buffer is (CoreDriver.invoke).
function coreOf(exports) {
  const memory = exports.memory;
  let u8 = null;
  let u32 = null;
  let seen = -1;  // core.grown when u8 and u32 were made
  const fresh = () => {
    if (seen !== core.grown) {
      seen = core.grown;
      u8 = new Uint8Array(memory.buffer);
      u32 = new Uint32Array(memory.buffer);
    }
  };
  const core = {
    input: { at: 0, cap: -1 },  // the input buffer (bindings/boundary.h echat_in): one per module
    grown: 0,
    get HEAPU8() { fresh(); return u8; },
    get HEAPU32() { fresh(); return u32; },
  };
  return Object.assign(core, exports);
}

function fault() {
  throw new Error('SAFE_HEAP: the SDK core made an invalid memory access');
}

// A bundle whose core needs none of the debug build's imports and exports (toolchain/bundle.js defines
// __ECHAT_WASM_LEAN__ from the wasm beside it: the release core imports only the two below) leaves them
// out. Unbundled (Node's tests), everything is there. (The define is tested where it is used: esbuild
// folds it there; a constant holding it is one terser stops folding once index.js calls preload() at
// the top level, and the debug code then stays in the bundle, +700 B.)

// What the wasm imports: the release core, only these two (no files, no exit).
function importsFor(view, grew) {
  const imports = {
    env: {
      // (The wasm calls it after every growth of its memory, from its one memory.grow: coreOf's views
      // and the shim's own are re-made by core.grown.)
      emscripten_notify_memory_growth() { grew(); },
    },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new Error(`the SDK's core exited (${code})`); },
    },
  };
  if (typeof __ECHAT_WASM_LEAN__ === 'undefined' || !__ECHAT_WASM_LEAN__) addDebugImports(imports, view);
  return imports;
}

// The debug build's: the libc writes its stderr (a failed check's message before abort) through fd_write,
// which goes to the log; SAFE_HEAP's checks (toolchain/build.sh --debug) report through segfault/alignfault.
function addDebugImports(imports, view) {
  const ENOSYS = 52;
  const ESPIPE = 70;
  let line = '';
  Object.assign(imports.env, { segfault: fault, alignfault: fault });
  Object.assign(imports.wasi_snapshot_preview1, {
    fd_write(fd, iov, iovcnt, pnum) {
      const { u8, u32 } = view();
      let n = 0;
      for (let i = 0; i < iovcnt; i++) {
        const at = u32[(iov >> 2) + i * 2];
        const len = u32[(iov >> 2) + i * 2 + 1];
        line += decodeUtf8(u8.subarray(at, at + len));
        n += len;
      }
      const lines = line.split('\n');
      line = lines.pop();
      for (const text of lines) (fd === 2 ? log.warn : log.info)(text);
      u32[pnum >> 2] = n;
      return 0;
    },
    fd_close: () => 0,
    fd_seek: () => ESPIPE,
    fd_read: () => ENOSYS,
  });
}

// -> Promise of the core (coreOf).
function loadCore() {
  early = false;
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const onWx = typeof WXWebAssembly !== 'undefined';
    const W = onWx ? WXWebAssembly : typeof WebAssembly === 'object' && WebAssembly;
    if (!W) {
      reject(new Error('no WXWebAssembly (base library 2.13.0+) or WebAssembly here'));
      return;
    }
    const from = onWx ? settings.wasmPath : settings.wasmUrl || 'wasmBinary';
    let core = null;
    const view = () => ({ u8: core.HEAPU8, u32: core.HEAPU32 });
    let source;
    try {
      source = instantiate(W, onWx, importsFor(view, () => core.grown++));  // (no wasm runs before `core` is set)
    } catch (err) {
      source = Promise.reject(err);
    }
    source.then((result) => {
      const instance = result.instance || result;
      core = coreOf(instance.exports);
      // The debug build checks the stack (STACK_OVERFLOW_CHECK): its limits are set before anything runs.
      if ((typeof __ECHAT_WASM_LEAN__ === 'undefined' || !__ECHAT_WASM_LEAN__) && core.emscripten_stack_init) {
        core.emscripten_stack_init();
        core.__set_stack_limits(core.emscripten_stack_get_base(), core.emscripten_stack_get_end());
      }
      core._initialize();  // the constructors (a reactor module: no main)
      resolve(core);
    }).catch((err) => reject(new Error(`loading the SDK's wasm from "${from}" failed: ${err && err.message || err}`)));
  });
  loading.catch(() => { /* reported to whoever awaits it */ });
  return loading;
}

module.exports = { configure, loadCore, preload, DEFAULT_WASM_PATH };
