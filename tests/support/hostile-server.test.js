'use strict';
// The hostile server sends exactly what its script says (checked with a raw ws client), and the npm
// socket.io clients react to the well-formed-enough scenarios the way the reference clients do.
// (Several malformed scenarios make socket.io-client 4 and 2 throw uncaught exceptions from inside
// their ws message handler — see README.md in tests/sandbox — so those are only checked raw.)

const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const ioV4 = require('socket.io-client');
const ioV2 = require('socket.io-client-v2');
const { startHostileServer, SCENARIOS, frames } = require('./hostile-server');

async function hostile(t, opts) {
  const h = await startHostileServer(opts);
  t.after(() => h.close());
  return h;
}

// A raw client: records frames; answers the open packet with "40" on EIO4 (as a socket.io client would).
function rawClient(t, url, eio) {
  const ws = new WebSocket(url);
  const got = [];
  const state = { got, closeCode: null, error: null, ws };
  ws.on('message', (data, isBinary) => {
    const d = isBinary ? Buffer.from(data) : data.toString('utf8');
    got.push(d);
    if (!isBinary && eio >= 4 && d.startsWith('0') && got.length === 1) ws.send('40');
  });
  ws.on('close', (code) => { state.closeCode = code; });
  ws.on('error', (e) => { state.error = e; });
  t.after(() => ws.terminate());
  return state;
}

async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const show = (x) => (Buffer.isBuffer(x) ? `<${[...x].join(',')}>` : x.length > 80 ? `${x.slice(0, 40)}…(${x.length})` : x);

for (const eio of [4, 3]) {
  test(`every scenario sends exactly its scripted frames (EIO${eio}, raw client)`, async (t) => {
    for (const [name, make] of Object.entries(SCENARIOS)) {
      const h = await startHostileServer({ script: make });
      try {
        const steps = make({ eio, query: {}, headers: {}, index: 1 });
        const expected = steps.filter((s) => typeof s === 'string' || Buffer.isBuffer(s));
        const c = rawClient(t, h.wsUrl(eio), eio);
        if (name === 'invalid-utf8') {
          await until(() => c.closeCode !== null && h.connections[0].closed, `${name}: close`);
          assert.equal(c.error && c.error.code, 'WS_ERR_INVALID_UTF8', name);
          assert.equal(h.connections[0].closeCode, 1007, 'the client closed with 1007');
          assert.deepEqual(c.got.map(show), expected.map(show), name);
          continue;
        }
        if (name === 'pings') {
          await until(() => c.got.filter((x) => x === '2').length >= 2, `${name}: pings`);
          continue;
        }
        await until(() => c.got.length >= expected.length && h.connections.length === 1, `${name}: ${expected.length} frames`);
        await new Promise((r) => setTimeout(r, 20)); // nothing extra follows
        assert.deepEqual(c.got.map(show), expected.map(show), name);
        assert.equal(h.connections[0].eio, eio);
        assert.equal(h.connections[0].scriptError, null, name);
      } finally {
        await h.close();
      }
    }
  });
}

test('frame builders', () => {
  assert.equal(frames.open({ eio: 3, sid: 's', pingInterval: 1, pingTimeout: 2 }), '0{"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2}');
  assert.equal(frames.open({ eio: 4, sid: 's', pingInterval: 1, pingTimeout: 2, maxPayload: 3 }), '0{"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3}');
  assert.equal(frames.connectAck(3), '40');
  assert.equal(frames.connectAck(3, '/admin'), '40/admin,');
  assert.equal(frames.connectAck(4, '/admin', 'x'), '40/admin,{"sid":"x"}');
  assert.equal(frames.event('a', 1), '42["a",1]');
  const [head, b0] = frames.binaryEvent(3, 'ev', Buffer.from([1]));
  assert.equal(head, '451-["ev",{"_placeholder":true,"num":0}]');
  assert.deepEqual([...b0], [4, 1]);
  assert.deepEqual([...frames.binaryFrame(4, [1, 2])], [1, 2]);
  assert.deepEqual([...frames.wsFrame(1, 'ab')], [0x81, 2, 97, 98]);
  assert.equal(frames.wsFrame(2, Buffer.alloc(300))[1], 126);
});

