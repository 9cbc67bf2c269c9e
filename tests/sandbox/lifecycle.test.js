'use strict';
// App hide/show/suspend and network cut/restore.

const test = require('node:test');
const assert = require('node:assert/strict');
const { createSandbox, ERR, NET_DOWN } = require('.');
const { sandboxFor, startWsServer, startHttpServer, waitFor, sleep } = require('./fixtures');

const PAGE = `
  globalThis.__ev = [];
  wx.onAppHide(function () { __ev.push('hide'); });
  wx.onAppShow(function (o) { __ev.push('show:' + o.scene); });
  wx.onNetworkStatusChange(function (r) { __ev.push('net:' + r.isConnected + ':' + r.networkType); });
  globalThis.openSocket = function (url) {
    var task = wx.connectSocket({ url: url });
    task.onOpen(function () { __ev.push('open'); });
    task.onError(function (r) { __ev.push('error:' + r.errMsg); });
    task.onClose(function (r) { __ev.push('close:' + r.code + ':' + r.reason); });
    return task;
  };
  globalThis.req = function (url) {
    wx.request({ url: url, success: function (r) { __ev.push('req:ok'); }, fail: function (r) { __ev.push('req:' + r.errMsg); } });
  };
`;

function page(t, options) {
  const sb = sandboxFor(t, createSandbox, options);
  sb.runScript(PAGE);
  const ev = () => Array.from(sb.global.__ev);
  return { sb, ev };
}

test('hide then show before the suspend delay: listeners fire, nothing else changes', async (t) => {
  const { sb, ev } = page(t, { suspendDelay: 60000 });
  sb.runScript('setTimeout(function () { __ev.push("timer"); }, 30);');
  await sb.hideApp();
  assert.equal(sb.isHidden, true);
  assert.equal(sb.isSuspended, false);
  await waitFor(() => ev().includes('timer'), 'timers still run while merely hidden');
  await sb.showApp();
  assert.deepEqual(ev(), ['hide', 'timer', 'show:1001']);
  assert.equal(sb.stats().suspends, 0);
});

test('suspended: timers freeze (deferred to show), sockets close "interrupted", requests fail "interrupted"', async (t) => {
  const ws = await startWsServer(t);
  const srv = await startHttpServer(t, () => { /* never answers */ });
  const { sb, ev } = page(t, { suspendDelay: 0 });
  sb.runScript(`openSocket(${JSON.stringify(ws.url)})`);
  await waitFor(() => ev().includes('open'), 'socket open');
  sb.runScript(`req('${srv.url}/slow'); setTimeout(function () { __ev.push('timer:' + Date.now()); }, 250);
    setInterval(function () { __ev.push('tick'); }, 100);`);
  await waitFor(() => sb.stats().activeRequests === 1, 'request in flight');
  await waitFor(() => ev().includes('tick'), 'interval running');
  const ticksBefore = ev().filter((e) => e === 'tick').length;
  await sb.hideApp();
  assert.equal(sb.isSuspended, true);
  await waitFor(() => ws.conns.size === 0, 'the server sees the socket go');
  const before = ev().length;
  await sleep(400); // the 250 ms timer and the interval are now overdue; nothing may run
  assert.equal(ev().length, before, `no page code runs while suspended: ${ev().slice(before)}`);
  const suspendedStats = sb.stats();
  assert.equal(suspendedStats.openSockets, 0);
  assert.equal(suspendedStats.activeRequests, 0);
  assert.ok(suspendedStats.queuedCallbacks >= 2);
  const shownAt = Date.now();
  await sb.showApp();
  const after = ev().slice(before);
  // default resumeOrder 'show-first': onAppShow, then what was held back, then overdue timers
  assert.equal(after[0], 'show:1001');
  assert.ok(after.includes('close:1000:interrupted'), after.join());
  assert.ok(after.includes(`req:${ERR.interrupted('request')}`), after.join());
  const timer = after.find((e) => e.startsWith('timer:'));
  assert.ok(timer, 'the overdue timeout fired on show');
  assert.ok(Number(timer.slice(6)) >= shownAt, 'and not before');
  assert.equal(after.filter((e) => e === 'tick').length, 1, 'an overdue interval fires once');
  assert.ok(ev().filter((e) => e === 'tick').length > ticksBefore);
  await waitFor(() => ev().filter((e) => e === 'tick').length >= ticksBefore + 2, 'interval keeps running');
});

