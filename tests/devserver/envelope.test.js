'use strict';
// The envelope and the transports: login, R, requestId, credentials, malformed and oversized input,
// rate limits, and that no input crashes the server (docs/protocol.md sections 2–8).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const jwt = require('jsonwebtoken');
const h = require('./helpers');

const SECRET = 'envelope-test-signing-key';

describe('envelope and transports', () => {
  let server;
  before(async () => {
    // Rate limits off here: these tests (the 400-call fuzz loop in particular) check answers, not
    // limits; alice's calls share one per-user bucket, which a fast machine empties (describe 'rate limit').
    server = await h.startServer({ jwtSecret: SECRET, maxBodyBytes: 4096, rateLimit: { rate: 0, burst: 0 } });
    await h.addUsers(server, ['alice', 'bob']);
  });
  after(() => server.close());

  test('socket login answers the JWT in response.data on EIO4 and EIO3', async () => {
    for (const eio of [4, 3]) {
      const c = new h.SocketClient(server, { eio });
      await c.connected();
      const ack = await c.emitAck('topic.connection', { requestId: `login-${eio}`, timestamp: Date.now(), method: 'authority/request', appKey: h.APP, auid: 'alice', token: 'tk-alice' });
      assert.equal(ack.requestId, `login-${eio}`);
      assert.equal(ack.response.code, 0);
      assert.equal(ack.response.msg, 'ok');
      const claims = jwt.verify(ack.response.data, SECRET);
      assert.equal(claims.appKey, h.APP);
      assert.equal(claims.auid, 'alice');
      assert.ok(claims.exp > claims.iat);
      c.close();
    }
  });

  test('HTTP login under both names; requestId echoed beside R', async () => {
    for (const [module, method] of [['auth', 'login'], ['connection', 'authority/request']]) {
      const res = await h.httpRequest(server, `/v1/${module}/${method}`, { body: { requestId: 77, appKey: h.APP, auid: 'bob', token: 'tk-bob' } });
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'msg', 'requestId']);
      assert.equal(res.body.requestId, 77);
      assert.equal(jwt.verify(res.body.data, SECRET).auid, 'bob');
    }
  });

  test('login failures: wrong token, unknown auid, unknown app key, missing fields', async () => {
    const login = (fields) => h.httpCall(server, 'auth', 'login', fields);
    h.fails(await login({ appKey: h.APP, auid: 'alice', token: 'wrong' }), 401, 'invalid auid or token');
    h.fails(await login({ appKey: h.APP, auid: 'nobody', token: 'tk-alice' }), 401, 'invalid auid or token');
    // The token of another user does not log in as this one (the predecessor checked the token alone).
    h.fails(await login({ appKey: h.APP, auid: 'alice', token: 'tk-bob' }), 401);
    h.fails(await login({ appKey: 'NOAPP', auid: 'alice', token: 'tk-alice' }), 401, "unknown appKey 'NOAPP'");
    const missing = h.fails(await login({ appKey: h.APP, token: 'x' }), 400, "'auid'");
    assert.deepEqual(missing.data, { field: 'auid' });
    h.fails(await login({ appKey: h.APP, auid: 5, token: 'x' }), 400, "'auid'");
    const c = new h.SocketClient(server, { eio: 3 });
    h.fails(await c.login('alice', 'wrong'), 401);
    c.close();
  });

  test('credentials: body jwt, Bearer header, missing, invalid, expired, wrong type', async () => {
    const { data: token } = await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'alice', token: 'tk-alice' });
    h.ok(await h.httpCall(server, 'user', 'get', { jwt: token, auid: 'bob' }));
    h.ok(await h.httpCall(server, 'user', 'get', { auid: 'bob' }, { headers: { Authorization: `Bearer ${token}` } }));
    h.fails(await h.httpCall(server, 'friend', 'list', {}), 401, 'missing jwt');
    h.fails(await h.httpCall(server, 'friend', 'list', { jwt: 'not.a.jwt' }), 401, 'invalid jwt');
    const forged = jwt.sign({ appKey: h.APP, auid: 'alice' }, 'some other key');
    h.fails(await h.httpCall(server, 'friend', 'list', { jwt: forged }), 401, 'invalid jwt');
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ appKey: h.APP, auid: 'alice', iat: now - 100, exp: now - 10 }, SECRET);
    const res = await h.httpRequest(server, '/v1/friend/list', { body: { jwt: expired } });
    h.fails(res.body, 419, 'expired');
    assert.equal(res.status, 401);
    h.fails(await h.httpCall(server, 'friend', 'list', { jwt: 12 }), 400, "'jwt'");
    const c = new h.SocketClient(server, { eio: 4 });
    await c.connected();
    h.fails(await c.call('friend', 'list', { jwt: expired }), 419);
    h.fails(await c.call('friend', 'list', {}), 401, 'missing jwt');
    c.close();
  });

  test('a socket session expires with its JWT', async () => {
    // A JWT's exp is in whole seconds (iat rounded down, plus the TTL): with a TTL of 1 s, a login late in
    // a second expired a few ms later and the first call failed (seen once in CI). With 2 s it lives more
    // than 1 s and less than the 2.1 s waited.
    const short = await h.startServer({ jwtTtl: 2 });
    try {
      const c = new h.SocketClient(short, { eio: 4 });
      h.ok(await c.login('admin', 'admin'));
      h.ok(await c.call('friend', 'list', {}, { withJwt: false }));
      await new Promise((r) => setTimeout(r, 2100));
      h.fails(await c.call('friend', 'list', {}, { withJwt: false }), 419);
      h.fails(await c.call('friend', 'list', {}), 419);
      h.ok(await c.login('admin', 'admin')); // renewal on the same socket
      h.ok(await c.call('friend', 'list', {}, { withJwt: false }));
      c.close();
    } finally {
      await short.close();
    }
  });

  test('a socket login whose JWT expires before the socket is bound still logs in; its calls answer 419', async () => {
    // What a login late in a second does with --jwt-ttl 1 (the JWT may outlive its signing by 1 ms): made
    // certain here with a TTL of 0, a JWT expired when signed. Before, the bind re-checked its time and the
    // successful login was answered 419 "jwt expired" (seen in CI through the SDK's stream test).
    const stale = await h.startServer({ jwtTtl: 0 });
    try {
      for (const eio of [3, 4]) {
        const c = new h.SocketClient(stale, { eio });
        assert.equal(typeof h.ok(await c.login('admin', 'admin')), 'string');
        h.fails(await c.call('friend', 'list', {}, { withJwt: false }), 419, 'session jwt expired');
        h.fails(await c.call('friend', 'list', {}), 419, 'jwt expired');
        c.close();
      }
      const http = await h.httpCall(stale, 'auth', 'login', { appKey: h.APP, auid: 'admin', token: 'admin' });
      h.fails(await h.httpCall(stale, 'friend', 'list', { jwt: h.ok(http) }), 419);
    } finally {
      await stale.close();
    }
  });

  test('unknown methods, modules and events', async () => {
    const res = await h.httpRequest(server, '/v1/user/nope', { body: {} });
    assert.equal(res.status, 405);
    h.fails(res.body, 405, "unknown method 'user/nope'");
    h.fails(await h.httpCall(server, 'nomodule', 'list', {}), 405);
    const c = new h.SocketClient(server, { eio: 3 });
    h.ok(await c.login('alice'));
    h.fails(await c.call('user', 'nope'), 405, "unknown method 'user/nope'");
    h.fails(await c.call('nomodule', 'x'), 405);
    const ack = await c.emitAck('hello', { requestId: 'e1' });
    assert.equal(ack.requestId, 'e1');
    h.fails(ack.response, 405, "unknown event 'hello'");
    c.close();
  });

  test('malformed socket payloads', async () => {
    const c = new h.SocketClient(server, { eio: 4 });
    h.ok(await c.login('alice'));
    for (const payload of ['text', 42, null, [1, 2], true]) {
      const ack = await c.emitAck('topic.user', payload);
      assert.equal(ack.requestId, null);
      h.fails(ack.response, 400, 'payload must be an object');
    }
    h.fails((await c.emitAck('topic.user', { requestId: 'm1', auid: 'bob' })).response, 400, "'method'");
    h.fails((await c.emitAck('topic.user', { requestId: 'm2', method: 7 })).response, 400, "'method'");
    const odd = await c.emitAck('topic.user', { requestId: { nested: true }, method: 'get', jwt: c.jwt, auid: 'bob' });
    assert.equal(odd.requestId, null); // an invalid requestId is echoed as null
    h.ok(odd.response);
    c.close();
  });

  test('malformed HTTP requests', async () => {
    const raw = (body) => h.httpRequest(server, '/v1/user/get', { raw: Buffer.from(body), headers: { 'Content-Type': 'application/json' } });
    h.fails((await raw('{"auid": ')).body, 400, 'malformed JSON');
    h.fails((await raw('[1,2]')).body, 400, 'JSON object');
    h.fails((await raw('"str"')).body, 400, 'JSON object');
    h.fails((await h.httpRequest(server, '/v1/user/get', { raw: Buffer.alloc(0) })).body, 401); // empty body = {}
    const get = await h.httpRequest(server, '/v1/user/get', { method: 'GET' });
    assert.equal(get.status, 405);
    h.fails(get.body, 405, 'use POST');
    const nowhere = await h.httpRequest(server, '/nowhere', { method: 'GET' });
    assert.equal(nowhere.status, 404);
    h.fails(nowhere.body, 404);
    const options = await h.httpRequest(server, '/v1/user/get', { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers['access-control-allow-origin'], '*');
  });

  test('oversized requests answer 413 on both transports and leave the connection usable', async () => {
    const big = 'x'.repeat(5000);
    const res = await h.httpRequest(server, '/v1/user/get', { body: { auid: 'bob', pad: big } });
    assert.equal(res.status, 413);
    h.fails(res.body, 413, 'exceeds 4096 bytes');
    const c = new h.SocketClient(server, { eio: 3 });
    h.ok(await c.login('alice'));
    h.fails(await c.call('user', 'get', { auid: 'bob', pad: big }), 413);
    h.ok(await c.call('user', 'get', { auid: 'bob' }));
    c.close();
  });

  test('every envelope field and R shape is identical over the three transports', async () => {
    const results = {};
    for (const t of h.TRANSPORTS) {
      const api = await h.apiClient(server, t, 'alice');
      results[t] = [
        await api.call('user', 'get', { auid: 'bob' }),
        await api.call('user', 'get', { auid: 'ghost' }),
        await api.call('user', 'get', {}),
        await api.call('friend', 'nope', {}),
      ];
      api.close();
    }
    assert.deepEqual(results.eio4, results.http);
    assert.deepEqual(results.eio3, results.http);
    assert.equal(results.http[1].code, 404);
  });

  test('fuzzed input never crashes the server nor causes an internal error', async () => {
    let seed = 12345;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const values = () => [null, true, 0, -1, 1.5, 2 ** 60, '', 'x', 'P2P', 'P2R', '1', 'TEXT', 'alice', '\u0000', 'é'.repeat(70), [], ['bob'], [1, {}], {}, { a: { b: [1] } }];
    const methods = {
      user: ['add', 'update', 'get', 'list', 'update_token', 'refresh_token'],
      friend: ['add', 'del', 'list', 'update_alias'],
      blacklist: ['add', 'del', 'list'],
      room: ['add', 'update', 'del', 'list', 'list_member', 'add_user', 'del_user'],
      message: ['send', 'sync', 'history', 'list', 'recall', 'read'],
      conversation: ['list', 'read', 'del'],
      client: ['list'],
      file: ['upload'],
      connection: ['authority/request'],
    };
    const fields = ['auid', 'token', 'name', 'ext', 'auids', 'offset', 'limit', 'friendAuid', 'alias', 'blackAuid', 'rid', 'members',
      'formUser', 'toTarget', 'way', 'type', 'body', 'msgOption', 'at_users', 'clientMsgId', 'fromSeq', 'beforeSeq', 'mid', 'data', 'appKey', 'secret', 'mime'];
    const alice = await h.apiClient(server, 'eio4', 'alice');
    const http = await h.apiClient(server, 'http', 'alice');
    const allowed = new Set([0, 400, 401, 403, 404, 405, 409, 413]);
    const modules = Object.keys(methods);
    for (let i = 0; i < 400; i++) {
      const module = modules[rnd(modules.length)];
      const method = methods[module][rnd(methods[module].length)];
      const input = {};
      for (let k = rnd(6); k > 0; k--) input[fields[rnd(fields.length)]] = values()[rnd(20)];
      const api = i % 2 ? alice : http;
      const r = await api.call(module, method, input);
      assert.ok(allowed.has(r.code), `${module}/${method} ${JSON.stringify(input)} -> ${JSON.stringify(r)}`);
    }
    alice.close();
    assert.deepEqual(server.errors, []);
    h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'alice', token: 'tk-alice' }));
  });
});

