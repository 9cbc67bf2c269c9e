'use strict';
// The demo is a complete mini-program project that WeChat DevTools can open: every page of app.json
// with its four files, written with Component(); project.config.json valid with urlCheck off and a base
// library that loads .wasm.br; the SDK copied into utils/ by the build, with sdk.im in it.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { DEMO } = require('./harness');

const read = (f) => fs.readFileSync(path.join(DEMO, f), 'utf8');
const json = (f) => JSON.parse(read(f));

function versionAtLeast(v, min) {
  const a = String(v).split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}

test('project.config.json: valid JSON, tourist appid, urlCheck off, base library >= 2.14', () => {
  const p = json('project.config.json');
  assert.equal(p.appid, 'touristappid');
  assert.equal(p.compileType, 'miniprogram');
  assert.equal(p.setting.urlCheck, false);
  assert.ok(versionAtLeast(p.libVersion, '2.14.0'), `libVersion ${p.libVersion} loads .wasm.br (2.14.0+)`);
  const root = path.join(DEMO, p.miniprogramRoot || '');
  assert.ok(fs.existsSync(path.join(root, 'app.json')), 'miniprogramRoot holds app.json');
});

test('app.json: every page exists with .js .json .wxml .wxss, written with Component()', () => {
  const app = json('app.json');
  assert.deepEqual(app.pages.slice().sort(), ['pages/chat/chat', 'pages/contacts/contacts', 'pages/conversations/conversations', 'pages/login/login', 'pages/members/members']);
  assert.equal(app.pages[0], 'pages/login/login', 'the app opens on the login page');
  for (const page of app.pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) {
      assert.ok(fs.existsSync(path.join(DEMO, `${page}.${ext}`)), `${page}.${ext}`);
    }
    const js = read(`${page}.js`);
    assert.match(js, /\bComponent\(\{/, `${page}.js uses Component()`);
    assert.doesNotMatch(js, /\bPage\(\{/, `${page}.js does not use Page()`);
    const pj = json(`${page}.json`);
    assert.deepEqual(pj.usingComponents, {}, `${page}.json declares usingComponents (needed for a Component page)`);
    assert.ok(read(`${page}.wxml`).trim().length > 0);
  }
  for (const tab of app.tabBar.list) assert.ok(app.pages.includes(tab.pagePath), `tab ${tab.pagePath} is a page`);
  assert.ok(fs.existsSync(path.join(DEMO, app.sitemapLocation)), 'sitemap');
  for (const f of ['app.js', 'app.wxss', 'config.js', 'README.md']) assert.ok(fs.existsSync(path.join(DEMO, f)), f);
});

test('config.js holds the server settings: the local devserver by default', () => {
  const config = require(path.join(DEMO, 'config.js'));
  assert.deepEqual(
    { host: config.host, httpPort: config.httpPort, socketPort: config.socketPort, key: config.key, loginAuid: config.loginAuid, loginToken: config.loginToken },
    { host: '127.0.0.1', httpPort: 58082, socketPort: 59092, key: 'TSDKTEST00001', loginAuid: 'admin', loginToken: 'admin' },
  );
  assert.equal(config.wasmPath, '/utils/echatim-sdk.wasm.br');
  assert.ok(['HTTP', 'SOCKET'].includes(config.apiTransport));
});

test('after the build the SDK is in utils/: echatim-sdk.js and echatim-sdk.wasm.br, with sdk.im', async (t) => {
  const js = path.join(DEMO, 'utils/echatim-sdk.js');
  const br = path.join(DEMO, 'utils/echatim-sdk.wasm.br');
  const hint = 'run `bash toolchain/build.sh` (it copies the SDK into miniprogram-demo/utils/)';
  assert.ok(fs.existsSync(js), `${js} missing: ${hint}`);
  assert.ok(fs.existsSync(br), `${br} missing: ${hint}`);
  const wasm = zlib.brotliDecompressSync(fs.readFileSync(br));
  assert.equal(wasm.subarray(0, 4).toString('latin1'), '\0asm', 'a brotli-compressed wasm module');
  // The copy is what a page gets: load it as WeChat would and look for the IM API.
  const { createSandbox } = require('../sandbox');
  const sb = createSandbox({ packageRoot: DEMO, quietErrors: true, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
  t.after(() => sb.dispose());
  const sdk = sb.require('/utils/echatim-sdk.js');
  assert.equal(typeof sdk.io, 'function');
  assert.equal(typeof sdk.im.init, 'function');
  assert.equal(typeof sdk.apis.message.send, 'function');
  assert.equal(typeof sdk.apis.file.upload, 'function');
  await sdk.ready();
  assert.equal(sb.stats().wasmInstantiate, 1, 'loaded /utils/echatim-sdk.wasm.br through WXWebAssembly');
});

test('the copies in utils/ are not committed (gitignored)', () => {
  const ignore = fs.readFileSync(path.join(DEMO, '..', '.gitignore'), 'utf8');
  assert.match(ignore, /^miniprogram-demo\/utils\/echatim-sdk\.\*$/m);
});

test('WeChat\'s own compilers accept every WXML and WXSS file (wcc, wcsc from npm miniprogram-compiler)', {
  skip: process.platform === 'linux' && process.arch !== 'x64' ? 'npm miniprogram-compiler ships wcc/wcsc for x86-64 Linux only' : false,
}, () => {
  const wcc = require('miniprogram-compiler/src/wcc');
  const wcsc = require('miniprogram-compiler/src/wcsc');
  const pages = json('app.json').pages;
  const css = wcsc(DEMO, ['app', ...pages]);  // returns an Error naming the file and line on a syntax error
  assert.ok(!(css instanceof Error), css && css.message);
  for (const f of ['app.wxss', ...pages.map((p) => `${p}.wxss`)]) assert.ok(css[f], `${f} compiled`);
  const js = wcc(DEMO, pages, []);  // throws on a syntax error
  assert.equal(typeof js, 'string');
  for (const p of pages) assert.ok(js.includes(`${p}.wxml`), `${p}.wxml compiled`);
});
