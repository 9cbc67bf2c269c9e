'use strict';
// The npm route (issue 12), as a mini-program developer takes it: `npm pack` (what `npm publish`
// would upload) -> `npm install` of the tarball in a new mini-program project -> DevTools' "构建 npm",
// done by Tencent's own miniprogram-ci (packNpmManually is that step extracted from DevTools) -> a
// page's require('echatim-sdk') in the sandbox (tests/sandbox: WXWebAssembly takes package paths
// only) -> sdk.im.init against the real devserver, with zero configuration.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const H = require('../js/fixtures/im-harness');
const { createSandbox } = require('../sandbox');

const ROOT = path.join(__dirname, '..', '..');
const NEEDED = ['dist/echatim-sdk.js', 'dist/echatim-sdk.wasm.br', 'dist/miniprogram/index.js', 'dist/browser/echatim-sdk.js'];
const missing = NEEDED.filter((f) => !fs.existsSync(path.join(ROOT, f)));
const skip = missing.length ? `${missing.join(', ')} missing: run bash toolchain/build.sh` : false;

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// One packed and built project for the file's tests.
let built = null;
function buildProject(t) {
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-npm-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], ROOT))[0];
  const tarball = path.join(dir, packed.filename);
  const proj = path.join(dir, 'proj');
  fs.mkdirSync(path.join(proj, 'pages', 'index'), { recursive: true });
  fs.writeFileSync(path.join(proj, 'project.config.json'), JSON.stringify({
    appid: 'touristappid', compileType: 'miniprogram', miniprogramRoot: './', setting: { urlCheck: false },
  }));
  fs.writeFileSync(path.join(proj, 'app.json'), JSON.stringify({ pages: ['pages/index/index'] }));
  fs.writeFileSync(path.join(proj, 'app.js'), 'App({});\n');
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'mp-app', version: '1.0.0', private: true }));
  // --offline: the package has no dependencies, so nothing but the tarball is needed
  npm(['install', '--offline', '--no-audit', '--no-fund', tarball], proj);
  built = { dir, proj, packed };
  return built;
}

test('npm pack holds only what a page, a browser and a TypeScript user need', { skip }, () => {
  const { packed } = buildProject();
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'LICENSE', 'README.md', 'README.zh-CN.md',
    'dist/browser/echatim-sdk.js', 'dist/browser/echatim-sdk.wasm',
    'dist/echatim-sdk.d.ts', 'dist/echatim-sdk.js', 'dist/echatim-sdk.wasm', 'dist/echatim-sdk.wasm.br',
    'dist/miniprogram/echatim-sdk.wasm.br', 'dist/miniprogram/index.js',
    'package.json',
  ].filter((f) => f !== 'dist/echatim-sdk.d.ts' || fs.existsSync(path.join(ROOT, f))).sort());
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.private, undefined, 'publishable');
  assert.equal(pkg.miniprogram, 'dist/miniprogram');
  assert.deepEqual(pkg.dependencies, undefined, 'no runtime dependency: a mini-program installs nothing else');
});

test('构建 npm (miniprogram-ci packNpmManually) -> require("echatim-sdk") logs in with zero configuration', { skip, timeout: 120000 }, async (t) => {
  const { proj } = buildProject();
  const ci = require('miniprogram-ci');
  const result = await ci.packNpmManually({ packageJsonPath: path.join(proj, 'package.json'), miniprogramNpmDistDir: proj });
  assert.equal(result.miniProgramPackNum, 1, 'one mini-program package built');
  assert.deepEqual(result.warnList, []);
  const out = path.join(proj, 'miniprogram_npm', 'echatim-sdk');
  // only the .wasm.br goes into the app's code package (not the plain .wasm)
  assert.deepEqual(fs.readdirSync(out).sort(), ['echatim-sdk.wasm.br', 'index.js'], 'the SDK as the entry, and its wasm');
  for (const f of ['echatim-sdk.wasm.br', 'index.js']) {
    assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'dist', 'miniprogram', f))), `${f} copied as built`);
  }

  // A page that requires the package by name and inits with the E聊 sample configuration, nothing else.
  const srv = await H.startDevserver(t);
  fs.writeFileSync(path.join(proj, 'pages', 'index', 'index.js'), `var sdk = require('echatim-sdk');
module.exports = sdk;
`);
  const sb = createSandbox({ packageRoot: proj, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
  t.after(() => sb.dispose());
  const loads = [];
  sb.on('wasm-load', (e) => loads.push(e.path));
  const sdk = sb.require('/pages/index/index.js');
  t.after(() => sdk.im.close());
  const got = [];
  sdk.im.on('message', (m) => got.push(m.body.text));
  const ready = await H.within(sdk.im.init(H.imConfig(srv)), 'init');
  assert.equal(ready, sdk, 'the init callback/Promise gives the sdk');
  assert.deepEqual(loads, ['/miniprogram_npm/echatim-sdk/echatim-sdk.wasm.br'], 'the core came from inside miniprogram_npm');
  const sent = await sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'from miniprogram_npm' } });
  assert.ok(sent.mid > 0);
  await H.waitFor(() => got.length === 1, 'the message back');
  assert.deepEqual(got, ['from miniprogram_npm']);
  assert.deepEqual(sb.errors, []);
});

test('an app whose miniprogram_npm is elsewhere names the path: configure({wasmPath}) wins over the package default', { skip, timeout: 60000 }, async (t) => {
  const { proj } = buildProject();
  // as if 构建 npm had put the package under a subpackage folder
  const sub = path.join(proj, 'sub', 'miniprogram_npm', 'echatim-sdk');
  fs.mkdirSync(sub, { recursive: true });
  for (const f of ['echatim-sdk.wasm.br', 'index.js']) fs.copyFileSync(path.join(ROOT, 'dist', 'miniprogram', f), path.join(sub, f));
  fs.mkdirSync(path.join(proj, 'sub', 'pages'), { recursive: true });
  fs.writeFileSync(path.join(proj, 'sub', 'pages', 'p.js'), `var sdk = require('echatim-sdk');
sdk.configure({ wasmPath: '/sub/miniprogram_npm/echatim-sdk/echatim-sdk.wasm.br' });
module.exports = sdk;
`);
  const sb = createSandbox({ packageRoot: proj, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
  t.after(() => sb.dispose());
  const loads = [];
  sb.on('wasm-load', (e) => loads.push(e.path));
  const sdk = sb.require('/sub/pages/p.js');
  await H.within(sdk.ready(), 'the core loads');
  assert.deepEqual(loads, ['/sub/miniprogram_npm/echatim-sdk/echatim-sdk.wasm.br']);
});
