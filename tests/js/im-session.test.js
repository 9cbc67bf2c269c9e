'use strict';
// sdk.im / sdk.apis in the mini-program sandbox against the real devserver.
//
// Runs the shipped dist/ (toolchain/build.sh), where sdk.im is part of the default artifact.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ownChild } = require('../support/children');

const ROOT = path.join(__dirname, '..', '..');
const { openPage, within, waitFor } = require('./helpers');
const skip = false;

// Starts the devserver on free ports; stopped by t.after.
async function devserver(t, args = []) {
  const child = ownChild(spawn(process.execPath, [path.join(ROOT, 'devserver/bin/echat-devserver.js'), '--http-port', '0',
    '--socket-port', '0', '--db', ':memory:', '--user', 'alice:pa', '--user', 'bob:pb', ...args],
  { stdio: ['ignore', 'pipe', 'pipe'] }));
  t.after(() => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const line = await within(new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`devserver exited ${code}: ${stderr}`)));
  }), 'devserver listening');
  return JSON.parse(line);
}

function config(srv, over = {}) {
  return {
    host: '127.0.0.1', httpPort: srv.httpPort, socketPort: srv.socketPort, key: 'TSDKTEST00001', secret: '',
    apiTransport: 'HTTP', loginAuid: 'alice', loginToken: 'pa',
    fileServerConfig: { use: 'local', client: 'plupload', baseUrl: `http://127.0.0.1:${srv.httpPort}`, version: 'v1' },
    ...over,
  };
}

function initPage(t, srv, over, sandboxOptions) {
  const page = openPage(t, sandboxOptions);
  const events = [];
  for (const e of ['state', 'message', 'notify', 'sync', 'kicked', 'error', 'sent', 'conversation']) {
    page.sdk.im.on(e, (x) => events.push([e, x]));
  }
  page.events = events;
  let called = 0;
  let calledWith;
  page.ready = page.sdk.im.init(config(srv, over), (sdk) => { called++; calledWith = sdk; });
  page.callback = () => ({ called, calledWith });
  t.after(() => page.sdk.im.close());
  return page;
}

for (const [apiTransport, protocol] of [['HTTP', 'auto'], ['SOCKET', 'auto'], ['SOCKET', 3]]) {
  test(`im: init logs in, apis answer, messages flow (${apiTransport}, protocol ${protocol})`, { skip }, async (t) => {
    const srv = await devserver(t);
    const alice = initPage(t, srv, { apiTransport, protocol });
    const sdk = await within(alice.ready, 'alice init');
    assert.equal(sdk, alice.sdk);
    assert.equal(alice.callback().called, 1);
    assert.equal(alice.callback().calledWith, alice.sdk);
    assert.equal(alice.sdk.im.getState(), 'connected');

    const me = await within(alice.sdk.apis.user.get({ auid: 'bob' }), 'user.get');
    assert.equal(me.code, 0);
    assert.equal(me.data.auid, 'bob');
    assert.ok(me.requestId);

    const bad = await alice.sdk.apis.user.get({}).then(() => null, (e) => e);
    assert.equal(Object.prototype.toString.call(bad), '[object Error]');  // the page realm's Error
    assert.equal(bad.code, 400);
    assert.match(bad.msg, /'auid'/);

    const bob = initPage(t, srv, { apiTransport, protocol, loginAuid: 'bob', loginToken: 'pb' });
    await within(bob.ready, 'bob init');
    const sent = await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi bob' } }), 'send');
    assert.equal(sent.code, 0);
    assert.ok(sent.mid > 0);
    assert.ok(sent.clientMsgId);
    await waitFor(() => bob.events.some(([e]) => e === 'message'), 'bob receives');
    const got = bob.events.filter(([e]) => e === 'message').map(([, m]) => m);
    assert.equal(got.length, 1);
    assert.equal(got[0].body.text, 'hi bob');
    assert.equal(got[0].formUser, 'alice');
    assert.equal(got[0].clientMsgId, sent.clientMsgId);
    // alice's own delivery comes back too, once
    await waitFor(() => alice.events.some(([e, m]) => e === 'message' && m.mid === sent.mid), 'own delivery');
    // conversations: kept by the core, marked read locally and on the server
    const convs = await within(bob.sdk.im.getConversations(), 'conversations');
    assert.equal(convs.length, 1);
    assert.equal(convs[0].way, 'P2P');
    assert.equal(convs[0].toTarget, 'alice');
    assert.equal(convs[0].unread, 1);  // (alice's second message below makes it 2 before markRead)
    assert.equal(convs[0].lastMessage.mid, sent.mid);
    // a body sent as JSON text (E聊 style) is handed over parsed
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'CUSTOM', body: '{"kind":"card","n":1}' }), 'send text body');
    await waitFor(() => bob.events.filter(([e]) => e === 'message').length === 2, 'second message');
    const custom = bob.events.filter(([e]) => e === 'message')[1][1];
    assert.equal(custom.body.kind, 'card');
    assert.ok(bob.events.some(([e, c]) => e === 'conversation' && c.toTarget === 'alice' && c.unread === 2), 'conversation event');
    // a recall shows in the conversation's last message
    const recalled = await within(alice.sdk.apis.message.recall({ mid: custom.mid }), 'recall');
    assert.equal(recalled.code, 0);
    await waitFor(() => bob.events.some(([e, c]) => e === 'conversation' && c.lastMessage && c.lastMessage.recalled), 'recall shown');
    const read = await within(bob.sdk.im.markRead((await bob.sdk.im.getConversations())[0]), 'markRead');
    assert.equal(read.code, 0);
    assert.equal(read.data.unread, 0);
    assert.equal((await bob.sdk.im.getConversations())[0].unread, 0);
  });
}

