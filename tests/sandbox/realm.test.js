'use strict';
// The logic-layer realm: forbidden code generation, missing globals, require() the WeChat way.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createSandbox } = require('.');
const { makePackage, sandboxFor } = require('./fixtures');

test('eval and new Function(string) throw EvalError; new Function("return this") is allowed', (t) => {
  const sb = sandboxFor(t, createSandbox);
  const r = sb.runScript(`(function () {
    var out = {};
    function kind(f) { try { f(); return 'ok'; } catch (e) { return (e instanceof EvalError) ? 'EvalError' : e.name; } }
    out.eval = kind(function () { return eval('1 + 1'); });
    out.indirectEval = kind(function () { return (0, eval)('1'); });
    out.newFunction = kind(function () { return new Function('a', 'return a'); });
    out.callFunction = kind(function () { return Function('return 1'); });
    out.ctorOfFn = kind(function () { return (function () {}).constructor('return 1'); });
    out.asyncCtor = kind(function () { return Object.getPrototypeOf(async function () {}).constructor('return 1'); });
    out.returnThis = new Function('return this')() === globalThis;
    out.returnThisCall = Function('return this;')() === globalThis;
    out.instanceOf = (function () {}) instanceof Function;
    out.setTimeoutString = kind(function () { setTimeout('1', 0); });
    return out;
  })()`);
  assert.deepEqual({ ...r }, {
    eval: 'EvalError', indirectEval: 'EvalError', newFunction: 'EvalError', callFunction: 'EvalError',
    ctorOfFn: 'EvalError', asyncCtor: 'EvalError', returnThis: true, returnThisCall: true, instanceOf: true,
    setTimeoutString: 'TypeError',
  });
});

test('browser and Node globals are missing; WeChat globals are present', (t) => {
  const sb = sandboxFor(t, createSandbox);
  const missing = ['WebAssembly', 'window', 'document', 'self', 'TextEncoder', 'TextDecoder', 'crypto', 'performance',
    'process', 'Buffer', 'require', 'module', 'exports', 'global', 'setImmediate', 'queueMicrotask', 'structuredClone',
    'URL', 'atob', 'btoa', 'fetch', 'XMLHttpRequest', 'WebSocket', 'SharedArrayBuffer', 'Atomics', 'navigator'];
  for (const name of missing) {
    assert.equal(sb.runScript(`typeof ${name}`), 'undefined', `${name} must be missing`);
  }
  const present = { setTimeout: 'function', clearTimeout: 'function', setInterval: 'function', clearInterval: 'function',
    console: 'object', wx: 'object', WXWebAssembly: 'object', App: 'function', getApp: 'function', Date: 'function',
    Math: 'object', JSON: 'object', Promise: 'function', globalThis: 'object' };
  for (const [name, type] of Object.entries(present)) {
    assert.equal(sb.runScript(`typeof ${name}`), type, `${name} must be a ${type}`);
  }
  // the context's own intrinsics, not the host's
  assert.notEqual(sb.runScript('Promise'), Promise);
  assert.notEqual(sb.runScript('JSON'), JSON);
  assert.notEqual(sb.runScript('Date'), Date);
});

test('hideGlobalThis removes globalThis (worst case for code that relies on it)', (t) => {
  const sb = sandboxFor(t, createSandbox, { hideGlobalThis: true });
  assert.equal(sb.runScript('typeof globalThis'), 'undefined');
});

test('require(): wrapper parameters, own scope, module cache, exports, relative and npm paths', (t) => {
  const root = makePackage(t, {
    'utils/a.js': `
      var local = 'a';
      var b = require('./b');
      var b2 = require('./b.js');
      var c = require('../lib/c');
      var pkg = require('tiny-pkg');
      var sub = require('tiny-pkg/sub');
      module.exports = {
        shadowed: [typeof window, typeof document, typeof self, typeof location, typeof navigator,
          typeof XMLHttpRequest, typeof WebSocket],
        windowIsUndefined: window === undefined,
        sameB: b === b2, bCount: b.count, c: c.name, pkg: pkg.name, sub: sub.name,
        localLeaks: typeof globalThis.local,
        topThisIsGlobal: this === globalThis || this === undefined,
      };`,
    'utils/b.js': 'globalThis.__bLoads = (globalThis.__bLoads || 0) + 1; exports.count = globalThis.__bLoads;',
    'lib/c.js': 'module.exports = { name: "c" };',
    'miniprogram_npm/tiny-pkg/index.js': 'module.exports = { name: "tiny" };',
    'miniprogram_npm/tiny-pkg/sub.js': 'module.exports = { name: "sub" };',
  });
  const sb = sandboxFor(t, createSandbox, { packageRoot: root });
  const a = sb.require('/utils/a.js');
  assert.deepEqual([...a.shadowed], Array(7).fill('undefined'));
  assert.equal(a.windowIsUndefined, true);
  assert.equal(a.sameB, true);
  assert.equal(a.bCount, 1);
  assert.equal(a.c, 'c');
  assert.equal(a.pkg, 'tiny');
  assert.equal(a.sub, 'sub');
  assert.equal(a.localLeaks, 'undefined');
  assert.equal(a.topThisIsGlobal, true);
  // cached: same exports object, not re-run
  assert.equal(sb.require('utils/a'), a);
  assert.equal(sb.runScript('__bLoads'), 1);
});

