'use strict';
// Long-polling over wx.request (issue 15): when the WebSocket fails before the connection opens, sdk.io
// connects with Engine.IO's polling transport, in the same attempt. Real socket.io servers that refuse
// WebSockets (`transports: ['polling']`, as a proxy that blocks the upgrade would), both Engine.IO
// versions, the shipped dist/echatim-sdk.js in the mini-program sandbox.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { openPage, ownServer, waitEvent, within, waitFor, serverEvents } = require('./helpers');

const FAST = { forceNew: true, reconnectionDelay: 20, reconnectionDelayMax: 40 };

describe('sdk.io long-polling fallback', () => {
  it('a server that refuses WebSockets: the same attempt goes on over long-polling, and everything works', async (t) => {
    const page = openPage(t);
    const srv = await ownServer(t, { kind: 'v4', transports: ['polling'] });
    const socket = page.io(srv.url, FAST);
    const errors = [];
    socket.on('connect_error', (e) => errors.push(e.message));
    await waitEvent(socket, 'connect');
    assert.deepEqual(errors, [], 'no connect_error: the fallback is part of the attempt');
    assert.equal(socket.io.engine.transport.name, 'polling');
    assert.ok(page.sb.stats().request > 0, 'wx.request carries the session');
    // Acks, binary (base64 in the payload), server pushes in bursts, order kept.
    assert.equal(await new Promise((resolve) => socket.emit('ack', 'over http', resolve)), 'over http');
    const bin = await new Promise((resolve) => socket.emit('echo', new Uint8Array([1, 2, 250]).buffer, resolve));
    assert.deepEqual([...new Uint8Array(bin)], [1, 2, 250]);
    const got = [];
    socket.on('many', (i) => got.push(i));
    socket.emit('many', 50);
    await waitFor(() => got.length === 50, '50 pushed events');
    assert.deepEqual(got, [...Array(50).keys()]);
    for (let i = 0; i < 20; i++) socket.emit('echo', i);  // a burst: batched into few POSTs
    const echoes = [];
    socket.on('echo', (i) => echoes.push(i));
    await waitFor(() => echoes.length === 20, '20 echoes');
    assert.deepEqual(echoes, [...Array(20).keys()]);
    assert.ok(page.sb.stats().maxActiveRequests <= 3, `at most a GET and a POST at once (saw ${page.sb.stats().maxActiveRequests})`);
    // A server restart: the reconnection goes straight to polling (the transport that worked).
    const before = page.sb.stats().connectSocket;
    await srv.restart();
    await waitEvent(socket, 'connect');
    assert.equal(page.sb.stats().connectSocket, before, 'no WebSocket tried again');
    assert.equal(await new Promise((resolve) => socket.emit('ack', 'again', resolve)), 'again');
    socket.disconnect();
    await waitFor(async () => (await srv.events()).some((e) => e.type === 'disconnect'), 'the server saw the disconnect');
  });

  for (const [kind, protocol] of [['v4-eio3', 3], ['v2', 3]]) {
    it(`Engine.IO 3 payloads (${kind}): length-prefixed packets, base64 binary`, async (t) => {
      const page = openPage(t);
      const srv = await ownServer(t, { kind, transports: ['polling'] });
      const socket = page.io(srv.url, { ...FAST, protocol });
      await waitEvent(socket, 'connect');
      assert.equal(socket.io.engine.transport.name, 'polling');
      assert.equal(await new Promise((resolve) => socket.emit('ack', 'é😀', resolve)), 'é😀', 'UTF-16 lengths of non-ASCII text');
      const bin = await new Promise((resolve) => socket.emit('echo', new Uint8Array([0, 4, 255]).buffer, resolve));
      assert.deepEqual([...new Uint8Array(bin)], [0, 4, 255]);
      const got = [];
      socket.on('many', (i) => got.push(i));
      socket.emit('many', 30);
      await waitFor(() => got.length === 30, '30 pushed events');
      assert.deepEqual(got, [...Array(30).keys()]);
      socket.disconnect();
    });
  }

  it("transports: ['websocket'] never polls; ['polling'] never opens a WebSocket", async (t) => {
    const page = openPage(t);
    const srv = await ownServer(t, { kind: 'v4', transports: ['polling'] });
    const ws = page.io(srv.url, { ...FAST, transports: ['websocket'], reconnection: false });
    const [err] = await waitEvent(ws, 'connect_error');
    assert.match(err.message, /WebSocket|400/);
    assert.equal(page.sb.stats().request, 0);
    const page2 = openPage(t);
    const polling = page2.io(srv.url, { ...FAST, transports: ['polling'] });
    await waitEvent(polling, 'connect');
    assert.equal(page2.sb.stats().connectSocket, 0);
    polling.disconnect();
  });
});

describe("sdk.io with transports ['polling', 'websocket'] (socket.io-client's order)", () => {
  it('starts with long-polling and upgrades to a WebSocket the server offers', async (t) => {
    const page = openPage(t);
    const srv = await ownServer(t, { kind: 'v4' });
    const socket = page.io(srv.url, { ...FAST, transports: ['polling', 'websocket'] });
    await waitEvent(socket, 'connect');
    assert.equal(page.sb.stats().request > 0, true, 'connected over polling');
    if (socket.io.engine.transport.name !== 'websocket') await waitEvent(socket.io.engine, 'upgrade');
    assert.equal(socket.io.engine.transport.name, 'websocket');
    assert.equal(page.sb.stats().connectSocket, 1, 'one WebSocket: the probe that became the transport');
    const requests = page.sb.stats().request;
    assert.equal(await new Promise((resolve) => socket.emit('ack', 'after the upgrade', resolve)), 'after the upgrade');
    const got = [];
    socket.on('many', (i) => got.push(i));
    socket.emit('many', 20);
    await waitFor(() => got.length === 20, '20 pushed events');
    assert.deepEqual(got, [...Array(20).keys()]);
    assert.equal(page.sb.stats().request, requests, 'no HTTP request after the upgrade');
    const engine = (await srv.events()).filter((e) => e.type === 'engine-connection');
    assert.equal(engine.length, 1, 'one Engine.IO session throughout');
    socket.disconnect();
  });

  it('a probe the server refuses leaves the connection on polling', async (t) => {
    const page = openPage(t);
    const srv = await ownServer(t, { kind: 'v4', transports: ['polling'] });
    const socket = page.io(srv.url, { ...FAST, transports: ['polling', 'websocket'] });
    await waitEvent(socket, 'connect');
    assert.equal(await new Promise((resolve) => socket.emit('ack', 'still polling', resolve)), 'still polling');
    assert.equal(socket.io.engine.transport.name, 'polling');
    socket.disconnect();
  });
});
