'use strict';
// The SHIPPED artifact's IM session in JavaScriptCore with every JIT off (JSC_useJIT=0), as WeChat runs
// a mini-program on iOS: deliveries in order take the delivery lane (bindings/im_lane.cpp), a repeat is
// dropped, a gap is filled by message/sync; each delivery is handed over once, in seq order, and
// acknowledged with its seq, and the position is recorded (tests/jsc/im-smoke.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { runJsc, ROOT } = require('./run-jsc.js');

const DIST = process.env.ECHAT_DIST || path.join(ROOT, 'dist');

test('dist/ in JavaScriptCore without JIT: IM deliveries in order, a repeat, a gap filled by sync', () => {
  const r = runJsc(path.join(__dirname, 'im-smoke.js'), {
    client: 'sdk', sdk: path.join(DIST, 'echatim-sdk.js'), wasm: path.join(DIST, 'echatim-sdk.wasm'),
  });
  assert.deepEqual(r.seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(r.errors, []);
  // Every push acknowledged with its seq, the repeat too, 7's once 6 (from the sync) filled the gap.
  assert.deepEqual(r.acks, ['43101[{"seq":1}]', '43102[{"seq":2}]', '43103[{"seq":3}]', '43104[{"seq":4}]',
    '43105[{"seq":5}]', '43106[{"seq":3}]', '43107[{"seq":7}]', '43108[{"seq":8}]', '43109[{"seq":9}]']);
  // 1-5, 8 and 9 handed over at once; the repeat and 7 (buffered) through a batch.
  assert.deepEqual(r.lanes, { 5: 7, 3: 2 });
  // One conversation with alice, its counters and last message as each delivery left them.
  assert.deepEqual(r.convs.at(-1), ['alice', 9, 9, 'm9']);
  assert.equal(r.convs.length, 9);
  assert.deepEqual(r.convs.map((c) => c[2]), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const synced = Object.keys(r.stored).find((k) => k.endsWith(':synced'));
  assert.equal(JSON.parse(r.stored[synced]).seq, 9);
});