test('im: invalid config calls back with nothing and names the field', { skip }, async (t) => {
  const srv = await devserver(t);
  const page = initPage(t, srv, { loginAuid: undefined });
  const result = await within(page.ready, 'init');
  assert.equal(result, undefined);
  assert.equal(page.callback().called, 1);
  assert.equal(page.callback().calledWith, undefined);
  const errors = page.events.filter(([e]) => e === 'error').map(([, x]) => x);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 400);
  assert.match(errors[0].message, /'loginAuid'/);
});

test('im: a refused login calls back with nothing, error 401, no reconnect', { skip }, async (t) => {
  const srv = await devserver(t);
  const page = initPage(t, srv, { loginToken: 'wrong' });
  const result = await within(page.ready, 'init');
  assert.equal(result, undefined);
  const errors = page.events.filter(([e]) => e === 'error').map(([, x]) => x);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 401);
  assert.equal(errors[0].fatal, true);
  assert.equal(page.sdk.im.getState(), 'disconnected');
  const e = await page.sdk.apis.user.get({ auid: 'bob' }).then(() => null, (x) => x);
  assert.equal(e.code, -1003);
});

test('im: a message sent offline waits in storage and is delivered after a restart', { skip }, async (t) => {
  const srv = await devserver(t);
  const { Storage } = require('../sandbox/lib/storage');
  const storage = new Storage();
  // First run: the server port is wrong, so nothing connects; the send waits in the outbox.
  const first = initPage(t, { httpPort: 1, socketPort: 1 }, { reconnectionDelay: 50, reconnectionDelayMax: 50 }, { storage });
  const pending = first.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'later' } });
  // (the single record, or with outboxPerMessageRecords the marker beside one record per message)
  await waitFor(() => storage.has('echatim:TSDKTEST00001:alice:outbox'), 'outbox record');
  first.sdk.im.close();
  const closed = await pending.then(() => null, (e) => e);
  assert.equal(closed.code, -1004);
  // Second run, same storage, the right server: sent once, with the same clientMsgId.
  const second = initPage(t, srv, {}, { storage });
  await within(second.ready, 'second init');
  await waitFor(() => second.events.some(([e]) => e === 'sent'), 'sent event');
  const sent = second.events.find(([e]) => e === 'sent')[1];
  assert.equal(sent.code, 0);
  await waitFor(() => !storage.has('echatim:TSDKTEST00001:alice:outbox'), 'outbox emptied');
  const bob = initPage(t, srv, { loginAuid: 'bob', loginToken: 'pb' });
  await within(bob.ready, 'bob init');
  await waitFor(() => bob.events.some(([e]) => e === 'message'), 'bob gets it at login');
  const got = bob.events.filter(([e]) => e === 'message').map(([, m]) => m);
  assert.equal(got.length, 1);
  assert.equal(got[0].clientMsgId, sent.clientMsgId);
});

