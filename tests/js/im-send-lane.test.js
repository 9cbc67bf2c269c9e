'use strict';
// The IM send lane's texts (js-shim/core-driver.js sendForm/framed, bindings/im_send_lane.cpp): the shim
// writes a message's outbox record and its frame from the numbers the core decided (the record's order,
// the clientMsgId's number and boot, the frame's ack id, requestId number and timestamp); the general
// path writes the same frame in the core (im::Client::append_envelope). Both must be the same bytes, and
// a clientMsgId or user that would need escapes must not reach the lane. The server is a socket.io 4
// server written here, which holds the answers to message/send until the test lets them go.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server } = require('socket.io');
const H = require('./fixtures/im-harness');

const { skip, within, waitFor } = H;

function ok(req, data) {
  return { requestId: req && req.requestId, response: { code: 0, msg: 'ok', data } };
}

async function startServer(t, jwt = 'JWT-lane') {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { allowEIO3: true });
  const state = { socket: null, sends: [], held: [], logins: 0 };
  io.on('connection', (socket) => {
    state.socket = socket;
    socket.on('topic.connection', (req, ack) => {
      state.logins++;
      ack(ok(req, jwt));
    });
    socket.on('topic.conversation', (req, ack) => ack(ok(req, [])));
    socket.on('topic.message', (req, ack) => {
      if (req && req.method === 'sync') return ack(ok(req, { messages: [], hasMore: false }));
      if (req && req.method === 'send') {
        state.sends.push(req);
        state.held.push(() => ack(ok(req, { mid: 900 + state.sends.length, seq: state.sends.length, clientMsgId: req.clientMsgId })));
        return undefined;
      }
      return ack(ok(req, null));
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { io.close(); httpServer.close(() => resolve()); }));
  state.port = httpServer.address().port;
  state.answerAll = () => { for (const fn of state.held.splice(0)) fn(); };
  return state;
}

const sendFrames = (page) => page.outFrames().filter((f) => typeof f === 'string' && f.includes('"method":"send"'));
// A frame with its ack id and timestamp taken out (each attempt has its own).
const shape = (f) => f.replace(/^42\d+\[/, '42#[').replace(/"timestamp":\d+,/, '"timestamp":#,');

test('im send lane: the record and the frame written by the shim are the bytes the core writes for the same message',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
    await within(page.ready, 'login');
    const form = { toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'lane "quoted" \\ text' } };
    const sent = page.sdk.apis.message.send(form);
    await waitFor(() => srv.sends.length === 1, 'the send reached the server');
    const req = srv.sends[0];
    const cmid = req.clientMsgId;
    assert.match(cmid, /^[0-9a-f]{12}-\d+-m-1$/, 'the core\'s own clientMsgId');
    assert.match(req.requestId, new RegExp(`^${cmid.slice(0, 12)}-\\d+$`), 'the session\'s id prefix');
    // The record, as im::Outbox::record writes one ({"n","c","f"}; the form's own keys first here).
    const key = page.sb.storage.keys.find((k) => k.endsWith(`:outbox:${cmid}`));
    const record = page.sb.storage.peek(key);
    const fields = `${JSON.stringify(form).slice(1, -1)},"formUser":"alice","clientMsgId":"${cmid}"`;
    assert.match(record, /^\{"n":\d+,"c":"/);
    assert.equal(record.replace(/^\{"n":\d+,/, '{'), `{"c":"${cmid}","f":{${fields}}}`);
    // The lane's frame: the envelope, then the form's text and the fields.
    const [laneFrame] = sendFrames(page);
    assert.equal(shape(laneFrame),
      `42#["topic.message",{"requestId":"${req.requestId}","timestamp":#,"method":"send","jwt":"JWT-lane",${fields}}]`);
    // The same message sent again by the general path (the socket dropped before its answer): the
    // core's envelope, the same requestId, before the same kept text.
    srv.socket.disconnect(true);
    await waitFor(() => srv.sends.length === 2, 'sent again after the reconnect', 20000);
    const frames = sendFrames(page);
    assert.equal(frames.length, 2);
    assert.equal(shape(frames[1]), shape(laneFrame), 'the general path\'s frame');
    assert.notEqual(frames[1], laneFrame, 'a new attempt (its own ack id)');
    srv.answerAll();
    const r = await within(sent, 'the answer');
    assert.equal(r.clientMsgId, cmid);
    await waitFor(() => !page.sb.storage.keys.includes(key), 'the record removed');
  });

test('im send lane: a clientMsgId that needs JSON escapes takes the general path, stored and sent escaped',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
    await within(page.ready, 'login');
    const ids = ['q"uote', 'back\\slash', 'tab\there', 'plain-id'];
    const sent = ids.map((clientMsgId) => page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: clientMsgId }, clientMsgId }));
    await waitFor(() => srv.sends.length === ids.length, 'every send reached the server');
    assert.deepEqual(srv.sends.map((r) => r.clientMsgId), ids);
    for (const id of ids) {
      const record = JSON.parse(page.sb.storage.peek(page.sb.storage.keys.find((k) => k.endsWith(`:outbox:${id}`))));
      assert.equal(record.c, id);
      assert.equal(record.f.clientMsgId, id);
    }
    // The plain one went by the lane: its frame keeps the form's key order; the others, the core's
    // (sorted keys: its object was built from the form).
    const frames = sendFrames(page);
    assert.equal(frames.length, ids.length);
    assert.ok(frames[3].includes('"type":"TEXT","body":{"text":"plain-id"},"clientMsgId":"plain-id"'), frames[3]);
    assert.ok(!frames[0].includes('"type":"TEXT","body":'), frames[0]);
    srv.answerAll();
    const results = await within(Promise.all(sent), 'the answers');
    assert.deepEqual(results.map((r) => r.clientMsgId), ids);
    await waitFor(() => !page.sb.storage.keys.some((k) => k.includes(':outbox:')), 'the records removed');
  });

