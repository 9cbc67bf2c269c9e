'use strict';
// The mini-program lifecycle: the app hidden and suspended (the sandbox closes its sockets as WeChat
// does, and freezes its timers), then shown again: the SDK reconnects at once, without waiting for the
// backoff; the network cut: no connection attempt at all; restored: connected again at once.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { openPage, ownServer, sharedServer, waitFor, waitEvent, record, ackOf, sleep } = require('./helpers');
const { before, after } = require('node:test');

// A backoff this long means "reconnected promptly" can only come from the foreground/online handling.
const SLOW = { reconnectionDelay: 30000, reconnectionDelayMax: 30000, randomizationFactor: 0 };
const PROMPT_MS = 10000;  // bound of the wait for the reconnection (well under the 30 s backoff)

describe('app hidden, suspended, shown', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });

  for (const resumeOrder of ['show-first', 'events-first']) {
    it(`sockets closed by the suspension; on show (${resumeOrder}) it reconnects at once, not after the 30 s backoff`, async (t) => {
      const page = openPage(t, { suspendDelay: 0, resumeOrder });
      const socket = page.io(srv.server.url, SLOW);
      const mgr = record(socket.io, ['reconnect_attempt', 'reconnect']);
      const sock = record(socket, ['connect', 'disconnect']);
      await waitEvent(socket, 'connect');
      await page.sb.hideApp();
      assert.equal(page.sb.isSuspended, true);
      await waitFor(() => page.sb.stats().openSockets === 0, 'the suspension to close the WebSocket');
      await sleep(200);
      assert.deepEqual(sock.names(), ['connect'], 'nothing runs while suspended');
      await page.sb.showApp();
      await waitFor(() => sock.count('connect') === 2, 'connect after showApp', PROMPT_MS);
      assert.equal(sock[1][0], 'disconnect');
      assert.ok(['transport close', 'transport error'].includes(sock[1][1]), sock[1][1]);
      assert.equal(mgr.count('reconnect'), 1);
      assert.deepEqual(await ackOf(socket, 'echo', 'back'), ['back']);
      page.assertNoErrors();
    });
  }

  it('hidden but not yet suspended (under 5 s): nothing changes, the socket stays connected', async (t) => {
    const page = openPage(t, { suspendDelay: Infinity });
    const socket = page.io(srv.server.url, SLOW);
    await waitEvent(socket, 'connect');
    const sock = record(socket, ['disconnect']);
    await page.sb.hideApp();
    await sleep(100);
    await page.sb.showApp();
    assert.deepEqual(sock, []);
    assert.deepEqual(await ackOf(socket, 'echo', 'still'), ['still']);
    assert.equal(page.sb.stats().connectSocket, 1);
  });

  it('suspended with the socket kept open past pingInterval + pingTimeout (frozen timers): the wall-clock check on show reconnects at once', async (t) => {
    const server = await ownServer(t, { kind: 'v4', pingInterval: 200, pingTimeout: 200 });
    const page = openPage(t, { suspendDelay: 0, suspendSocketClose: false });
    const socket = page.io(server.url, SLOW);
    const sock = record(socket, ['connect', 'disconnect']);
    await waitEvent(socket, 'connect');
    await page.sb.hideApp();
    await sleep(900);  // the server gives up on us after 400 ms without a pong; our timers are frozen
    await page.sb.showApp();
    await waitFor(() => sock.count('connect') === 2, 'connect after showApp', PROMPT_MS);
    assert.ok(['ping timeout', 'transport close', 'transport error'].includes(sock[1][1]), sock[1][1]);
    assert.deepEqual(await ackOf(socket, 'echo', 'back'), ['back']);
  });

  it('EIO3 server, suspended and shown: reconnects at once as well', async (t) => {
    const server = await ownServer(t, { kind: 'v2' });
    const page = openPage(t, { suspendDelay: 0 });
    const socket = page.io(server.url, SLOW);
    const sock = record(socket, ['connect', 'disconnect']);
    await waitEvent(socket, 'connect');
    await page.sb.hideApp();
    await page.sb.showApp();
    await waitFor(() => sock.count('connect') === 2, 'connect after showApp', PROMPT_MS);
    assert.deepEqual(await ackOf(socket, 'echo', 'back'), ['back']);
  });
});