describe('rate limit', () => {
  // rate 0.001/s: no token comes back during the test, so the counts below are exact.
  let server;
  before(async () => {
    server = await h.startServer({ rateLimit: { rate: 0.001, burst: 3 } });
    await h.addUsers(server, ['rl']);
  });
  after(() => server.close());

  test('a user over their rate gets 429 on every connection (sockets and HTTP); they stay open; other users are unaffected', async () => {
    const c = new h.SocketClient(server, { eio: 4 });
    h.ok(await c.login('admin', 'admin')); // a login is not counted against the user
    h.ok(await c.call('user', 'get', { auid: 'admin' })); // 1
    h.ok(await c.call('user', 'get', { auid: 'admin' })); // 2
    h.ok(await c.call('user', 'get', { auid: 'admin' })); // 3
    h.fails(await c.call('user', 'get', { auid: 'admin' }), 429, 'requests/s per user');
    assert.ok(c.socket.connected);
    // A new connection of the same user does not get a new bucket.
    const other = new h.SocketClient(server, { eio: 3 });
    h.ok(await other.login('admin', 'admin'));
    h.fails(await other.call('user', 'get', { auid: 'admin' }), 429, 'per user');
    h.fails(await h.httpCall(server, 'user', 'get', { jwt: other.jwt, auid: 'admin' }), 429, 'per user');
    other.close();
    c.close();
    const rl = await h.apiClient(server, 'http', 'rl');
    h.ok(await rl.call('user', 'get', { auid: 'rl' }));
  });
});

describe('rate limit per client address', () => {
  let server;
  before(async () => { server = await h.startServer({ rateLimit: { rate: 0.001, burst: 1 } }); });
  after(() => server.close());

  test('requests over new connections share the address bucket (10 x the user burst)', async () => {
    const codes = [];
    for (let i = 0; i < 12; i++) {
      const res = await h.httpRequest(server, '/v1/auth/login', { body: { appKey: h.APP, auid: 'admin', token: 'admin' }, headers: { Connection: 'close' } });
      codes.push(res.body.code);
      if (res.body.code === 429) assert.match(res.body.msg, /per client address/);
    }
    assert.deepEqual(codes, [...Array(10).fill(0), 429, 429]);
  });
});
