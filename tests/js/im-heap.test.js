'use strict';
// Memory of the IM session (issue 10, goal 5): 10,000 messages from alice to bob through the real
// devserver (16 sends in flight, the outbox's pipelining) must not grow either page's wasm heap after
// a warm-up of 1,000. The heap is the module's linear memory (page.heapBytes(), see heap.test.js): it
// only ever grows, in 64 KiB pages, when malloc runs out, so a leak of the inbox, the outbox, the
// conversations or the call table shows as growth (the 1 MiB it starts with leaves well under 1 MiB
// free: a leak of ~100 bytes per message or more grows it).

const test = require('node:test');
const assert = require('node:assert/strict');
const H = require('./fixtures/im-harness');

const { skip, within, waitFor } = H;

// Sends `n` messages (numbered from `from`) from alice to bob, `window` at once; resolves when bob has
// received them all.
async function stream(alice, bob, from, n, window) {
  const received = () => bob.of('message').filter((m) => m.formUser === 'alice').length;
  const target = received() + n;
  const inflight = new Set();
  for (let k = from; k < from + n; k++) {
    while (inflight.size >= window) await Promise.race(inflight);
    const p = alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: `m${k}`, pad: 'x'.repeat(k % 200) } });
    inflight.add(p);
    p.then(() => inflight.delete(p), (err) => { inflight.delete(p); throw err; });
  }
  await Promise.all(inflight);
  await waitFor(() => received() >= target, `bob: ${target} messages`, 60000);
}

