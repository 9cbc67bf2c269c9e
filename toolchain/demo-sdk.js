#!/usr/bin/env node
// Puts the SDK into the demo mini-program: miniprogram-demo/utils/echatim-sdk.js + echatim-sdk.wasm.br
// (gitignored copies; the app loads the wasm from /utils/echatim-sdk.wasm.br).
//
//   node toolchain/demo-sdk.js dist                 copy the shipped artifact (it has sdk.im)
//   node toolchain/demo-sdk.js --im build-wasm-im   bundle js-shim/ with sdk.im wired in, over an
//                                                   Emscripten build made with -DECHAT_WITH_IM=1
//
// The second form is the interim one, while sdk.im/sdk.apis are not part of the default artifact
// (docs/im-design.md, "Size"): it does what js-shim/im.js's install() is there for. toolchain/build.sh
// picks the form. Prints the sizes.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'miniprogram-demo', 'utils');
fs.mkdirSync(out, { recursive: true });

const args = process.argv.slice(2);
const files = {};
if (args[0] === '--im') {
  const buildDir = path.resolve(root, args[1] || 'build-wasm-im');
  const glue = path.join(buildDir, 'echatim_core.js');
  const wasm = fs.readFileSync(path.join(buildDir, 'echatim_core.wasm'));
  if (!wasm.includes(Buffer.from('_ImClient'))) {
    console.error(`demo-sdk: ${buildDir}/echatim_core.wasm has no _ImClient (not built with ECHAT_WITH_IM)`);
    process.exit(1);
  }
  const esbuild = require('esbuild');
  const pkg = require(path.join(root, 'package.json'));
  const shim = (f) => JSON.stringify(path.join(root, 'js-shim', f));
  // the IM platform factory: js-shim/platform/wx-im.js (wx.js before it had a file of its own)
  const platform = ['platform/wx-im.js', 'platform/wx.js'].find((f) => {
    const file = path.join(root, 'js-shim', f);
    return fs.existsSync(file) && /createWxImPlatform/.test(fs.readFileSync(file, 'utf8'));
  });
  if (!platform) {
    console.error('demo-sdk: no js-shim/platform file defines createWxImPlatform');
    process.exit(1);
  }
  const result = esbuild.buildSync({
    stdin: {
      contents: `const sdk = require(${shim('index.js')});
const { createWxImPlatform } = require(${shim(platform)});
require(${shim('im.js')}).install(sdk, createWxImPlatform);
module.exports = sdk;
`,
      resolveDir: root,
      sourcefile: 'demo-sdk-entry.js',
    },
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    target: ['es2017'],
    minify: true,
    legalComments: 'none',
    write: false,
    alias: { 'echatim-core-glue': glue },
    define: { __ECHAT_VERSION__: JSON.stringify(pkg.version) },
    banner: { js: `/* echatim-sdk ${pkg.version} (with sdk.im) — E聊-compatible IM SDK for WeChat mini-programs. */` },
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].text;
  if (/new Function\(|[^a-zA-Z_.$]eval\(/.test(js)) {
    console.error('demo-sdk: the bundle contains eval or new Function, which WeChat refuses');
    process.exit(1);
  }
  files['echatim-sdk.js'] = Buffer.from(js);
  files['echatim-sdk.wasm.br'] = zlib.brotliCompressSync(wasm, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
  });
} else {
  const dist = path.resolve(root, args[0] || 'dist');
  for (const f of ['echatim-sdk.js', 'echatim-sdk.wasm.br']) files[f] = fs.readFileSync(path.join(dist, f));
}
for (const [name, bytes] of Object.entries(files)) {
  fs.writeFileSync(path.join(out, name), bytes);
  console.log(`demo-sdk: miniprogram-demo/utils/${name.padEnd(20)} ${String(bytes.length).padStart(8)} bytes`);
}
