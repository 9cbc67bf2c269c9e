'use strict';
// The child-process socket.io servers, checked with the npm clients (socket.io-client 4 and 2).

const test = require('node:test');
const { describe } = test;
const assert = require('node:assert/strict');
const ioV4 = require('socket.io-client');
const ioV2 = require('socket.io-client-v2');
const { startSioServer, fromLog } = require('./sio-server');

// kind -> the npm clients that can talk to it
const MATRIX = [
  { kind: 'v4', client: 'v4' },
  { kind: 'v4-eio3', client: 'v2' },
  { kind: 'v4-eio3', client: 'v4' },
  { kind: 'v2', client: 'v2' },
];

function connect(t, which, url, opts = {}) {
  const io = which === 'v4' ? ioV4 : ioV2;
  const socket = io(url, {
    forceNew: true, transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0, ...opts,
  });
  t.after(() => socket.close());
  return socket;
}

function next(socket, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    socket.once(event, (...args) => { clearTimeout(timer); resolve(args); });
  });
}

// v4 clients report refusals with connect_error(Error{message,data}); v2 clients with error(string|object)
function refusal(socket, which) {
  return which === 'v4'
    ? next(socket, 'connect_error').then(([e]) => ({ message: e.message, data: e.data }))
    : next(socket, 'error').then(([e]) => (typeof e === 'string' ? { message: e } : e));
}

