'use strict';
// Malformed input from the server. Every scenario of tests/support/hostile-server.js, on Engine.IO 4 and
// 3: the SDK must not crash (no exception reaches the page), must report a malformed frame as the
// manager's `error` with a message that names the frame, drop the connection ("parse error") and, once
// the server behaves (the hostile server's later connections are well-formed and answer acks), be usable
// again. Then the same mid-session, injected between a real socket.io server and the SDK.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { startHostileServer, SCENARIOS, frames } = require('../support/hostile-server');
const { startHostileProxy } = require('./fixtures/hostile-proxy');
const { openPage, ownServer, waitFor, waitEvent, record, ackOf, plain, bytesOf, sleep } = require('./helpers');

const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 50, randomizationFactor: 0, timeout: 500 };

// A well-behaved server script: handshake, then answer every EVENT that wants an ack with its arguments.
function goodScript(ctx) {
  return [...frames.handshake(ctx), {
    fn: async (ws) => {
      ws.on('message', (d, isBinary) => {
        if (isBinary) return;
        const m = /^42(\d+)\["[^"]*",?(.*)$/s.exec(d.toString());
        if (m) ws.send(`43${m[1]}[${m[2]}`);
      });
    },
  }];
}

// What the SDK must do with each scenario. `frame`: a piece of the offending frame the error message
// must quote.
const PARSE_ERROR = {
  'unknown-eio-type': '9whatever',
  'empty-frame': '0 bytes',
  'unknown-sio-type': '9["x"]',
  'bad-json': '2["ev",',
  'event-not-array': '2{"a":1}',
  'event-empty-array': '2[]',
  'event-reserved-name': '"connect"',
  'ack-without-id': '3[1]',
  'nsp-without-comma': '/admin["ev"]',
  'binary-fewer-attachments': '2["after"]',
  'binary-more-attachments': 'unexpected binary frame (1 byte',
  'binary-placeholder-out-of-range': '"num":5',
  'binary-without-header': 'unexpected binary frame (3 bytes)',
  'binary-count-not-a-number': '5x-["ev"',
};
const BAD_HANDSHAKE = {
  'never-open': 'within 500 ms',
  'bad-open-json': '"pingInterval\\":',
  'open-not-object': '[1,2,3]',
  'open-missing-fields': 'pingInterval',
  'connect-string-payload': '"not an object"',
};

async function hostilePage(t, scenario, eio) {
  const h = await startHostileServer({ script: (ctx) => (ctx.index === 1 ? SCENARIOS[scenario](ctx) : goodScript(ctx)) });
  t.after(() => h.close());
  const page = openPage(t);
  const socket = page.io(h.url, { ...FAST, protocol: eio });
  const mgr = record(socket.io, ['error', 'close', 'reconnect_attempt', 'reconnect']);
  const sock = record(socket, ['connect', 'connect_error', 'disconnect']);
  return { h, page, socket, mgr, sock };
}