test('im memory: 10,000 messages leave both pages\' wasm heaps as they were after 1,000', { skip, timeout: 300000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
  const alice = H.imPage(t, srv, { apiTransport: 'SOCKET' });
  const bob = H.imPage(t, srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb' });
  await within(Promise.all([alice.ready, bob.ready]), 'logins');
  await stream(alice, bob, 0, 1000, 16);
  // How bob's deliveries went (bindings/im_lane.cpp echat_im_message): 5 handed over at once (the
  // delivery lane), 3 through a batch, -1 the frame whole.
  const lanes = {};
  const core = bob.sdk.im._driver.core;
  const deliver = core.echat_im_message;
  core.echat_im_message = (...a) => {
    const code = deliver(...a);
    lanes[code] = (lanes[code] || 0) + 1;
    return code;
  };
  // How alice's sends and their answers went (bindings/im_send_lane.cpp): 6 accepted on the send lane
  // (7: with a batch), 8 answered on the answer lane (9: with a batch: the next message the freed window
  // place let go), -1 the general path.
  const sends = {};
  const answers = {};
  const aliceCore = alice.sdk.im._driver.core;
  for (const [name, into] of [['echat_im_send', sends], ['echat_im_answer', answers]]) {
    const real = aliceCore[name];
    aliceCore[name] = (...a) => {
      const code = real(...a);
      into[code] = (into[code] || 0) + 1;
      return code;
    };
  }
  const warm = { alice: alice.heapBytes(), bob: bob.heapBytes() };
  const t0 = Date.now();
  await stream(alice, bob, 1000, 10000, 16);
  const after = { alice: alice.heapBytes(), bob: bob.heapBytes() };
  t.diagnostic(`wasm heap after 1,000 / after 10,000 more: alice ${warm.alice} / ${after.alice} B, bob ${warm.bob} / ${after.bob} B (${Date.now() - t0} ms)`);
  const texts = bob.of('message').filter((m) => m.formUser === 'alice').map((m) => m.body.text);
  assert.equal(texts.length, 11000);
  assert.equal(texts[10999], 'm10999');
  assert.deepEqual([...alice.of('error'), ...bob.of('error')].map((e) => e.message), []);
  assert.equal(after.alice, warm.alice, 'alice\'s wasm heap grew');
  assert.equal(after.bob, warm.bob, 'bob\'s wasm heap grew');
  // The delivered objects the shim keeps for the core (js-shim/core-driver.js delivery()): only the
  // conversation's last message is still held; every other one was released.
  assert.equal(bob.sdk.im._driver.held.size, 1, 'bob\'s shim keeps delivered messages the core released');
  assert.equal(alice.sdk.im._driver.held.size, 1, 'alice\'s shim keeps delivered messages the core released');
  // The steady state takes the delivery lane, and its record is the position: bob's last seq.
  t.diagnostic(`bob's deliveries by code: ${JSON.stringify(lanes)}`);
  assert.ok((lanes[5] || 0) >= 9000, `bob's deliveries by code: ${JSON.stringify(lanes)}`);
  // Every send took the send lane, and every answer the answer lane: the forms and the answers' data
  // never entered alice's wasm memory.
  t.diagnostic(`alice's sends by code: ${JSON.stringify(sends)}, answers: ${JSON.stringify(answers)}`);
  assert.equal((sends[6] || 0) + (sends[7] || 0), 10000, `alice's sends by code: ${JSON.stringify(sends)}`);
  assert.equal((answers[8] || 0) + (answers[9] || 0), 10000, `alice's answers by code: ${JSON.stringify(answers)}`);
  const synced = JSON.parse(bob.sb.storage.peek(bob.sdk.im._driver.syncedKey));
  assert.equal(synced.seq, bob.of('message').at(-1).seq);
  // The lane's 'conversation' event is built by the shim from the core's numbers (CoreDriver.handed):
  // the same object as the core's own conversation text gives (getConversations).
  const listed = H.plain(await bob.sdk.im.getConversations()).find((c) => c.way === 'P2P' && c.toTarget === 'alice');
  assert.deepEqual(H.plain(bob.of('conversation').at(-1)), listed);
});

// A delivery's object stays in JavaScript (bindings/im_lane.cpp echat_im_message): the receiver's
// wasm memory does not grow with the message's size (it grew by 4.4 times a 60 KB message before), and
// the conversation shows the message the shim kept, recalled as the core says. The sender's form stays
// in JavaScript too (the send lane, bindings/im_send_lane.cpp).
test('im memory: a 60 KB message goes from alice to bob without entering either wasm memory; his conversation shows it', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
  const alice = H.imPage(t, srv, { apiTransport: 'SOCKET' });
  const bob = H.imPage(t, srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb' });
  await within(Promise.all([alice.ready, bob.ready]), 'logins');
  const before = bob.heapBytes();
  const aliceBefore = alice.heapBytes();  // the send lane keeps alice's form in JavaScript
  const big = 'y'.repeat(60000);
  const sent = await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: big } });
  await waitFor(() => bob.of('message').length === 1, 'bob: the message');
  const m = bob.of('message')[0];
  assert.equal(m.body.text, big);
  assert.equal(m.mid, sent.mid);
  assert.equal(m.flow, 'in');
  assert.equal(bob.heapBytes(), before, 'bob\'s wasm memory grew with the message');
  assert.equal(alice.heapBytes(), aliceBefore, 'alice\'s wasm memory grew with the message she sent');
  const conv = bob.of('conversation').at(-1);
  assert.equal(conv.toTarget, 'alice');
  assert.equal(conv.unread, 1);
  assert.equal(conv.lastMessage.body.text, big);
  assert.equal(conv.lastMessage.flow, undefined, 'the conversation shows the message as the server sent it');
  let list = await bob.sdk.im.getConversations();
  assert.equal(list[0].lastMessage.mid, sent.mid);
  assert.equal(list[0].lastMessage.body.text, big);
  assert.equal(list[0].lastRef, undefined);
  // The recall reaches bob as a notification; his conversation's last message shows it recalled.
  await alice.sdk.apis.message.recall({ mid: sent.mid });
  await waitFor(() => bob.of('conversation').some((c) => c.lastMessage && c.lastMessage.recalled === true), 'bob: the recall');
  list = await bob.sdk.im.getConversations();
  assert.equal(list[0].lastMessage.recalled, true);
  assert.equal(list[0].lastMessage.body, null);
  assert.equal(list[0].unread, 0);
  assert.equal(m.body.text, big, 'the message the app got is its own copy');
});

// A message larger than the server's announced maxPayload is refused before the core parses, stores or
// frames it (it grew the sender's wasm memory by 13.5 times its size before: docs/benchmarks.md), and
// since 2026-12-06 before its text enters wasm at all: the send lane refuses it from its size (1.6 times
// its size before, embind's copy into wasm; now no growth).
test('im memory: a 2 MiB message over the socket is refused at once, naming body, without copies of it', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
  const alice = H.imPage(t, srv, { apiTransport: 'SOCKET' });
  await within(alice.ready, 'login');
  const before = alice.heapBytes();
  const size = 2 * 1024 * 1024;
  const err = await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'z'.repeat(size) } })
    .then(() => null, (e) => e);
  assert.ok(err, 'the send was refused');
  assert.equal(err.code, 400);
  assert.equal(err.field, 'body');
  assert.match(err.message, /exceeds the server's maxPayload of \d+ bytes/);
  const grown = alice.heapBytes() - before;
  t.diagnostic(`sender's wasm memory grew by ${grown} B for a ${size} B message`);
  assert.ok(grown <= 65536, `the sender's wasm memory grew by ${grown} B (${(grown / size).toFixed(1)} x the message)`);
  assert.deepEqual(alice.of('sendState'), [], 'nothing was queued');
});
