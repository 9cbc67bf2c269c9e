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
});