describe('network status', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });

  it('offline: no connection attempt however short the backoff; online: connected again', async (t) => {
    const page = openPage(t);
    const socket = page.io(srv.server.url, { reconnectionDelay: 20, reconnectionDelayMax: 40, randomizationFactor: 0 });
    const mgr = record(socket.io, ['reconnect_attempt', 'reconnect']);
    const sock = record(socket, ['connect', 'disconnect']);
    await waitEvent(socket, 'connect');
    await page.sb.setNetwork(false);
    await waitFor(() => sock.count('disconnect') === 1, 'disconnect when the network goes');
    const opened = page.sb.stats().connectSocket;
    await sleep(600);  // 15 backoff periods
    const st = page.sb.stats();
    assert.equal(st.offlineAttempts.connectSocket, 0, 'no wx.connectSocket while offline');
    assert.equal(st.connectSocket, opened);
    assert.equal(mgr.count('reconnect_attempt'), 0);
    // emits while offline are buffered
    socket.emit('echo', 'while offline');
    await page.sb.setNetwork(true);
    await waitFor(() => sock.count('connect') === 2, 'connect when the network is back');
    assert.equal(mgr.count('reconnect'), 1);
    assert.deepEqual(await ackOf(socket, 'echo', 'online'), ['online']);
    page.assertNoErrors();
  });

  it('online again: the attempt is made at once, not after the 30 s backoff', async (t) => {
    const page = openPage(t);
    const socket = page.io(srv.server.url, SLOW);
    const sock = record(socket, ['connect', 'disconnect']);
    await waitEvent(socket, 'connect');
    await page.sb.setNetwork(false);
    await waitFor(() => sock.count('disconnect') === 1, 'disconnect');
    await page.sb.setNetwork(true);
    await waitFor(() => sock.count('connect') === 2, 'connect when the network is back', PROMPT_MS);
    assert.equal(page.sb.stats().offlineAttempts.connectSocket, 0);
  });

  it('io() called while offline: no attempt until the network comes back, then it connects', async (t) => {
    const page = openPage(t, { networkType: 'none' });
    await page.sb.setNetwork(false);
    const socket = page.io(srv.server.url, { reconnectionDelay: 20, reconnectionDelayMax: 40 });
    const sock = record(socket, ['connect', 'connect_error']);
    await sleep(400);
    assert.equal(page.sb.stats().offlineAttempts.connectSocket, 0);
    assert.equal(page.sb.stats().connectSocket, 0);
    await page.sb.setNetwork(true);
    await waitFor(() => sock.count('connect') === 1, 'connect once online', PROMPT_MS);
  });
});

describe('one platform for sdk.io and sdk.im', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });

  it('wx.onAppShow and wx.onNetworkStatusChange are registered once, and a show still reaches the socket', async (t) => {
    const { createSandbox } = require('../sandbox');
    const { sdkPackage } = require('./helpers');
    const sb = createSandbox({ packageRoot: sdkPackage(), suspendDelay: 0, quietErrors: true,
      console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
    t.after(() => sb.dispose());
    const counts = { onAppShow: 0, onNetworkStatusChange: 0, getNetworkType: 0 };
    for (const name of Object.keys(counts)) {
      const real = sb.wx[name];
      sb.wx[name] = function (...args) { counts[name]++; return real.apply(this, args); };
    }
    const sdk = sb.require('/utils/echatim-sdk.js');
    const socket = sdk.io(srv.server.url, SLOW);
    t.after(() => socket.disconnect());
    await waitEvent(socket, 'connect');
    // The IM session on a port nobody listens on: it only has to take its platform.
    sdk.im.init({ host: '127.0.0.1', httpPort: 9, socketPort: 9, key: 'k', loginAuid: 'a', loginToken: 't',
      reconnection: false });
    t.after(() => sdk.im.close());
    await waitFor(() => sdk.im.getState() !== 'connecting' || counts.onAppShow > 0, 'im.init to take the platform');
    assert.deepEqual(counts, { onAppShow: 1, onNetworkStatusChange: 1, getNetworkType: 1 });
    const sock = record(socket, ['connect']);
    await sb.hideApp();
    await waitFor(() => sb.stats().openSockets === 0, 'the suspension to close the WebSocket');
    await sb.showApp();
    await waitFor(() => sock.count('connect') === 1, 'connect after showApp', PROMPT_MS);
  });
});
