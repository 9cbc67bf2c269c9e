'use strict';
// socket.io-client's own Socket tests (socketio/socket.io-client, test/socket.ts), rewritten for sdk.io
// in the mini-program sandbox against tests/support's socket.io 4 server (the same namespaces and
// handlers as upstream's test/support/server.ts). Test names are upstream's, so PORTED.md can map them;
// assertions on client internals (engine, sendBuffer, acks map, packet options) are replaced by what
// the page or the server can observe. The few deviations are commented.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startHostileServer, SCENARIOS } = require('../support/hostile-server');
const { openPage, sharedServer, waitFor, waitEvent, within, record, ackOf, plain, sleep, deadUrl } = require('./helpers');

const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 };

describe('socket (upstream test/socket.ts)', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });
  const URL = () => srv.server.url;

  const engineIds = async () => (await srv.server.events()).filter((e) => e.type === 'engine-connection').map((e) => e.id);

  it('should have an accessible socket id equal to the server-side socket id (default namespace)', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const [id] = await ackOf(socket, 'getId');
    assert.ok(socket.id);
    assert.equal(socket.id, id);
    assert.ok(!(await engineIds()).includes(socket.id), 'not the Engine.IO id');
  });

  it('should have an accessible socket id equal to the server-side socket id (custom namespace)', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/foo`, { forceNew: true });
    const [id] = await ackOf(socket, 'getId');
    assert.ok(socket.id);
    assert.equal(socket.id, id);
    assert.ok(!(await engineIds()).includes(socket.id));
  });

  it('clears socket.id upon disconnection', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    await waitEvent(socket, 'connect');
    const gone = waitEvent(socket, 'disconnect');
    socket.disconnect();
    await gone;
    assert.equal(socket.id, undefined);
  });

  it("doesn't fire an error event if we force disconnect in opening state", async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, timeout: 100 });
    socket.disconnect();
    const errors = record(socket.io, ['error']);
    await sleep(300);
    assert.deepEqual(errors, []);
  });

  it('fire a connect_error event when the connection cannot be established', async (t) => {
    const page = openPage(t);
    const socket = page.io(await deadUrl(), { forceNew: true, timeout: 100 });
    const [err] = await waitEvent(socket, 'connect_error');
    assert.ok(err.message);
    socket.close();
  });

  it('fire a connect_error event on open timeout (websocket)', async (t) => {
    // A server that never sends the open packet, with timeout 100: the socket's error says "timeout", as
    // socket.io-client's; the manager's "error" event says more.
    const h = await startHostileServer({ script: SCENARIOS['never-open'] });
    t.after(() => h.close());
    const page = openPage(t);
    const socket = page.io(h.url, { forceNew: true, timeout: 100, transports: ['websocket'] });
    const managerError = waitEvent(socket.io, 'error');
    const [err] = await waitEvent(socket, 'connect_error');
    assert.equal(err.message, 'timeout');
    assert.match((await managerError)[0].message, /within 100 ms/);
    socket.disconnect();
  });

  it("doesn't fire a connect_error event when the connection is already established", async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, ...FAST });
    const errs = record(socket, ['connect_error']);
    await waitEvent(socket, 'connect');
    await srv.server.dropTransports();  // upstream: socket.io.engine.close()
    await waitEvent(socket.io, 'reconnect');
    await sleep(100);
    assert.deepEqual(errs, []);
  });

  it('should change socket.id upon reconnection', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, ...FAST });
    await waitEvent(socket, 'connect');
    const id = socket.id;
    const idsAtAttempt = [];
    socket.io.on('reconnect_attempt', () => idsAtAttempt.push(socket.id));
    const reconnected = waitEvent(socket.io, 'reconnect');
    await srv.server.dropTransports();
    await reconnected;
    await waitFor(() => socket.connected, 'the socket connected again');
    assert.ok(idsAtAttempt.length >= 1);
    assert.deepEqual(idsAtAttempt.filter((x) => x !== undefined), []);
    assert.notEqual(socket.id, id);
  });

  describe('query option', () => {
    it('should accept an object (default namespace)', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`, { forceNew: true, query: { e: 'f' } });
      const [hs] = await ackOf(socket, 'getHandshake');
      assert.equal(hs.query.e, 'f');
    });

    it('should accept a query string (default namespace)', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/?c=d`, { forceNew: true });
      const [hs] = await ackOf(socket, 'getHandshake');
      assert.equal(hs.query.c, 'd');
    });

    it('should accept an object', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true, query: { a: 'b' } });
      const [hs] = await waitEvent(socket, 'handshake');
      assert.equal(hs.query.a, 'b');
    });

    it('should accept a query string', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc?b=c&d=e`, { forceNew: true });
      const [hs] = await waitEvent(socket, 'handshake');
      assert.equal(hs.query.b, 'c');
      assert.equal(hs.query.d, 'e');
    });

    it('should properly encode the parameters', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true, query: { '&a': '&=?a' } });
      const [hs] = await waitEvent(socket, 'handshake');
      assert.equal(hs.query['&a'], '&=?a');
    });
  });

  describe('auth option', () => {
    it('should accept an object', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true, auth: { a: 'b', c: 'd' } });
      const [hs] = await waitEvent(socket, 'handshake');
      assert.equal(hs.auth.a, 'b');
      assert.equal(hs.auth.c, 'd');
      assert.equal(hs.query.a, undefined);
    });

    it('should accept an function', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true, auth: (cb) => cb({ e: 'f' }) });
      const [hs] = await waitEvent(socket, 'handshake');
      assert.equal(hs.auth.e, 'f');
      assert.equal(hs.query.e, undefined);
    });
  });

  it('should fire an error event on middleware failure from custom namespace', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/no`, { forceNew: true });
    const [err] = await waitEvent(socket, 'connect_error');
    assert.equal(Object.prototype.toString.call(err), '[object Error]');
    // (the support server's refusal message; upstream's says "Auth failed (custom namespace)")
    assert.equal(err.message, 'auth failed');
    assert.deepEqual(plain(err.data), { reason: 'namespace is closed', nsp: '/no' });
    socket.disconnect();
  });

  it('should not try to reconnect after a middleware failure', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/no`, { forceNew: true, reconnectionDelay: 10 });
    const errs = record(socket, ['connect_error']);
    const attempts = record(socket.io, ['reconnect_attempt']);
    await waitFor(() => errs.length === 1, 'connect_error');
    const opened = page.sb.stats().connectSocket;
    await sleep(300);  // upstream forces a reconnection with engine.close(); here: 30 backoff periods
    assert.equal(errs.length, 1);
    assert.deepEqual(attempts, []);
    assert.equal(page.sb.stats().connectSocket, opened);
  });

  it('should properly disconnect then reconnect', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/`, { forceNew: true });
    const log = record(socket, ['disconnect', 'connect']);
    socket.once('connect', () => socket.disconnect().connect());
    await waitFor(() => log.count('connect') === 2, 'connect twice');
    await sleep(200);
    assert.equal(log.count('disconnect'), 1);
    assert.equal(socket.connected, true);
    socket.disconnect();
  });

  it('should throw on reserved event', (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/no`, { forceNew: true });
    assert.throws(() => socket.emit('disconnecting', 'goodbye'), /"disconnecting" is a reserved event name/);
  });

  it('should emit events in order', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${URL()}/`, { autoConnect: false });
    const order = [];
    const second = new Promise((resolve) => {
      socket.on('connect', () => socket.emit('echo', 'second', () => { order.push(2); resolve(); }));
    });
    socket.emit('echo', 'first', () => order.push(1));
    socket.connect();
    await within(second, 'the second ack');
    assert.deepEqual(order, [1, 2]);
    socket.disconnect();
  });

  it('should emit an event and wait for the acknowledgement', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const val = await within(socket.emitWithAck('echo', 123), 'emitWithAck');
    assert.equal(val, 123);
  });

  describe('volatile packets', () => {
    it('should discard a volatile packet when the socket is not connected', async (t) => {
      const page = openPage(t);
      const socket = page.io(URL(), { forceNew: true, autoConnect: false });
      let volatileAcked = false;
      socket.volatile.emit('getId', () => { volatileAcked = true; });
      const acked = new Promise((resolve) => socket.emit('getId', resolve));
      socket.connect();
      await within(acked, 'the buffered getId');
      await ackOf(socket, 'echo', 'sync');
      assert.equal(volatileAcked, false);
    });

    it('should send a volatile packet when the socket is connected and the pipe is ready', async (t) => {
      const page = openPage(t);
      const socket = page.io(URL(), { forceNew: true });
      await waitEvent(socket, 'connect');
      const id = await within(new Promise((resolve) => socket.volatile.emit('getId', resolve)), 'the volatile ack');
      assert.equal(id, socket.id);
    });
  });

  describe('onAny', () => {
    it('should call listener', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true });
      const [event, arg1] = await within(new Promise((resolve) => socket.onAny((...a) => resolve(a))), 'onAny');
      assert.equal(event, 'handshake');
      assert.equal(typeof arg1, 'object');
    });

    it('should prepend listener', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true });
      let count = 0;
      const calls = [];
      const last = new Promise((resolve) => socket.onAny(() => { calls.push(['any', count]); resolve(); }));
      socket.prependAny(() => { calls.push(['prepended first', count++]); });
      socket.prependAny(() => { calls.push(['prepended second', count++]); });
      await within(last, 'onAny');
      assert.deepEqual(calls, [['prepended second', 0], ['prepended first', 1], ['any', 2]]);
    });

    it('should remove listener', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/abc`, { forceNew: true });
      let failed = false;
      const fail = () => { failed = true; };
      socket.onAny(fail);
      socket.offAny(fail);
      assert.equal(socket.listenersAny().length, 0);
      await within(new Promise((resolve) => socket.onAny(resolve)), 'onAny');
      assert.equal(failed, false);
    });
  });

  describe('timeout', () => {
    it('should timeout after the given delay when socket is not connected', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`, { autoConnect: false });
      const [err] = await within(new Promise((resolve) => socket.timeout(50).emit('event', (...a) => resolve(a))), 'the timeout');
      assert.equal(Object.prototype.toString.call(err), '[object Error]');
      // (upstream also checks that the send buffer is empty: the expired packet is never sent)
      socket.connect();
      await ackOf(socket, 'echo', 'sync');
      const events = (await srv.server.events()).filter((e) => e.type === 'event' && e.sid === socket.id).map((e) => e.event);
      assert.deepEqual(events, ['echo']);
    });

    it('should timeout when the server does not acknowledge the event', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`);
      const [err] = await within(new Promise((resolve) => socket.timeout(50).emit('unknown', (...a) => resolve(a))), 'the timeout');
      assert.equal(err.message, 'operation has timed out');
    });

    it('should timeout when the server does not acknowledge the event in time', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`);
      let count = 0;
      let error;
      socket.timeout(0).emit('echo', 42, (err) => { count++; error = err; });
      await sleep(200);
      assert.equal(count, 1);
      assert.equal(Object.prototype.toString.call(error), '[object Error]');
    });

    it('should not timeout when the server does acknowledge the event', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`);
      // (upstream: timeout(50); a generous limit keeps this deterministic on a loaded machine)
      const [err, value] = await within(new Promise((resolve) => socket.timeout(5000).emit('echo', 42, (...a) => resolve(a))), 'the ack');
      assert.equal(err, null);
      assert.equal(value, 42);
    });

    it('should timeout when the server does not acknowledge the event (promise)', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`);
      await assert.rejects(within(socket.timeout(50).emitWithAck('unknown'), 'emitWithAck'), { message: 'operation has timed out' });
    });

    it('should not timeout when the server does acknowledge the event (promise)', async (t) => {
      const page = openPage(t);
      const socket = page.io(`${URL()}/`);
      const value = await within(socket.timeout(5000).emitWithAck('echo', 42), 'emitWithAck');
      assert.equal(value, 42);
    });

    describe('acknowledgement upon disconnection', () => {
      it('should not ack upon disconnection (callback)', async (t) => {
        const page = openPage(t);
        const socket = page.io(URL(), { forceNew: true });
        await waitEvent(socket, 'connect');
        let called = false;
        socket.emit('echo', 'a', () => { called = true; });
        socket.disconnect();
        await sleep(100);
        assert.equal(called, false);
      });

      it('should ack with an error upon disconnection (callback & timeout)', async (t) => {
        const page = openPage(t);
        const socket = page.io(URL(), { forceNew: true });
        await waitEvent(socket, 'connect');
        const res = new Promise((resolve) => socket.timeout(10000).emit('echo', 'a', (...a) => resolve(a)));
        socket.disconnect();
        const [err] = await within(res, 'the ack error');
        assert.equal(err.message, 'socket has been disconnected');
      });

      it('should ack with an error upon disconnection (promise)', async (t) => {
        const page = openPage(t);
        const socket = page.io(URL(), { forceNew: true });
        await waitEvent(socket, 'connect');
        const p = socket.emitWithAck('echo', 'a');
        socket.disconnect();
        await assert.rejects(within(p, 'emitWithAck'), { message: 'socket has been disconnected' });
      });

      it('should ack with an error upon disconnection (promise & timeout)', async (t) => {
        const page = openPage(t);
        const socket = page.io(URL(), { forceNew: true });
        await waitEvent(socket, 'connect');
        const p = socket.timeout(10000).emitWithAck('echo', 'a');
        socket.disconnect();
        await assert.rejects(within(p, 'emitWithAck'), { message: 'socket has been disconnected' });
      });

      it('should not discard an unsent ack (callback)', async (t) => {
        const page = openPage(t);
        const socket = page.io(URL(), { forceNew: true });
        await waitEvent(socket, 'connect');
        socket.disconnect();
        const value = new Promise((resolve) => socket.emit('echo', 'a', resolve));  // buffered
        setTimeout(() => socket.connect(), 100);
        assert.equal(await within(value, 'the buffered ack'), 'a');
      });
    });
  });
});
