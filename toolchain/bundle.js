#!/usr/bin/env node
// Bundles js-shim/ and the Emscripten glue into dist/echatim-sdk.js (one CommonJS file a page can
// require()), copies the wasm and writes its brotli form (.wasm.br, what WXWebAssembly loads), and
// prints the sizes. esbuild (npm) bundles, terser (npm) minifies: no eval, no new Function. The JS is
// counted raw in the size budget (a page ships it as is), and terser's minification is ~5% smaller
// than esbuild's.
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
const glue = path.join(buildDir, 'echatim_core.js');
const wasm = fs.readFileSync(path.join(buildDir, 'echatim_core.wasm'));

const result = esbuild.buildSync({
  entryPoints: [path.join(root, 'js-shim/index.js')],
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: ['es2017'],          // WeChat's JS engines (JavaScriptCore without JIT on iOS, V8 on Android)
  minify: true,            // esbuild first, then terser on its output: smallest of the orders tried
  legalComments: 'none',
  write: false,
  alias: { 'echatim-core-glue': glue },
  define: { __ECHAT_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: `/* echatim-sdk ${pkg.version} — E聊-compatible IM SDK for WeChat mini-programs. */` },
});
bundle(result.outputFiles[0].text).catch((err) => {
  console.error(`bundle: ${err && err.stack || err}`);
  process.exit(1);
});

async function bundle(text) {
const min = await terser.minify(text, {
  ecma: 2017,
  toplevel: true,          // CommonJS: module/exports/require stay free, everything else is local
  compress: { passes: 3 },
  mangle: { toplevel: true },
  format: { comments: /^!|echatim-sdk/ },
});
let js = min.code;
if (/new Function\(|[^a-zA-Z_.$]eval\(/.test(js)) {
  console.error('bundle: the output contains eval or new Function, which WeChat refuses');
  process.exit(1);
}
fs.writeFileSync(path.join(outDir, 'echatim-sdk.js'), js);
fs.writeFileSync(path.join(outDir, 'echatim-sdk.wasm'), wasm);
const br = zlib.brotliCompressSync(wasm, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
});
fs.writeFileSync(path.join(outDir, 'echatim-sdk.wasm.br'), br);
const typings = path.join(root, 'js-shim/echatim-sdk.d.ts');
if (fs.existsSync(typings)) fs.copyFileSync(typings, path.join(outDir, 'echatim-sdk.d.ts'));

const sizes = {
  'echatim-sdk.js': Buffer.byteLength(js),
  'echatim-sdk.wasm': wasm.length,
  'echatim-sdk.wasm.br': br.length,
};
sizes['shipped (js + wasm.br)'] = sizes['echatim-sdk.js'] + sizes['echatim-sdk.wasm.br'];
for (const [k, v] of Object.entries(sizes)) console.log(`bundle: ${k.padEnd(24)} ${String(v).padStart(8)} bytes`);
}
