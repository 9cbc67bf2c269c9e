#!/usr/bin/env node
// Bundles js-shim/ (no Emscripten glue: the wasm is standalone), copies the wasm and writes its brotli form (.wasm.br, what
// WXWebAssembly loads), and prints the sizes. Three outputs from one source:
//   dist/echatim-sdk.js (+ .wasm, .wasm.br, .d.ts)   the mini-program (and Node) build, CommonJS: the
//                                                   two files a page copies into utils/
//   dist/miniprogram/                               the npm package's "miniprogram" folder: what
//                                                   DevTools' 构建 npm copies to miniprogram_npm/echatim-sdk/
//   dist/browser/echatim-sdk.js (+ .wasm)           the browser build: <script> defines the global
//                                                   `echatim` (module.exports where there is a module)
// esbuild (npm) bundles, terser (npm) minifies: no eval, no new Function. The JS is counted raw in the
// size budget (a page ships it as is), and terser's minification is ~5% smaller than esbuild's.
// Usage: node toolchain/bundle.js <emscripten build dir> <out dir>
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const esbuild = require('esbuild');
const terser = require('terser');

const root = path.resolve(__dirname, '..');
const buildDir = path.resolve(root, process.argv[2] || 'build-wasm');
const outDir = path.resolve(root, process.argv[3] || 'dist');
fs.mkdirSync(outDir, { recursive: true });

const pkg = require(path.join(root, 'package.json'));
const { DEFAULT_WASM_PATH } = require(path.join(root, 'js-shim', 'loader.js'));
const wasm = fs.readFileSync(path.join(buildDir, 'echatim_core.wasm'));

// A core that imports only these (the release build) needs none of the loader's imports and exports for
// the debug build (fd_write and the other WASI calls, SAFE_HEAP's segfault/alignfault, the stack limits):
// its bundle leaves them out (js-shim/loader.js LEAN). A core that needs more gets them all.
const LEAN_IMPORTS = ['env.emscripten_notify_memory_growth', 'wasi_snapshot_preview1.proc_exit'];
const wasmModule = new WebAssembly.Module(wasm);
const wasmLean = WebAssembly.Module.imports(wasmModule).every((i) => LEAN_IMPORTS.includes(`${i.module}.${i.name}`)) &&
  !WebAssembly.Module.exports(wasmModule).some((e) => e.name === 'emscripten_stack_init');

// browser: false -> CommonJS for WeChat's require(), without the browser platform (its bytes would
// count in every app's package); true -> an IIFE whose footer exports it as module.exports or, in a
// <script>, as the global `echatim` (WeChat passes `self`/`window` as undefined parameters, so the
// global is looked up only when there is no module).
// src/im/catalogue.json (the one list of E聊 calls, also compiled into the core) goes into the bundle
// as what js-shim/apis.js makes of it (its CATALOGUE, by its own appCalls, here at build time): the app's
// calls only, {module: [method]}, without the comment, the flags the core uses and `file` (apis.js makes
// file.upload itself). toEsm imports it in place of apis.js's `appCalls(require(...))` line.
const catalogueForApis = {
  name: 'catalogue-for-apis',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]im[\\/]catalogue\.json$/ }, (args) => {
      const { appCalls } = require(path.join(root, 'js-shim/apis.js'));
      const calls = appCalls(JSON.parse(fs.readFileSync(args.path, 'utf8')));
      return { contents: `export default ${JSON.stringify(calls)};`, loader: 'js' };
    });
  },
};

// The standard functions and constructors the shim names most, each one local binding of the bundle,
// which terser shortens: `Object.keys(` is 12 bytes at each of its ~18 calls, a local name 2. toEsm
// imports them into every js-shim file from the module 'echatim-builtins' (below), which reads each
// once, when the bundle loads (all are the language's own, there from the start):
//  - BUILTIN_GLOBALS under their own names: a file's `Promise` is the import;
//  - BUILTIN_MEMBERS, static methods that do not read `this` (called as a plain function they behave
//    the same): toEsm rewrites `Object.keys` in the file's code to `__echat_Object_keys`, the import.
const BUILTIN_GLOBALS = ['Promise', 'Uint8Array', 'Error', 'TypeError', 'Map', 'Set', 'ArrayBuffer', 'String', 'Number', 'encodeURIComponent'];
const BUILTIN_MEMBERS = ['Object.keys', 'Object.assign', 'Object.create', 'Array.isArray', 'JSON.stringify', 'JSON.parse',
  'String.fromCharCode', 'Number.isSafeInteger', 'Math.floor', 'Math.min', 'Math.max', 'ArrayBuffer.isView'];