test('im: file.upload with wx.uploadFile reports progress and answers the file', { skip }, async (t) => {
  const srv = await devserver(t);
  const page = initPage(t, srv);
  await within(page.ready, 'init');
  const filePath = page.sb.addLocalFile('cat.txt', 'x'.repeat(100000));
  const progress = [];
  const r = await within(page.sdk.apis.file.upload({ filePath, name: 'cat.txt', mime: 'text/plain', onProgress: (p) => progress.push(p.progress) }), 'upload');
  assert.equal(r.code, 0);
  assert.equal(r.data.size, 100000);
  assert.equal(r.data.name, 'cat.txt');
  assert.match(r.data.url, /\/files\//);
  assert.ok(progress.length > 0, 'progress reported');
  const bad = await page.sdk.apis.file.upload({}).then(() => null, (e) => e);
  assert.equal(bad.code, 400);
  assert.equal(bad.field, 'filePath');
});

test('im: a second login elsewhere kicks the first session, which stays down', { skip }, async (t) => {
  const srv = await devserver(t);
  const first = initPage(t, srv);
  await within(first.ready, 'first init');
  const second = initPage(t, srv);
  await within(second.ready, 'second init');
  await waitFor(() => first.events.some(([e]) => e === 'kicked'), 'kicked');
  assert.equal(first.sdk.im.getState(), 'disconnected');
  const e = await first.sdk.apis.user.get({ auid: 'bob' }).then(() => null, (x) => x);
  assert.equal(e.code, -1004);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(second.sdk.im.getState(), 'connected', 'the first did not come back and kick the second');
  assert.equal(second.events.filter(([ev]) => ev === 'kicked').length, 0);
});

test('im: after the network drops and returns, missed messages arrive once, in order', { skip }, async (t) => {
  const srv = await devserver(t);
  const bob = initPage(t, srv, { loginAuid: 'bob', loginToken: 'pb', reconnectionDelay: 100, reconnectionDelayMax: 200 });
  await within(bob.ready, 'bob init');
  const alice = initPage(t, srv);
  await within(alice.ready, 'alice init');
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'm1' } }), 'm1');
  await waitFor(() => bob.events.filter(([e]) => e === 'message').length === 1, 'm1 delivered');
  bob.sb.setNetwork(false);
  await waitFor(() => bob.sdk.im.getState() !== 'connected', 'bob offline');
  for (const text of ['m2', 'm3', 'm4']) {
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } }), text);
  }
  bob.sb.setNetwork(true);
  await waitFor(() => bob.events.filter(([e]) => e === 'message').length >= 4, 'm2..m4 delivered');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const texts = bob.events.filter(([e]) => e === 'message').map(([, m]) => m.body.text);
  assert.deepEqual(texts, ['m1', 'm2', 'm3', 'm4']);
  const seqs = bob.events.filter(([e]) => e === 'message').map(([, m]) => m.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.ok(bob.events.some(([e, s]) => e === 'sync' && s.count >= 1), 'a sync run reported');
});

for (const apiTransport of ['HTTP', 'SOCKET']) {
  test(`im: an expired JWT is renewed transparently (${apiTransport})`, { skip }, async (t) => {
    // A JWT's exp is in whole seconds (iat rounded down + TTL): a 1 s TTL could expire within ms of a
    // login late in a second, and a renewed one again before its retried call arrived on a loaded
    // machine (failed once so, 1 error event, 2026-12-06). 2 s lives more than 1 s and less than the
    // 2.1 s waited below.
    const srv = await devserver(t, ['--jwt-ttl', '2']);
    const page = initPage(t, srv, { apiTransport });
    await within(page.ready, 'init');
    const jwt = page.sdk.im.info().jwt;
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const r = await within(page.sdk.apis.user.get({ auid: 'bob' }), 'user.get after expiry');
    assert.equal(r.code, 0);
    assert.notEqual(page.sdk.im.info().jwt, jwt, 'the call went with a renewed JWT');
    const sent = await within(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'x' } }), 'send');
    assert.equal(sent.code, 0);
    // (Says which error, if one comes: it failed once under a full-suite load, 1 error, 2026-12-06.)
    assert.deepEqual(page.events.filter(([e]) => e === 'error').map(([, x]) => `${x.code} ${x.message}`), []);
  });
}

test('im: after the app was suspended (socket killed), it reconnects on show and gets what it missed', { skip }, async (t) => {
  const srv = await devserver(t);
  const bob = initPage(t, srv, { loginAuid: 'bob', loginToken: 'pb', reconnectionDelay: 60000, reconnectionDelayMax: 60000 },
    { suspendDelay: 0, suspendSocketClose: { code: 1006, reason: 'suspended' } });
  await within(bob.ready, 'bob init');
  const alice = initPage(t, srv);
  await within(alice.ready, 'alice init');
  await bob.sb.hideApp();
  for (const text of ['s1', 's2']) {
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } }), text);
  }
  await bob.sb.showApp();
  // the backoff is a minute: only the wake on show can bring these in time
  await waitFor(() => bob.events.filter(([e]) => e === 'message').length >= 2, 'missed messages');
  const texts = bob.events.filter(([e]) => e === 'message').map(([, m]) => m.body.text);
  assert.deepEqual(texts, ['s1', 's2']);
  assert.equal(bob.sdk.im.getState(), 'connected');
});

test('im: uploads and API calls beyond wx\'s 10 concurrent requests all succeed (the 11th is tried again)', { skip }, async (t) => {
  const srv = await devserver(t);
  const page = initPage(t, srv, { apiTransport: 'HTTP' });
  await within(page.ready, 'init');
  const filePath = page.sb.addLocalFile('f.txt', 'y'.repeat(20000));
  const calls = [];
  for (let i = 0; i < 6; i++) calls.push(page.sdk.apis.file.upload({ filePath, name: `f${i}.txt` }));
  for (let i = 0; i < 12; i++) calls.push(page.sdk.apis.user.get({ auid: 'bob' }));
  const results = await within(Promise.all(calls), 'all calls');
  assert.equal(results.length, 18);
  for (const r of results) assert.equal(r.code, 0);
});
