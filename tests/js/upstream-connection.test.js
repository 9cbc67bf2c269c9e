'use strict';
// socket.io-client's own connection tests (socketio/socket.io-client, test/connection.ts), rewritten for
// sdk.io / sdk.Manager in the mini-program sandbox against tests/support's socket.io 4 server. Test
// names are upstream's (PORTED.md maps them). Where upstream reaches into client internals
// (manager.engine, packetCreate) the test observes the same thing from the outside: the server's log
// or the frames of the sandbox's WebSockets. Where upstream forces failures with `timeout: 0`, a server
// that never completes the handshake or a dead port stands in, so that a real socket fails (sdk.io's own
// `timeout: 0`, which opens no socket at all, is pinned by io-compat.test.js).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startHostileServer, SCENARIOS } = require('../support/hostile-server');
const {
  openPage, sharedServer, waitFor, waitEvent, within, record, ackOf, plain, bytesOf, sleep, serverEvents, deadUrl,
} = require('./helpers');

// A Manager of the page's SDK, closed at the end of the test.
function manager(t, page, url, opts) {
  const m = new page.sdk.Manager(url, opts);
  t.after(() => m._close());
  return m;
}

// A server whose handshake never completes: every attempt fails after `timeout`.
async function neverOpens(t) {
  const h = await startHostileServer({ script: SCENARIOS['never-open'] });
  t.after(() => h.close());
  return h.url;
}