test('script steps: expect, close, terminate, autoPong, per-connection scripts, waitForFrame', async (t) => {
  const h = await hostile(t, {
    script: (ctx) => (ctx.query.mode === 'close'
      ? [frames.open({ eio: ctx.eio }), { expect: 'bye' }, { close: 4000, reason: 'scripted' }]
      : ctx.query.mode === 'drop'
        ? [frames.open({ eio: ctx.eio }), { terminate: true }]
        : [frames.open({ eio: ctx.eio }), { expect: /^never/, timeout: 50 }]),
  });
  const a = rawClient(t, `${h.wsUrl(3)}&mode=close`, 3);
  await until(() => a.got.length === 1, 'open');
  a.ws.send('2'); // EIO3 ping: autoPong answers
  await until(() => a.got.includes('3'), 'pong');
  a.ws.send('bye');
  await until(() => a.closeCode !== null, 'scripted close');
  assert.equal(a.closeCode, 4000);
  assert.ok(await h.waitForFrame((f) => f.data === 'bye'));
  const b = rawClient(t, `${h.wsUrl(4)}&mode=drop`, 4);
  await until(() => b.closeCode !== null, 'drop');
  assert.equal(b.closeCode, 1006);
  rawClient(t, h.wsUrl(4), 4);
  await h.waitForConnection(3);
  await until(() => h.connections[2].scriptError !== null, 'expect timeout');
  assert.match(h.connections[2].scriptError, /expected a client frame/);
  assert.deepEqual(h.connections.map((c) => c.query.mode || null), ['close', 'drop', null]);
});

// ---- the npm clients against the scenarios they survive ----

function client(t, which, url, opts = {}) {
  const io = which === 'v4' ? ioV4 : ioV2;
  const s = io(url, { forceNew: true, transports: ['websocket'], reconnection: false, timeout: 3000, ...opts });
  const events = [];
  for (const e of ['connect', 'connect_error', 'error', 'disconnect', 'bin', 'big']) {
    s.on(e, (...args) => events.push([e, ...args]));
  }
  t.after(() => s.close());
  return { s, events, has: (e) => events.some((x) => x[0] === e), get: (e) => events.find((x) => x[0] === e) };
}

for (const which of ['v4', 'v2']) {
  test(`socket.io-client ${which}: connect errors, server disconnect, binary, utf-8 violations`, async (t) => {
    const cases = {};
    for (const name of ['connect-error-object', 'connect-error-string', 'server-disconnect', 'binary-ok', 'invalid-utf8', 'oversize']) {
      const h = await hostile(t, { script: SCENARIOS[name] });
      cases[name] = client(t, which, h.url);
    }
    const c = cases;
    await until(() => c['connect-error-object'].has(which === 'v4' ? 'connect_error' : 'error'), 'connect error (object)');
    if (which === 'v4') {
      const [, err] = c['connect-error-object'].get('connect_error');
      assert.equal(err.message, 'auth failed');
      assert.deepEqual(err.data, { code: 401 });
    } else {
      assert.deepEqual(c['connect-error-object'].get('error')[1], { message: 'auth failed', data: { code: 401 } });
    }
    await until(() => c['connect-error-string'].has(which === 'v4' ? 'connect_error' : 'error'), 'connect error (string)');
    if (which === 'v2') assert.equal(c['connect-error-string'].get('error')[1], 'Not authorized');
    await until(() => c['server-disconnect'].has('disconnect'), 'server disconnect');
    assert.equal(c['server-disconnect'].get('disconnect')[1], 'io server disconnect');
    await until(() => c['binary-ok'].has('bin'), 'binary event');
    const [, buf, obj] = c['binary-ok'].get('bin');
    assert.deepEqual([...buf], [1, 2, 3]);
    assert.deepEqual([...obj.nested], [4]);
    assert.equal(c['binary-ok'].has('disconnect'), false);
    await until(() => c['invalid-utf8'].has('disconnect'), 'utf-8 violation');
    assert.equal(c['invalid-utf8'].get('disconnect')[1], 'transport error');
    // the reference clients do not enforce maxPayload on what they receive
    await until(() => c.oversize.has('big'), 'oversize event');
    assert.equal(c.oversize.get('big')[1].length, 1100000);
  });
}

test('socket.io-client v4: a silent server times out ("ping timeout"); a malformed packet is a "parse error"', async (t) => {
  const silent = await hostile(t, { script: SCENARIOS['silent-after-open'] });
  const bad = await hostile(t, { script: SCENARIOS['unknown-sio-type'] });
  const a = client(t, 'v4', silent.url);
  const b = client(t, 'v4', bad.url);
  await until(() => a.has('disconnect') && b.has('disconnect'), 'both disconnected');
  assert.equal(a.get('disconnect')[1], 'ping timeout');
  assert.equal(b.get('disconnect')[1], 'parse error');
});

test('socket.io-client v2 (EIO3) pings the server and autoPong answers', async (t) => {
  const h = await hostile(t, { script: SCENARIOS['silent-after-open'] });
  const c = client(t, 'v2', h.url);
  await h.waitForFrame((f) => f.data === '2', 5000);
  await until(() => c.has('connect'), 'connect');
  assert.equal(c.has('disconnect'), false);
});
