'use strict';
// Deliveries a server (or anyone in its place) can craft, against the IM delivery lane
// (js-shim/core-driver.js delivery(), bindings/im_lane.cpp echat_im_message): fields of the wrong
// type, numbers beyond what a double holds exactly, names too long for the shared region or not ASCII,
// repeats, a gap, a push without its object. Each must take the general path or the lane with the same
// outcome: handed over once, in seq order, acknowledged, or refused with an error event, never a
// crash or a stall. The server is a socket.io 4 server written here (the devserver sends only
// well-formed deliveries), answering the login, conversation/list and message/sync.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server } = require('socket.io');
const H = require('./fixtures/im-harness');

const { skip, within, waitFor } = H;

function ok(req, data) {
  return { requestId: req && req.requestId, response: { code: 0, msg: 'ok', data } };
}

async function startServer(t, stored) {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { allowEIO3: true });
  const state = { socket: null, acks: [], syncs: [], sent: 0 };
  io.on('connection', (socket) => {
    state.socket = socket;
    socket.on('topic.connection', (req, ack) => ack(ok(req, 'JWT-hostile')));
    socket.on('topic.conversation', (req, ack) => ack(ok(req, [])));
    socket.on('topic.message', (req, ack) => {
      if (req && req.method === 'sync') {
        state.syncs.push(req.fromSeq);
        ack(ok(req, { messages: stored.filter((m) => m.seq > req.fromSeq), hasMore: false }));
      } else if (req && req.method === 'send') {  // stored: the server's answer (docs/protocol.md 9.5)
        const n = ++state.sent;
        ack(ok(req, { mid: 900 + n, seq: 500 + n, clientMsgId: req.clientMsgId, createTime: 1764900000000 + n }));
      } else if (typeof ack === 'function') ack(ok(req, null));
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { io.close(); httpServer.close(() => resolve()); }));
  state.port = httpServer.address().port;
  // A push with an ack id; resolves with what the client acknowledged (null if nothing in 5 s).
  state.push = (...args) => new Promise((resolve) => {
    state.socket.timeout(5000).emit('topic.message', ...args, (err, answer) => resolve(err ? null : answer));
  });
  return state;
}

function message(seq, mid, over = {}) {
  return {
    seq, mid, formUser: 'bob', toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `m${seq}` },
    createTime: 1764900000000 + seq, ...over,
  };
}