describe('connection (upstream test/connection.ts)', () => {
  const srv = sharedServer(before, after, { kind: 'v4' });
  const URL = () => srv.server.url;

  it('should connect to localhost', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    socket.emit('hi');
    await waitEvent(socket, 'hi');
    socket.disconnect();
  });

  it('should not connect when autoConnect option set to false', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, autoConnect: false });
    await within(page.sdk.ready(), 'sdk.ready()');
    await page.sb.flush();
    assert.equal(page.sb.stats().connectSocket, 0, 'no WebSocket');
    assert.equal(socket.connected, false);
    socket.disconnect();
  });

  it('should start two connections with same path', (t) => {
    const page = openPage(t);
    const s1 = page.io(`${URL()}/`);
    const s2 = page.io(`${URL()}/`);
    assert.notEqual(s1.io, s2.io);
    s1.disconnect();
    s2.disconnect();
  });

  it('should start two connections with same path and different querystrings', (t) => {
    const page = openPage(t);
    const s1 = page.io(`${URL()}/?woot`);
    const s2 = page.io(`${URL()}/`);
    assert.notEqual(s1.io, s2.io);
    s1.disconnect();
    s2.disconnect();
  });

  it('should start two connections with different paths', (t) => {
    const page = openPage(t);
    const s1 = page.io(`${URL()}/`, { path: '/foo' });
    const s2 = page.io(`${URL()}/`, { path: '/bar' });
    assert.notEqual(s1.io, s2.io);
    s1.disconnect();
    s2.disconnect();
  });

  it('should start a single connection with different namespaces', (t) => {
    const page = openPage(t);
    const opts = {};
    const s1 = page.io(`${URL()}/foo`, opts);
    const s2 = page.io(`${URL()}/bar`, opts);
    assert.equal(s1.io, s2.io);
    s1.disconnect();
    s2.disconnect();
  });

  it('should work with acks', async (t) => {
    // upstream's server emits "ack" with a callback and answers "got it" when it gets (5, {test: true});
    // the support server's request-ack does the same with other names
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    socket.on('server-ack-request', (fn) => fn(5, { test: true }));
    const got = waitEvent(socket, 'server-ack-received');
    socket.emit('request-ack');
    assert.deepEqual(plain(await got), [5, { test: true }]);
    socket.disconnect();
  });

  it('should receive date with ack', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const [data] = await ackOf(socket, 'getAckDate', { test: true });
    assert.equal(typeof data, 'string');
    socket.disconnect();
  });

  it('should work with false', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    socket.emit('false');
    const [f] = await waitEvent(socket, 'false');
    assert.equal(f, false);
    socket.disconnect();
  });

  it('should receive utf8 multibyte characters', async (t) => {
    const correct = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', '😀 emoji'];  // (the support server's list)
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const got = [];
    socket.on('takeUtf8', (data) => got.push(data));
    socket.emit('getUtf8');
    await waitFor(() => got.length === correct.length, 'five takeUtf8');
    assert.deepEqual(got, correct);
    socket.disconnect();
  });

  it('should connect to a namespace after connection established', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL());
    const socket = m.socket('/');
    await waitEvent(socket, 'connect');
    const foo = m.socket('/foo');
    await waitEvent(foo, 'connect');
    foo.close();
    socket.close();
  });

  it('should open a new namespace after connection gets closed', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL());
    const socket = m.socket('/');
    await waitEvent(socket, 'connect');
    const fooConnected = new Promise((resolve) => {
      socket.on('disconnect', () => {
        const foo = m.socket('/foo');
        foo.on('connect', () => { foo.disconnect(); resolve(); });
      });
    });
    socket.disconnect();
    await within(fooConnected, '/foo connect');
  });

  it('should reconnect by default', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, reconnectionDelay: 0 });
    await waitEvent(socket, 'connect');
    const reconnected = waitEvent(socket.io, 'reconnect');
    await srv.server.dropTransports();  // upstream: socket.io.engine.close()
    await reconnected;
    socket.disconnect();
  });

  it('should reconnect manually', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    await waitEvent(socket, 'connect');
    const gone = waitEvent(socket, 'disconnect');
    socket.disconnect();
    await gone;
    const back = waitEvent(socket, 'connect');
    socket.connect();
    await back;
    socket.disconnect();
  });

  it('should reconnect automatically after reconnecting manually', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true, reconnectionDelay: 50 });
    await waitEvent(socket, 'connect');
    socket.disconnect();
    const back = waitEvent(socket, 'connect');
    socket.connect();
    await back;
    const reconnected = waitEvent(socket.io, 'reconnect');
    await srv.server.dropTransports();
    await reconnected;
    socket.disconnect();
  });

  it('should attempt reconnects after a failed reconnect', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await neverOpens(t), { reconnection: true, timeout: 50, reconnectionAttempts: 2, reconnectionDelay: 10 });
    const socket = m.socket('/timeout');
    await waitEvent(m, 'reconnect_failed');
    const attempts = record(m, ['reconnect_attempt']);
    const failedAgain = waitEvent(m, 'reconnect_failed');
    socket.connect();
    await failedAgain;
    assert.equal(attempts.length, 2);
    socket.close();
  });

  it('should not reconnect when force closed', async (t) => {
    const page = openPage(t);
    // reconnectionDelay 100, not upstream's 10: the core advances its timers before each input, so a
    // process stalled for the 5-15 ms of a 10 ms backoff between the error and disconnect() made the due
    // attempt first (seen once in a loaded CI rehearsal); 50-150 ms still ends well inside the 500 ms.
    const socket = page.io(`${await neverOpens(t)}/invalid`, { forceNew: true, timeout: 50, reconnectionDelay: 100 });
    await waitEvent(socket.io, 'error');
    const attempts = record(socket.io, ['reconnect_attempt']);
    socket.disconnect();
    await sleep(500);
    assert.deepEqual(attempts, []);
  });

  it('should stop reconnecting when force closed', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${await neverOpens(t)}/invalid`, { forceNew: true, timeout: 50, reconnectionDelay: 10 });
    await waitEvent(socket.io, 'reconnect_attempt');
    const attempts = record(socket.io, ['reconnect_attempt']);
    socket.disconnect();
    await sleep(500);
    assert.deepEqual(attempts, []);
  });

  it('should reconnect after stopping reconnection', async (t) => {
    const page = openPage(t);
    const socket = page.io(`${await neverOpens(t)}/invalid`, { forceNew: true, timeout: 50, reconnectionDelay: 10 });
    await waitEvent(socket.io, 'reconnect_attempt');
    const again = waitEvent(socket.io, 'reconnect_attempt');
    socket.disconnect();
    socket.connect();
    await again;
    socket.disconnect();
  });

  it('should stop reconnecting on a socket and keep to reconnect on another', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { reconnectionDelay: 50, randomizationFactor: 0 });
    const socket1 = m.socket('/');
    const socket2 = m.socket('/asd');
    await Promise.all([waitEvent(socket1, 'connect'), waitEvent(socket2, 'connect')]);
    const s1 = record(socket1, ['connect']);
    m.once('reconnect_attempt', () => socket1.disconnect());
    const back = waitEvent(socket2, 'connect');
    await srv.server.dropTransports();  // upstream: manager.engine.close()
    await back;
    await sleep(300);
    assert.deepEqual(s1, []);
    assert.equal(socket2.connected, true);
    socket2.disconnect();
  });

  it('should try to reconnect twice and fail when requested two attempts with immediate timeout and reconnect enabled', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await neverOpens(t), { reconnection: true, timeout: 50, reconnectionAttempts: 2, reconnectionDelay: 10 });
    const attempts = record(m, ['reconnect_attempt']);
    const socket = m.socket('/timeout');
    await waitEvent(m, 'reconnect_failed');
    assert.equal(attempts.length, 2);
    socket.close();
  });

  it('should fire reconnect_* events on manager', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await neverOpens(t), { reconnection: true, timeout: 50, reconnectionAttempts: 2, reconnectionDelay: 10 });
    const socket = m.socket('/timeout_socket');
    const attempts = record(m, ['reconnect_attempt']);
    await waitEvent(m, 'reconnect_failed');
    assert.deepEqual(attempts.map((e) => e[1]), [1, 2]);
    socket.close();
  });

  it('should fire reconnecting (on manager) with attempts number when reconnecting twice', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await neverOpens(t), { reconnection: true, timeout: 50, reconnectionAttempts: 2, reconnectionDelay: 10 });
    const socket = m.socket('/timeout_socket');
    let reconnects = 0;
    const numbers = [];
    m.on('reconnect_attempt', (n) => { reconnects++; numbers.push([n, reconnects]); });
    await waitEvent(m, 'reconnect_failed');
    assert.equal(reconnects, 2);
    assert.deepEqual(numbers, [[1, 1], [2, 2]]);
    socket.close();
  });

  it('should not try to reconnect and should form a connection when connecting to correct port with default timeout', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { reconnection: true, reconnectionDelay: 10 });
    const attempts = record(m, ['reconnect_attempt']);
    const socket = m.socket('/valid');
    await waitEvent(socket, 'connect');
    await sleep(500);
    assert.deepEqual(attempts, []);
    socket.close();
  });

  it('should connect while disconnecting another socket', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL());
    const socket1 = m.socket('/foo');
    await waitEvent(socket1, 'connect');
    const socket2 = m.socket('/asd');
    const connected = waitEvent(socket2, 'connect');
    socket1.disconnect();
    await connected;
  });

  it('should not close the connection when disconnecting a single socket', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { autoConnect: false });
    const socket1 = m.socket('/foo');
    const socket2 = m.socket('/asd');
    socket1.connect();
    await waitEvent(socket1, 'connect');
    socket2.connect();
    await waitEvent(socket2, 'connect');
    const s2 = record(socket2, ['disconnect']);
    const closes = record(m, ['close']);
    socket1.disconnect();
    await sleep(200);
    assert.deepEqual(s2, []);
    assert.deepEqual(closes, []);
    const closed = waitEvent(m, 'close');
    socket2.disconnect();
    await closed;
  });

  it('should try to reconnect twice and fail when requested two attempts with incorrect address and reconnect enabled', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await deadUrl(), { reconnection: true, reconnectionAttempts: 2, reconnectionDelay: 10 });
    const socket = m.socket('/asd');
    const attempts = record(m, ['reconnect_attempt']);
    await waitEvent(m, 'reconnect_failed');
    assert.equal(attempts.length, 2);
    socket.disconnect();
  });

  it('should not try to reconnect with incorrect port when reconnection disabled', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await deadUrl(), { reconnection: false });
    const attempts = record(m, ['reconnect_attempt']);
    const errored = waitEvent(m, 'error');
    const socket = m.socket('/invalid');
    await errored;
    await sleep(500);
    assert.deepEqual(attempts, []);
    socket.disconnect();
  });

  it('should still try to reconnect twice after opening another socket asynchronously', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, await deadUrl(), { reconnection: true, reconnectionAttempts: 2, reconnectionDelay: 100 });
    const attempts = record(m, ['reconnect_attempt']);
    const failed = waitEvent(m, 'reconnect_failed');
    const socket = m.socket('/room1');
    await sleep(25);  // upstream: a fraction of the first delay
    m.socket('/room2');
    await failed;
    assert.equal(attempts.length, 2);
    socket.disconnect();
  });

  it('should emit date as string', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const got = waitEvent(socket, 'takeDate');
    socket.emit('getDate');
    const [data] = await got;
    assert.equal(typeof data, 'string');
    socket.close();
  });

  it('should emit date in object', async (t) => {
    // the support server has no "getDateObj": the test pushes the same event through the server
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    await waitEvent(socket, 'connect');
    const got = waitEvent(socket, 'takeDateObj');
    await srv.server.emit('/', 'takeDateObj', { date: new Date() });
    const [data] = await got;
    assert.equal(typeof data, 'object');
    assert.equal(typeof data.date, 'string');
    socket.close();
  });

  it('should get binary data (as an ArrayBuffer)', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    socket.emit('doge');
    const [buffer] = await waitEvent(socket, 'doge');
    assert.ok(page.isPageArrayBuffer(buffer), 'instanceof ArrayBuffer in the page');
    assert.equal(Buffer.from(bytesOf(buffer)).toString(), 'asdfasdf');
    socket.disconnect();
  });

  it('should send binary data (as an ArrayBuffer)', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const acked = waitEvent(socket, 'buffack');
    socket.emit('buffa', page.pageArrayBuffer([0x6a, 0xc7, 0x5d, 0x6a, 0xc7, 0x5d]));
    await acked;
    socket.disconnect();
  });

  it('should send binary data (as an ArrayBuffer) mixed with json', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    const acked = waitEvent(socket, 'jsonbuff-ack');
    socket.emit('jsonbuff', { hello: 'lol', message: page.pageArrayBuffer([0x86, 0x8c, 0xa1]), goodbye: 'gotcha' });
    await acked;
    socket.disconnect();
  });

  it('should send events with ArrayBuffers in the correct order', async (t) => {
    const page = openPage(t);
    const socket = page.io(URL(), { forceNew: true });
    socket.emit('abuff1', page.pageArrayBuffer([0x69, 0xbb, 0x9f]));
    socket.emit('abuff2', 'please arrive second');
    await ackOf(socket, 'echo', 'sync');
    const seen = await serverEvents(srv.server, (e) => e.sid === socket.id);
    assert.deepEqual(seen.map((e) => e.event), ['abuff1', 'abuff2', 'echo']);
    assert.ok(Buffer.isBuffer(seen[0].args[0]), 'abuff1 arrived as binary');
    socket.disconnect();
  });

  it('should reopen a cached socket', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { autoConnect: true });
    const socket = m.socket('/');
    await waitEvent(socket, 'connect');
    const gone = waitEvent(socket, 'disconnect');
    socket.disconnect();
    await gone;
    const socket2 = m.socket('/');
    assert.equal(socket2, socket);
    assert.equal(socket2.active, true);
    await waitEvent(socket2, 'connect');
    socket2.disconnect();
  });

  it('should not reopen a cached but active socket', async (t) => {
    // upstream watches the packets the engine creates ("0", then "1"); here: the frames the page sent
    const page = openPage(t);
    const m = manager(t, page, URL(), { autoConnect: true });
    const socket = m.socket('/');
    const socket2 = m.socket('/');
    assert.equal(socket2, socket);
    await waitEvent(socket, 'connect');
    socket.disconnect();
    await waitFor(() => page.outFrames().includes('41'), 'the DISCONNECT frame');
    assert.deepEqual(page.outFrames().filter((f) => f !== '3'), ['40', '41']);
  });

  it('should not reopen an already active socket', async (t) => {
    const page = openPage(t);
    const m = manager(t, page, URL(), { autoConnect: true });
    const socket = m.socket('/');
    const socketFoo = m.socket('/foo');
    await Promise.all([waitEvent(socket, 'connect'), waitEvent(socketFoo, 'connect')]);
    m.socket('/');
    m.socket('/foo');
    socket.disconnect();
    socketFoo.disconnect();
    await waitFor(() => page.outFrames().includes('41/foo,'), 'the DISCONNECT frames');
    assert.deepEqual(page.outFrames().filter((f) => f !== '3'), ['40', '40/foo,', '41', '41/foo,']);
  });
});
