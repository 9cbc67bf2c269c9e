'use strict';
// Users of one app key never see another app's data (docs/protocol.md section 6): the same auid in
// two apps is two users; rooms, messages, conversations, friends, presence and tokens stay apart.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

const OTHER = 'OTHERAPP0001';

describe('app isolation', () => {
  let server;
  let a1; let b1; let a2; let b2;
  before(async () => {
    server = await h.startServer({
      apps: [{ appKey: h.APP, secret: '' }, { appKey: OTHER, secret: 'k' }],
      users: [{ auid: 'alice', token: 'pw', name: '' }, { auid: 'bob', token: 'pw', name: '' }],
    });
    a1 = await h.apiClient(server, 'eio4', 'alice', 'pw', h.APP);
    b1 = await h.apiClient(server, 'http', 'bob', 'pw', h.APP);
    a2 = await h.apiClient(server, 'eio3', 'alice', 'pw', OTHER);
    b2 = await h.apiClient(server, 'http', 'bob', 'pw', OTHER);
  });
  after(async () => {
    a1.close();
    a2.close();
    await server.close();
  });

  test('the same auid logged in to two apps holds two sessions (no kick)', async () => {
    const listed1 = h.ok(await b1.call('client', 'list'));
    const listed2 = h.ok(await b2.call('client', 'list'));
    assert.deepEqual(listed1.map((c) => [c.auid, c.eio]), [['alice', 4]]);
    assert.deepEqual(listed2.map((c) => [c.auid, c.eio]), [['alice', 3]]);
    assert.ok(a1.socket.socket.connected && a2.socket.socket.connected);
    assert.equal(a1.socket.notifies.filter((n) => n.type === 'session.kicked').length, 0);
  });

  test('messages, seqs and conversations are per app', async () => {
    const sent = h.ok(await b1.call('message', 'send', h.text('bob', 'alice', 'app one')));
    await a1.socket.waitMessage((m) => m.mid === sent.mid);
    const other = h.ok(await a2.call('message', 'sync', {}));
    assert.deepEqual(other.messages, []);
    assert.equal(other.maxSeq, 0);
    assert.deepEqual(h.ok(await a2.call('conversation', 'list')), []);
    h.fails(await a2.call('message', 'read', { mid: sent.mid }), 404);
    h.fails(await b2.call('message', 'recall', { mid: sent.mid }), 404);
    // The push went to app one's alice only.
    h.ok(await a2.call('user', 'get', { auid: 'alice' }));
    assert.equal(a2.socket.messages.length, 0);
  });

  test("rooms of one app do not exist in the other, even by rid", async () => {
    const room = h.ok(await a1.call('room', 'add', { name: 'app1 room', members: ['bob'] }));
    h.fails(await a2.call('room', 'list_member', { rid: room.rid }), 404);
    h.fails(await b2.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: 'x' }), 404);
    h.fails(await b2.call('room', 'add_user', { rid: room.rid, auids: ['alice'] }), 404);
    h.fails(await b2.call('room', 'del', { rid: room.rid }), 404);
    assert.deepEqual(h.ok(await b2.call('room', 'list')), []);
  });

  test('friends, blacklists and tokens are per app', async () => {
    h.ok(await b1.call('friend', 'add', { friendAuid: 'alice' }));
    assert.deepEqual(h.ok(await b2.call('friend', 'list')), []);
    h.ok(await b2.call('blacklist', 'add', { blackAuid: 'alice' }));
    h.ok(await a1.call('message', 'send', h.text('alice', 'bob', 'still fine in app one')));
    h.fails(await a2.call('message', 'send', h.text('alice', 'bob', 'blocked in app two')), 403);
    h.ok(await h.httpCall(server, 'user', 'update_token', { appKey: OTHER, secret: 'k', auid: 'alice', token: 'new' }));
    h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'alice', token: 'pw' }));
    h.fails(await h.httpCall(server, 'auth', 'login', { appKey: OTHER, auid: 'alice', token: 'pw' }), 401);
    // One app's secret does not administer the other.
    h.fails(await h.httpCall(server, 'user', 'add', { appKey: OTHER, secret: '', auid: 'mallory' }), 401);
  });

  test('user listings and profiles are per app', async () => {
    h.ok(await h.httpCall(server, 'user', 'add', { appKey: OTHER, secret: 'k', auid: 'only-in-other', name: 'O' }));
    h.fails(await b1.call('user', 'get', { auid: 'only-in-other' }), 404);
    assert.deepEqual(h.ok(await b1.call('user', 'list', { auids: ['only-in-other'] })), []);
    assert.ok(h.ok(await b2.call('user', 'list', {})).some((u) => u.auid === 'only-in-other'));
    assert.ok(!h.ok(await b1.call('user', 'list', {})).some((u) => u.auid === 'only-in-other'));
  });
});