function emitAck(socket, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${args[0]}`)), 5000);
    socket.emit(...args, (...res) => { clearTimeout(timer); resolve(res); });
  });
}

async function server(t, opts) {
  const srv = await startSioServer(opts);
  t.after(() => srv.stop());
  return srv;
}

for (const { kind, client } of MATRIX) {
  describe(`server ${kind} with socket.io-client ${client}`, { concurrency: true }, () => {
    test('echo, ack, dates, utf8, binary both ways; the server log records it all', async (t) => {
      const srv = await server(t, { kind, pingInterval: 300, pingTimeout: 1000 });
      const s = connect(t, client, srv.url);
      await next(s, 'connect');
      assert.equal(s.io.engine.pingInterval ?? s.io.engine._pingInterval, 300);
      const echoed = next(s, 'echo');
      s.emit('echo', 1, 'two', { three: [3] });
      assert.deepEqual(await echoed, [1, 'two', { three: [3] }]);
      assert.deepEqual(await emitAck(s, 'ack', 'a', null, false), ['a', null, false]);
      const [date] = await emitAck(s, 'getAckDate', {});
      assert.ok(!Number.isNaN(Date.parse(date)));
      const utf8 = [];
      s.on('takeUtf8', (x) => utf8.push(x));
      s.emit('getUtf8');
      await new Promise((r) => { const i = setInterval(() => { if (utf8.length === 5) { clearInterval(i); r(); } }, 5); });
      assert.equal(utf8[0], 'てすと');
      const doge = next(s, 'doge');
      s.emit('doge');
      const [buf] = await doge;
      assert.equal(Buffer.from(buf).toString(), 'asdfasdf');
      const mixed = next(s, 'takebin-mixed');
      s.emit('getbin');
      const [m] = await mixed;
      assert.deepEqual([...Buffer.from(m.message)], [0, 1, 2, 255]);
      const [back] = await emitAck(s, 'binary-echo', Buffer.from([7, 8, 9]));
      assert.deepEqual([...Buffer.from(back)], [7, 8, 9]);
      const ack = next(s, 'jsonbuff-ack');
      s.emit('jsonbuff', { hello: 'lol', message: Buffer.from('x'), goodbye: 'gotcha' });
      await ack;
      const log = await srv.events();
      assert.ok(log.some((e) => e.type === 'engine-connection' && e.eio === (client === 'v4' ? 4 : 3)), JSON.stringify(log[0]));
      assert.ok(log.some((e) => e.type === 'connect' && e.nsp === '/'));
      const binEv = log.find((e) => e.type === 'event' && e.event === 'binary-echo');
      assert.deepEqual([...fromLog(binEv.args[0])], [7, 8, 9]);
      assert.deepEqual(binEv.args[1], { $ack: true });
    });

    test('namespaces /foo and /abc; /no and a failing middleware refuse', async (t) => {
      const srv = await server(t, { kind });
      const foo = connect(t, client, `${srv.url}/foo`);
      await next(foo, 'connect');
      const [id] = await emitAck(foo, 'getId');
      assert.ok(typeof id === 'string' && id.length > 0);
      const abc = connect(t, client, `${srv.url}/abc`, { query: { token: 'q1' } });
      const [hs] = await next(abc, 'handshake');
      assert.equal(hs.query.token, 'q1');
      const no = connect(t, client, `${srv.url}/no`, { reconnection: false });
      const r1 = await refusal(no, client);
      const r2 = await refusal(connect(t, client, srv.url, { query: { fail: '1' }, reconnection: false }), client);
      if (kind === 'v4-eio3' && client === 'v2') {
        // socket.io 4 answers an EIO3 client with err.data alone: 44{"reason":…,"nsp":…}
        assert.deepEqual(r1, { reason: 'namespace is closed', nsp: '/no' });
        assert.deepEqual(r2, { reason: 'refused by middleware', nsp: '/' });
      } else {
        // socket.io 2: 44"auth failed"; socket.io 4 / EIO4: 44{"message":"auth failed","data":{…}}
        assert.equal(r1.message, 'auth failed');
        assert.equal(r2.message, 'auth failed');
        if (kind !== 'v2') assert.equal(r1.data.reason, 'namespace is closed');
      }
      if (client === 'v4') {
        const byAuth = connect(t, client, srv.url, { auth: { fail: true }, reconnection: false });
        assert.equal((await refusal(byAuth, client)).message, 'auth failed');
      }
      const log = await srv.events();
      assert.ok(log.filter((e) => e.type === 'refused').length >= 2);
    });

    test('server-side disconnect, server-initiated ack, server emits and transport drops', async (t) => {
      const srv = await server(t, { kind });
      const s = connect(t, client, srv.url);
      await next(s, 'connect');
      // the server asks the client for an ack and reports it back
      s.on('server-ack-request', (...args) => { const cb = args.pop(); cb('got', args.length); });
      const received = next(s, 'server-ack-received');
      s.emit('request-ack', 'a', 'b');
      assert.deepEqual(await received, ['got', 2]);
      const ackEntry = await srv.waitForEvent((e) => e.type === 'ack');
      assert.deepEqual(ackEntry.args, ['got', 2]);
      // emits from the test through the server
      const fromServer = next(s, 'pushed');
      await srv.emit('/', 'pushed', { n: 1 }, Buffer.from([5]));
      const [obj, bin] = await fromServer;
      assert.deepEqual(obj, { n: 1 });
      assert.deepEqual([...Buffer.from(bin)], [5]);
      // io server disconnect
      const gone = next(s, 'disconnect');
      s.emit('server-disconnect');
      assert.equal((await gone)[0], 'io server disconnect');
      // a fresh client, then an abrupt transport drop
      const s2 = connect(t, client, srv.url);
      await next(s2, 'connect');
      const dropped = next(s2, 'disconnect');
      await srv.dropTransports();
      assert.equal((await dropped)[0], 'transport close');
      await next(s2, 'connect'); // and it reconnects by itself
    });

    test('kill -9 and restart on the same port; the client reconnects', async (t) => {
      const srv = await server(t, { kind });
      const s = connect(t, client, srv.url);
      await next(s, 'connect');
      const port = srv.port;
      const pid = srv.pid;
      const gone = next(s, 'disconnect');
      await srv.kill('SIGKILL');
      assert.equal(srv.alive, false);
      assert.equal((await gone)[0], 'transport close');
      await srv.restart();
      assert.equal(srv.port, port);
      assert.notEqual(srv.pid, pid);
      await next(s, 'connect', 10000);
      await srv.waitForEvent((e) => e.type === 'connect' && e.generation === 2);
    });

    test('a frozen server (SIGSTOP) makes the client time out its heartbeat', async (t) => {
      const srv = await server(t, { kind, pingInterval: 100, pingTimeout: 200 });
      const s = connect(t, client, srv.url);
      await next(s, 'connect');
      const gone = next(s, 'disconnect', 10000);
      srv.pause();
      assert.equal((await gone)[0], 'ping timeout');
      srv.resume();
      await next(s, 'connect', 10000);
    });
  });
}

test('a socket.io 4 server without allowEIO3 refuses an EIO3 client', async (t) => {
  const srv = await server(t, { kind: 'v4' });
  const s = connect(t, 'v2', srv.url, { reconnection: false });
  const [err] = await next(s, 'connect_error');
  assert.ok(err);
  const log = await srv.events();
  assert.equal(log.filter((e) => e.type === 'connect').length, 0);
});

test('restart works after a graceful stop too, and the ws url helper points at the server', async (t) => {
  const srv = await server(t, { kind: 'v4' });
  assert.match(srv.wsUrl(), /^ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/\?EIO=4&transport=websocket$/);
  const port = srv.port;
  await srv.stop();
  await srv.restart();
  assert.equal(srv.port, port);
  const s = connect(t, 'v4', srv.url);
  await next(s, 'connect');
});
