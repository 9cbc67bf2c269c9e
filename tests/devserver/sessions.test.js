'use strict';
// Socket sessions (docs/protocol.md 5.2): one session per user, kick by a newer login, presence
// notifications to friends, client/list, re-login on the same socket, requests without a jwt.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

describe('sessions', () => {
  let server;
  before(async () => { server = await h.startServer(); });
  after(() => server.close());

  for (const [oldEio, newEio] of [[3, 4], [4, 3], [4, 4]]) {
    test(`a newer login (EIO${newEio}) kicks the older socket (EIO${oldEio})`, async () => {
      const a = h.unique('a');
      await h.addUsers(server, [a]);
      const older = new h.SocketClient(server, { eio: oldEio });
      h.ok(await older.login(a));
      const newer = new h.SocketClient(server, { eio: newEio });
      h.ok(await newer.login(a));
      const kicked = await older.waitNotify('session.kicked');
      assert.deepEqual(kicked.data, { auid: a, reason: 'logged in elsewhere' });
      assert.equal(await older.waitDisconnect(), 'io server disconnect');
      // The newer session is the one that receives deliveries.
      const sender = await h.apiClient(server, 'http', a);
      const sent = h.ok(await sender.call('message', 'send', h.text(a, a, 'to myself')));
      assert.equal((await newer.waitMessage((m) => m.mid === sent.mid)).seq, sent.seq);
      assert.ok(newer.socket.connected);
      newer.close();
    });
  }

  test('presence: friends are told when a user comes online and goes offline, not on a kick', async () => {
    const [a, f, stranger] = [h.unique('a'), h.unique('f'), h.unique('x')];
    await h.addUsers(server, [a, f, stranger]);
    const fApi = await h.apiClient(server, 'eio4', f);
    const strangerSock = new h.SocketClient(server, { eio: 4 });
    h.ok(await strangerSock.login(stranger));
    h.ok(await fApi.call('friend', 'add', { friendAuid: a }));

    const first = new h.SocketClient(server, { eio: 3 });
    h.ok(await first.login(a));
    assert.deepEqual((await fApi.socket.waitNotify('user.online')).data, { auid: a });
    const second = new h.SocketClient(server, { eio: 4 });
    h.ok(await second.login(a)); // replaces the first session: a stays online
    await first.waitDisconnect();
    second.close();
    assert.deepEqual((await fApi.socket.waitNotify('user.offline')).data, { auid: a });
    // Exactly one online and one offline: the kick was neither.
    h.ok(await fApi.call('user', 'get', { auid: f }));
    assert.deepEqual(fApi.socket.notifies.filter((n) => n.type.startsWith('user.')).map((n) => n.type), ['user.online', 'user.offline']);
    // Presence goes to friends only.
    h.ok(await strangerSock.call('user', 'get', { auid: stranger }));
    assert.equal(strangerSock.notifies.filter((n) => n.type.startsWith('user.')).length, 0);
    strangerSock.close();
    fApi.close();
  });

  test('client/list shows who is online with their Engine.IO version', async () => {
    const [a, b, c] = [h.unique('a'), h.unique('b'), h.unique('c')];
    await h.addUsers(server, [a, b, c]);
    const aSock = new h.SocketClient(server, { eio: 3 });
    h.ok(await aSock.login(a));
    const bSock = new h.SocketClient(server, { eio: 4, transports: ['polling', 'websocket'] });
    h.ok(await bSock.login(b));
    const cApi = await h.apiClient(server, 'http', c); // HTTP login creates no session
    const listed = h.ok(await cApi.call('client', 'list', { auids: [a, b, c] }));
    assert.deepEqual(listed.map((x) => [x.auid, x.eio]), [[a, 3], [b, 4]]);
    assert.equal(typeof listed[0].loginTime, 'number');
    const everyone = h.ok(await cApi.call('client', 'list'));
    assert.ok(everyone.some((x) => x.auid === a));
    assert.ok(!everyone.some((x) => x.auid === c));
    bSock.close();
    await bSock.waitDisconnect();
    await h.eventually(async () => {
      assert.deepEqual(h.ok(await aSock.call('client', 'list', { auids: [a, b] })).map((x) => x.auid), [a]);
    }, 'b offline');
    h.fails(await h.httpCall(server, 'client', 'list', {}), 401);
    aSock.close();
  });

  test('a logged-in socket may omit jwt; re-login keeps the session; another user replaces it', async () => {
    const [a, b] = [h.unique('a'), h.unique('b')];
    await h.addUsers(server, [a, b]);
    const c = new h.SocketClient(server, { eio: 4 });
    await c.connected();
    h.fails(await c.call('friend', 'list', {}), 401, 'missing jwt');
    h.ok(await c.login(a));
    h.ok(await c.call('friend', 'list', {}, { withJwt: false }));
    assert.equal(h.ok(await c.call('room', 'add', { name: 'mine' }, { withJwt: false })).owner, a);
    h.ok(await c.login(a)); // renewal: same socket, still connected, no kick
    assert.ok(c.socket.connected);
    assert.equal(c.notifies.filter((n) => n.type === 'session.kicked').length, 0);
    // The same socket logs in as b: a's session ends, b's begins.
    h.ok(await c.login(b));
    const observer = await h.apiClient(server, 'http', b);
    assert.deepEqual(h.ok(await observer.call('client', 'list', { auids: [a, b] })).map((x) => x.auid), [b]);
    assert.equal(h.ok(await c.call('room', 'add', { name: 'b room' }, { withJwt: false })).owner, b);
    // A jwt in the envelope wins over the session.
    const aJwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: a, token: `tk-${a}` }));
    assert.equal(h.ok(await c.call('room', 'add', { name: 'a again', jwt: aJwt }, { withJwt: false })).owner, a);
    c.close();
  });
});