// The shim's views of the shared region (CoreDriver.views) and the loader's of the whole memory are
// re-made after the wasm memory grows, counted by the loader (core.grown, from the wasm's
// emscripten_notify_memory_growth). A 3 MiB form the send lane does not take (its type is a number)
// goes through the general path, whose input buffer grows the memory; the lanes that follow, a send
// and a delivery with its ack, must read and write the new memory.
test('im send lane: after the wasm memory grows, a send and a delivery still go through the lanes',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
    await within(page.ready, 'login');
    const core = page.sdk.im._driver.core;
    const first = page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'before' } });
    await waitFor(() => srv.sends.length === 1, 'the first send');
    srv.answerAll();
    await within(first, 'the first answer');
    const grown = core.grown;
    await assert.rejects(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 7, body: { text: 'x'.repeat(3 << 20) } }));
    assert.ok(core.grown > grown, `the memory grew (${grown} -> ${core.grown} growths)`);
    const second = page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'after' } });
    await waitFor(() => srv.sends.length === 2, 'the second send');
    assert.match(srv.sends[1].clientMsgId, /^[0-9a-f]{12}-\d+-m-2$/);
    assert.equal(srv.sends[1].body.text, 'after');
    srv.answerAll();
    assert.equal((await within(second, 'the second answer')).clientMsgId, srv.sends[1].clientMsgId);
    const pushed = { seq: 1, mid: 401, formUser: 'bob', toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'pushed' }, createTime: 1764900000001 };
    const ack = await new Promise((resolve) => {
      srv.socket.timeout(5000).emit('topic.message', pushed, (err, answer) => resolve(err ? null : answer));
    });
    assert.deepEqual(ack, { seq: 1 });
    assert.deepEqual(page.of('message').map((m) => m.body.text), ['pushed']);
  });

