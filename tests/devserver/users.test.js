'use strict';
// Module user (docs/protocol.md 10.2) over every transport, and the administrative credentials (5.4).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

describe('module user', () => {
  let server;
  before(async () => {
    server = await h.startServer({ apps: [{ appKey: h.APP, secret: '' }, { appKey: 'LOCKED', secret: 's3cret' }] });
  });
  after(() => server.close());

  const admin = (fields, appKey = h.APP, secret = '') => ({ appKey, secret, ...fields });

  for (const transport of h.TRANSPORTS) {
    test(`add, get, list, update, update_token, refresh_token over ${transport}`, async () => {
      const me = h.unique('me');
      const other = h.unique('other');
      // Administrative calls travel the same transport: the socket client sends them unauthenticated.
      const adminApi = transport === 'http'
        ? { call: (m, method, f) => h.httpCall(server, m, method, f) }
        : await (async () => {
          const c = new h.SocketClient(server, { eio: transport === 'eio3' ? 3 : 4 });
          await c.connected();
          return { call: (m, method, f) => c.call(m, method, f), close: () => c.close() };
        })();
      const created = h.ok(await adminApi.call('user', 'add', admin({ auid: me, token: 'pw', name: 'Me', ext: { level: 2 } })));
      assert.equal(created.auid, me);
      assert.equal(created.token, 'pw');
      assert.equal(created.name, 'Me');
      assert.deepEqual(created.ext, { level: 2 });
      assert.equal(typeof created.createTime, 'number');
      const generated = h.ok(await adminApi.call('user', 'add', admin({ auid: other })));
      assert.match(generated.token, /^[0-9a-f]{32}$/);
      h.fails(await adminApi.call('user', 'add', admin({ auid: me })), 409, 'already exists');
      h.fails(await adminApi.call('user', 'add', admin({})), 400, "'auid'");
      h.fails(await adminApi.call('user', 'add', admin({ auid: 'x'.repeat(65) })), 400, "'auid'");
      h.fails(await adminApi.call('user', 'add', admin({ auid: 'bad\nid' })), 400, 'control characters');

      const api = await h.apiClient(server, transport, me, 'pw');
      const profile = h.ok(await api.call('user', 'get', { auid: other }));
      assert.deepEqual(Object.keys(profile).sort(), ['auid', 'avatar', 'createTime', 'ext', 'name', 'sign', 'updateTime']);
      h.fails(await api.call('user', 'get', { auid: h.unique('ghost') }), 404);
      const listed = h.ok(await api.call('user', 'list', { auids: [other, 'ghost-x', me] }));
      assert.deepEqual(listed.map((u) => u.auid), [other, me]);
      assert.ok(listed.every((u) => !('token' in u)));
      const page = h.ok(await api.call('user', 'list', { limit: 2 }));
      assert.equal(page.length, 2);
      assert.ok(page[0].auid < page[1].auid);

      const updated = h.ok(await api.call('user', 'update', { sign: 'busy', avatar: 'http://a/b.png' }));
      assert.equal(updated.sign, 'busy');
      assert.equal(updated.name, 'Me'); // absent fields unchanged
      h.fails(await api.call('user', 'update', { auid: other, name: 'hijack' }), 403, "'auid' must be the logged-in user");
      h.fails(await api.call('user', 'update', { name: 'x'.repeat(65) }), 400, "'name'");
      h.fails(await api.call('user', 'update', { ext: { big: 'x'.repeat(5000) } }), 413, "'ext'");

      assert.deepEqual(h.ok(await api.call('user', 'update_token', { token: 'pw2' })), { auid: me, token: 'pw2' });
      h.fails(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: me, token: 'pw' }), 401);
      h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: me, token: 'pw2' }));
      h.fails(await api.call('user', 'update_token', { auid: other, token: 'x' }), 403);
      const refreshed = h.ok(await api.call('user', 'refresh_token', {}));
      assert.equal(refreshed.auid, me);
      assert.match(refreshed.token, /^[0-9a-f]{32}$/);
      h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: me, token: refreshed.token }));
      // A JWT issued before the token changed stays valid until it expires.
      h.ok(await api.call('user', 'get', { auid: me }));

      // The app credentials act on any user of the app.
      assert.equal(h.ok(await adminApi.call('user', 'update', admin({ auid: other, name: 'Renamed' }))).name, 'Renamed');
      h.fails(await adminApi.call('user', 'update', admin({ name: 'no auid' })), 400, "'auid'");
      assert.deepEqual(h.ok(await adminApi.call('user', 'update_token', admin({ auid: other, token: 't' }))), { auid: other, token: 't' });
      h.fails(await adminApi.call('user', 'refresh_token', admin({ auid: h.unique('ghost') })), 404);
      assert.equal(h.ok(await adminApi.call('user', 'get', admin({ auid: other }))).name, 'Renamed');
      api.close();
      if (adminApi.close) adminApi.close();
    });
  }

  test('administrative credentials are checked', async () => {
    h.fails(await h.httpCall(server, 'user', 'add', { auid: h.unique() }), 401, 'app credentials');
    h.fails(await h.httpCall(server, 'user', 'add', { appKey: 'NOPE', auid: h.unique() }), 401, "unknown appKey 'NOPE'");
    h.fails(await h.httpCall(server, 'user', 'add', { appKey: 'LOCKED', auid: h.unique() }), 401, 'invalid secret');
    h.fails(await h.httpCall(server, 'user', 'add', { appKey: 'LOCKED', secret: 'wrong', auid: h.unique() }), 401, 'invalid secret');
    h.ok(await h.httpCall(server, 'user', 'add', { appKey: 'LOCKED', secret: 's3cret', auid: h.unique() }));
    // A logged-in user is not an administrator: user/add ignores the JWT.
    const u = h.unique();
    await h.addUsers(server, [u]);
    const api = await h.apiClient(server, 'http', u);
    h.fails(await api.call('user', 'add', { auid: h.unique() }), 401, 'app credentials');
    h.fails(await h.httpCall(server, 'user', 'update', { appKey: 'LOCKED', secret: 'bad', auid: u }), 401);
  });

  test('identical answers over HTTP and the socket for the same calls', async () => {
    const a = h.unique('par');
    await h.addUsers(server, [a]);
    const strip = (r) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'updateTime' ? 0 : v)));
    const answers = [];
    for (const t of h.TRANSPORTS) {
      const api = await h.apiClient(server, t, a);
      answers.push(strip([
        await api.call('user', 'update', { name: 'Same' }),
        await api.call('user', 'get', { auid: a }),
        await api.call('user', 'list', { auids: [a] }),
        await api.call('user', 'update', { auid: 'someone-else' }),
        await api.call('user', 'get', {}),
      ]));
      api.close();
    }
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
  });
});
