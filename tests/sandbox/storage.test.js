'use strict';
// wx storage: JSON copies, limits, async variants, app restart with the same Storage.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createSandbox, Storage, ERR } = require('.');
const { sandboxFor } = require('./fixtures');

const MB = 1024 * 1024;

test('sync API: JSON copies in the page realm, Date round trip, missing key is ""', (t) => {
  const sb = sandboxFor(t, createSandbox);
  const r = sb.runScript(`(function () {
    var v = { a: [1, { b: 'x' }], fn: function () {} };
    wx.setStorageSync('k', v);
    v.a.push(2);
    var back = wx.getStorageSync('k');
    wx.setStorageSync('d', new Date(5));
    wx.setStorageSync('n', 3);
    return { len: back.a.length, hasFn: 'fn' in back, isObj: back instanceof Object, copy: back !== v,
             date: wx.getStorageSync('d') instanceof Date && wx.getStorageSync('d').getTime(),
             n: wx.getStorageSync('n'), missing: wx.getStorageSync('nope'), keys: wx.getStorageInfoSync().keys.join() };
  })()`);
  assert.deepEqual({ ...r }, { len: 2, hasFn: false, isObj: true, copy: true, date: 5, n: 3, missing: '', keys: 'k,d,n' });
  sb.runScript(`wx.removeStorageSync('n')`);
  assert.equal(sb.storage.has('n'), false);
  sb.runScript('wx.clearStorageSync()');
  assert.deepEqual(sb.storage.keys, []);
});

test('limits: 1 MB per key and 10 MB in all; setStorageSync throws, setStorage fails', async (t) => {
  const sb = sandboxFor(t, createSandbox);
  const thrown = sb.runScript(`(function () {
    try { wx.setStorageSync('big', new Array(${MB + 10}).join('x')); return 'no throw'; }
    catch (e) { return [e instanceof Error, e.message]; }
  })()`);
  assert.deepEqual([...thrown], [true, ERR.storageItemTooLarge('setStorageSync')]);
  assert.throws(() => sb.runScript('wx.setStorageSync(1, 2)'), { message: ERR.storageKeyType('setStorageSync', 'Number') });
  // fill up to 10 MB with ~0.9 MB values
  const filled = sb.runScript(`(function () {
    var chunk = new Array(${0.9 * MB | 0}).join('y');
    for (var i = 0; i < 20; i++) {
      try { wx.setStorageSync('k' + i, chunk); } catch (e) { return { stoppedAt: i, msg: e.message }; }
    }
    return { stoppedAt: -1 };
  })()`);
  assert.equal(filled.stoppedAt, 11);
  assert.equal(filled.msg, ERR.storageFull('setStorageSync'));
  const info = sb.runScript('wx.getStorageInfoSync()');
  assert.ok(info.currentSize <= info.limitSize && info.limitSize === 10240);
  const asyncFail = await new Promise((resolve) => {
    sb.global.__r = resolve;
    sb.runScript(`wx.setStorage({ key: 'more', data: new Array(${0.9 * MB | 0}).join('z'), fail: function (r) { __r(r.errMsg); } })`);
  });
  assert.equal(asyncFail, ERR.storageFull('setStorage'));
  // overwriting an existing key counts only the difference
  sb.runScript(`wx.setStorageSync('k0', 'small')`);
  sb.runScript(`wx.setStorageSync('k1', new Array(${0.9 * MB | 0}).join('w'))`);
});

test('async API: callbacks and Promise style', async (t) => {
  const sb = sandboxFor(t, createSandbox);
  await sb.runScript(`wx.setStorage({ key: 'a', data: { x: 1 } })`);
  const got = await sb.runScript(`wx.getStorage({ key: 'a' })`);
  assert.equal(got.data.x, 1);
  assert.equal(got.errMsg, 'getStorage:ok');
  await assert.rejects(sb.runScript(`wx.getStorage({ key: 'missing' })`), (e) => e.errMsg === ERR.storageNotFound('getStorage'));
  const cb = await new Promise((resolve) => {
    sb.global.__r = resolve;
    sb.runScript(`wx.removeStorage({ key: 'a', success: function (r) { __r(r.errMsg); } })`);
  });
  assert.equal(cb, 'removeStorage:ok');
  assert.equal(sb.storage.has('a'), false);
});

test('app restart: a new sandbox with the same Storage (and one saved to a file) sees the data', async (t) => {
  const storage = new Storage();
  const first = createSandbox({ storage });
  first.runScript(`wx.setStorageSync('session', { token: 't1', seq: 41 })`);
  await first.dispose();
  const second = sandboxFor(t, createSandbox, { storage });
  assert.equal(second.runScript(`wx.getStorageSync('session').seq`), 41);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wx-storage-')), 'storage.json');
  t.after(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  storage.saveToFile(file);
  const third = sandboxFor(t, createSandbox, { storage: Storage.loadFromFile(file) });
  assert.equal(third.runScript(`wx.getStorageSync('session').token`), 't1');
  assert.deepEqual(storage.peek('session'), { token: 't1', seq: 41 });
});