// The JWT is the server's text (the login's answer): the core escapes it once per JWT and gives that
// text to the shim with the first lane frame, which keeps it for the next ones; a JWT whose text is not
// ASCII leaves the lane to the general path. Either way every send must carry the JWT exactly.
test('im send lane: a JWT with quotes, backslashes, a control character or non-ASCII text reaches the server exactly',
  { skip, timeout: 60000 }, async (t) => {
    for (const jwt of ['a"b\\c\u0001d</script>', 'jé\u2028t-😀']) {
      const srv = await startServer(t, jwt);
      const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
      await within(page.ready, 'login');
      const sent = [1, 2, 3].map((i) => page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: `m${i}` } }));
      await waitFor(() => srv.sends.length === 3, 'three sends');
      assert.deepEqual(srv.sends.map((r) => r.jwt), [jwt, jwt, jwt]);
      srv.answerAll();
      await within(Promise.all(sent), 'the answers');
      // A frame of the lane writes the JWT as the core escaped it: the same text in each.
      const texts = sendFrames(page).map((f) => f.slice(f.indexOf('"jwt":') + 6, f.indexOf(',"toTarget"')));
      assert.equal(new Set(texts).size, 1, texts.join(' | '));
      assert.equal(JSON.parse(texts[0]), jwt);
      await page.sdk.im.close();
    }
  });

// A clientMsgId the core made reaches the shim as its number, from the send and from the answer that
// frees a window place and lets the next message go (bindings/im_send_lane.cpp: f[7], f[8], the boot
// f[9]); an app's comes as its text. Past a window of 2, answered one at a time, every message's
// sendState events and result carry the id it was stored and sent under, in order.
test('im send lane: each message of a burst past the window is queued, sending and sent under its own clientMsgId',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port },
      { apiTransport: 'SOCKET', outboxPerMessageRecords: true, sendWindow: 2 });
    await within(page.ready, 'login');
    const own = [undefined, undefined, 'app-3', undefined, 'app-5', undefined, undefined];
    const sent = own.map((clientMsgId, i) => page.sdk.apis.message.send(
      { toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: `b${i}` }, ...(clientMsgId ? { clientMsgId } : {}) }));
    for (let k = 1; k <= own.length; k++) {
      await waitFor(() => srv.sends.length === Math.min(k + 1, own.length), `send ${k + 1} on the wire`);
      assert.equal(srv.held.length, Math.min(2, own.length - k + 1), 'the window of 2');
      srv.held.shift()();
    }
    const results = await within(Promise.all(sent), 'the answers');
    const ids = srv.sends.map((r) => r.clientMsgId);
    assert.deepEqual(srv.sends.map((r) => r.body.text), own.map((_, i) => `b${i}`), 'sent in order, each once');
    own.forEach((id, i) => assert.match(ids[i], id ? new RegExp(`^${id}$`) : /^[0-9a-f]{12}-\d+-m-\d+$/));
    assert.deepEqual(results.map((r) => r.clientMsgId), ids);
    for (const id of ids) {
      assert.deepEqual(page.of('sendState').filter((s) => s.clientMsgId === id).map((s) => s.state),
        ['queued', 'sending', 'sent'], id);
    }
    assert.equal(page.of('sendState').length, 3 * ids.length, 'no event under another id');
    await waitFor(() => !page.sb.storage.keys.some((k) => k.includes(':outbox:')), 'the records removed');
  });

