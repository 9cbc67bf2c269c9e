'use strict';
// sdk.io in the mini-program sandbox against the three server generations (real servers, loopback):
// socket.io@4 (Engine.IO 4 / protocol 5), socket.io@4 with allowEIO3 driven with `protocol: 3`, and
// socket.io@2 (Engine.IO 3 / protocol 4). The same expectations hold on each; where the protocols
// differ (auth vs namespace query, heartbeat direction) the test says so.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  SERVERS, openPage, sharedServer, ownServer, waitFor, waitEvent, within, record, ackOf, bytesOf, plain, sleep,
  serverEvents,
} = require('./helpers');

// Long enough for a (wrongly) scheduled reconnect with these options to have happened.
const QUIET_MS = 400;
const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 };

for (const [name, kind] of Object.entries(SERVERS)) {
  describe(name, () => {
    const srv = sharedServer(before, after, kind.server);
    const url = (nsp = '') => `${srv.server.url}${nsp}`;
    const connect = async (t, nsp = '', opts = {}) => {
      const page = openPage(t);
      const socket = page.io(url(nsp), { ...kind.client, ...FAST, ...opts });
      await waitEvent(socket, 'connect', { what: `connect to ${nsp || '/'}` });
      return { page, socket };
    };

    it('connects to the default namespace with the right Engine.IO version; socket.id is the server\'s', async (t) => {
      const { page, socket } = await connect(t);
      assert.equal(socket.connected, true);
      assert.equal(socket.disconnected, false);
      const [id] = await ackOf(socket, 'getId');
      assert.equal(socket.id, id);
      const [hs] = await ackOf(socket, 'getHandshake');
      assert.equal(hs.query.EIO, String(kind.eio), 'the server sees this Engine.IO version');
      assert.deepEqual(page.eioVersions(), kind.eios, 'the WebSockets opened, by EIO= in their URL');
      assert.equal(page.liveRecord().url.includes(`EIO=${kind.eio}`), true);
      page.assertNoErrors();
    });

    it('connects a custom namespace over the same WebSocket as the default one', async (t) => {
      const { page, socket } = await connect(t);
      const chat = page.io(url('/foo'), { ...kind.client, ...FAST });
      await waitEvent(chat, 'connect', { what: 'connect to /foo' });
      assert.equal(chat.io, socket.io, 'one manager per server');
      const [id] = await ackOf(chat, 'getId');
      assert.equal(chat.id, id);
      assert.notEqual(chat.id, socket.id);
      assert.equal(page.sb.stats().connectSocket, kind.eios.length, 'namespaces are multiplexed');
      assert.equal(page.sb.stats().openSockets, 1);
      await ackOf(chat, 'echo', 'on /foo');
      const seen = await serverEvents(srv.server, (e) => e.event === 'echo' && e.args[0] === 'on /foo');
      assert.equal(seen.length, 1);
      assert.equal(seen[0].nsp, '/foo');
      page.assertNoErrors();
    });

    it('a custom namespace alone (the root namespace is never used by the page)', async (t) => {
      const { socket } = await connect(t, '/asd');
      const [id] = await ackOf(socket, 'getId');
      assert.equal(socket.id, id);
      const ns = (await srv.server.sockets()).filter((x) => x.sid === id).map((x) => x.nsp);
      assert.deepEqual(ns, ['/asd']);
    });

    it('query: io(url, {query}) reaches the server\'s handshake, encoded', async (t) => {
      const { socket } = await connect(t, '', { query: { room: 'r 1&2=?', n: 3 } });
      const [hs] = await ackOf(socket, 'getHandshake');
      assert.equal(hs.query.room, 'r 1&2=?');
      assert.equal(hs.query.n, '3');
    });

    it('query: the url\'s own query string reaches the server\'s handshake', async (t) => {
      const { socket } = await connect(t, '/?from=url&x=1');
      const [hs] = await ackOf(socket, 'getHandshake');
      assert.equal(hs.query.from, 'url');
      assert.equal(hs.query.x, '1');
    });

    if (kind.protocol === 5) {
      it('auth (protocol 5): sent with the CONNECT, seen as handshake.auth, not in the query', async (t) => {
        const { page, socket } = await connect(t, '/foo', { auth: { token: 'good', extra: [1, 2] } });
        const [hs] = await ackOf(socket, 'getHandshake');
        assert.deepEqual(plain(hs.auth), { token: 'good', extra: [1, 2] });
        assert.equal(hs.query.token, undefined);
        const out = page.socketRecords()[0].frames.filter((f) => f.dir === 'out').map((f) => String(f.data));
        assert.ok(out.includes('40/foo,{"token":"good","extra":[1,2]}'), out.join(' | '));
      });
      it('auth as a function (cb) => cb({...})', async (t) => {
        const { socket } = await connect(t, '/foo', { auth: (cb) => cb({ token: 'good' }) });
        const [hs] = await ackOf(socket, 'getHandshake');
        assert.equal(hs.auth.token, 'good');
      });
    } else {
      it('auth (protocol 4): travels as the namespace query (40/foo?token=good,)', async (t) => {
        const { page, socket } = await connect(t, '/foo', { auth: { token: 'good' } });
        const [hs] = await ackOf(socket, 'getHandshake');
        // socket.io 2 merges it into handshake.query; socket.io 4 hands an EIO3 client's namespace query to
        // handshake.auth
        assert.equal((kind.server.kind === 'v2' ? hs.query : hs.auth).token, 'good');
        const out = page.liveRecord().frames.filter((f) => f.dir === 'out').map((f) => String(f.data));
        assert.ok(out.some((f) => /^40\/foo\?token=good,?$/.test(f)), `CONNECT frames: ${out.join(' | ')}`);
      });
    }

    it('middleware refusal: connect_error with the server\'s message and data, no automatic retry', async (t) => {
      const page = openPage(t);
      const socket = page.io(url('/foo'), { ...kind.client, ...FAST, auth: { fail: 'yes' } });
      const attempts = record(socket.io, ['reconnect_attempt']);
      const [err] = await waitEvent(socket, 'connect_error');
      const refusal = { reason: 'refused by middleware', nsp: '/foo' };
      if (kind.server.kind === 'v4') {
        // 44/foo,{"message":"auth failed","data":{...}}
        assert.equal(err.message, 'auth failed');
        assert.deepEqual(plain(err.data), refusal);
      } else if (kind.server.kind === 'v4-eio3') {
        // socket.io 4 sends an EIO3 client only err.data: 44/foo,{"reason":...,"nsp":...}
        assert.equal(err.message, 'the server refused the connection to namespace "/foo"');
        assert.deepEqual(plain(err.data), refusal);
      } else {
        // socket.io 2: 44/foo,"auth failed"
        assert.equal(err.message, 'auth failed');
        assert.equal(err.data, undefined);
      }
      await sleep(QUIET_MS);
      assert.equal(socket.connected, false);
      assert.equal(socket.active, false, 'a refused socket is not active');
      assert.equal(attempts.length, 0, 'no reconnection after a refusal');
    });

    it('middleware refusal on the root namespace (query fail=1): connect_error', async (t) => {
      const page = openPage(t);
      const socket = page.io(url('/?fail=1'), { ...kind.client, ...FAST });
      const [err] = await waitEvent(socket, 'connect_error');
      if (kind.server.kind === 'v4-eio3') {
        assert.deepEqual(plain(err.data), { reason: 'refused by middleware', nsp: '/' });
        assert.match(err.message, /refused/);
      } else {
        assert.equal(err.message, 'auth failed');
      }
    });

    it('emit with an ack: arguments of every JSON type come back', async (t) => {
      const { page, socket } = await connect(t);
      const args = [1, 'two', { three: [3, { four: null }] }, true, -0.5, 'utf8 — てすと'];
      const res = await ackOf(socket, 'echo', ...args);
      assert.deepEqual(JSON.parse(JSON.stringify(res)), args);
      page.assertNoErrors();
    });

    it('emitWithAck resolves with the first ack argument', async (t) => {
      const { socket } = await connect(t);
      assert.equal(await within(socket.emitWithAck('echo', 42), 'emitWithAck'), 42);
      assert.deepEqual(plain(await within(socket.emitWithAck('echo', { a: [1] }), 'emitWithAck')), { a: [1] });
    });

    it('server -> client ack: the page answers a server event, the server gets the answer', async (t) => {
      const { page, socket } = await connect(t);
      socket.on('server-ack-request', (a, b, cb) => cb('sum', a + b, { a, b }));
      const received = waitEvent(socket, 'server-ack-received');
      socket.emit('request-ack', 2, 3);
      assert.deepEqual(plain(await received), ['sum', 5, { a: 2, b: 3 }]);
      const acks = (await srv.server.events()).filter((e) => e.type === 'ack' && e.sid === socket.id);
      assert.deepEqual(acks.map((e) => e.args), [['sum', 5, { a: 2, b: 3 }]]);
      page.assertNoErrors();
    });

    it('server -> client ack with binary: the page answers with an ArrayBuffer', async (t) => {
      const { page, socket } = await connect(t);
      socket.on('server-ack-request', (x, cb) => cb(page.pageArrayBuffer([7, 7, x])));
      const received = waitEvent(socket, 'server-ack-received');
      socket.emit('request-ack', 1);
      const [ab] = await received;
      assert.ok(page.isPageArrayBuffer(ab));
      assert.deepEqual(bytesOf(ab), [7, 7, 1]);
    });

    it('binary both ways: ArrayBuffer and Uint8Array out, page-realm ArrayBuffers in', async (t) => {
      const { page, socket } = await connect(t);
      const ab = page.pageArrayBuffer([0, 1, 2, 253, 254, 255]);
      const u8 = page.pageBytes([9, 8, 7]);
      const echoed = waitEvent(socket, 'binary-echo');
      socket.emit('binary-echo', ab, { nested: u8, list: ['x', u8] }, 'text');  // echoed as an event
      const res = await ackOf(socket, 'binary-echo', ab, { nested: u8, list: ['x', u8] }, 'text');  // as an ack
      const ev = await echoed;
      for (const args of [res, ev]) {
        assert.equal(args.length, 3);
        assert.ok(page.isPageArrayBuffer(args[0]), 'an ArrayBuffer of the page realm');
        assert.deepEqual(bytesOf(args[0]), [0, 1, 2, 253, 254, 255]);
        assert.ok(page.isPageArrayBuffer(args[1].nested));
        assert.deepEqual(bytesOf(args[1].nested), [9, 8, 7]);
        assert.equal(args[1].list[0], 'x');
        assert.deepEqual(bytesOf(args[1].list[1]), [9, 8, 7]);
        assert.equal(args[2], 'text');
      }
      const [seen] = await serverEvents(srv.server, (e) => e.event === 'binary-echo' && e.sid === socket.id);
      assert.deepEqual(seen.args[0], Buffer.from([0, 1, 2, 253, 254, 255]), 'the server got the bytes');
      assert.deepEqual(seen.args[1].nested, Buffer.from([9, 8, 7]));
      assert.deepEqual(seen.args[1].list[1], Buffer.from([9, 8, 7]));
      page.assertNoErrors();
    });

    it('binary pushed by the server (and an empty buffer) arrives as page-realm ArrayBuffers', async (t) => {
      const { page, socket } = await connect(t);
      const got = waitEvent(socket, 'blob');
      await srv.server.emit('/', 'blob', Buffer.from('hello'), Buffer.alloc(0), 7);
      const [a, empty, n] = await got;
      assert.ok(page.isPageArrayBuffer(a));
      assert.equal(Buffer.from(a).toString(), 'hello');
      assert.ok(page.isPageArrayBuffer(empty));
      assert.equal(empty.byteLength, 0);
      assert.equal(n, 7);
    });

    it('server-side disconnect: "io server disconnect", no reconnection; connect() reconnects by hand', async (t) => {
      const { socket } = await connect(t);
      const mgr = record(socket.io, ['reconnect_attempt']);
      const firstId = socket.id;
      const gone = waitEvent(socket, 'disconnect');
      socket.emit('server-disconnect');
      const [reason] = await gone;
      assert.equal(reason, 'io server disconnect');
      await sleep(QUIET_MS);
      assert.equal(socket.connected, false);
      assert.equal(socket.active, false);
      assert.equal(socket.id, undefined);
      assert.equal(mgr.length, 0, 'no reconnect attempt');
      socket.connect();
      await waitEvent(socket, 'connect');
      assert.notEqual(socket.id, firstId);
      assert.deepEqual(await ackOf(socket, 'echo', 'again'), ['again']);
    });

    it('the server drops the connection: "transport close", then reconnect and connect again', async (t) => {
      const { socket } = await connect(t);
      const log = record(socket.io, ['reconnect_attempt', 'reconnect']);
      const sockLog = record(socket, ['disconnect', 'connect']);
      await srv.server.dropTransports();
      await waitFor(() => sockLog.count('connect') === 1, 'connect after the server closed the connection');
      assert.equal(sockLog[0][0], 'disconnect');
      assert.ok(['transport close', 'transport error'].includes(sockLog[0][1]), sockLog[0][1]);
      assert.ok(log.count('reconnect_attempt') >= 1);
      assert.equal(log.count('reconnect'), 1);
      assert.deepEqual(await ackOf(socket, 'echo', 1), [1]);
    });

    it('timeout(ms).emit without an answer: Error("operation has timed out")', async (t) => {
      const { socket } = await connect(t);
      const [err, ...rest] = await within(new Promise((resolve) => {
        socket.timeout(150).emit('nobody-answers', 1, (...a) => resolve(a));
      }), 'the timeout callback');
      assert.ok(err instanceof Error || Object.prototype.toString.call(err) === '[object Error]');
      assert.equal(err.message, 'operation has timed out');
      assert.equal(rest.length, 0);
      // an answered one within the limit: (null, ...args)
      const ok = await within(new Promise((resolve) => socket.timeout(5000).emit('echo', 'x', (...a) => resolve(a))), 'echo');
      assert.deepEqual(ok, [null, 'x']);
      // the promise form
      await assert.rejects(within(socket.timeout(150).emitWithAck('nobody-answers'), 'emitWithAck'), { message: 'operation has timed out' });
    });

    it('volatile: dropped while disconnected, sent while connected', async (t) => {
      const page = openPage(t);
      const socket = page.io(url(), { ...kind.client, ...FAST, autoConnect: false });
      let volatileAcked = false;
      socket.volatile.emit('echo', 'volatile', () => { volatileAcked = true; });
      // dropped at once; with timeout() its callback hears why
      const dropped = new Promise((resolve) => socket.timeout(5000).volatile.emit('echo', 'volatile-timeout', (...a) => resolve(a)));
      socket.emit('echo', 'buffered');
      const [droppedErr] = await within(dropped, 'the dropped volatile emit\'s callback');
      assert.equal(droppedErr.message, 'socket has been disconnected');
      socket.connect();
      await waitEvent(socket, 'connect');
      await ackOf(socket, 'echo', 'sync');
      socket.volatile.emit('echo', 'volatile-connected');
      const [r] = await ackOf(socket, 'echo', 'last');
      assert.equal(r, 'last');
      const events = (await serverEvents(srv.server, (e) => e.event === 'echo' && e.sid === socket.id)).map((e) => e.args[0]);
      assert.deepEqual(events, ['buffered', 'sync', 'volatile-connected', 'last']);
      assert.equal(volatileAcked, false);
    });

    it('reserved event names throw, nothing is sent', async (t) => {
      const { page, socket } = await connect(t);
      const before = page.sb.stats().framesSent;
      for (const ev of ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']) {
        assert.throws(() => socket.emit(ev, 1), new RegExp(`"${ev}" is a reserved event name`));
      }
      assert.equal(page.sb.stats().framesSent, before);
    });

    it('socket.disconnect(): "io client disconnect", the WebSocket closes, no reconnection', async (t) => {
      const { page, socket } = await connect(t);
      const mgr = record(socket.io, ['reconnect_attempt']);
      const gone = waitEvent(socket, 'disconnect');
      socket.disconnect();
      assert.deepEqual(await gone, ['io client disconnect']);
      await waitFor(() => page.sb.stats().openSockets === 0, 'the WebSocket closed (no active socket left)');
      await sleep(QUIET_MS);
      assert.equal(mgr.length, 0);
      assert.equal(socket.connected, false);
    });
  });
}

