'use strict';
// Module room (docs/protocol.md 10.5) over every transport: membership and ownership rules with
// their negative cases, and the room notifications (section 12).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

describe('module room', () => {
  let server;
  before(async () => { server = await h.startServer(); });
  after(() => server.close());

  for (const transport of h.TRANSPORTS) {
    test(`room lifecycle over ${transport}`, async () => {
      const [owner, bob, carol, dave, eve] = ['o', 'b', 'c', 'd', 'e'].map((p) => h.unique(p));
      await h.addUsers(server, [owner, bob, carol, dave, eve]);
      const api = await h.apiClient(server, transport, owner);
      const bobWatch = new h.SocketClient(server, { eio: 3 });
      h.ok(await bobWatch.login(bob));
      const bobApi = await h.apiClient(server, 'http', bob);
      const eveApi = await h.apiClient(server, 'http', eve);

      const room = h.ok(await api.call('room', 'add', { name: 'Team', notice: 'hello', ext: { k: 1 }, members: [bob, carol, owner] }));
      assert.equal(typeof room.rid, 'number');
      assert.equal(room.owner, owner);
      assert.equal(room.memberCount, 3);
      assert.deepEqual(room.ext, { k: 1 });
      assert.deepEqual((await bobWatch.waitNotify('room.created')).data, room);
      h.fails(await api.call('room', 'add', {}), 400, "'name'");
      h.fails(await api.call('room', 'add', { name: 'x', members: [h.unique('ghost')] }), 404);
      h.fails(await api.call('room', 'add', { name: 'x', owner: bob }), 403, "'owner' must be the logged-in user");

      assert.deepEqual(h.ok(await bobApi.call('room', 'list')).map((r) => r.rid), [room.rid]);
      assert.deepEqual(h.ok(await eveApi.call('room', 'list')), []);
      const members = h.ok(await bobApi.call('room', 'list_member', { rid: room.rid }));
      assert.deepEqual(members.map((m) => [m.auid, m.role]).sort(), [[bob, 'member'], [carol, 'member'], [owner, 'owner']].sort());
      assert.equal(members[0].user.auid, members[0].auid);
      h.fails(await eveApi.call('room', 'list_member', { rid: room.rid }), 403, 'not a member');
      h.fails(await eveApi.call('room', 'list_member', { rid: 999999 }), 404);
      h.fails(await eveApi.call('room', 'list_member', { rid: 'abc' }), 400, "'rid'");

      const updated = h.ok(await api.call('room', 'update', { rid: String(room.rid), name: 'Team 2' }));
      assert.equal(updated.name, 'Team 2');
      assert.equal(updated.notice, 'hello');
      assert.equal((await bobWatch.waitNotify('room.updated')).data.name, 'Team 2');
      h.fails(await bobApi.call('room', 'update', { rid: room.rid, name: 'mine' }), 403, 'only the owner');

      // Any member may invite; already-members are skipped.
      assert.deepEqual(h.ok(await bobApi.call('room', 'add_user', { rid: room.rid, auids: [dave, carol] })), { rid: room.rid, added: [dave] });
      assert.deepEqual((await bobWatch.waitNotify('room.member.joined')).data, { rid: room.rid, auids: [dave], by: bob });
      h.fails(await eveApi.call('room', 'add_user', { rid: room.rid, auids: [eve] }), 403, 'not a member');
      h.fails(await bobApi.call('room', 'add_user', { rid: room.rid, auids: [] }), 400, "'auids'");
      h.fails(await bobApi.call('room', 'add_user', { rid: room.rid, auids: [h.unique('ghost')] }), 404);

      // Members leave; only the owner removes others; the owner cannot leave.
      h.fails(await bobApi.call('room', 'del_user', { rid: room.rid, auids: [carol] }), 403, 'only the owner');
      h.fails(await api.call('room', 'del_user', { rid: room.rid, auids: [owner] }), 403, 'cannot leave');
      h.fails(await api.call('room', 'del_user', { rid: room.rid, auids: [eve] }), 404, 'not a member');
      assert.deepEqual(h.ok(await bobApi.call('room', 'del_user', { rid: room.rid, auids: [bob] })), { rid: room.rid, removed: [bob] });
      assert.deepEqual((await bobWatch.waitNotify('room.member.left')).data, { rid: room.rid, auids: [bob], by: bob });
      h.fails(await bobApi.call('room', 'list_member', { rid: room.rid }), 403);
      h.fails(await bobApi.call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'TEXT', body: 'x' }), 403, 'not a member');
      h.ok(await api.call('room', 'del_user', { rid: room.rid, auids: [dave] }));
      assert.equal(h.ok(await api.call('room', 'list')).find((r) => r.rid === room.rid).memberCount, 2);

      h.fails(await bobApi.call('room', 'del', { rid: room.rid }), 403, 'only the owner');
      const carolWatch = new h.SocketClient(server, { eio: 4 });
      h.ok(await carolWatch.login(carol));
      assert.deepEqual(h.ok(await api.call('room', 'del', { rid: room.rid })), { rid: room.rid });
      assert.deepEqual((await carolWatch.waitNotify('room.deleted')).data, { rid: room.rid, by: owner });
      h.fails(await api.call('room', 'update', { rid: room.rid, name: 'gone' }), 404);
      assert.deepEqual(h.ok(await api.call('room', 'list')).filter((r) => r.rid === room.rid), []);
      carolWatch.close();
      bobWatch.close();
      api.close();
    });
  }

  test('rids are never reused', async () => {
    const a = h.unique('a');
    await h.addUsers(server, [a]);
    const api = await h.apiClient(server, 'http', a);
    const r1 = h.ok(await api.call('room', 'add', { name: 'one' }));
    h.ok(await api.call('room', 'del', { rid: r1.rid }));
    const r2 = h.ok(await api.call('room', 'add', { name: 'two' }));
    assert.ok(r2.rid > r1.rid);
  });
});
