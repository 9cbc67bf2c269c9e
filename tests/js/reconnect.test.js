'use strict';
// Reconnection against a real server that is killed (SIGKILL: TCP reset, no close frames) and started
// again on the same port: the manager's reconnect_* events, the socket's connect again, the send buffer
// flushed in order, volatile emits dropped, acks of the dead connection failed, expired ones not sent.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { SERVERS, openPage, ownServer, waitFor, waitEvent, record, ackOf, plain, serverEvents, within } = require('./helpers');

const BACKOFF = { reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 };

for (const [name, kind] of Object.entries(SERVERS)) {
  describe(name, () => {
    it('server killed and restarted on the same port: reconnect_attempt, reconnect, connect; buffered emits flushed in order', async (t) => {
      const server = await ownServer(t, kind.server);
      const page = openPage(t);
      const socket = page.io(server.url, { ...kind.client, ...BACKOFF });
      const mgr = record(socket.io, ['open', 'close', 'error', 'reconnect_attempt', 'reconnect', 'reconnect_error', 'reconnect_failed']);
      const sock = record(socket, ['connect', 'disconnect', 'connect_error']);
      await waitEvent(socket, 'connect');
      const firstId = socket.id;
      const port = server.port;

      // an ack the dead connection will never answer
      const lost = new Promise((resolve) => socket.timeout(30000).emit('nobody-answers', (...a) => resolve(a)));
      await server.kill();
      await waitFor(() => sock.count('disconnect') === 1, 'disconnect');
      const reason = sock.find((e) => e[0] === 'disconnect')[1];
      assert.ok(['transport close', 'transport error'].includes(reason), `reason: ${reason}`);
      assert.equal(socket.connected, false);
      assert.equal(socket.active, true, 'still wanted: the manager reconnects');
      const [lostErr] = await within(lost, 'the pending ack to fail');
      assert.equal(lostErr.message, 'socket has been disconnected');

      // while down: buffered, volatile (dropped), one that expires before it can be sent
      for (let i = 1; i <= 5; i++) socket.emit('echo', `buffered-${i}`);
      const acked = new Promise((resolve) => socket.emit('echo', 'buffered-ack', (...a) => resolve(a)));
      let volatileAcked = false;
      socket.volatile.emit('echo', 'volatile', () => { volatileAcked = true; });
      const expired = new Promise((resolve) => socket.timeout(50).emit('echo', 'expires', (...a) => resolve(a)));
      socket.emit('echo', 'buffered-last');
      const [expErr] = await within(expired, 'the expired emit');
      assert.equal(expErr.message, 'operation has timed out');

      await waitFor(() => mgr.count('reconnect_attempt') >= 2, 'two reconnect attempts against the dead port');
      assert.ok(mgr.count('reconnect_error') >= 1, 'a failed attempt is a reconnect_error');
      await server.restart();
      assert.equal(server.port, port);
      await waitFor(() => sock.count('connect') === 2, 'connect again after the restart', 15000);
      assert.equal(mgr.count('reconnect'), 1);
      const attempts = mgr.filter((e) => e[0] === 'reconnect_attempt').map((e) => e[1]);
      assert.deepEqual(attempts, attempts.map((_, i) => i + 1), 'attempts numbered 1, 2, 3, ...');
      assert.equal(mgr.find((e) => e[0] === 'reconnect')[1], attempts[attempts.length - 1], 'reconnect(n) = the attempt that worked');
      assert.equal(mgr.count('reconnect_failed'), 0);
      // as socket.io-client: every failed attempt is a manager error, a reconnect_error and (the socket
      // not being connected) a connect_error
      assert.equal(sock.count('connect_error'), mgr.count('reconnect_error'));
      assert.equal(mgr.count('error'), mgr.count('reconnect_error'));
      assert.ok(sock.filter((e) => e[0] === 'connect_error').every((e) => e[2] === undefined && e[1].message.length > 0));
      assert.notEqual(socket.id, firstId);

      assert.deepEqual(plain(await within(acked, 'the buffered ack')), ['buffered-ack']);
      await ackOf(socket, 'echo', 'sync');
      const seen = (await serverEvents(server, (e) => e.event === 'echo' && e.sid === socket.id)).map((e) => e.args[0]);
      assert.deepEqual(seen, ['buffered-1', 'buffered-2', 'buffered-3', 'buffered-4', 'buffered-5', 'buffered-ack', 'buffered-last', 'sync']);
      assert.equal(volatileAcked, false);
      if (kind.eios.length > 1) {
        // auto mode remembers what worked: every reconnect goes straight to EIO3
        assert.deepEqual(page.eioVersions().slice(kind.eios.length).filter((v) => v !== kind.eio), []);
      }
      page.assertNoErrors();
    });
  });
}

describe('reconnection limits', () => {
  it('reconnectionAttempts: 2 against a dead server: two attempts, reconnect_failed, then no more WebSockets', async (t) => {
    const server = await ownServer(t, { kind: 'v4' });
    const page = openPage(t);
    const socket = page.io(server.url, { ...BACKOFF, reconnectionAttempts: 2 });
    const mgr = record(socket.io, ['reconnect_attempt', 'reconnect_error', 'reconnect_failed']);
    await waitEvent(socket, 'connect');
    await server.kill();
    await waitFor(() => mgr.count('reconnect_failed') === 1, 'reconnect_failed');
    const opened = page.sb.stats().connectSocket;
    await new Promise((r) => setTimeout(r, 600));  // three backoff periods: nothing may happen
    assert.deepEqual(mgr.names(), ['reconnect_attempt', 'reconnect_error', 'reconnect_attempt', 'reconnect_error', 'reconnect_failed']);
    assert.equal(page.sb.stats().connectSocket, opened);
    assert.equal(socket.connected, false);
  });

  it('reconnection: false: the connection drops, the socket stays disconnected', async (t) => {
    const server = await ownServer(t, { kind: 'v4' });
    const page = openPage(t);
    const socket = page.io(server.url, { ...BACKOFF, reconnection: false });
    const mgr = record(socket.io, ['reconnect_attempt']);
    await waitEvent(socket, 'connect');
    const gone = waitEvent(socket, 'disconnect');
    await server.dropTransports();
    const [reason] = await gone;
    assert.ok(['transport close', 'transport error'].includes(reason), reason);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(mgr.length, 0);
    assert.equal(page.sb.stats().connectSocket, 1);
  });
});
