'use strict';
// Faithfulness check: the npm weapp.socket.io bundle (socket.io-client for mini-programs, our benchmark
// peer) must work inside the sandbox against a real socket.io@4 server, as it does in WeChat.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { once } = require('node:events');
const { Server } = require('socket.io');
const { createSandbox } = require('.');
const { makePackage, sandboxFor, waitFor } = require('./fixtures');

const BUNDLE = path.join(__dirname, '..', '..', 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js');

const PAGE = `
var io = require('../utils/weapp.socket.io.js');
var log = [];
module.exports = {
  log: log,
  connect: function (url) {
    var socket = io(url, { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 100 });
    socket.on('connect', function () { log.push('connect'); });
    socket.on('connect_error', function (e) { log.push('connect_error:' + (e && e.message)); });
    socket.on('disconnect', function (r) { log.push('disconnect:' + r); });
    socket.on('hello', function (x) { log.push('hello:' + x); });
    this.socket = socket;
    return socket;
  },
  ack: function () {
    this.socket.emit('ack', 1, 'two', { three: 3 }, function (a, b, c) { log.push('ack:' + JSON.stringify([a, b, c])); });
  },
  binary: function () {
    this.socket.emit('bin', new Uint8Array([1, 2, 3]).buffer, function (b) {
      log.push('bin:' + Object.prototype.toString.call(b) + ':' + (b instanceof ArrayBuffer) + ':' +
        Array.prototype.join.call(new Uint8Array(b), ','));
    });
  },
};`;

async function startServer(t) {
  const io = new Server({ pingInterval: 300, pingTimeout: 2000 });
  const seen = [];
  io.on('connection', (s) => {
    seen.push('connection');
    s.emit('hello', 'world');
    s.on('ack', (...args) => { const cb = args.pop(); cb(...args); });
    s.on('bin', (b, cb) => { seen.push(Buffer.isBuffer(b) ? `buffer:${[...b]}` : typeof b); cb(b); });
  });
  io.listen(0);
  await once(io.httpServer, 'listening');
  t.after(() => new Promise((r) => io.close(() => r())));
  return { io, seen, url: `ws://127.0.0.1:${io.httpServer.address().port}` };
}

test('weapp.socket.io connects to socket.io@4, gets acks and binary, survives heartbeats', { skip: !fs.existsSync(BUNDLE) && 'weapp.socket.io not installed' }, async (t) => {
  const srv = await startServer(t);
  const root = makePackage(t, { 'utils/weapp.socket.io.js': fs.readFileSync(BUNDLE), 'pages/chat.js': PAGE });
  const sb = sandboxFor(t, createSandbox, { packageRoot: root });
  const page = sb.require('/pages/chat.js');
  const log = () => Array.from(page.log);
  page.connect(srv.url);
  t.after(() => page.socket.close());
  await waitFor(() => log().includes('connect') && log().includes('hello:world'), 'connect + server event');
  page.ack();
  page.binary();
  await waitFor(() => log().some((l) => l.startsWith('ack:')) && log().some((l) => l.startsWith('bin:')), 'acks');
  assert.ok(log().includes('ack:[1,"two",{"three":3}]'));
  assert.ok(log().includes('bin:[object ArrayBuffer]:true:1,2,3'), log().join(' | '));
  assert.ok(srv.seen.includes('buffer:1,2,3'));
  // EIO4 heartbeat: the server pings (every 300 ms here), the bundle answers with pongs
  await waitFor(() => sb.sockets()[0].frames.some((f) => f.dir === 'out' && f.data === '3'), 'a pong', 5000);
  assert.equal(sb.sockets()[0].frames.some((f) => f.dir === 'out' && f.data === '2'), false, 'never pings on EIO4');
  assert.deepEqual(sb.errors, []);
  assert.equal(sb.stats().openSockets, 1);
});

test('weapp.socket.io after a suspension: "transport close", then it reconnects on show', { skip: !fs.existsSync(BUNDLE) && 'weapp.socket.io not installed' }, async (t) => {
  const srv = await startServer(t);
  const root = makePackage(t, { 'utils/weapp.socket.io.js': fs.readFileSync(BUNDLE), 'pages/chat.js': PAGE });
  const sb = sandboxFor(t, createSandbox, { packageRoot: root, suspendDelay: 0 });
  const page = sb.require('/pages/chat.js');
  const log = () => Array.from(page.log);
  page.connect(srv.url);
  t.after(() => page.socket.close());
  await waitFor(() => log().includes('connect'), 'connect');
  await sb.hideApp();
  assert.equal(sb.isSuspended, true);
  await waitFor(() => srv.io.engine.clientsCount === 0, 'server sees the client go');
  assert.deepEqual(log(), ['connect', 'hello:world'], 'nothing runs while suspended');
  await sb.showApp();
  await waitFor(() => log().filter((l) => l === 'connect').length === 2, 'reconnected');
  assert.ok(log().includes('disconnect:transport close'), log().join(' | '));
  assert.equal(srv.seen.filter((s) => s === 'connection').length, 2);
});

test('weapp.socket.io emitting a Uint8Array: lost under strictSocketSend (SocketTask.send takes ArrayBuffer only)', { skip: !fs.existsSync(BUNDLE) && 'weapp.socket.io not installed' }, async (t) => {
  const srv = await startServer(t);
  const extra = `
module.exports.view = function () {
  var log = module.exports.log;
  this.socket.emit('bin', new Uint8Array([4, 5]), function () { log.push('view-acked'); });
};`;
  for (const strict of [true, false]) {
    const root = makePackage(t, { 'utils/weapp.socket.io.js': fs.readFileSync(BUNDLE), 'pages/chat.js': PAGE + extra });
    const sb = sandboxFor(t, createSandbox, { packageRoot: root, strictSocketSend: strict });
    const page = sb.require('/pages/chat.js');
    page.connect(srv.url);
    // After the server drops it, weapp.socket.io reconnects; its close() throws ("WebSocket was closed
    // before the connection was established") when the cleanup lands during that reconnect.
    t.after(() => { try { page.socket.close(); } catch (_) { /* the peer's own throw, not under test */ } });
    await waitFor(() => Array.from(page.log).includes('connect'), 'connect');
    page.view();
    if (strict) {
      // the header goes out, the attachment's send() fails, the server waits for it forever
      await waitFor(() => sb.stats().failedCalls >= 1, 'the failed send');
      // the next text packet arrives while the server still waits for the attachment: it drops the client
      page.ack();
      await waitFor(() => Array.from(page.log).some((l) => l.startsWith('disconnect:')), 'server drops the client');
      assert.equal(Array.from(page.log).includes('view-acked'), false);
      assert.equal(Array.from(page.log).some((l) => l.startsWith('ack:')), false);
      const out = sb.sockets()[0].frames.filter((f) => f.dir === 'out').map((f) => f.type);
      assert.deepEqual(out.slice(0, 2), ['text', 'text'], 'CONNECT, then the BINARY_EVENT header, no binary frame');
    } else {
      await waitFor(() => Array.from(page.log).includes('view-acked'), 'ack for the view');
    }
  }
});
