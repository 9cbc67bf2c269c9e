'use strict';
// Modules friend and blacklist (docs/protocol.md 10.3, 10.4) over every transport, their
// notifications, and the blacklist's effect on messages and friend requests (section 6).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

describe('friends and blacklist', () => {
  let server;
  before(async () => { server = await h.startServer(); });
  after(() => server.close());

  for (const transport of h.TRANSPORTS) {
    test(`friend add, list, update_alias, del over ${transport}, with notifications to both users`, async () => {
      const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
      await h.addUsers(server, [a, b, c]);
      const api = await h.apiClient(server, transport, a);
      const watcherA = new h.SocketClient(server, { eio: 3 });
      const watcherB = new h.SocketClient(server, { eio: 4 });
      // A socket API client is itself a's session; an extra watcher session for a would kick it.
      const aEvents = api.socket || watcherA;
      if (!api.socket) h.ok(await watcherA.login(a));
      h.ok(await watcherB.login(b));

      const entry = h.ok(await api.call('friend', 'add', { friendAuid: b, alias: 'Bee' }));
      assert.equal(entry.auid, b);
      assert.equal(entry.alias, 'Bee');
      assert.equal(entry.user.auid, b);
      const noteB = await watcherB.waitNotify('friend.added');
      const noteA = await aEvents.waitNotify('friend.added');
      assert.deepEqual(noteB.data, noteA.data);
      assert.equal(noteB.data.auid, a);
      assert.equal(noteB.data.friendAuid, b);
      assert.equal(typeof noteB.createTime, 'number');

      h.fails(await api.call('friend', 'add', { friendAuid: b }), 409, 'already a friend');
      h.fails(await api.call('friend', 'add', { friendAuid: a }), 400, 'yourself');
      h.fails(await api.call('friend', 'add', { friendAuid: h.unique('ghost') }), 404);
      h.fails(await api.call('friend', 'add', {}), 400, "'friendAuid'");
      h.fails(await api.call('friend', 'add', { auid: c, friendAuid: b }), 403, "'auid' must be the logged-in user");

      // Symmetric: b sees a without having added them.
      const bApi = await h.apiClient(server, 'http', b);
      assert.deepEqual(h.ok(await bApi.call('friend', 'list')).map((f) => [f.auid, f.alias]), [[a, '']]);
      assert.deepEqual(h.ok(await api.call('friend', 'list')).map((f) => [f.auid, f.alias]), [[b, 'Bee']]);

      assert.equal(h.ok(await api.call('friend', 'update_alias', { friendAuid: b, alias: 'B2' })).alias, 'B2');
      h.fails(await api.call('friend', 'update_alias', { friendAuid: c, alias: 'x' }), 404, 'not a friend');
      h.fails(await api.call('friend', 'update_alias', { friendAuid: b }), 400, "'alias'");

      assert.deepEqual(h.ok(await api.call('friend', 'del', { friendAuid: b })), { friendAuid: b });
      const removed = await watcherB.waitNotify('friend.removed');
      assert.deepEqual(removed.data, { auid: a, friendAuid: b });
      await aEvents.waitNotify('friend.removed');
      assert.deepEqual(h.ok(await bApi.call('friend', 'list')), []);
      h.fails(await api.call('friend', 'del', { friendAuid: b }), 404);
      watcherA.close();
      watcherB.close();
      api.close();
    });

    test(`blacklist add, list, del over ${transport} and its effects`, async () => {
      const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
      await h.addUsers(server, [a, b, c]);
      const api = await h.apiClient(server, transport, a);
      const bApi = await h.apiClient(server, 'http', b);
      const entry = h.ok(await api.call('blacklist', 'add', { blackAuid: b }));
      assert.equal(entry.auid, b);
      h.fails(await api.call('blacklist', 'add', { blackAuid: b }), 409);
      h.fails(await api.call('blacklist', 'add', { blackAuid: a }), 400, 'yourself');
      h.fails(await api.call('blacklist', 'add', { blackAuid: h.unique('ghost') }), 404);
      h.fails(await api.call('blacklist', 'add', { auid: b, blackAuid: c }), 403);
      assert.deepEqual(h.ok(await api.call('blacklist', 'list')).map((e) => e.auid), [b]);
      assert.deepEqual(h.ok(await bApi.call('blacklist', 'list')), []);

      // b cannot message a, nor befriend a; a can still message b.
      h.fails(await bApi.call('message', 'send', h.text(b, a, 'hi', { clientMsgId: 'blocked-1' })), 403, 'blacklisted');
      h.fails(await bApi.call('friend', 'add', { friendAuid: a }), 403, 'blacklisted');
      h.ok(await api.call('message', 'send', h.text(a, b, 'one way')));
      // Nothing of the refused message was stored: a has only their own message.
      const aSync = h.ok(await api.call('message', 'sync', { fromSeq: 0 }));
      assert.deepEqual(aSync.messages.map((m) => m.body.text), ['one way']);

      assert.deepEqual(h.ok(await api.call('blacklist', 'del', { blackAuid: b })), { auid: b });
      h.fails(await api.call('blacklist', 'del', { blackAuid: b }), 404);
      // The refused clientMsgId was never stored, so the same id now goes through.
      h.ok(await bApi.call('message', 'send', h.text(b, a, 'hi again', { clientMsgId: 'blocked-1' })));
      h.ok(await bApi.call('friend', 'add', { friendAuid: a }));
      api.close();
    });
  }

  test('a member who blacklisted the sender gets no delivery of room messages', async () => {
    const [owner, blocker, sender] = [h.unique('o'), h.unique('k'), h.unique('s')];
    await h.addUsers(server, [owner, blocker, sender]);
    const ownerApi = await h.apiClient(server, 'http', owner);
    const blockerApi = await h.apiClient(server, 'http', blocker);
    const senderApi = await h.apiClient(server, 'http', sender);
    const room = h.ok(await ownerApi.call('room', 'add', { name: 'r', members: [blocker, sender] }));
    h.ok(await blockerApi.call('blacklist', 'add', { blackAuid: sender }));
    h.ok(await senderApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: { text: 'from sender' } }));
    h.ok(await ownerApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: { text: 'from owner' } }));
    const texts = async (api) => h.ok(await api.call('message', 'sync', {})).messages.map((m) => m.body.text);
    assert.deepEqual(await texts(blockerApi), ['from owner']);
    assert.deepEqual(await texts(ownerApi), ['from sender', 'from owner']);
    assert.deepEqual(await texts(senderApi), ['from sender', 'from owner']);
    const history = h.ok(await blockerApi.call('message', 'history', { way: 'P2R', toTarget: room.rid }));
    assert.deepEqual(history.messages.map((m) => m.body.text), ['from owner']);
  });
});
