'use strict';
// wx.connectSocket / SocketTask over real loopback WebSockets.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createSandbox, ERR } = require('.');
const { sandboxFor, startWsServer, waitFor } = require('./fixtures');

// Page-side helper installed into the sandbox: opens a socket and logs every event into __log[id].
const PAGE_HELPER = `
  globalThis.__log = {};
  globalThis.__tasks = {};
  globalThis.open = function (id, url, extra) {
    var log = __log[id] = [];
    var opts = { url: url,
      success: function (r) { log.push(['success', r.errMsg]); },
      fail: function (r) { log.push(['fail', r.errMsg]); } };
    for (var k in (extra || {})) opts[k] = extra[k];
    var task = wx.connectSocket(opts);
    __tasks[id] = task;
    task.onOpen(function (r) { log.push(['open', typeof r.header]); });
    task.onMessage(function (r) {
      if (typeof r.data === 'string') log.push(['text', r.data]);
      else log.push(['binary', r.data instanceof ArrayBuffer, Array.prototype.slice.call(new Uint8Array(r.data))]);
    });
    task.onError(function (r) { log.push(['error', r.errMsg]); });
    task.onClose(function (r) { log.push(['close', r.code, r.reason]); });
    return task;
  };
  globalThis.send = function (id, data) {
    __tasks[id].send({ data: data,
      success: function (r) { __log[id].push(['sent', r.errMsg]); },
      fail: function (r) { __log[id].push(['sendfail', r.errMsg]); } });
  };
`;

function page(t, options) {
  const sb = sandboxFor(t, createSandbox, options);
  sb.runScript(PAGE_HELPER);
  const log = (id) => Array.from(sb.global.__log[id] || [], (e) => [...e].map((x) => (Array.isArray(x) ? [...x] : x)));
  const has = (id, kind) => log(id).some((e) => e[0] === kind);
  return { sb, log, has };
}

test('open, text and binary echo (page-realm ArrayBuffer), close with code', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t);
  sb.runScript(`open('a', ${JSON.stringify(srv.url)}, { header: { 'X-Test': 'yes', Referer: 'https://evil' } })`);
  await waitFor(() => has('a', 'open'), 'open');
  assert.equal([...srv.conns][0].upgradeHeaders['x-test'], 'yes');
  sb.runScript(`send('a', 'hi'); send('a', new Uint8Array([1, 2, 255]).buffer);`);
  await waitFor(() => log('a').filter((e) => e[0] === 'text' || e[0] === 'binary').length === 2, 'echoes');
  const l = log('a');
  assert.deepEqual(l[0], ['success', ERR.socketOk]);
  assert.deepEqual(l.find((e) => e[0] === 'text'), ['text', 'hi']);
  assert.deepEqual(l.find((e) => e[0] === 'binary'), ['binary', true, [1, 2, 255]]);
  assert.deepEqual(srv.seen, ['hi', Buffer.from([1, 2, 255])]);
  sb.runScript(`__tasks.a.close({ code: 4001, reason: 'done' })`);
  await waitFor(() => has('a', 'close'), 'close');
  assert.deepEqual(log('a').at(-1), ['close', 4001, 'done']);
  const rec = sb.sockets()[0];
  assert.deepEqual(rec.frames.map((f) => [f.dir, f.type]), [['out', 'text'], ['out', 'binary'], ['in', 'text'], ['in', 'binary']]);
  assert.equal(sb.stats().openSockets, 0);
});

test('server-initiated close and a dropped TCP connection', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t);
  sb.runScript(`open('a', ${JSON.stringify(srv.url)}); open('b', ${JSON.stringify(srv.url)});`);
  await waitFor(() => has('a', 'open') && has('b', 'open'), 'open');
  sb.runScript(`send('a', 'close:4321'); send('b', 'drop');`);
  await waitFor(() => has('a', 'close') && has('b', 'close'), 'closes');
  assert.deepEqual(log('a').at(-1), ['close', 4321, 'bye']);
  assert.equal(has('a', 'error'), false);
  const b = log('b');
  assert.equal(b.at(-2)[0], 'error', 'abnormal closure: onError then onClose');
  assert.deepEqual(b.at(-1), ['close', 1006, 'abnormal closure']);
});

test('errorOnAbnormalClose: false reports a dropped connection with onClose only', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t, { errorOnAbnormalClose: false });
  sb.runScript(`open('b', ${JSON.stringify(srv.url)});`);
  await waitFor(() => has('b', 'open'), 'open');
  sb.runScript(`send('b', 'drop');`);
  await waitFor(() => has('b', 'close'), 'close');
  assert.equal(has('b', 'error'), false);
  assert.deepEqual(log('b').at(-1), ['close', 1006, 'abnormal closure']);
});

