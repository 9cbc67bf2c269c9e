'use strict';
// Memory: 10,000 emit/ack round trips through the wasm core must not grow its heap after a warm-up.
// The heap is the Emscripten module's linear memory (read through the WXWebAssembly instance the
// sandbox created: page.heapBytes()); it only ever grows, in 64 KiB pages, when malloc runs out.

const { it } = require('node:test');
const assert = require('node:assert/strict');
const { openPage, ownServer, waitEvent, within, bytesOf } = require('./helpers');

// `n` round trips, `window` in flight at once; every 10th carries a 1 KiB binary attachment.
function roundTrips(page, socket, n, window) {
  const blob = page.pageBytes(Array.from({ length: 1024 }, (_, i) => i & 0xff));
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let inFlight = 0;
    const launch = () => {
      while (inFlight < window && next < n) {
        const i = next++;
        inFlight++;
        const finish = (ok, what) => {
          inFlight--;
          if (!ok) return reject(new Error(`round trip ${i}: ${what}`));
          if (++done === n) return resolve();
          return launch();
        };
        if (i % 10 === 9) {
          socket.emit('binary-echo', { i }, blob, (meta, bin) => finish(meta && meta.i === i && bin.byteLength === 1024 && bytesOf(bin)[1023] === 255, 'binary echo'));
        } else {
          socket.emit('echo', { i, text: 'round trip payload / 往返 ' }, (res) => finish(res && res.i === i, 'echo'));
        }
      }
    };
    launch();
  });
}

it('10,000 emit/ack round trips: the wasm heap does not grow after warm-up', async (t) => {
  const server = await ownServer(t, { kind: 'v4' });
  const page = openPage(t);
  await within(page.sdk.ready(), 'sdk.ready()');
  const atLoad = page.heapBytes();
  const socket = page.io(server.url);
  await waitEvent(socket, 'connect');
  await within(roundTrips(page, socket, 1000, 32), 'warm-up: 1,000 round trips', 60000);
  const afterWarmUp = page.heapBytes();
  const jsBefore = process.memoryUsage().heapUsed;
  const started = Date.now();
  await within(roundTrips(page, socket, 10000, 32), '10,000 round trips', 120000);
  const ms = Date.now() - started;
  const afterRun = page.heapBytes();
  const jsAfter = process.memoryUsage().heapUsed;
  t.diagnostic(`wasm heap: ${atLoad} B at load, ${afterWarmUp} B after 1,000 warm-up round trips, ${afterRun} B after 10,000 more`);
  t.diagnostic(`10,000 round trips (32 in flight, 1 in 10 with 1 KiB binary) in ${ms} ms; host JS heap ${(jsBefore / 1048576).toFixed(1)} -> ${(jsAfter / 1048576).toFixed(1)} MiB (informational)`);
  assert.ok(atLoad > 0);
  assert.equal(afterRun, afterWarmUp, 'the wasm heap grew during the 10,000 round trips');
  assert.equal(socket.connected, true);
  page.assertNoErrors();
});

it('100,000 received events: the wasm heap does not grow after warm-up', async (t) => {
  const server = await ownServer(t, { kind: 'v4' });
  const page = openPage(t);
  await within(page.sdk.ready(), 'sdk.ready()');
  const socket = page.io(server.url);
  await waitEvent(socket, 'connect');
  const receive = (n) => new Promise((resolve, reject) => {
    let next = 0;
    const on = (i) => {
      if (i !== next) reject(new Error(`event ${i} arrived when ${next} was expected`));
      if (++next === n) {
        socket.off('many', on);
        resolve();
      }
    };
    socket.on('many', on);
    socket.emit('many', n);
  });
  await within(receive(1000), 'warm-up: 1,000 events', 60000);
  const afterWarmUp = page.heapBytes();
  await within(receive(100000), '100,000 events', 120000);
  const afterRun = page.heapBytes();
  t.diagnostic(`wasm heap: ${afterWarmUp} B after 1,000 warm-up events, ${afterRun} B after 100,000 more`);
  assert.equal(afterRun, afterWarmUp, 'the wasm heap grew while receiving 100,000 events');
  page.assertNoErrors();
});

it('a 4 MiB payload received and one sent do not enter wasm memory', async (t) => {
  const server = await ownServer(t, { kind: 'v4', maxHttpBufferSize: 8 << 20 });
  const page = openPage(t);
  await within(page.sdk.ready(), 'sdk.ready()');
  const socket = page.io(server.url);
  await waitEvent(socket, 'connect');
  const before = page.heapBytes();
  const size = 4 << 20;
  const got = await within(new Promise((resolve) => socket.emit('big', size, resolve)), '4 MiB ack', 60000);
  assert.equal(got.length, size);
  const echoed = await within(new Promise((resolve) => socket.emit('ack', 'y'.repeat(size), resolve)), '4 MiB emit', 60000);
  assert.equal(echoed.length, size);
  const after = page.heapBytes();
  t.diagnostic(`wasm heap: ${before} B before, ${after} B after a 4 MiB ack received and a 4 MiB emit acknowledged`);
  // The payload stays in JavaScript: the heap may not grow by anything near its size.
  assert.ok(after - before < (1 << 20), `the wasm heap grew by ${after - before} B`);
  page.assertNoErrors();
});