const memberName = (m) => `__echat_${m.replace('.', '_')}`;
const builtins = {
  name: 'builtins',
  setup(b) {
    b.onResolve({ filter: /^echatim-builtins$/ }, () => ({ path: 'echatim-builtins', namespace: 'echatim-builtins' }));
    b.onLoad({ filter: /.*/, namespace: 'echatim-builtins' }, () => {
      const objects = [...new Set(BUILTIN_MEMBERS.map((m) => m.split('.')[0]))];
      const lines = objects.map((o) => `export const { ${BUILTIN_MEMBERS.filter((m) => m.startsWith(`${o}.`))
        .map((m) => `${m.split('.')[1]}: ${memberName(m)}`).join(', ')} } = ${o};`);
      for (const g of BUILTIN_GLOBALS) lines.push(`const ${g}_ = ${g};`, `export { ${g}_ as ${g} };`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};
function importBuiltins(text) {
  let out = text;
  for (const m of BUILTIN_MEMBERS) {
    out = out.replace(new RegExp(`(?<![\\w$.])${m.replace('.', '\\.')}\\b`, 'g'), memberName(m));
  }
  return `import { ${BUILTIN_GLOBALS.join(', ')}, ${BUILTIN_MEMBERS.map(memberName).join(', ')} } from 'echatim-builtins';\n${out}`;
}

// The js-shim files are CommonJS (Node's tests require them as they are); in the bundle they become ES
// modules, which esbuild joins into one scope: no module wrappers, no objects of exports, and what a
// file exports that nothing uses is left out (~1.3 KB less than bundling them as CommonJS). The forms
// converted, the only ones the files use (anything else fails the build):
//   const x = require('./x.js');          -> import * as x from './x.js';
//   const { a, b } = require('./x.js');   -> import { a, b } from './x.js';
//   module.exports = { a, b: c };         -> export { a, c as b };   (one, each value a name)
// js-shim/index.js, the entry, is an ES module already.
function toEsm(text, file) {
  const fail = (what) => { throw new Error(`${path.relative(root, file)}: ${what}`); };
  let exports = 0;
  const out = text
    .replace(/^const CATALOGUE = appCalls\(require\('(\.\.\/src\/im\/catalogue\.json)'\)\);$/m, "import CATALOGUE from '$1';")
    .replace(/^const (\w+) = require\(('[^']+')\);$/gm, 'import * as $1 from $2;')
    .replace(/^const \{([\w\s,]+)\} = require\(('[^']+')\);$/gm, 'import {$1} from $2;')
    .replace(/^module\.exports = \{([^}]*)\};$/m, (_, list) => {
      exports++;
      return `export { ${list.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
        const [key, value] = entry.split(':').map((s) => s.trim());
        if (value !== undefined && !/^[\w$]+$/.test(value)) fail(`module.exports.${key} is not a name`);
        return value === undefined ? key : `${value} as ${key}`;
      }).join(', ')} };`;
    });
  if (exports !== 1) fail('no module.exports = { ... } line');
  if (/\brequire\s*\(|\bmodule\.exports\b/.test(out.replace(/\/\/.*$/gm, ''))) {
    fail('a require() or module.exports that toolchain/bundle.js does not convert');
  }
  return importBuiltins(out);
}

const esModules = {
  name: 'es-modules',
  setup(b) {
    b.onLoad({ filter: /[\\/]js-shim[\\/].*\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (path.basename(args.path) === 'index.js' && path.dirname(args.path) === path.join(root, 'js-shim')) {
        return { contents: text, loader: 'js' };
      }
      return { contents: toEsm(text, args.path), loader: 'js' };
    });
  },
};

async function build(browser) {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'js-shim/index.js')],
    bundle: true,
    // CommonJS: index.js sets module.exports, a free name (esbuild's iife format would wrap a module of its
    // own around it); the banner and footer put it in a function all the same, so that its names stay its
    // own where a script loads it without a module wrapper (tests/jsc's harness). The browser build sets
    // __echatimSdk, which the footer exports.
    format: browser ? 'iife' : 'cjs',
    platform: 'neutral',
    target: ['es2017'],          // WeChat's JS engines (JavaScriptCore without JIT on iOS, V8 on Android)
    minify: true,            // esbuild first, then terser on its output: smallest of the orders tried
    legalComments: 'none',
    write: false,
    plugins: [catalogueForApis, esModules, builtins],
    // index.js's module.exports (the CommonJS build's): the output's own module, as intended
    logOverride: { 'commonjs-variable-in-esm': 'silent' },
    define: { __ECHAT_VERSION__: JSON.stringify(pkg.version), __ECHAT_BROWSER__: String(browser), __ECHAT_WASM_LEAN__: String(wasmLean) },
    banner: { js: `/* echatim-sdk ${pkg.version} — E聊-compatible IM SDK for WeChat mini-programs${browser ? ' (browser build)' : ''}. */` +
      // __echatimSdk: set by index.js in the browser build. The browser build's own function holds it and
      // the footer, so that a <script> defines no global but `echatim`, and its "use strict" is a directive
      // (after `var __echatimSdk;` at the top of a script it was not, and the script ran in sloppy mode).
      (browser ? '\n(()=>{"use strict";var __echatimSdk;' : '\n(()=>{') },
    footer: {
      js: browser ? 'if(typeof module==="object"&&module&&module.exports)module.exports=__echatimSdk;' +
        'else(typeof globalThis!=="undefined"?globalThis:window).echatim=__echatimSdk;})();' : '})();',
    },
  });
  // One variable named undefined, first in the bundle's function, never assigned: terser's unsafe_undefined
  // then writes each `void 0` (6 bytes, ~60 of them) as its one-letter name. A var: no TDZ check where a
  // function reads it.
  const head = browser ? '"use strict";(()=>{' : '(()=>{\n"use strict";';
  const text = result.outputFiles[0].text;
  if (!text.includes(head)) throw new Error(`the bundle does not start with ${head}`);
  return minify(text.replace(head, `${head}var undefined;`));
}

// The shim's own members, renamed in the bundle (terser renames a property name everywhere it occurs,
// whatever the object, so a name here must never be one that the app, wx, the browser, the core's JSON
// or a test reads or writes):
//  - every `_name`, except the core's exports that have one (`_initialize`, `__set_*`: loader.js coreOf
//    copies the exports under their own names at run time), socket.io's `_placeholder` (on the wire), and the ones
//    below that tests or apps call (socket.io-client's Manager._close/_destroy; sdk.im._driver, a getter);
//  - the members of the shim's internal objects named in INTERNAL: CoreDriver's (not `core`, `held`,
//    `syncedKey`: tests read them), the platform interface's that are not also wx's or a JSON field
//    (not now, seed, http, request, upload, poll's body...), the wasm memory views and the early socket's.
const KEEP_UNDERSCORED = ['_close', '_destroy', '_driver'];
const INTERNAL = [
  // CoreDriver (core-driver.js)
  'early', 'platform', 'sink', 'area', 'closedCode', 'sockets', 'gets', 'timer', 'deadline', 'closed', 'resumedAt',
  'optionsError', 'fast', 'ordered', 'queue', 'draining', 'nextRef', 'shared', 'reserved', 'imFast', 'onEvent',
  'views', 'headText', 'putHead', 'textFrame', 'delivery', 'handed', 'sendForm', 'laneDone', 'answered', 'shown',
  'framed',
  'emitFast', 'ackFast', 'fastCall', 'answer', 'prune', 'kept', 'take', 'raw', 'invoke', 'bytes', 'callThen',
  'dispatch', 'deliver', 'isIo', 'handle', 'handlers', 'foreground', 'wakeIfResuming', 'input', 'armTimer',
  'destroy', 'f64', 'i32', 'head',
  // the early socket (openEarly), the outbox's place (im.js), the module's input buffer (loader.js coreOf)
  'adopted', 'target', 'prefix', 'marker', 'at', 'cap', 'HEAPU8', 'HEAPU32', 'heard',
  // the platform interface (platform/wx.js, wx-im.js, browser.js)
  'setTimer', 'clearTimer', 'isOnline', 'isNetworkKnown', 'whenNetworkKnown', 'onForeground', 'onNetwork',
  'openSocket', 'storageGet', 'storageSet', 'storageRemove', 'storageKeys',
  // Emitter's hook for a listener that threw (Emitter is not exported)
  'onListenerError',
  // io.js: an emit's ack ({fn, withError}, also a flag emitWithAck sets); binary.js deconstruct's result
  'withError', 'attachments',
];
const MANGLED = new RegExp(`^(_(?!_|initialize$|placeholder$)\\w+|${INTERNAL.join('|')})$`);

async function minify(text) {
  const min = await terser.minify(text, {
    ecma: 2017,
    toplevel: true,          // CommonJS: module/exports/require stay free, everything else is local
    // unsafe_arrows: it turns the functions it inlines as IIFEs into arrows (none uses this, arguments or new);
    // hoist_funs: function declarations first in their scope, where they are hoisted to anyway (-47 B)
    // unsafe_undefined: `void 0` as the bundle's own `undefined` (build(), above); unsafe_proto:
    // `Array.prototype.slice` as `[].slice` (the same function, read through the same prototype)
    compress: { passes: 3, unsafe_arrows: true, hoist_funs: true, unsafe_undefined: true, unsafe_proto: true },
    // builtins: the names listed are renamed even where a standard object has one of that name (`at`, `target`)
    mangle: { toplevel: true, properties: { regex: MANGLED, reserved: KEEP_UNDERSCORED, builtins: true } },
    format: { comments: /^!|echatim-sdk/ },
  });
  if (/new Function\(|[^a-zA-Z_.$]eval\(/.test(min.code)) {
    throw new Error('the output contains eval or new Function, which WeChat refuses');
  }
  if (min.code.includes('__echat_')) {  // importBuiltins rewrote a name inside a string or a template
    throw new Error('the output contains a builtin alias name (__echat_...) as text: check importBuiltins');
  }
  return min.code;
}

async function main() {
  const js = await build(false);
  const webJs = await build(true);
  fs.writeFileSync(path.join(outDir, 'echatim-sdk.js'), js);
  fs.writeFileSync(path.join(outDir, 'echatim-sdk.wasm'), wasm);
  const br = zlib.brotliCompressSync(wasm, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
  });
  fs.writeFileSync(path.join(outDir, 'echatim-sdk.wasm.br'), br);
  const typings = path.join(root, 'js-shim/echatim-sdk.d.ts');
  if (fs.existsSync(typings)) fs.copyFileSync(typings, path.join(outDir, 'echatim-sdk.d.ts'));

  // The npm package's "miniprogram" folder, copied whole by 构建 npm (and miniprogram-ci's packNpm)
  // to <miniprogramRoot>/miniprogram_npm/echatim-sdk/, where require('echatim-sdk') finds index.js.
  // WXWebAssembly takes only a path from the package root and a module cannot learn its own path
  // there, so index.js names where 构建 npm puts the wasm; an app whose miniprogram_npm is elsewhere
  // (a subpackage's, or a packNpmRelationList folder below the root) passes wasmPath. Only the
  // .wasm.br goes in: the plain .wasm (the fallback for base libraries before 2.14.0) would add its
  // size to every app that installs the package (docs/api.md, "npm").
  const mpDir = path.join(outDir, 'miniprogram');
  fs.rmSync(mpDir, { recursive: true, force: true });
  fs.mkdirSync(mpDir);
  // Its entry, index.js (what require('echatim-sdk') finds), is the SDK itself with that place as its
  // default wasmPath: the SDK starts loading its wasm right after it is required (js-shim/loader.js
  // preload), and a separate entry file would be bytes in every app that installs the package.
  const npmWasm = `/miniprogram_npm/${pkg.name}/echatim-sdk.wasm.br`;
  const [before, ...after] = js.split(`"${DEFAULT_WASM_PATH}"`);
  if (after.length !== 1) throw new Error(`the bundle names "${DEFAULT_WASM_PATH}" ${after.length} times, not once`);
  fs.writeFileSync(path.join(mpDir, 'index.js'), `${before}"${npmWasm}"${after[0]}`);
  fs.writeFileSync(path.join(mpDir, 'echatim-sdk.wasm.br'), br);

  // The browser build: the script and the plain wasm beside it (a browser fetches it from there).
  const webDir = path.join(outDir, 'browser');
  fs.mkdirSync(webDir, { recursive: true });
  fs.writeFileSync(path.join(webDir, 'echatim-sdk.js'), webJs);
  fs.writeFileSync(path.join(webDir, 'echatim-sdk.wasm'), wasm);

  const size = (f) => fs.statSync(path.join(outDir, f)).size;
  const sizes = {
    'echatim-sdk.js': size('echatim-sdk.js'),
    'echatim-sdk.wasm': wasm.length,
    'echatim-sdk.wasm.br': br.length,
  };
  sizes['shipped (js + wasm.br)'] = sizes['echatim-sdk.js'] + sizes['echatim-sdk.wasm.br'];
  sizes['npm route (miniprogram/)'] = size('miniprogram/index.js') + sizes['echatim-sdk.wasm.br'];
  sizes['browser/echatim-sdk.js'] = size('browser/echatim-sdk.js');
  for (const [k, v] of Object.entries(sizes)) console.log(`bundle: ${k.padEnd(24)} ${String(v).padStart(8)} bytes`);
}

main().catch((err) => {
  console.error(`bundle: ${err && err.stack || err}`);
  process.exit(1);
});