test('im hostile pushes: wrong types, huge numbers, long and non-ASCII names, repeats, a gap: each handed over once in order or refused',
  { skip, timeout: 60000 }, async (t) => {
    const stored = [];  // what message/sync returns
    const srv = await startServer(t, stored);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET' });
    await within(page.ready, 'login');
    const errors = () => page.of('error').map((e) => e.message);

    // Refused, each acknowledged with [] and reported: a seq as text, a mid beyond 2^53, no object.
    assert.deepEqual(await srv.push(message('1', 101)), undefined);
    assert.deepEqual(await srv.push(message(1, 1e300)), undefined);
    assert.deepEqual(await srv.push(message(1, -101)), undefined);
    assert.equal(errors().filter((m) => /without a valid seq and mid/.test(m)).length, 3);
    const before = page.of('error').length;
    assert.equal(await srv.push(), undefined);  // ["topic.message"]: no object
    await waitFor(() => page.of('error').length > before, 'an error for the push without an object');

    // Taken, whatever the other fields are: a way of the wrong type and an object as toTarget (no
    // conversation), a 10,000-character sender (longer than the shared region), a non-ASCII one.
    assert.deepEqual(await srv.push(message(1, 101, { way: 5, toTarget: { x: 1 } })), { seq: 1 });
    assert.deepEqual(await srv.push(message(2, 102, { formUser: 'b'.repeat(10000) })), { seq: 2 });
    assert.deepEqual(await srv.push(message(3, 103, { formUser: '鲍勃', createTime: -1, recalled: 'yes' })), { seq: 3 });
    assert.deepEqual(await srv.push(message(4, 104, { toTarget: 2 ** 53 + 2 })), { seq: 4 });
    // A repeat: acknowledged, not handed over again.
    assert.deepEqual(await srv.push(message(3, 103)), { seq: 3 });
    // A gap: 6 waits, message/sync from 4 brings 5, then both are handed over in order.
    stored.push(message(5, 105));
    assert.deepEqual(await srv.push(message(6, 106)), { seq: 6 });
    await waitFor(() => page.of('message').length === 6, 'six messages');

    const got = page.of('message');
    assert.deepEqual(got.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
    assert.equal(got[1].formUser, 'b'.repeat(10000));
    assert.equal(got[2].formUser, '鲍勃');
    assert.deepEqual(H.plain(got[0].toTarget), { x: 1 });
    assert.ok(srv.syncs.includes(4), `message/sync from the last handed-over seq (syncs: ${srv.syncs})`);
    const convs = await page.sdk.im.getConversations();
    const peers = H.plain(convs.map((c) => c.toTarget)).sort();
    assert.ok(peers.length === 3 && peers[0] === 'b'.repeat(10000) && peers[1] === 'bob' && peers[2] === '鲍勃',
      `conversations: ${peers.map((p) => p.slice(0, 8))}`);
    for (const c of convs) assert.equal(typeof c.lastMessage, 'object', `${c.toTarget.slice(0, 8)}: lastMessage`);
    assert.equal(convs.find((c) => c.toTarget === 'bob').lastMessage.seq, 6);
    // The shim keeps only what the core still names: bob's conversation's last message, 6 (the repeat
    // of 3 took the lane and was released; the other conversations' messages did not take it).
    assert.equal(page.sdk.im._driver.held.size, 1);
  });

// The delivery lane is given a message's way, formUser and toTarget only when they differ from the last
// delivery's (js-shim/core-driver.js delivery(), `_texts`; the binding keeps the last ones). Deliveries in
// turn from several conversations, one sender's run, and a sender the lane cannot take (non-ASCII: the
// general path) between two of the same: each must land in its own conversation with its own count.
test('im pushes from conversations in turn: each delivery counted in its own conversation (the lane\'s texts follow the message)',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t, []);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET' });
    await within(page.ready, 'login');
    const from = (who, over = {}) => ({ formUser: who, ...over });
    const plan = [
      from('bob'), from('bob'), from('carol'), from('bob'), from('鲍勃'), from('bob'),
      from('bob', { way: 'P2R', toTarget: 7 }), from('carol', { way: 'P2R', toTarget: 7 }), from('carol'),
      from('carol', { way: 'P2R', toTarget: '8' }), from('carol'), from('bob'),
    ];
    for (const [i, over] of plan.entries()) {
      assert.deepEqual(await srv.push(message(i + 1, 201 + i, over)), { seq: i + 1 });
    }
    await waitFor(() => page.of('message').length === plan.length, 'every message');
    const got = page.of('message');
    assert.deepEqual(got.map((m) => [m.seq, m.formUser, m.way, m.toTarget]),
      plan.map((over, i) => [i + 1, over.formUser, over.way || 'P2P', over.toTarget === undefined ? 'alice' : over.toTarget]));
    const convs = await page.sdk.im.getConversations();
    const key = (c) => `${c.way}:${c.toTarget}`;
    const summary = Object.fromEntries(convs.map((c) => [key(c), [c.unread, c.lastMessage.seq]]));
    // P2P conversations are named by the other user; rooms by the room.
    assert.deepEqual(summary, {
      'P2P:bob': [5, 12], 'P2P:carol': [3, 11], 'P2P:鲍勃': [1, 5], 'P2R:7': [2, 8], 'P2R:8': [1, 10],
    });
  });

