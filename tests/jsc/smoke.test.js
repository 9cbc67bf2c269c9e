'use strict';
// The SHIPPED artifact (dist/echatim-sdk.js + the wasm) in JavaScriptCore with every JIT off
// (JSC_useJIT=0), as WeChat runs a mini-program on iOS: it loads through WXWebAssembly (no WebAssembly
// global), connects to an in-process Engine.IO 4 / Socket.IO 5 server (bench/jsc/harness.js), receives
// events with text and binary attachments, answers an ack request and gets its own emit acknowledged.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { runJsc, ROOT } = require('./run-jsc.js');

const DIST = process.env.ECHAT_DIST || path.join(ROOT, 'dist');

test('dist/ in JavaScriptCore without JIT: load, connect, text and binary events, acks both ways', () => {
  const r = runJsc(path.join(__dirname, 'smoke.js'), {
    client: 'sdk', sdk: path.join(DIST, 'echatim-sdk.js'), wasm: path.join(DIST, 'echatim-sdk.wasm'),
  });
  assert.equal(r.connected, true);
  assert.equal(r.id, 'jscsid');
  assert.deepEqual(r.got, [
    ['hello', 'world', { n: 1 }],
    ['sur', 2, 0xd800],                                  // a lone surrogate, as JSON.parse gives it
    ['bin', '[object ArrayBuffer]', [1, 2, 3], 't'],
  ]);
  assert.deepEqual(r.echo, ['ping', { k: [1, 2] }]);
  // What the server received: CONNECT, the binary emit (header then its attachment), the answer to
  // its ack request 17, and the emit with ack id 0.
  assert.equal(r.serverLog[0], '40');
  assert.ok(r.serverLog.includes('451-["up",{"_placeholder":true,"num":0}]'), r.serverLog.join(' | '));
  assert.equal(r.serverLog[r.serverLog.indexOf('451-["up",{"_placeholder":true,"num":0}]') + 1], 'bin 2');
  assert.ok(r.serverLog.includes('4317[42]'), r.serverLog.join(' | '));
  assert.ok(r.serverLog.includes('420["echo","ping",{"k":[1,2]}]'), r.serverLog.join(' | '));
});
