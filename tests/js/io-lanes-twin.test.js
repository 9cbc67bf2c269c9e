'use strict';
// The socket.io lanes (js-shim/core-driver.js textFrame, emitFast, ackFast; the core's on_event_fast,
// emit_fast, ack_fast) change nothing the app or the server sees. The same session twice against a
// socket.io 4 server: on a page as shipped, and on a page whose core has no echat_sio_text (the
// sandbox's wasmResult hook leaves it out: CoreDriver.fast is then false, and every frame, emit and ack
// takes the batch path, its whole text into the core). Events with every kind of argument, binary
// attachments, acks both ways, a volatile emit, a timeout-bound emit, a 70,000-character event: the same
// events, ack results, frames and what the server received.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server } = require('socket.io');
const { openPage, waitFor, CLIENT, distMissing } = require('./helpers');

const skip = CLIENT === 'weapp' || distMissing() ? 'the SDK\'s own lanes' : false;

// Host-realm copies: binary as {bytes: [...]}, functions (ack callbacks) left out.
const data = (v) => JSON.parse(JSON.stringify(copy(v)));
function copy(v) {
  if (v instanceof ArrayBuffer || Object.prototype.toString.call(v) === '[object ArrayBuffer]') {
    return { bytes: Array.from(new Uint8Array(v)) };
  }
  if (ArrayBuffer.isView(v)) return { bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (Array.isArray(v)) return Array.from(v).filter((x) => typeof x !== 'function').map(copy);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  return v;
}

async function session(t, lanes) {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { allowEIO3: true });
  const got = [];  // what the server received, in order
  io.on('connection', (s) => {
    s.onAny((name, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      got.push([name, data(args)]);
      if (ack) ack({ name, count: args.length });
      if (name !== 'go') return;
      s.emit('plain', 1, 'two', { three: [3] });
      s.emit('text', '鲍勃 "q" \\ é\u2028', null, true, 1.5e300, -0.5);
      s.emit('bin', Buffer.from([1, 2, 3]), { nested: Buffer.from([4]) });
      s.emit('ask', 'question', (answer) => got.push(['answered', data(answer)]));
      s.emit('askbin', Buffer.from([9]), (answer) => got.push(['answered bin', data(answer)]));
      s.emit('big', 'x'.repeat(70000));
      s.emit('last');
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { io.close(); httpServer.close(() => resolve()); }));
  const url = `http://127.0.0.1:${httpServer.address().port}`;

  const taken = { echat_sio_text: 0, echat_sio_emit: 0, echat_sio_ack: 0 };  // lane answers (codes >= 0)
  const options = {
    wasmResult: (result) => {
      const exports = Object.assign({}, result.instance.exports);
      if (!lanes) {
        delete exports.echat_sio_text;
      } else {
        for (const name of Object.keys(taken)) {
          const f = exports[name];
          exports[name] = (...a) => { const code = f(...a); if (code >= 0) taken[name]++; return code; };
        }
      }
      return { module: result.module, instance: { exports } };
    },
  };
  const page = openPage(t, options);
  const socket = page.io(url, { transports: ['websocket'], forceNew: true });
  const events = [];
  socket.onAny((name, ...args) => events.push([name, data(args)]));
  socket.on('ask', (q, cb) => cb(`answer to ${q}`));
  socket.on('askbin', (b, cb) => cb({ length: b.byteLength }, page.pageArrayBuffer([7, 8])));
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.emit('c1', 1, { a: 'b', u: '鲍勃' });
  socket.emit('c2', 'x', (r) => events.push(['c2 ack', data(r)]));
  socket.emit('c3', page.pageArrayBuffer([5, 6]), (r) => events.push(['c3 ack', data(r)]));
  socket.volatile.emit('c4', 'volatile');
  socket.timeout(5000).emit('c5', 'y', (err, r) => events.push(['c5 ack', err && err.message, data(r)]));
  socket.emit('go');
  await waitFor(() => events.some(([name]) => name === 'last') && got.some(([name]) => name === 'answered bin') &&
    events.filter(([name]) => / ack$/.test(name)).length === 3, 'the whole exchange');
  const frames = page.outFrames().map((f) => (typeof f === 'string' ? f : `binary ${f.byteLength}`));
  page.assertNoErrors();
  return { events, got, frames, taken };
}

test('sdk.io lanes against the batch path: the same events, acks, frames and server view', { skip, timeout: 60000 }, async (t) => {
  const general = await session(t, false);
  const lanes = await session(t, true);
  t.diagnostic(`lane answers: ${JSON.stringify(lanes.taken)}`);
  for (const [name, n] of Object.entries(lanes.taken)) assert.ok(n >= 1, `${name}: ${n}`);
  assert.deepEqual(general.taken, { echat_sio_text: 0, echat_sio_emit: 0, echat_sio_ack: 0 }, 'no lane without echat_sio_text');
  assert.ok(lanes.events.length >= 10 && lanes.got.length >= 8, 'the exchange happened');
  delete general.taken;
  delete lanes.taken;
  assert.deepEqual(lanes, general);
});
