'use strict';
// Module message and conversation, and the delivery rules (docs/protocol.md 10.6, 10.7, 11):
// push with ack, idempotent resend, per-user gap-free seq, sync and history paging, offline delivery,
// recall, read receipts, unread counts.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const MESSAGE_KEYS = ['at_users', 'body', 'clientMsgId', 'createTime', 'formUser', 'mid', 'msgOption', 'recallTime', 'recalled', 'seq', 'toTarget', 'type', 'way'];

async function syncAll(api, fromSeq = 0) {
  const all = [];
  for (;;) {
    const page = h.ok(await api.call('message', 'sync', { fromSeq, limit: 500 }));
    all.push(...page.messages);
    if (!page.hasMore) return { messages: all, maxSeq: page.maxSeq };
    fromSeq = page.messages[page.messages.length - 1].seq;
  }
}

/** Seqs must be exactly 1..n. */
function assertGapFree(messages, who) {
  assert.deepEqual(messages.map((m) => m.seq), messages.map((_, i) => i + 1), `seqs of ${who} must be 1..n`);
}

describe('messages', () => {
  let server;
  before(async () => { server = await h.startServer(); });
  after(() => server.close());

  for (const transport of h.TRANSPORTS) {
    test(`P2P send over ${transport}: answer, push to both sessions with each one's seq, idempotent resend`, async () => {
      const [a, b] = [h.unique('a'), h.unique('b')];
      await h.addUsers(server, [a, b]);
      const api = await h.apiClient(server, transport, a);
      const bSocket = new h.SocketClient(server, { eio: transport === 'eio3' ? 4 : 3 });
      h.ok(await bSocket.login(b));
      // b already has a delivery, so a's and b's seqs of the next message differ.
      h.ok(await api.call('message', 'send', h.text(a, a, 'note to self', { clientMsgId: 'self-1' })));

      const form = h.text(a, b, 'hello', { clientMsgId: 'cm-1', msgOption: { push: true }, at_users: [b] });
      const answer = h.ok(await api.call('message', 'send', form));
      assert.deepEqual(Object.keys(answer).sort(), ['clientMsgId', 'createTime', 'duplicate', 'mid', 'seq']);
      assert.equal(answer.seq, 2);
      assert.equal(answer.duplicate, false);
      assert.equal(answer.clientMsgId, 'cm-1');

      const pushed = await bSocket.waitMessage((m) => m.mid === answer.mid);
      assert.deepEqual(Object.keys(pushed).sort(), MESSAGE_KEYS);
      assert.deepEqual(pushed, {
        mid: answer.mid, seq: 1, clientMsgId: 'cm-1', formUser: a, toTarget: b, way: 'P2P', type: 'TEXT', body: { text: 'hello' },
        msgOption: { push: true }, at_users: [b], createTime: answer.createTime, recalled: false, recallTime: null,
      });
      if (api.socket) {
        const own = await api.socket.waitMessage((m) => m.mid === answer.mid);
        assert.equal(own.seq, answer.seq);
      }

      // A resend (lost answer, reconnect...) answers the original, even with different content.
      const again = h.ok(await api.call('message', 'send', { ...form, body: { text: 'changed' } }));
      assert.deepEqual(again, { ...answer, duplicate: true });
      const bSync = h.ok(await api.call('message', 'sync', {}));
      assert.deepEqual(bSync.messages.map((m) => m.clientMsgId), ['self-1', 'cm-1']);
      assert.equal(bSync.maxSeq, 2);
      // formUser may be omitted (it is the caller).
      const implicit = h.ok(await api.call('message', 'send', { toTarget: b, way: 'P2P', type: 'CUSTOM', body: [1, 2] }));
      assert.equal((await bSocket.waitMessage((m) => m.mid === implicit.mid)).formUser, a);
      assert.match((await bSocket.waitMessage((m) => m.mid === implicit.mid)).clientMsgId, /^srv-/);
      bSocket.close();
      api.close();
    });

    test(`send validation and authorization over ${transport}`, async () => {
      const [a, b] = [h.unique('a'), h.unique('b')];
      await h.addUsers(server, [a, b]);
      const api = await h.apiClient(server, transport, a);
      const send = (fields) => api.call('message', 'send', { ...h.text(a, b, 'x'), ...fields });
      h.fails(await send({ formUser: b }), 403, "'formUser' must be the logged-in user");
      h.fails(await send({ way: 'P2X' }), 400, "'way'");
      h.fails(await send({ way: undefined }), 400, "'way'");
      h.fails(await send({ type: 'TXT' }), 400, "'type'");
      h.fails(await send({ body: undefined }), 400, "'body'");
      h.fails(await send({ toTarget: undefined }), 400, "'toTarget'");
      h.fails(await send({ toTarget: h.unique('ghost') }), 404);
      h.fails(await send({ way: 'P2R', toTarget: 'abc' }), 400, "'toTarget'");
      h.fails(await send({ way: 'P2R', toTarget: 987654 }), 404, 'room');
      h.fails(await send({ msgOption: [1] }), 400, "'msgOption'");
      h.fails(await send({ at_users: 'bob' }), 400, "'at_users'");
      h.fails(await send({ at_users: [1] }), 400, "'at_users'");
      h.fails(await send({ clientMsgId: 'x'.repeat(129) }), 400, "'clientMsgId'");
      h.fails(await send({ clientMsgId: 7 }), 400, "'clientMsgId'");
      h.fails(await send({ body: { text: 'x'.repeat(70 * 1024) } }), 413, "'body'");
      // Nothing was stored by the failures.
      assert.equal(h.ok(await api.call('message', 'sync', {})).maxSeq, 0);
      api.close();
    });
  }

  test('P2R: every member gets the message with their own seq; toTarget is the rid as a string', async () => {
    const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
    await h.addUsers(server, [a, b, c]);
    const aApi = await h.apiClient(server, 'eio4', a);
    const bSock = new h.SocketClient(server, { eio: 3 });
    h.ok(await bSock.login(b));
    const cApi = await h.apiClient(server, 'http', c);
    h.ok(await cApi.call('message', 'send', h.text(c, c, 'c first'))); // c's seq runs ahead
    const room = h.ok(await aApi.call('room', 'add', { name: 'r', members: [b, c] }));
    const sent = h.ok(await aApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: { text: 'all' }, at_users: [b] }));
    const atB = await bSock.waitMessage((m) => m.mid === sent.mid);
    assert.equal(atB.toTarget, String(room.rid));
    assert.equal(atB.way, 'P2R');
    assert.equal(atB.seq, 1);
    assert.deepEqual(atB.at_users, [b]);
    const cMsgs = h.ok(await cApi.call('message', 'sync', {})).messages;
    assert.deepEqual(cMsgs.map((m) => [m.mid, m.seq]).slice(1), [[sent.mid, 2]]);
    assert.equal(sent.seq, 1);
    // The string form of the rid is accepted too.
    h.ok(await aApi.call('message', 'send', { toTarget: String(room.rid), way: 'P2R', type: 'TEXT', body: 'str rid' }));
    bSock.close();
    aApi.close();
  });

  test('sync pages in seq order from an exclusive fromSeq; maxSeq and hasMore', async () => {
    const [a, b] = [h.unique('a'), h.unique('b')];
    await h.addUsers(server, [a, b]);
    const aApi = await h.apiClient(server, 'http', a);
    const bApi = await h.apiClient(server, 'eio3', b);
    for (let i = 1; i <= 7; i++) h.ok(await aApi.call('message', 'send', h.text(a, b, `m${i}`, { clientMsgId: `s${i}` })));
    const p1 = h.ok(await bApi.call('message', 'sync', { fromSeq: 0, limit: 3 }));
    assert.deepEqual(p1.messages.map((m) => m.seq), [1, 2, 3]);
    assert.equal(p1.hasMore, true);
    assert.equal(p1.maxSeq, 7);
    const p2 = h.ok(await bApi.call('message', 'sync', { fromSeq: 3, limit: 3 }));
    assert.deepEqual(p2.messages.map((m) => m.body.text), ['m4', 'm5', 'm6']);
    const p3 = h.ok(await bApi.call('message', 'sync', { fromSeq: 6, limit: 3 }));
    assert.deepEqual(p3.messages.map((m) => m.seq), [7]);
    assert.equal(p3.hasMore, false);
    const p4 = h.ok(await bApi.call('message', 'sync', { fromSeq: 7 }));
    assert.deepEqual(p4, { messages: [], maxSeq: 7, hasMore: false });
    const exact = h.ok(await bApi.call('message', 'sync', { fromSeq: 4, limit: 3 }));
    assert.equal(exact.hasMore, false); // exactly the last 3
    h.fails(await bApi.call('message', 'sync', { limit: 0 }), 400, "'limit'");
    h.fails(await bApi.call('message', 'sync', { limit: 501 }), 400, "'limit'");
    h.fails(await bApi.call('message', 'sync', { fromSeq: -1 }), 400, "'fromSeq'");
    h.fails(await bApi.call('message', 'sync', { fromSeq: 'x' }), 400, "'fromSeq'");
    h.fails(await bApi.call('message', 'sync', { auid: a }), 403);
    bApi.close();
  });

  test('history pages back through one conversation; room history needs membership; list is an alias', async () => {
    const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
    await h.addUsers(server, [a, b, c]);
    const aApi = await h.apiClient(server, 'eio4', a);
    const cApi = await h.apiClient(server, 'http', c);
    for (let i = 1; i <= 5; i++) h.ok(await aApi.call('message', 'send', h.text(a, b, `ab${i}`)));
    h.ok(await aApi.call('message', 'send', h.text(a, c, 'ac')));
    const newest = h.ok(await aApi.call('message', 'history', { way: 'P2P', toTarget: b, limit: 2 }));
    assert.deepEqual(newest.messages.map((m) => m.body.text), ['ab4', 'ab5']);
    assert.equal(newest.hasMore, true);
    const older = h.ok(await aApi.call('message', 'list', { way: 'P2P', toTarget: b, limit: 10, beforeSeq: newest.messages[0].seq }));
    assert.deepEqual(older.messages.map((m) => m.body.text), ['ab1', 'ab2', 'ab3']);
    assert.equal(older.hasMore, false);
    // The peer sees the same conversation under the other name.
    const cHist = h.ok(await cApi.call('message', 'history', { way: 'P2P', toTarget: a }));
    assert.deepEqual(cHist.messages.map((m) => m.body.text), ['ac']);

    const room = h.ok(await aApi.call('room', 'add', { name: 'h', members: [b] }));
    h.ok(await aApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: 'before c' }));
    h.fails(await cApi.call('message', 'history', { way: 'P2R', toTarget: room.rid }), 403, 'not a member');
    h.ok(await aApi.call('room', 'add_user', { rid: room.rid, auids: [c] }));
    h.ok(await aApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: 'after c' }));
    const cRoom = h.ok(await cApi.call('message', 'history', { way: 'P2R', toTarget: room.rid }));
    assert.deepEqual(cRoom.messages.map((m) => m.body), ['after c']);
    h.fails(await cApi.call('message', 'history', { way: 'P2R', toTarget: 424242 }), 404);
    h.fails(await cApi.call('message', 'history', { way: 'P2P' }), 400, "'toTarget'");
    aApi.close();
  });

  test('recall: only the sender, once, within the window; recipients are notified; body becomes null', async () => {
    const [a, b] = [h.unique('a'), h.unique('b')];
    await h.addUsers(server, [a, b]);
    const aApi = await h.apiClient(server, 'eio3', a);
    const bSock = new h.SocketClient(server, { eio: 4 });
    h.ok(await bSock.login(b));
    const bApi = await h.apiClient(server, 'http', b);
    const sent = h.ok(await aApi.call('message', 'send', h.text(a, b, 'oops')));
    h.fails(await bApi.call('message', 'recall', { mid: sent.mid }), 403, 'only the sender');
    const r = h.ok(await aApi.call('message', 'recall', { mid: sent.mid }));
    assert.equal(r.mid, sent.mid);
    const note = await bSock.waitNotify('message.recalled');
    assert.deepEqual(note.data, { mid: sent.mid, way: 'P2P', formUser: a, toTarget: b, recallTime: r.recallTime });
    await aApi.socket.waitNotify('message.recalled');
    const synced = h.ok(await bApi.call('message', 'sync', {})).messages.find((m) => m.mid === sent.mid);
    assert.equal(synced.recalled, true);
    assert.equal(synced.body, null);
    assert.equal(synced.recallTime, r.recallTime);
    h.fails(await aApi.call('message', 'recall', { mid: sent.mid }), 409);
    h.fails(await aApi.call('message', 'recall', { mid: 99999999 }), 404);
    h.fails(await aApi.call('message', 'recall', {}), 400, "'mid'");
    bSock.close();
    aApi.close();

    const strict = await h.startServer({ recallWindow: 0.001 });
    try {
      await h.addUsers(strict, ['x', 'y']);
      const x = await h.apiClient(strict, 'http', 'x');
      const late = h.ok(await x.call('message', 'send', h.text('x', 'y', 'late')));
      await new Promise((res) => setTimeout(res, 20));
      h.fails(await x.call('message', 'recall', { mid: late.mid }), 403, 'recall window');
    } finally {
      await strict.close();
    }
  });

  test('conversations: list, unread counts, read, message/read with receipt, del', async () => {
    const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
    await h.addUsers(server, [a, b, c]);
    const aSock = new h.SocketClient(server, { eio: 3 });
    h.ok(await aSock.login(a));
    const bApi = await h.apiClient(server, 'eio4', b);
    const cApi = await h.apiClient(server, 'http', c);
    const m1 = h.ok(await aSock.call('message', 'send', h.text(a, b, 'one')));
    const m2 = h.ok(await aSock.call('message', 'send', h.text(a, b, 'two')));
    h.ok(await aSock.call('message', 'send', h.text(a, b, 'three')));
    h.ok(await bApi.call('message', 'send', h.text(b, a, 'reply'))); // own messages are never unread
    h.ok(await cApi.call('message', 'send', h.text(c, b, 'from c')));

    let convs = h.ok(await bApi.call('conversation', 'list'));
    assert.deepEqual(convs.map((v) => [v.way, v.toTarget, v.unread]), [['P2P', c, 1], ['P2P', a, 3]]);
    assert.equal(convs[1].lastMessage.body.text, 'reply');
    assert.equal(convs[1].lastSeq, convs[1].lastMessage.seq);

    // message/read marks up to that message and sends a's session a read receipt.
    const read = h.ok(await bApi.call('message', 'read', { mid: m2.mid }));
    assert.equal(read.unread, 1);
    assert.equal(read.toTarget, a);
    const receipt = await aSock.waitNotify('message.read');
    assert.deepEqual(receipt.data, { mid: m2.mid, reader: b, way: 'P2P', formUser: a, toTarget: b });
    // Reading an older message does not move the position back.
    assert.equal(h.ok(await bApi.call('message', 'read', { mid: m1.mid })).unread, 1);
    h.fails(await cApi.call('message', 'read', { mid: m1.mid }), 404); // not delivered to c

    const all = h.ok(await bApi.call('conversation', 'read', { way: 'P2P', toTarget: a }));
    assert.equal(all.unread, 0);
    assert.equal(all.readSeq, all.lastSeq);
    h.fails(await bApi.call('conversation', 'read', { way: 'P2P', toTarget: h.unique('nobody') }), 404);

    // del hides the conversation until its next message, which alone is unread.
    assert.deepEqual(h.ok(await bApi.call('conversation', 'del', { way: 'P2P', toTarget: c })), { way: 'P2P', toTarget: c });
    assert.deepEqual(h.ok(await bApi.call('conversation', 'list')).map((v) => v.toTarget), [a]);
    h.fails(await bApi.call('conversation', 'del', { way: 'P2P', toTarget: c }), 404);
    h.ok(await cApi.call('message', 'send', h.text(c, b, 'again')));
    convs = h.ok(await bApi.call('conversation', 'list'));
    assert.deepEqual(convs.map((v) => [v.toTarget, v.unread]), [[c, 1], [a, 0]]);
    // History survives the deletion.
    assert.equal(h.ok(await bApi.call('message', 'history', { way: 'P2P', toTarget: c })).messages.length, 2);

    // A recalled message no longer counts as unread.
    const r = h.ok(await cApi.call('message', 'send', h.text(c, b, 'to recall')));
    assert.equal(h.ok(await bApi.call('conversation', 'list'))[0].unread, 2);
    h.ok(await cApi.call('message', 'recall', { mid: r.mid }));
    assert.equal(h.ok(await bApi.call('conversation', 'list'))[0].unread, 1);
    aSock.close();
    bApi.close();
  });

  test('offline delivery: unacknowledged deliveries are pushed at login in seq order; acked ones are not', async () => {
    const [a, b] = [h.unique('a'), h.unique('b')];
    await h.addUsers(server, [a, b]);
    const aApi = await h.apiClient(server, 'http', a);
    const room = h.ok(await aApi.call('room', 'add', { name: 'off', members: [b] }));
    for (let i = 1; i <= 3; i++) h.ok(await aApi.call('message', 'send', h.text(a, b, `p${i}`)));
    h.ok(await aApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: { text: 'r1' } }));

    // First login: nothing acknowledged yet, all four arrive; this client acks only the first two.
    let acked = 0;
    const first = new h.SocketClient(server, { eio: 3, autoAck: false });
    first.socket.on('topic.message', (m, ack) => { if (acked < 2) { acked += 1; ack({ seq: m.seq }); } });
    h.ok(await first.login(b));
    await first.waitMessage((m) => m.seq === 4);
    assert.deepEqual(first.messages.map((m) => m.seq), [1, 2, 3, 4]);
    assert.deepEqual(first.messages.map((m) => m.body.text), ['p1', 'p2', 'p3', 'r1']);
    // The ack of seq 2 reached the server before this request (same socket, in order).
    h.ok(await first.call('user', 'get', { auid: b }));
    first.close();

    // Second login (EIO4): only 3 and 4 are pushed again. The legacy topic.clientack acks them.
    const second = new h.SocketClient(server, { eio: 4, autoAck: false });
    h.ok(await second.login(b));
    await second.waitMessage((m) => m.seq === 4);
    assert.deepEqual(second.messages.map((m) => m.seq), [3, 4]);
    const byMid = await second.emitAck('topic.clientack', { requestId: 'ca1', mid: second.messages[0].mid });
    assert.deepEqual(byMid, { requestId: 'ca1', response: { code: 0, msg: 'ok', data: { acked: 1 } } });
    assert.equal(h.ok((await second.emitAck('topic.clientack', { seq: 4 })).response).acked, 1);
    assert.equal(h.ok((await second.emitAck('topic.clientack', { seq: 4 })).response).acked, 0);
    h.fails((await second.emitAck('topic.clientack', {})).response, 400, "'mid'");
    h.fails((await second.emitAck('topic.clientack', 'x')).response, 400);
    second.close();

    // Third login: nothing pending; a new message arrives live.
    const third = new h.SocketClient(server, { eio: 4 });
    h.ok(await third.login(b));
    const live = h.ok(await aApi.call('message', 'send', h.text(a, b, 'live')));
    const got = await third.waitMessage(() => true);
    assert.equal(got.mid, live.mid);
    assert.equal(got.seq, 5);
    third.close();

    // clientack needs an identity.
    const anon = new h.SocketClient(server, { eio: 4 });
    await anon.connected();
    h.fails((await anon.emitAck('topic.clientack', { seq: 1 })).response, 401);
    anon.close();
  });

  test('sync acknowledges up to fromSeq; the offline push is capped', async () => {
    const capped = await h.startServer({ offlinePushLimit: 2 });
    try {
      await h.addUsers(capped, ['a', 'b']);
      const aApi = await h.apiClient(capped, 'http', 'a');
      for (let i = 1; i <= 5; i++) h.ok(await aApi.call('message', 'send', h.text('a', 'b', `m${i}`)));
      const bHttp = await h.apiClient(capped, 'http', 'b');
      h.ok(await bHttp.call('message', 'sync', { fromSeq: 2 })); // b holds 1..2
      const b = new h.SocketClient(capped, { eio: 3, autoAck: false });
      h.ok(await b.login('b'));
      await b.waitMessage((m) => m.seq === 4);
      h.ok(await b.call('user', 'get', { auid: 'b' })); // anything pushed would have arrived before this answer
      assert.deepEqual(b.messages.map((m) => m.seq), [3, 4]);
      b.close();
    } finally {
      await capped.close();
    }
  });

  test('seqs stay gap-free and complete under concurrent senders on all transports', async () => {
    const hubUser = h.unique('hub');
    const senders = [0, 1, 2, 3, 4, 5].map((i) => h.unique(`s${i}`));
    await h.addUsers(server, [hubUser, ...senders]);
    const apis = await Promise.all(senders.map((s, i) => h.apiClient(server, h.TRANSPORTS[i % 3], s)));
    const hubApi = await h.apiClient(server, 'eio4', hubUser);
    const room = h.ok(await hubApi.call('room', 'add', { name: 'busy', members: senders }));
    const PER_SENDER = 25;
    const answers = await Promise.all(apis.map((api) => Promise.all(Array.from({ length: PER_SENDER }, (_, k) => api.call('message', 'send',
      k % 2
        ? { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: { k }, clientMsgId: `c${k}` }
        : { ...h.text(api.auid, hubUser, `k${k}`), clientMsgId: `c${k}` })))));
    // Concurrent resends of the same clientMsgIds are deduplicated.
    const resends = await Promise.all(apis.map((api) => api.call('message', 'send', { ...h.text(api.auid, hubUser, 'dup'), clientMsgId: 'c0' })));
    resends.forEach((r, i) => assert.deepEqual(h.ok(r), { ...h.ok(answers[i][0]), duplicate: true }));

    const sentMids = new Set(answers.flat().map((r) => h.ok(r).mid));
    assert.equal(sentMids.size, senders.length * PER_SENDER);
    const roomMsgs = senders.length * Math.floor(PER_SENDER / 2);
    const hub = await syncAll(hubApi);
    assertGapFree(hub.messages, hubUser);
    assert.equal(hub.messages.length, senders.length * Math.ceil(PER_SENDER / 2) + roomMsgs);
    assert.equal(new Set(hub.messages.map((m) => m.mid)).size, hub.messages.length);
    // The hub user's live pushes are the same deliveries.
    await hubApi.socket.waitMessage((m) => m.seq === hub.maxSeq);
    assert.deepEqual(hubApi.socket.messages.map((m) => m.seq).sort((x, y) => x - y), hub.messages.map((m) => m.seq));
    for (const api of apis) {
      const mine = await syncAll(api);
      assertGapFree(mine.messages, api.auid);
      assert.equal(mine.messages.length, PER_SENDER + roomMsgs - Math.floor(PER_SENDER / 2)); // own P2P+P2R, others' P2R
      // Each answered seq is the sender's delivery of that message.
      const bySeq = new Map(mine.messages.map((m) => [m.seq, m.mid]));
      for (const r of answers[apis.indexOf(api)]) assert.equal(bySeq.get(r.data.seq), r.data.mid);
    }
    apis.forEach((api) => api.close());
    hubApi.close();
  });
});
