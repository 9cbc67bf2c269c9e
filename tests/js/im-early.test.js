'use strict';
// The IM session's cold start (issue 10 goal 2): its first WebSocket opens while the wasm loads, and the
// core's first connection attempt adopts it (js-shim/im.js openImEarly, CoreDriver.open). On a real
// network the handshake then overlaps the wasm's compilation (docs/benchmarks.md: require() -> logged in
// with WebSockets that take 100 ms to open, JSC without a JIT, 1.28x -> 0.98x the raw weapp client).
const test = require('node:test');
const assert = require('node:assert');
const H = require('./fixtures/im-harness.js');
const { Storage } = require('../sandbox');

const { skip, within } = H;

test('im cold start: the first WebSocket opens before the wasm loads, and the session uses it', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const alice = H.imPage(t, srv, null);
  let atWasm = null;
  alice.sb.on('wasm-ready', () => { atWasm = alice.sb.sockets().map((s) => s.url); });
  alice.init({ apiTransport: 'SOCKET' });
  await within(alice.ready, 'login');
  assert.equal(alice.calls.length, 1, 'init called back once, logged in');
  assert.deepEqual(atWasm, [`ws://127.0.0.1:${srv.socketPort}/socket.io/?EIO=4&transport=websocket`],
    'one socket was opening when the wasm was instantiated');
  const sockets = alice.sb.sockets();
  assert.equal(sockets.length, 1, 'the core adopted it: no second socket');
  assert.equal(sockets[0].state, 'open');
  const r = await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' } });
  assert.ok(r.mid > 0, 'and the session works over it');
});

test('im cold start: protocol 3 opens the early socket with EIO=3', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const alice = H.imPage(t, srv, null);
  alice.init({ protocol: 3 });
  await within(alice.ready, 'login');
  const sockets = alice.sb.sockets();
  assert.equal(sockets.length, 1);
  assert.match(sockets[0].url, /\?EIO=3&transport=websocket$/);
});

test('im cold start: a config the core refuses closes the early socket unused', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const alice = H.imPage(t, srv, null);
  const outcome = await alice.init({ sendWindow: 0 });  // out of range: the core names it
  assert.equal(outcome, undefined, 'init resolved without an sdk');
  const errors = alice.of('error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 400);
  assert.equal(errors[0].field, 'sendWindow');
  assert.equal(errors[0].fatal, true);
  const sockets = alice.sb.sockets();
  assert.equal(sockets.length, 1, 'the early socket, and no other');
  await H.waitFor(() => alice.sb.sockets()[0].state === 'closed', 'the early socket closed');
  assert.equal(alice.sb.sockets()[0].closeReason, 'unused');
});

test('im cold start: no early socket when the config is not plain (the core decides)', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const alice = H.imPage(t, srv, null);
  let atWasm = null;
  alice.sb.on('wasm-ready', () => { atWasm = alice.sb.sockets().length; });
  alice.init({ socketPort: ` ${srv.socketPort}` });  // a port the core reads (or refuses) itself
  await alice.ready;
  assert.equal(atWasm, 0, 'nothing was opened before the core');
});

// sdk.im's own phases (js-shim/im.js, the table above class Im): an init replaced while the wasm loads.
test('im init replaced while the wasm loads: one session, the second one; calls made meanwhile fail closed', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, null);
  const first = page.sdk.im.init(H.imConfig(srv, { loginAuid: 'alice', loginToken: 'pa', apiTransport: 'SOCKET' }));
  const early = H.settle(page.sdk.apis.user.get({ auid: 'alice' }));  // waits for the first run's core
  const second = page.sdk.im.init(H.imConfig(srv, { loginAuid: 'bob', loginToken: 'pb', apiTransport: 'SOCKET' }));
  assert.equal(await within(first, 'first init'), undefined, 'the first init ended without an sdk (replaced)');
  const e = await early;
  assert.equal(e.ok, false);
  assert.equal(e.error.code, -1004, 'a call waiting on the replaced run fails closed');
  assert.ok(await within(second, 'second init'), 'the second init logged in');
  const r = await page.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'hi' } });
  assert.ok(r.mid > 0);
  const open = page.sb.sockets().filter((s) => s.state === 'open');
  assert.equal(open.length, 1, 'one socket: the replaced run attached no core of its own');
});

// An app listener that ends the session while the core attaches: the listeners run inside the core's
// load (a restored outbox's sendState) and start (the first state). Until 2026-12-06 the attach went on
// with the driver close() had dropped: an unhandled TypeError (node:test fails the test on it).
test('im init: a listener that closes the session (or inits again) while the core loads and starts', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const storage = new Storage();
  // A message left in the outbox: sent while the socket cannot connect (nobody listens on port 1).
  const first = H.imPage(t, srv, null, { storage });
  first.sdk.im.init(H.imConfig(srv, { socketPort: 1, apiTransport: 'SOCKET' }));
  const left = H.settle(first.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'kept' }, clientMsgId: 'kept-1' }));
  await H.waitFor(() => storage.keys.some((k) => k.endsWith(':outbox:kept-1')), 'the outbox record');
  first.sdk.im.close();
  assert.equal((await left).error.code, -1004);

  // Closed by the restored message's sendState (inside the core's load).
  const closer = H.imPage(t, srv, null, { storage });
  const states = [];
  closer.sdk.im.on('sendState', (s) => { states.push(s.state); closer.sdk.im.close(); });
  assert.equal(await within(closer.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET' })), 'init'), undefined, 'closed: no sdk');
  assert.deepEqual(states, ['queued']);
  assert.ok(storage.keys.some((k) => k.endsWith(':outbox:kept-1')), 'the message stays in the outbox');

  // Closed by the first state (inside the core's start).
  const early = H.imPage(t, srv, null, { storage });
  const seen = [];
  early.sdk.im.on('state', (s) => { seen.push(`${s.state} ${s.reason}`); if (s.state === 'connecting') early.sdk.im.close(); });
  assert.equal(await within(early.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET' })), 'init'), undefined);
  assert.deepEqual(seen, ['connecting start', 'disconnected closed']);

  // Another init from the listener inside the load: that one runs, and sends the message.
  const again = H.imPage(t, srv, null, { storage });
  let second = null;
  again.sdk.im.on('sendState', () => {
    if (!second) second = again.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET', requestTimeout: 9000 }));
  });
  assert.equal(await within(again.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET' })), 'first init'), undefined, 'replaced');
  assert.ok(await within(second, 'second init'), 'the second init logged in');
  await H.waitFor(() => again.of('sent').some((x) => x.clientMsgId === 'kept-1'), 'the kept message sent');
  await H.waitFor(() => !storage.keys.some((k) => k.endsWith(':outbox:kept-1')), 'its record removed');
  for (const page of [closer, early]) {
    assert.equal(page.sb.sockets().filter((s) => s.state === 'open').length, 0, 'a closed run leaves no socket open');
  }
});
