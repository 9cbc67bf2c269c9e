'use strict';
// The SHIPPED artifact's IM session in JavaScriptCore with every JIT off (JSC_useJIT=0), as WeChat runs
// a mini-program on iOS: deliveries in order take the delivery lane (bindings/im_lane.cpp), a repeat is
// dropped, a gap is filled by message/sync; each delivery is handed over once, in seq order, and
// acknowledged with its seq, and the position is recorded (tests/jsc/im-smoke.js); and sending, on the
// send and answer lanes (tests/jsc/im-send.js).
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

// Sending (tests/jsc/im-send.js): the form stays in JavaScript (the send lane, echat_im_send), the
// core writes the envelope; the answer's data stays too (the answer lane, echat_im_answer).
test('dist/ in JavaScriptCore without JIT: IM sends one at a time and in a burst, on the send lane', () => {
  const r = runJsc(path.join(__dirname, 'im-send.js'), {
    client: 'sdk', sdk: path.join(DIST, 'echatim-sdk.js'), wasm: path.join(DIST, 'echatim-sdk.wasm'),
  });
  assert.deepEqual(r.errors, []);
  // 23 plain forms took the send lane (the numeric toTarget and the app's requestId the general path:
  // the shim's check uses the core's list of the fields it sets itself);
  // every answer the answer lane, 4 of them also sending the message the freed window place let go.
  assert.deepEqual(r.lanes.send, { 6: 23 });
  assert.deepEqual(r.lanes.answer, { 8: 25 });
  // The server got every form whole, in send order, with the envelope and the fields the core adds.
  assert.equal(r.frames.length, 25);
  r.frames.forEach((f, i) => {
    assert.deepEqual(f.body, { text: `s${i + 1}`, n: i + 1 });
    assert.equal(f.formUser, 'bob');
    assert.equal(f.jwt, 'JWT-jsc');
    assert.equal(f.method, 'send');
    assert.match(f.requestId, /^[0-9a-f]+-\d+$/);  // the core's, never the app's (form 25 had one)
    assert.equal(typeof f.timestamp, 'number');
    assert.equal(f.toTarget, i === 23 ? '42' : 'alice');  // a numeric toTarget sent as text
  });
  assert.equal(r.frames[2].clientMsgId, 'bob-own-3');  // the app's own clientMsgId is kept
  assert.equal(new Set(r.frames.map((f) => f.clientMsgId)).size, 25);
  // Each send resolved once with the server's answer; states queued, sending, sent.
  assert.deepEqual(r.answers.map((a) => a[1]), Array.from({ length: 25 }, (_, i) => i + 1));
  assert.deepEqual(r.answers.map((a) => a[0]), r.frames.map((f) => f.clientMsgId));
  for (const f of r.frames) assert.deepEqual(r.states[f.clientMsgId], ['queued', 'sending', 'sent']);
  // Each message's record was written as the core restores it ({n, c, f}) and removed once stored; the
  // marker went with the last one.
  const prefix = 'echatim:K1:bob:outbox:';
  r.frames.forEach((f, i) => {
    const rec = JSON.parse(r.records[prefix + f.clientMsgId]);
    assert.equal(rec.n, i + 1);
    assert.equal(rec.c, f.clientMsgId);
    const want = { ...f };
    for (const k of ['requestId', 'timestamp', 'method', 'jwt']) delete want[k];
    assert.deepEqual(rec.f, want);
    assert.ok(r.removed.includes(prefix + f.clientMsgId));
  });
  assert.equal(r.removed.at(-1), 'echatim:K1:bob:outbox');
  assert.deepEqual(r.refusal, [400, 'body', "invalid argument 'body': required"]);
});