test('send on a socket that is not open fails; close twice fails; parameter checks', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t);
  sb.runScript(`open('a', ${JSON.stringify(srv.url)}); send('a', 'too early');`);
  await waitFor(() => has('a', 'sendfail'), 'send fail');
  assert.deepEqual(log('a').find((e) => e[0] === 'sendfail'), ['sendfail', ERR.sendNotConnected]);
  await waitFor(() => has('a', 'open'), 'open');
  sb.runScript(`send('a', new Uint8Array([1]))`); // a view, not an ArrayBuffer
  sb.runScript(`send('a', { not: 'data' })`);
  await waitFor(() => log('a').filter((e) => e[0] === 'sendfail').length === 3, 'type failures');
  const fails = log('a').filter((e) => e[0] === 'sendfail').map((e) => e[1]);
  assert.equal(fails[1], ERR.sendBadType('Uint8Array'));
  assert.equal(fails[2], ERR.sendBadType('Object'));
  sb.runScript(`
    __tasks.a.close({ code: 1001, fail: function (r) { __log.a.push(['closefail', r.errMsg]); } });
    __tasks.a.close({ reason: new Array(200).join('x'), fail: function (r) { __log.a.push(['closefail', r.errMsg]); } });
    __tasks.a.close({ success: function (r) { __log.a.push(['closeok', r.errMsg]); } });
    __tasks.a.close({ fail: function (r) { __log.a.push(['closefail', r.errMsg]); } });
  `);
  await waitFor(() => has('a', 'close'), 'close');
  const cf = log('a').filter((e) => e[0] === 'closefail' || e[0] === 'closeok').map((e) => e[1]);
  assert.match(cf[0], /^closeSocket:fail code must be 1000 or in 3000-4999/);
  assert.match(cf[1], /^closeSocket:fail reason must not be longer than 123 bytes/);
  assert.equal(cf[2], ERR.closeOk);
  assert.equal(cf[3], ERR.closeNotConnected);
  assert.deepEqual(log('a').at(-1), ['close', 1000, 'normal closure']);
});

test('bad urls, non-loopback hosts and refused connections', async (t) => {
  const { sb, log, has } = page(t);
  sb.runScript(`open('a', 'http://127.0.0.1:1/x'); open('b', 'wss://example.com/x'); open('c', 'ws://127.0.0.1:1/x');`);
  await waitFor(() => has('a', 'close') && has('b', 'close') && has('c', 'close'), 'all closed');
  assert.deepEqual(log('a'), [['fail', ERR.socketInvalidUrl('http://127.0.0.1:1/x')], ['error', ERR.socketInvalidUrl('http://127.0.0.1:1/x')], ['close', 1006, 'abnormal closure']]);
  assert.deepEqual(log('b')[0], ['fail', ERR.socketDomain]);
  // a refused connection: the task was created (success), then onError + onClose(1006)
  assert.deepEqual(log('c')[0], ['success', ERR.socketOk]);
  assert.deepEqual(log('c')[1], ['error', '-102:net::ERR_CONNECTION_REFUSED']);
  assert.deepEqual(log('c')[2].slice(0, 2), ['close', 1006]);
});

test('at most 5 concurrent sockets: the 6th fails; a slot frees when one closes', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t);
  for (let i = 1; i <= 6; i++) sb.runScript(`open('s${i}', ${JSON.stringify(srv.url)})`);
  await waitFor(() => [1, 2, 3, 4, 5].every((i) => has(`s${i}`, 'open')) && has('s6', 'close'), 'five open, sixth failed');
  assert.deepEqual(log('s6'), [['fail', ERR.socketLimit(5)], ['error', ERR.socketLimit(5)], ['close', 1006, 'abnormal closure']]);
  const st = sb.stats();
  assert.equal(st.openSockets, 5);
  assert.equal(st.maxOpenSockets, 5);
  assert.equal(st.limitRejections.connectSocket, 1);
  assert.equal(srv.conns.size, 5);
  sb.runScript(`__tasks.s1.close({})`);
  await waitFor(() => has('s1', 'close') && sb.stats().openSockets === 4, 's1 closed');
  sb.runScript(`open('s7', ${JSON.stringify(srv.url)})`);
  await waitFor(() => has('s7', 'open'), 's7 open');
  assert.equal(sb.stats().openSockets, 5);
});

test('strictSocketSend: false accepts typed-array views', async (t) => {
  const srv = await startWsServer(t);
  const { sb, log, has } = page(t, { strictSocketSend: false });
  sb.runScript(`open('a', ${JSON.stringify(srv.url)})`);
  await waitFor(() => has('a', 'open'), 'open');
  sb.runScript(`send('a', new Uint8Array([9, 8, 7, 6]).subarray(1, 3))`);
  await waitFor(() => has('a', 'binary'), 'echo');
  assert.deepEqual(log('a').find((e) => e[0] === 'binary'), ['binary', true, [8, 7]]);
});
