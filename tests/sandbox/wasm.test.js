'use strict';
// WXWebAssembly: path-only instantiate, .wasm.br, the API surface WeChat offers.

const test = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { createSandbox } = require('.');
const { makePackage, sandboxFor, TINY_WASM } = require('./fixtures');

function pkg(t) {
  return makePackage(t, {
    'utils/tiny.wasm': TINY_WASM,
    'utils/tiny.wasm.br': zlib.brotliCompressSync(TINY_WASM),
    'utils/bad.wasm.br': Buffer.from('not brotli at all'),
    'utils/tiny.bin': TINY_WASM,
  });
}

// Runs `expr` (a Promise-returning expression) in the page and reports how it settled.
function settle(sb, expr) {
  return new Promise((resolve) => {
    sb.global.__settle = resolve;
    sb.runScript(`(function () {
      var p;
      try { p = ${expr}; } catch (e) { __settle({ how: 'threw', name: e.name, message: e.message }); return; }
      p.then(function (v) { __settle({ how: 'resolved', value: v }); },
             function (e) { __settle({ how: 'rejected', name: e.name, message: String(e.message),
                                       isCtxError: e instanceof Error }); });
    })()`);
  });
}

test('WXWebAssembly has instantiate, Memory, Table, Global and nothing WeChat lacks', (t) => {
  const sb = sandboxFor(t, createSandbox);
  for (const name of ['instantiate', 'Memory', 'Table', 'Global']) {
    assert.equal(sb.runScript(`typeof WXWebAssembly.${name}`), 'function', name);
  }
  for (const name of ['compile', 'validate', 'instantiateStreaming', 'compileStreaming', 'RuntimeError',
    'CompileError', 'LinkError', 'Module', 'Instance']) {
    assert.equal(sb.runScript(`typeof WXWebAssembly.${name}`), 'undefined', name);
  }
  assert.equal(sb.runScript('new WXWebAssembly.Memory({ initial: 1 }).buffer instanceof ArrayBuffer'), true);
});

test('instantiate rejects anything but a package path', async (t) => {
  const root = pkg(t);
  const sb = sandboxFor(t, createSandbox, { packageRoot: root });
  const cases = {
    'new ArrayBuffer(8)': /first argument must be a string/,
    'new Uint8Array([0, 97, 115, 109])': /first argument must be a string/,
    '"wxfile://usr/tiny.wasm"': /not support wxfile: or http: path/,
    '"http://127.0.0.1/tiny.wasm"': /not support wxfile: or http: path/,
    '"https://example.com/tiny.wasm"': /not support wxfile: or http: path/,
    '"utils/tiny.wasm"': /absolute from the package root/,
    '"/utils/tiny.bin"': /only \.wasm and \.wasm\.br/,
    '"/utils/missing.wasm"': /file not found/,
    '"/../../etc/x.wasm"': /file not found/,
    '"/utils/bad.wasm.br"': /cannot decompress/,
  };
  for (const [arg, re] of Object.entries(cases)) {
    const r = await settle(sb, `WXWebAssembly.instantiate(${arg}, {})`);
    assert.equal(r.how, 'rejected', arg);
    assert.match(r.message, re, arg);
    assert.equal(r.isCtxError, true, `${arg}: the error belongs to the page realm`);
  }
  const first = await settle(sb, 'WXWebAssembly.instantiate(new ArrayBuffer(8), {})');
  assert.equal(first.name, 'TypeError');
});

for (const file of ['/utils/tiny.wasm', '/utils/tiny.wasm.br']) {
  test(`instantiate loads ${file}; memory, exports and imports work in the page realm`, async (t) => {
    const root = pkg(t);
    const sb = sandboxFor(t, createSandbox, { packageRoot: root });
    const events = [];
    sb.on('wasm-load', (e) => events.push(['load', e.path]));
    sb.on('wasm-ready', (e) => events.push(['ready', e.path]));
    const r = await settle(sb, `WXWebAssembly.instantiate(${JSON.stringify(file)}, {
        env: { log: function (x) { globalThis.__logged = x; } } })
      .then(function (res) {
        var ex = res.instance.exports;
        var bytes = new Uint8Array(ex.memory.buffer, 0, 2);
        return {
          keys: Object.keys(res).sort().join(','),
          sum: ex.add(40, 2),
          logged: globalThis.__logged,
          text: String.fromCharCode(bytes[0], bytes[1]),
          bufferIsPageAB: ex.memory.buffer instanceof ArrayBuffer,
          memoryIsWX: ex.memory instanceof WXWebAssembly.Memory,
          addIsFunction: ex.add instanceof Function,
        };
      })`);
    assert.equal(r.how, 'resolved', JSON.stringify(r));
    assert.deepEqual({ ...r.value }, {
      keys: 'instance,module', sum: 42, logged: 42, text: 'hi', bufferIsPageAB: true, memoryIsWX: true, addIsFunction: true,
    });
    assert.equal(sb.stats().wasmInstantiate, 1);
    assert.deepEqual(events, [['load', file], ['ready', file]], 'wasm-load when the file is read, wasm-ready once instantiated');
  });
}

test('a missing import rejects (LinkError from the page realm)', async (t) => {
  const root = pkg(t);
  const sb = sandboxFor(t, createSandbox, { packageRoot: root });
  const r = await settle(sb, 'WXWebAssembly.instantiate("/utils/tiny.wasm", {})');
  assert.equal(r.how, 'rejected');
  assert.equal(r.isCtxError, true);
});
