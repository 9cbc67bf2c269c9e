'use strict';
// socket.io-client 4.8 API that sdk.io matches (issue 15): `timeout: 0`, the Manager's setters and
// getters, `new Manager(opts)` without a URL, the onAnyOutgoing family and the `ackTimeout` option. The
// shipped dist/echatim-sdk.js in the mini-program sandbox against a real socket.io 4 server (tests/support).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  openPage, sharedServer, waitEvent, record, within, serverEvents, waitFor, deadUrl,
} = require('./helpers');

function manager(t, page, url, opts) {
  const m = url === undefined ? new page.sdk.Manager(opts) : new page.sdk.Manager(url, opts);
  t.after(() => m._close());
  return m;
}

describe('sdk.io: socket.io-client 4.8 options and methods', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });
  const URL = () => srv.server.url;

  it('timeout: 0 fails every attempt at once with a connect timeout, and the reconnect cycle goes on to reconnect_failed', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { timeout: 0, reconnectionAttempts: 2, reconnectionDelay: 10, reconnectionDelayMax: 20 });
    const log = record(m, ['error', 'reconnect_attempt', 'reconnect_error', 'reconnect_failed', 'open']);
    const socket = m.socket('/');
    const errors = record(socket, ['connect_error', 'connect']);
    await waitEvent(m, 'reconnect_failed');
    // socket.io-client's order: every failed open is an "error", a failed reconnection also a "reconnect_error".
    assert.deepEqual(log.names(), ['error', 'reconnect_attempt', 'error', 'reconnect_error', 'reconnect_attempt', 'error', 'reconnect_error', 'reconnect_failed']);
    assert.match(log[0][1].message, /within 0 ms \(timeout: 0\)/);
    assert.equal(errors.names().includes('connect'), false);
    assert.equal(page.sb.stats().connectSocket, 0, 'no WebSocket is opened only to be closed');
    // The timeout setter turns the attempts back on: the next connect() succeeds.
    assert.equal(m.timeout(5000), m);
    socket.connect();
    await waitEvent(socket, 'connect');
    socket.disconnect();
  });

  it('the Manager setters return the manager, the getters the value, with socket.io-client\'s defaults', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { autoConnect: false });
    assert.equal(m.reconnection(), true);
    assert.equal(m.reconnectionAttempts(), Infinity);
    assert.equal(m.reconnectionDelay(), 1000);
    assert.equal(m.reconnectionDelayMax(), 5000);
    assert.equal(m.randomizationFactor(), 0.5);
    assert.equal(m.timeout(), 20000);
    await within(page.sdk.ready(), 'sdk.ready()');
    assert.equal(m.reconnection(false), m);
    assert.equal(m.reconnectionAttempts(3).reconnectionDelay(10).reconnectionDelayMax(20).randomizationFactor(0).timeout(500), m);
    assert.deepEqual([m.reconnection(), m.reconnectionAttempts(), m.reconnectionDelay(), m.reconnectionDelayMax(), m.randomizationFactor(), m.timeout()],
      [false, 3, 10, 20, 0, 500]);
    assert.throws(() => m.randomizationFactor(2), /randomization/i, 'a value the core refuses throws, naming it');
    assert.equal(m.randomizationFactor(), 0, 'and is not kept');
  });

  it('reconnectionAttempts(n) and reconnection(false) set after construction steer the reconnect cycle', async (t) => {
    const page = openPage(t);
    const dead = await deadUrl();
    const m = manager(t, page, dead, { reconnectionDelay: 10, reconnectionDelayMax: 20, autoConnect: false });
    m.reconnectionAttempts(1);
    const log = record(m, ['reconnect_attempt', 'reconnect_failed']);
    m.socket('/').connect();
    await waitEvent(m, 'reconnect_failed');
    assert.deepEqual(log.names(), ['reconnect_attempt', 'reconnect_failed']);

    const m2 = manager(t, page, dead, { reconnectionDelay: 10, reconnectionDelayMax: 20 });
    m2.reconnection(false);
    const log2 = record(m2, ['error', 'reconnect_attempt']);
    m2.socket('/');
    await waitEvent(m2, 'error');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(log2.names(), ['error'], 'no reconnect attempt after reconnection(false)');
  });

  it('new Manager(opts) without a URL takes hostname, port and secure from the options', async (t) => {
    const page = openPage(t);
    const port = Number(new globalThis.URL(URL()).port);
    const m = manager(t, page, undefined, { hostname: '127.0.0.1', port, forceNew: true });
    const socket = m.socket('/');
    await waitEvent(socket, 'connect');
    assert.match(page.sb.sockets()[0].url, new RegExp(`^ws://127\\.0\\.0\\.1:${port}/socket\\.io/`));
    socket.disconnect();
  });

  it('onAnyOutgoing sees every packet sent (without the ack function), buffered emits before "connect"', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, autoConnect: false });
    const seen = [];
    const first = (...args) => seen.push(['first', ...args]);
    socket.onAnyOutgoing((...args) => seen.push(['any', ...args]));
    socket.prependAnyOutgoing(first);
    socket.emit('echo', 1, 'a');
    socket.volatile.emit('echo', 'volatile, dropped while disconnected');
    socket.on('connect', () => seen.push(['connect']));
    socket.connect();
    await waitEvent(socket, 'connect');
    await new Promise((resolve) => socket.emit('ack', { b: 2 }, resolve));
    assert.deepEqual(seen, [['first', 'echo', 1, 'a'], ['any', 'echo', 1, 'a'], ['connect'], ['first', 'ack', { b: 2 }], ['any', 'ack', { b: 2 }]]);
    assert.equal(socket.listenersAnyOutgoing().length, 2);
    socket.offAnyOutgoing(first);
    assert.equal(socket.listenersAnyOutgoing().length, 1);
    socket.offAnyOutgoing();
    assert.equal(socket.listenersAnyOutgoing().length, 0);
    socket.emit('echo', 3);
    await waitFor(async () => (await serverEvents(srv.server, (e) => e.event === 'echo' && e.args[0] === 3)).length === 1, 'the last echo sent');
    assert.equal(seen.length, 5, 'no listener left');
    socket.disconnect();
  });

  it('onAnyOutgoing gets binary arguments as the application passed them', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    await waitEvent(socket, 'connect');
    const seen = [];
    socket.onAnyOutgoing((...args) => seen.push(args));
    const bytes = new Uint8Array([1, 2, 3]);
    socket.emit('binary-echo', bytes, { nested: bytes.buffer });
    assert.equal(seen.length, 1);
    assert.equal(seen[0][0], 'binary-echo');
    assert.equal(seen[0][1], bytes);
    assert.equal(seen[0][2].nested, bytes.buffer);
    socket.disconnect();
  });

  it('manager.engine: id and transport name while connected; close() drops the connection and the manager reconnects', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
    assert.equal(socket.io.engine, null, 'no engine before the connection opens');
    await waitEvent(socket, 'connect');
    const first = socket.io.engine;
    assert.equal(typeof first.id, 'string');
    assert.ok(first.id.length > 0);
    assert.equal(first.transport.name, 'websocket');
    assert.equal(first.readyState, 'open');
    const engineClosed = waitEvent(first, 'close');
    const disconnected = waitEvent(socket, 'disconnect');
    const log = record(socket.io, ['close', 'reconnect_attempt', 'reconnect']);
    first.close();
    assert.deepEqual(await engineClosed, ['forced close']);
    assert.deepEqual(await disconnected, ['forced close']);
    assert.equal(socket.active, true, 'still active: the manager reconnects');
    await waitEvent(socket, 'connect');
    assert.deepEqual(log.names(), ['close', 'reconnect_attempt', 'reconnect']);
    assert.equal(first.readyState, 'closed');
    assert.notEqual(socket.io.engine, first, 'a new engine per connection');
    assert.notEqual(socket.io.engine.id, first.id);
    // The new connection works.
    const answer = await new Promise((resolve) => socket.emit('ack', 'again', resolve));
    assert.equal(answer, 'again');
    first.close();  // a closed engine's close() does nothing
    assert.equal(socket.connected, true);
    socket.disconnect();
  });

  it('the ackTimeout option makes acks error-first and fails them after that many ms', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, ackTimeout: 300 });
    await waitEvent(socket, 'connect');
    const answered = await new Promise((resolve) => socket.emit('ack', 'x', (...args) => resolve(args)));
    assert.equal(answered[0], null, 'error-first: no error');
    assert.equal(answered[1], 'x');
    // "hi" is not acknowledged by the server: the ack fails after ackTimeout.
    const [err] = await new Promise((resolve) => socket.emit('hi', (...args) => resolve(args)));
    assert.equal(Object.prototype.toString.call(err), '[object Error]');
    assert.match(err.message, /timed out/);
    // .timeout(ms) wins over ackTimeout.
    const [err2] = await new Promise((resolve) => socket.timeout(20).emit('hi', (...args) => resolve(args)));
    assert.match(err2.message, /timed out/);
    socket.disconnect();
  });
});