test('require(): absolute paths are rejected inside the package unless allowAbsoluteRequire', (t) => {
  const files = { 'pages/p.js': 'module.exports = require("/utils/u.js");', 'utils/u.js': 'module.exports = 42;' };
  const root = makePackage(t, files);
  const strict = sandboxFor(t, createSandbox, { packageRoot: root });
  assert.throws(() => strict.require('/pages/p.js'), /module '\/utils\/u.js' is not defined/);
  const loose = sandboxFor(t, createSandbox, { packageRoot: root, allowAbsoluteRequire: true });
  assert.equal(loose.require('/pages/p.js'), 42);
});

test('require(): missing modules and paths outside the package fail; stack traces name the file', (t) => {
  const root = makePackage(t, {
    'a.js': 'require("./nope");',
    'b.js': 'require("../../etc/passwd");',
    'c.js': '\n\nfunction boom() { throw new Error("boom"); }\nmodule.exports = boom;',
  });
  const sb = sandboxFor(t, createSandbox, { packageRoot: root });
  assert.throws(() => sb.require('a.js'), /module '\.\/nope' is not defined/);
  assert.throws(() => sb.require('b.js'), /is not defined/);
  const boom = sb.require('c.js');
  try {
    boom();
    assert.fail('should throw');
  } catch (e) {
    assert.match(e.stack, /c\.js:3:/); // line numbers of the file itself, despite the wrapper
  }
});

test('binary data handed to page code is made in the page realm', async (t) => {
  const sb = sandboxFor(t, createSandbox);
  const got = await new Promise((resolve) => {
    sb.global.__done = resolve;
    sb.runScript(`wx.getRandomValues({ length: 8, success: function (r) {
      __done({ isAB: r.randomValues instanceof ArrayBuffer, tag: Object.prototype.toString.call(r.randomValues),
               len: r.randomValues.byteLength, objIsObject: r instanceof Object });
    } })`);
  });
  assert.deepEqual({ ...got }, { isAB: true, tag: '[object ArrayBuffer]', len: 8, objIsObject: true });
});

test('exceptions thrown by page callbacks are reported, not propagated', async (t) => {
  const seen = [];
  const sb = sandboxFor(t, createSandbox, { onPageError: (e) => seen.push(e) });
  sb.runScript(`
    wx.onError(function (msg) { globalThis.__onError = msg; });
    setTimeout(function () { throw new Error('from timer'); }, 0);
  `);
  const deadline = Date.now() + 5000;
  while (!seen.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(seen.length, 1);
  assert.match(seen[0].message, /from timer/);
  assert.match(sb.runScript('__onError'), /from timer/);
  assert.equal(sb.stats().pageErrors, 1);
});

test('App() / getApp() and wx info APIs', async (t) => {
  const sb = sandboxFor(t, createSandbox, { systemInfo: { SDKVersion: '2.30.0' } });
  sb.runScript(`App({ globalData: { n: 1 }, onLaunch: function (o) { this.launched = o.scene; } });`);
  await sb.flush();
  assert.equal(sb.runScript('getApp().launched'), 1001);
  assert.equal(sb.runScript('getApp().globalData.n'), 1);
  assert.equal(sb.runScript('wx.getSystemInfoSync().SDKVersion'), '2.30.0');
  assert.equal(sb.runScript('wx.getSystemInfoSync().platform'), 'devtools');
  assert.equal(sb.runScript('wx.getAccountInfoSync().miniProgram.envVersion'), 'develop');
  assert.equal(sb.runScript('wx.canIUse("connectSocket")'), true);
  assert.equal(sb.runScript('wx.canIUse("getFileSystemManager")'), false);
  const p = sb.runScript('wx.getNetworkType()');
  assert.equal(Object.getPrototypeOf(p), sb.runScript('Promise.prototype'));
  assert.equal((await p).networkType, 'wifi');
});