for (const eio of [4, 3]) {
  describe(`hostile server, Engine.IO ${eio}`, () => {
    for (const [scenario, quoted] of Object.entries(PARSE_ERROR)) {
      it(`${scenario}: manager error naming the frame, disconnect "parse error", usable after reconnecting`, async (t) => {
        const { page, socket, mgr, sock } = await hostilePage(t, scenario, eio);
        await waitFor(() => sock.count('connect') === 2, 'connect, parse error, connect again');
        const errs = mgr.filter((e) => e[0] === 'error').map((e) => e[1]);
        assert.equal(errs.length, 1, `one manager error (events: ${mgr.names().join(', ')})`);
        assert.ok(errs[0].message.includes(quoted), `"${errs[0].message}" should quote ${quoted}`);
        assert.equal(errs[0].kind, 'peer');
        assert.deepEqual(sock.filter((e) => e[0] === 'disconnect').map((e) => e[1]), ['parse error']);
        assert.deepEqual(mgr.filter((e) => e[0] === 'close').map((e) => e[1]), ['parse error']);
        assert.equal(mgr.count('reconnect'), 1);
        assert.deepEqual(await ackOf(socket, 'echo', 'fine', 2), ['fine', 2]);
        page.assertNoErrors();
      });
    }

    for (const [scenario, quoted] of Object.entries(BAD_HANDSHAKE)) {
      it(`${scenario}: manager error (and connect_error) naming the problem, then connects once the server behaves`, async (t) => {
        const { page, socket, mgr, sock } = await hostilePage(t, scenario, eio);
        await waitFor(() => sock.count('connect') === 1, 'connect on the second connection');
        const errs = mgr.filter((e) => e[0] === 'error').map((e) => e[1]);
        assert.equal(errs.length, 1, `one manager error (events: ${mgr.names().join(', ')})`);
        assert.ok(errs[0].message.includes(quoted), `"${errs[0].message}" should quote ${quoted}`);
        assert.equal(mgr.count('reconnect'), 1);
        assert.deepEqual(await ackOf(socket, 'echo', 'fine'), ['fine']);
        page.assertNoErrors();
      });
    }

    it('connect-error-string (44"Not authorized"): connect_error "Not authorized", no retry', async (t) => {
      const { page, socket, mgr, sock } = await hostilePage(t, 'connect-error-string', eio);
      const [err] = await waitEvent(socket, 'connect_error');
      assert.equal(err.message, 'Not authorized');
      assert.equal(err.data, undefined);
      await sleep(300);
      assert.equal(mgr.count('reconnect_attempt'), 0);
      assert.equal(sock.count('connect'), 0);
      page.assertNoErrors();
    });

    it('connect-error-object: connect_error with message and data', async (t) => {
      const { socket } = await hostilePage(t, 'connect-error-object', eio);
      const [err] = await waitEvent(socket, 'connect_error');
      assert.equal(err.message, 'auth failed');
      assert.deepEqual(plain(err.data), { code: 401 });
    });

    for (const scenario of ['server-disconnect', 'disconnect-with-payload']) {
      it(`${scenario}: "io server disconnect", no reconnection`, async (t) => {
        const { page, mgr, sock } = await hostilePage(t, scenario, eio);
        await waitFor(() => sock.count('disconnect') === 1, 'disconnect');
        assert.equal(sock.find((e) => e[0] === 'disconnect')[1], 'io server disconnect');
        await sleep(300);
        assert.equal(mgr.count('reconnect_attempt'), 0);
        page.assertNoErrors();
      });
    }

    for (const scenario of ['eio-close-packet', 'invalid-utf8']) {
      it(`${scenario}: a transport failure (not a parse error), reconnects`, async (t) => {
        const { page, socket, mgr, sock } = await hostilePage(t, scenario, eio);
        await waitFor(() => sock.count('connect') === 2, 'connect again');
        const reason = sock.find((e) => e[0] === 'disconnect')[1];
        assert.ok(['transport close', 'transport error'].includes(reason), reason);
        assert.equal(mgr.count('error'), 0);
        assert.deepEqual(await ackOf(socket, 'echo', 'ok'), ['ok']);
        page.assertNoErrors();
      });
    }

    for (const scenario of ['ack-unknown-id', 'pings', ...(eio === 3 ? ['silent-after-open'] : [])]) {
      it(`${scenario}: harmless, stays connected`, async (t) => {
        const { page, socket, mgr, sock } = await hostilePage(t, scenario, eio);
        await waitFor(() => sock.count('connect') === 1, 'connect');
        await sleep(400);
        assert.equal(socket.connected, true);
        assert.deepEqual(mgr, [], 'no manager event');
        assert.deepEqual(sock.names(), ['connect']);
        page.assertNoErrors();
      });
    }

    if (eio === 4) {
      it('silent-after-open (no pings from an EIO4 server): "ping timeout", reconnects', async (t) => {
        const { socket, sock } = await hostilePage(t, 'silent-after-open', eio);
        await waitFor(() => sock.count('connect') === 2, 'connect again');
        assert.equal(sock.find((e) => e[0] === 'disconnect')[1], 'ping timeout');
        assert.deepEqual(await ackOf(socket, 'echo', 'ok'), ['ok']);
      });
    }

    it('binary-ok: the event with nested page-realm ArrayBuffers', async (t) => {
      const { page, socket } = await hostilePage(t, 'binary-ok', eio);
      const [a, b] = await waitEvent(socket, 'bin');
      assert.ok(page.isPageArrayBuffer(a) && page.isPageArrayBuffer(b.nested));
      assert.deepEqual(bytesOf(a), [1, 2, 3]);
      assert.deepEqual(bytesOf(b.nested), [4]);
    });

    it('oversize (1.1 MB text, above the announced maxPayload): delivered, the receive limit is 16 MiB', async (t) => {
      const { socket } = await hostilePage(t, 'oversize', eio);
      const [big] = await waitEvent(socket, 'big');
      assert.equal(big.length, 1100000);
    });
  });
}

describe('malformed frames injected into a session with a real server (hostile proxy)', () => {
  const cases = {
    'truncated JSON': { frame: '42["ev",{"k":', quoted: '2["ev",{"k":' },
    'unknown Socket.IO type': { frame: '47["zz"]', quoted: '7["zz"]' },
    'binary frame out of nowhere': { frame: Buffer.from([0x7a, 0x7a, 0x7a, 0x7a]), quoted: 'unexpected binary frame (4 bytes)' },
  };
  for (const [kind, protocol] of [['v4', 4], ['v2', 3]]) {
    for (const [name, c] of Object.entries(cases)) {
      it(`socket.io ${kind} (EIO${protocol}): ${name} -> error naming it, "parse error", reconnects to the real server and works`, async (t) => {
        const server = await ownServer(t, { kind });
        const proxy = await startHostileProxy(server.port);
        t.after(() => proxy.close());
        const page = openPage(t);
        const socket = page.io(proxy.url, { ...FAST, protocol });
        const mgr = record(socket.io, ['error', 'reconnect']);
        const sock = record(socket, ['connect', 'disconnect']);
        await waitEvent(socket, 'connect');
        assert.deepEqual(await ackOf(socket, 'echo', 'before'), ['before']);
        const frame = Buffer.isBuffer(c.frame) && protocol === 3 ? Buffer.concat([Buffer.from([4]), c.frame]) : c.frame;
        const { quoted } = c;  // (EIO3: the 0x04 prefix is not part of the attachment)
        assert.equal(proxy.inject(frame), 1);
        await waitFor(() => sock.count('connect') === 2, 'connect again through the proxy');
        const errs = mgr.filter((e) => e[0] === 'error').map((e) => e[1].message);
        assert.equal(errs.length, 1, errs.join(' | '));
        assert.ok(errs[0].includes(quoted), `"${errs[0]}" should quote ${quoted}`);
        assert.equal(sock[1][1], 'parse error');
        assert.deepEqual(await ackOf(socket, 'echo', 'after'), ['after']);
        assert.equal((await server.events()).filter((e) => e.type === 'connect' && e.nsp === '/').length, 2, 'the real server saw two connections');
        page.assertNoErrors();
      });
    }
  }
});