test('resumeOrder "events-first" and suspendSocketClose false', async (t) => {
  const ws = await startWsServer(t, { greet: false });
  const { sb, ev } = page(t, { suspendDelay: 0, resumeOrder: 'events-first', suspendSocketClose: false });
  sb.runScript(`globalThis.__s = openSocket(${JSON.stringify(ws.url)}); __s.onMessage(function (m) { __ev.push('msg:' + m.data); });`);
  await waitFor(() => ev().includes('open'), 'socket open');
  await sb.hideApp();
  assert.equal(sb.isSuspended, true);
  [...ws.conns][0].send('while-asleep');
  await waitFor(() => sb.stats().queuedCallbacks === 1, 'message held back');
  assert.equal(sb.stats().openSockets, 1, 'socket survives the suspension');
  await sb.showApp();
  assert.deepEqual(ev().slice(-2), ['msg:while-asleep', 'show:1001']);
});

test('timerMode "pause": the countdown stops while suspended', async (t) => {
  const { sb, ev } = page(t, { suspendDelay: 0, timerMode: 'pause' });
  sb.runScript('setTimeout(function () { __ev.push("late"); }, 200);');
  await sb.hideApp();
  await sleep(300);
  await sb.showApp();
  assert.equal(ev().includes('late'), false, 'not overdue: ~200 ms still to go');
  await waitFor(() => ev().includes('late'), 'fires after the remaining time');
});

test('suspend after a real-time delay; waitSuspended; hideApp is idempotent', async (t) => {
  const { sb } = page(t, { suspendDelay: 30 });
  await sb.hideApp();
  await sb.hideApp();
  assert.equal(sb.stats().hides, 1);
  await sb.waitSuspended();
  assert.equal(sb.isSuspended, true);
  await sb.showApp();
  assert.equal(sb.isSuspended, false);
  assert.deepEqual(sb.stats().suspends, 1);
});

test('network cut: listeners, socket error+close 1006, requests fail, no attempts reach the wire', async (t) => {
  const ws = await startWsServer(t);
  const pending = [];
  const srv = await startHttpServer(t, (req, res) => pending.push(res));
  const { sb, ev } = page(t);
  sb.runScript(`openSocket(${JSON.stringify(ws.url)}); req('${srv.url}/a');`);
  await waitFor(() => ev().includes('open') && pending.length === 1, 'socket open, request in flight');
  await sb.setNetwork(false);
  await waitFor(() => ws.conns.size === 0, 'server sees the socket go');
  const cut = ev().slice(1);
  assert.deepEqual(cut.slice(0, 1), ['net:false:none']);
  assert.ok(cut.includes(`error:${NET_DOWN}`), cut.join());
  assert.ok(cut.includes('close:1006:abnormal closure'), cut.join());
  assert.ok(cut.includes(`req:${ERR.offline('request')}`), cut.join());
  assert.ok(cut.indexOf(`error:${NET_DOWN}`) < cut.indexOf('close:1006:abnormal closure'));
  sb.resetStats();
  const connsBefore = ws.wss.clients.size;
  sb.runScript(`openSocket(${JSON.stringify(ws.url)}); req('${srv.url}/b');`);
  await sb.flush();
  const st = sb.stats();
  assert.equal(st.offlineAttempts.connectSocket, 1);
  assert.equal(st.offlineAttempts.request, 1);
  assert.equal(st.openSockets, 0);
  assert.equal(pending.length, 1, 'no new request reached the server');
  assert.equal(ws.wss.clients.size, connsBefore);
  assert.ok(ev().includes(`error:${ERR.socketOffline}`));
  assert.ok(ev().includes(`req:${ERR.offline('request')}`));
  const typeWhileOff = await sb.runScript('wx.getNetworkType()');
  assert.equal(typeWhileOff.networkType, 'none');
  await sb.setNetwork(true, '4g');
  assert.equal(ev().at(-1), 'net:true:4g');
  sb.runScript(`openSocket(${JSON.stringify(ws.url)})`);
  await waitFor(() => ev().filter((e) => e === 'open').length === 2, 'reconnects when back online');
});

test('dispose while suspended settles pending promises and closes everything', async (t) => {
  const ws = await startWsServer(t);
  const sb = createSandbox({ suspendDelay: 0, suspendSocketClose: false, quietErrors: true });
  sb.runScript(PAGE);
  sb.runScript(`openSocket(${JSON.stringify(ws.url)}); setInterval(function () {}, 10);`);
  await waitFor(() => Array.from(sb.global.__ev).includes('open'), 'open');
  await sb.hideApp();
  const pending = sb.flush(); // cannot be delivered while suspended
  await sb.dispose();
  await pending;
  await waitFor(() => ws.conns.size === 0, 'server sees the socket go');
  assert.equal(sb.stats().pendingTimers, 0);
});