describe('heartbeat with short intervals (pingInterval 200, pingTimeout 300)', () => {
  for (const [name, kind] of Object.entries(SERVERS)) {
    it(`${name}: still connected after several intervals, no reconnection, pings in the right direction`, async (t) => {
      const server = await ownServer(t, { ...kind.server, pingInterval: 200, pingTimeout: 300 });
      const page = openPage(t);
      const socket = page.io(server.url, { ...kind.client, ...FAST });
      const log = record(socket, ['disconnect', 'connect_error']);
      const mgr = record(socket.io, ['reconnect_attempt', 'error', 'close']);
      await waitEvent(socket, 'connect');
      const rec = page.liveRecord();
      const out = (d) => rec.frames.filter((f) => f.dir === 'out' && f.data === d).length;
      const inn = (d) => rec.frames.filter((f) => f.dir === 'in' && f.data === d).length;
      // EIO4: the server pings, the client pongs; EIO3: the other way round
      const [ping, pong] = kind.eio === 4 ? [inn, out] : [out, inn];
      await waitFor(() => pong('3') >= 8, '8 heartbeats', 15000);
      assert.equal(socket.connected, true);
      assert.deepEqual(log, [], 'no disconnect');
      assert.deepEqual(mgr, [], 'no reconnect, error or close');
      assert.ok(ping('2') >= 8);
      if (kind.eio === 4) assert.equal(out('2'), 0, 'an EIO4 client never pings');
      assert.equal(page.sb.stats().connectSocket, kind.eios.length, 'no new WebSocket');
      assert.deepEqual(await ackOf(socket, 'echo', 'alive'), ['alive']);
    });
  }
});

