'use strict';
// socket.io-client 4.8 API that sdk.io matches (issue 15): `timeout: 0`, the Manager's setters and
// getters, `new Manager(opts)` without a URL, the onAnyOutgoing family, the `ackTimeout` and `retries`
// options, connection-state recovery (`socket.recovered`). The shipped dist/echatim-sdk.js in the
// mini-program sandbox against a real socket.io 4 server (tests/support).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  openPage, sharedServer, ownServer, waitEvent, record, within, serverEvents, waitFor, deadUrl,
} = require('./helpers');

// The text frames a page's WebSocket `i` sent that are Socket.IO EVENTs ("42…").
function sentEvents(page, i = 0) {
  const ws = page.sb.sockets()[i];
  return ws ? ws.frames.filter((f) => f.dir === 'out' && f.type === 'text' && /^42/.test(f.data)).map((f) => f.data) : [];
}

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
    assert.equal(socket.io.engine.readyState, 'opening', 'the engine exists from the attempt\'s start, as socket.io-client\'s');
    assert.equal(socket.io.engine.id, undefined);
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

  it('retries: one emit in flight at a time, in order, each try with a new ack id', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, retries: 1, ackTimeout: 200 });
    const answers = [];
    const done = new Promise((resolve) => {
      socket.emit('echo', 1, (...a) => answers.push(a));
      socket.emit('echo', 2, (...a) => answers.push(a));
      socket.emit('echo', 3, (...a) => { answers.push(a); resolve(); });
    });
    await within(done, 'the third ack');
    assert.deepEqual(answers, [[null, 1], [null, 2], [null, 3]], 'error-first acks, in emit order');
    assert.deepEqual(sentEvents(page), ['420["echo",1]', '421["echo",2]', '422["echo",3]']);
    socket.disconnect();
  });

  it('retries: an emit the server never acknowledges is sent 1 + retries times, then fails', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, retries: 3, ackTimeout: 50 });
    let echoes = 0;
    socket.on('hi', () => { echoes++; });  // the server answers "hi" with an event, never with an ack
    const [err] = await within(new Promise((resolve) => socket.emit('hi', (...a) => resolve(a))), 'the failed ack');
    assert.equal(Object.prototype.toString.call(err), '[object Error]');
    assert.match(err.message, /timed out/);
    assert.deepEqual(sentEvents(page), ['420["hi"]', '421["hi"]', '422["hi"]', '423["hi"]']);
    await waitFor(() => echoes === 4, 'the 4 "hi" answers');
    // The queue goes on after a failure; an emit without an ack function is retried just the same.
    const before = sentEvents(page).length;
    socket.emit('hi');
    await waitFor(() => sentEvents(page).length === before + 4, 'the 4 tries of an emit without ack');
    assert.throws(() => page.io(URL(), { forceNew: true, retries: -1, autoConnect: false }).emit('x'), /retries: must be a whole number >= 0/);
    socket.disconnect();
  });

  it('retries: the queue waits while disconnected, and a try lost with the connection is sent again', async (t) => {
    const page = openPage(t);
    const own = await ownServer(t, { kind: 'v4' });
    // (WebSocket only: while the server restarts, a reconnection could otherwise land on long-polling,
    // whose tries are not WebSocket frames.)
    const socket = page.io(own.url, { forceNew: true, autoConnect: false, retries: 2, reconnectionDelay: 10, reconnectionDelayMax: 20, transports: ['websocket'] });
    const answer = new Promise((resolve) => socket.emit('echo', 'a', (...a) => resolve(a)));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(page.sb.stats().connectSocket, 0, 'nothing is sent before connect()');
    socket.connect();
    assert.deepEqual(await within(answer, 'the ack after connect()'), [null, 'a']);
    // The server stops answering (SIGSTOP): the try is on the wire with no ack. A restart drops the link;
    // the reconnected socket sends the emit again with a new ack id, and that try is answered.
    own.pause();
    const second = new Promise((resolve) => socket.emit('echo', 'b', (...a) => resolve(a)));
    await waitFor(() => sentEvents(page).some((f) => f === '421["echo","b"]'), 'try 1 on the wire');
    await own.restart();
    assert.deepEqual(await within(second, 'the ack of try 2'), [null, 'b']);
    const all = page.sb.sockets().flatMap((_, i) => sentEvents(page, i));
    assert.deepEqual(all.filter((f) => f.includes('"b"')), ['421["echo","b"]', '422["echo","b"]']);
    socket.disconnect();
  });

  it('retries: an emit made in the "connect" listener is sent once', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, retries: 3 });
    const acked = new Promise((resolve) => socket.on('connect', () => socket.emit('echo', null, (...a) => resolve(a))));
    assert.deepEqual(await within(acked, 'the ack'), [null, null]);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sentEvents(page), ['420["echo",null]']);
    socket.disconnect();
  });

  it('connection-state recovery: same id, socket.recovered, and the events missed meanwhile', async (t) => {
    const page = openPage(t);
    const own = await ownServer(t, { kind: 'v4', recovery: true });
    const socket = page.io(own.url, { forceNew: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
    await waitEvent(socket, 'connect');
    assert.equal(socket.recovered, false);
    const id = socket.id;
    // An event from the server carries its offset (the last argument), which the client remembers.
    socket.emit('hi');
    await waitEvent(socket, 'hi');
    // The link drops; nothing reconnects until connect(): the server keeps the session and stores what
    // is broadcast meanwhile.
    socket.io.reconnection(false);
    socket.io.engine.close();
    await own.waitForEvent((e) => e.type === 'disconnect');
    await own.emit('/', 'missed', 1);
    const missed = waitEvent(socket, 'missed');
    socket.connect();
    await waitEvent(socket, 'connect');
    assert.equal(socket.id, id, 'the same session');
    assert.equal(socket.recovered, true);
    const args = await within(missed, 'the missed event');
    assert.equal(args[0], 1);
    assert.equal(typeof args[1], 'string', 'with its offset, as socket.io-client delivers it');
    const connects = page.sb.sockets()[1].frames.filter((f) => f.dir === 'out' && /^40/.test(f.data)).map((f) => JSON.parse(f.data.slice(2)));
    assert.equal(typeof connects[0].pid, 'string');
    assert.equal(typeof connects[0].offset, 'string');
    // A server restart forgets the session: a new id, recovered false.
    socket.io.reconnection(true);
    await own.restart();
    await waitEvent(socket, 'connect');
    assert.notEqual(socket.id, id);
    assert.equal(socket.recovered, false);
    socket.disconnect();
  });

  it('cold start: the first WebSocket opens while the wasm loads, and the core adopts it', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    assert.equal(page.sb.stats().connectSocket, 1, 'wx.connectSocket was called by io() itself');
    await waitEvent(socket, 'connect');
    assert.equal(await new Promise((resolve) => socket.emit('ack', 'warm', resolve)), 'warm');
    assert.equal(page.sb.stats().connectSocket, 1, 'the same WebSocket carries the session');
    // A Manager made with autoConnect opens its connection at once, sockets or not (socket.io-client's
    // behaviour), on its early socket; a socket made later uses that connection.
    const m = new page.sdk.Manager(URL(), {});
    t.after(() => m._close());
    assert.equal(m.engine.readyState, 'opening');
    await waitEvent(m, 'open');
    assert.equal(page.sb.sockets().length, 2);
    const late = m.socket('/');
    await waitEvent(late, 'connect');
    assert.equal(page.sb.sockets().length, 2, 'the same connection');
    late.disconnect();
    // With autoConnect: false nothing is opened until a socket connects; a speculative socket is not opened.
    const quiet = new page.sdk.Manager(URL(), { autoConnect: false });
    t.after(() => quiet._close());
    await within(page.sdk.ready(), 'sdk.ready()');
    assert.equal(page.sb.sockets().length, 2);
    socket.disconnect();
  });
});
