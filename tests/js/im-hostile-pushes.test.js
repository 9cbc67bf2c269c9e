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
  const state = { socket: null, acks: [], syncs: [] };
  io.on('connection', (socket) => {
    state.socket = socket;
    socket.on('topic.connection', (req, ack) => ack(ok(req, 'JWT-hostile')));
    socket.on('topic.conversation', (req, ack) => ack(ok(req, [])));
    socket.on('topic.message', (req, ack) => {
      if (req && req.method === 'sync') {
        state.syncs.push(req.fromSeq);
        ack(ok(req, { messages: stored.filter((m) => m.seq > req.fromSeq), hasMore: false }));
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