// The lane's record and ack are written by the shim from the numbers the core decided (js-shim/core-driver.js
// handed(), bindings/im_lane.cpp), the general path's by the core (im::Client::put_record, put_ack_args):
// the same bytes either way. Seq 1 takes the lane; 3 arrives after a gap and, with 2 from message/sync,
// takes the general path.
test('im pushes: the synced record and the ack are the same text from the lane as from the general path',
  { skip, timeout: 60000 }, async (t) => {
    const stored = [];
    const srv = await startServer(t, stored);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET' });
    await within(page.ready, 'login');
    const key = page.sdk.im._driver.syncedKey;
    const acks = () => page.outFrames().filter((f) => typeof f === 'string' && /^43\d+\[/.test(f));
    assert.deepEqual(await srv.push(message(1, 301)), { seq: 1 });
    const lane = page.sb.storage.peek(key);
    const boot = JSON.parse(lane).boot;
    assert.ok(Number.isSafeInteger(boot) && boot > 0, `a boot in ${lane}`);
    assert.equal(lane, `{"seq":1,"boot":${boot}}`);
    assert.match(acks().at(-1), /^43\d+\[\{"seq":1\}\]$/);
    stored.push(message(2, 302));
    assert.deepEqual(await srv.push(message(3, 303)), { seq: 3 });
    await waitFor(() => page.of('message').length === 3, 'three messages');
    assert.deepEqual(page.of('message').map((m) => m.seq), [1, 2, 3]);
    assert.equal(page.sb.storage.peek(key), `{"seq":3,"boot":${boot}}`, 'written by the core');
    assert.match(acks().at(-1), /^43\d+\[\{"seq":3\}\]$/);
  });

// A server (or anyone in its place) writes a push's ack id as it likes: with leading zeros, beyond what a
// double holds, or plain. The lane's ack is written by the shim from the digits it read (handed()), so it
// must take only a plain id; the others take the general path, whose ack carries the id the core read.
// The frames are written raw (the socket.io server would write every id plainly).
test('im pushes with odd ack ids: each acknowledged once, with the id the core read',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await startServer(t, []);
    const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET' });
    await within(page.ready, 'login');
    const raw = (id, m) => srv.socket.conn.write(`2${id}["topic.message",${JSON.stringify(m)}]`);
    const acks = () => page.outFrames().filter((f) => typeof f === 'string' && /^43\d+\[\{"seq"/.test(f));
    raw('007', message(1, 401));       // leading zeros: the core reads 7
    raw('12', message(2, 402));        // plain: the lane
    raw('12345678901234567', message(3, 403));  // beyond 2^53: a double would round it
    raw('', message(4, 404));          // none: nothing to acknowledge
    await waitFor(() => page.of('message').length === 4, 'four messages');
    assert.deepEqual(page.of('message').map((m) => m.seq), [1, 2, 3, 4]);
    assert.deepEqual(acks(), ['437[{"seq":1}]', '4312[{"seq":2}]', '4312345678901234567[{"seq":3}]']);
  });

// The lanes change nothing the app or the server sees. The same pushes (refused, odd, a repeat, a gap,
// several conversations, recalls) and sends (one at a time, then a burst), to a page as shipped and to
// a page whose core answers every lane "not taken" (echat_im_message, echat_im_answer, echat_im_send
// and echat_sio_text return -1: the shim then takes the general path): the same messages, conversation
// and sendState events, errors, acks, answers, frames to the server, conversation list and storage.
test('im lanes against the general path: the same pushes and sends give the same events, frames and storage',
  { skip, timeout: 60000 }, async (t) => {
    async function session(lanes) {
      const stored = [];
      const srv = await startServer(t, stored);
      const page = H.imPage(t, { httpPort: srv.port, socketPort: srv.port }, { apiTransport: 'SOCKET' });
      await within(page.ready, 'login');
      const core = page.sdk.im._driver.core;
      const taken = { echat_im_message: 0, echat_im_answer: 0, echat_im_send: 0 };
      for (const name of Object.keys(taken).concat('echat_sio_text')) {
        const lane = core[name];
        core[name] = lanes ? (...a) => { const code = lane(...a); if (code >= 0 && name in taken) taken[name]++; return code; } : () => -1;
      }
      const acks = [];
      const push = async (m) => acks.push(await srv.push(m));
      await push(message('1', 101));
      await push(message(1, -101));
      await push(message(1, 101, { way: 5, toTarget: { x: 1 } }));
      await push(message(2, 102, { formUser: 'b'.repeat(300) }));
      await push(message(3, 103, { formUser: '鲍勃', createTime: -1, recalled: 'yes' }));
      await push(message(3, 103));
      stored.push(message(4, 104));
      await push(message(5, 105, { formUser: 'carol' }));
      for (let seq = 6; seq <= 14; seq++) {
        await push(message(seq, 100 + seq, { formUser: seq % 3 ? 'bob' : 'carol', recalled: seq === 9 ? true : undefined }));
      }
      const form = (i) => ({ toTarget: i % 2 ? 'bob' : 'carol', way: 'P2P', type: 'TEXT', body: { text: `s${i} "q" \\ é` } });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await page.sdk.apis.message.send(form(i)));
      answers.push(...await Promise.all([3, 4, 5, 6, 7].map((i) => page.sdk.apis.message.send(form(i)))));
      await push(message(15, 115));
      await waitFor(() => page.of('message').length === 15, 'fifteen messages');
      const prefix = /"requestId":"([0-9a-f]+)-/.exec(page.outFrames().find((f) => /"requestId"/.test(f)))[1];
      const same = (text) => text.split(prefix).join('P').replace(/"timestamp":\d+/g, '"timestamp":0');
      const storage = page.sb.storage.keys.sort().map((k) => `${same(k)} = ${same(page.sb.storage.peek(k))}`);
      return {
        taken,
        acks,
        messages: H.plain(page.of('message')),
        conversations: H.plain(page.of('conversation')),
        sendStates: H.plain(page.of('sendState')).map((x) => JSON.parse(same(JSON.stringify(x)))),
        errors: page.of('error').map((e) => [e.code, e.message]),
        answers: answers.map((a) => JSON.parse(same(JSON.stringify(a)))),
        // (as JSON values: the general path writes a form's keys in the core's order, the lane in the app's)
        frames: page.outFrames().filter((f) => typeof f === 'string' && /^4[23]/.test(f)).map((f) => {
          const k = f.indexOf('[');
          return same(f.slice(0, k)) + JSON.stringify(sorted(JSON.parse(same(f.slice(k)))));
        }),
        list: H.plain(await page.sdk.im.getConversations()),
        storage,
      };
    }
    const sorted = (v) => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
    const general = await session(false);
    const lanes = await session(true);
    t.diagnostic(`lanes taken: ${JSON.stringify(lanes.taken)}`);
    for (const [name, n] of Object.entries(lanes.taken)) assert.ok(n >= 3, `${name} taken ${n} times`);
    delete general.taken;
    delete lanes.taken;
    assert.deepEqual(lanes, general);
  });
