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

// The RGBA pixels of an 8-bit, non-interlaced RGBA PNG (what toolchain/draw-tab-icons.js writes).
function rgbaPixels(buf) {
  assert.equal(buf.toString('latin1', 1, 4), 'PNG');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  assert.equal(buf[24], 8, 'bit depth 8');
  assert.equal(buf[25], 6, 'colour type RGBA');
  assert.equal(buf[28], 0, 'not interlaced');
  const idat = [];
  for (let at = 8; at < buf.length;) {
    const len = buf.readUInt32BE(at);
    if (buf.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? out[y * stride + x - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? out[(y - 1) * stride + x - 4] : 0;
      let p;
      if (f === 0) p = 0;
      else if (f === 1) p = a;
      else if (f === 2) p = b;
      else if (f === 3) p = (a + b) >> 1;
      else {
        const e = a + b - c;
        const pa = Math.abs(e - a); const pb = Math.abs(e - b); const pc = Math.abs(e - c);
        p = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
      }
      out[y * stride + x] = (v + p) & 0xff;
    }
  }
  return { width, height, out };
}

test('tab bar: every tab has an icon and a selected icon, 81×81 PNGs under 40 KB, drawn (not empty) in the tab colours', () => {
  const app = json('app.json');
  const colour = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  for (const tab of app.tabBar.list) {
    for (const [key, hex] of [['iconPath', app.tabBar.color], ['selectedIconPath', app.tabBar.selectedColor]]) {
      const file = path.join(DEMO, tab[key] || '');
      assert.ok(tab[key] && fs.existsSync(file), `${tab.pagePath} ${key}`);
      const buf = fs.readFileSync(file);
      assert.ok(buf.length <= 40 * 1024, `${tab[key]}: ${buf.length} bytes (WeChat's limit is 40 KB)`);
      const { width, height, out } = rgbaPixels(buf);
      assert.deepEqual([width, height], [81, 81], tab[key]);
      let opaque = 0;
      let clear = 0;
      const want = colour(hex);
      let inColour = 0;
      for (let i = 0; i < out.length; i += 4) {
        if (out[i + 3] === 0) clear++;
        if (out[i + 3] === 255) {
          opaque++;
          if (Math.abs(out[i] - want[0]) + Math.abs(out[i + 1] - want[1]) + Math.abs(out[i + 2] - want[2]) < 12) inColour++;
        }
      }
      assert.ok(opaque > 300 && clear > 1500, `${tab[key]}: a drawing on a transparent ground (${opaque} opaque, ${clear} clear pixels)`);
      assert.ok(inColour > 200, `${tab[key]}: drawn in ${hex} (${inColour} pixels)`);
    }
    assert.notDeepEqual(fs.readFileSync(path.join(DEMO, tab.iconPath)), fs.readFileSync(path.join(DEMO, tab.selectedIconPath)));
  }
});

test('i18n: both languages have the same words, and every word the pages use exists', () => {
  const { STRINGS } = require(path.join(DEMO, 'utils/i18n.js'));
  assert.deepEqual(Object.keys(STRINGS.zh).sort(), Object.keys(STRINGS.en).sort());
  for (const lang of ['zh', 'en']) {
    for (const [k, v] of Object.entries(STRINGS[lang])) {
      const other = lang === 'zh' ? STRINGS.en[k] : STRINGS.zh[k];
      const vars = (x) => JSON.stringify(String(x).match(/\{\w+\}/g) || []);
      assert.equal(vars(v), vars(other), `${k}: the same {values} in both languages`);
    }
  }
  assert.equal(STRINGS.zh.tabs.join(), json('app.json').tabBar.list.map((t) => t.text).join(), 'app.json holds the Chinese tab words');
  const used = new Set();
  const files = [];
  const walk = (dir) => {
    for (const f of fs.readdirSync(path.join(DEMO, dir))) {
      const rel = path.join(dir, f);
      if (fs.statSync(path.join(DEMO, rel)).isDirectory()) walk(rel);
      else if (/\.(js|wxml)$/.test(f) && !/echatim-sdk/.test(f)) files.push(rel);
    }
  };
  walk('pages');
  walk('utils');
  for (const f of files) {
    const src = read(f);
    for (const m of src.matchAll(/\bt\.(\w+)/g)) if (f.endsWith('.wxml')) used.add(m[1]);
    for (const m of src.matchAll(/\bt\('(\w+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 40, `found ${used.size} words in use`);
  for (const k of used) assert.ok(k in STRINGS.zh, `"${k}" is used but not in i18n.js`);
});

test('README.md and README.zh-CN.md: the same pictures, and every relative link and picture exists', () => {
  const root = path.join(DEMO, '..');
  const pictures = {};
  for (const f of ['README.md', 'README.zh-CN.md', 'docs/errors.md', 'docs/lifecycle.md', 'miniprogram-demo/README.md']) {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    pictures[f] = [];
    for (const m of text.matchAll(/(!?)\[[^\]]*\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(m[2])) continue;
      assert.ok(fs.existsSync(path.join(root, path.dirname(f), m[2])), `${f} links to ${m[2]}`);
      if (m[1]) pictures[f].push(m[2]);
    }
  }
  assert.ok(pictures['README.md'].length >= 6, `README.md shows the pictures (${pictures['README.md']})`);
  assert.deepEqual(pictures['README.zh-CN.md'], pictures['README.md']);
});