describe('protocol selection', () => {
  const cases = {
    v4: { expect: [4], then: 4 },
    'v4-eio3': { expect: [4], then: 4 },
    v2: { expect: [4, 3], then: 3 },
  };
  for (const [kindName, c] of Object.entries(cases)) {
    it(`auto against socket.io ${kindName}: WebSockets EIO=${c.expect.join(', then EIO=')}, works, and reconnects straight to EIO${c.then}`, async (t) => {
      const server = await ownServer(t, { kind: kindName });
      const page = openPage(t);
      const socket = page.io(server.url, { ...FAST, protocol: 'auto' });
      const sock = record(socket, ['connect', 'connect_error']);
      await waitEvent(socket, 'connect');
      assert.deepEqual(page.eioVersions(), c.expect);
      assert.equal(sock.count('connect_error'), 0, 'the fallback is silent');
      assert.deepEqual(await ackOf(socket, 'echo', 'auto'), ['auto']);
      const engines = (await server.events()).filter((e) => e.type === 'engine-connection').map((e) => e.eio);
      assert.equal(engines[engines.length - 1], c.then, 'the server\'s view of the connection in use');
      await server.dropTransports();
      await waitFor(() => sock.count('connect') === 2, 'reconnect');
      assert.deepEqual(page.eioVersions(), [...c.expect, c.then]);
      assert.deepEqual(await ackOf(socket, 'echo', 'again'), ['again']);
    });
  }

  it('protocol: 4 forced against socket.io 2: connect_error saying the server speaks protocol 4', async (t) => {
    const server = await ownServer(t, { kind: 'v2' });
    const page = openPage(t);
    const socket = page.io(server.url, { ...FAST, protocol: 4 });
    const [err] = await waitEvent(socket, 'connect_error');
    assert.match(err.message, /protocol 4/);
    assert.deepEqual(page.eioVersions().filter((v) => v !== 4), [], 'never falls back when told not to');
  });

  it('protocol: 3 against a socket.io 4 server without allowEIO3: connect_error, no crash', async (t) => {
    const server = await ownServer(t, { kind: 'v4' });
    const page = openPage(t);
    const socket = page.io(server.url, { ...FAST, protocol: 3, reconnection: false });
    const [err] = await waitEvent(socket, 'connect_error');
    assert.ok(err.message.length > 0);
    page.assertNoErrors();
  });

  it('protocol: 5 (not a valid value) throws at io()', (t) => {
    const page = openPage(t);
    assert.throws(() => page.io('http://127.0.0.1:1', { protocol: 5 }), /protocol must be 3, 4 or 'auto'/);
  });
});