// The answer lane reads an ack id's digits in the shim (parseInt) and the core takes the answer only
// when that number has as many digits as the head holds after "43" (Client::answer_fast). A head with a
// space, a sign or a fraction around the id must never finish the call through the lane: the general
// path refuses those frames, and the message is answered by its real ack (or, sent again, by the next).
test('im send lane: an answer whose head is not "43" and the ack id\'s digits is never taken by the lane',
  { skip, timeout: 60000 }, async (t) => {
    for (const bad of [(n) => ` ${n}`, (n) => `+${n}`, (n) => `${n}.0`, (n) => `${n}e0`]) {
      const srv = await startServer(t);
      const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
      await within(page.ready, 'login');
      const sent = page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'x' } });
      await waitFor(() => srv.sends.length === 1, 'the send');
      const id = Number(/^42(\d+)\[/.exec(sendFrames(page)[0])[1]);
      const forged = `3${bad(id)}[${JSON.stringify({ requestId: srv.sends[0].requestId, response: { code: 0, msg: 'ok', data: { mid: 666 } } })}]`;
      srv.socket.conn.write(forged);
      await H.sleep(150);
      const r = await within((async () => {
        for (;;) {
          srv.answerAll();
          const x = await Promise.race([sent, H.sleep(100).then(() => null)]);
          if (x) return x;
        }
      })(), `the answer after 4${forged.slice(0, 8)}`);
      assert.notEqual(r.data.mid, 666, `4${forged}`);
      assert.ok(r.data.mid > 900);
      await page.sdk.im.close();
    }
  });

// The lanes make no sendState output while no listener wants it (CoreDriver.sendForm, answered read
// the session's listeners at each step): a listener added later hears every later step, also after
// removeAllListeners() replaced the session's table of listeners.
test('im send lane: sendState is heard from the moment a listener is added',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
    await within(page.ready, 'login');
    const im = page.sdk.im;
    const send = (text) => page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } });
    const heard = [];
    const listener = (s) => heard.push(`${s.state}:${s.clientMsgId}`);
    im.off('sendState');
    const first = send('quiet');
    await waitFor(() => srv.sends.length === 1, 'the first send');
    im.on('sendState', listener);
    srv.answerAll();
    await within(first, 'the first answer');
    const id1 = srv.sends[0].clientMsgId;
    assert.deepEqual(heard, [`sent:${id1}`], 'queued and sending went by while nobody listened; sent is heard');
    // Another message, answered: every step of it heard.
    const heardWhole = async (n) => {
      const sent = send(`m${n}`);
      await waitFor(() => srv.sends.length === n, `send ${n}`);
      srv.answerAll();
      await within(sent, `answer ${n}`);
      const id = srv.sends[n - 1].clientMsgId;
      assert.deepEqual(heard.slice(-3), [`queued:${id}`, `sending:${id}`, `sent:${id}`]);
    };
    await heardWhole(2);
    im.off();  // every listener of every event
    im.on('sendState', listener);
    await heardWhole(3);
    assert.equal(heard.length, 7);
  });

// The delivery lane makes no conversation event while the page has no 'conversation' listener
// (CoreDriver.handed); the core's conversations are kept all the same, and a listener added later hears
// the next delivery's, with the unread count of both.
test('im delivery lane: the conversation event is heard from the moment a listener is added; the list is kept',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET', outboxPerMessageRecords: true });
    await within(page.ready, 'login');
    const push = (seq) => new Promise((resolve) => {
      const m = { seq, mid: 400 + seq, formUser: 'bob', toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `p${seq}` }, createTime: 1764900000000 + seq };
      srv.socket.timeout(5000).emit('topic.message', m, (err, answer) => resolve(err ? null : answer));
    });
    const im = page.sdk.im;
    const heard = [];
    im.off('conversation');
    assert.deepEqual(await push(1), { seq: 1 });
    const [c1] = await im.getConversations();
    assert.equal(c1.toTarget, 'bob');
    assert.equal(c1.unread, 1);
    assert.equal(c1.lastMessage.body.text, 'p1');
    im.on('conversation', (c) => heard.push(`${c.toTarget}:${c.unread}:${c.lastMessage.body.text}`));
    assert.deepEqual(await push(2), { seq: 2 });
    assert.deepEqual(heard, ['bob:2:p2']);
    assert.deepEqual(page.of('message').map((m) => m.body.text), ['p1', 'p2']);
  });
