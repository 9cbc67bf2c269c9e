'use strict';
// Issue 5 acceptance: the features of sdk.im / sdk.apis in the mini-program sandbox against the real
// devserver: the API catalogue of docs/protocol.md section 10 over both transports with identical
// results, typed errors (server and SDK codes), invalid config, groups, blacklist, kick, recall,
// upload + IMAGE message, conversations, state events.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const H = require('./fixtures/im-harness');

const { skip, within, waitFor, sleep, plain, cutSockets, APP_KEY } = H;

const usersOf = (srv, apiTransport, extra = {}) => ({
  alice: { apiTransport, ...extra },
  bob: { apiTransport, loginAuid: 'bob', loginToken: 'pb', ...extra },
  carol: { apiTransport, loginAuid: 'carol', loginToken: 'pc', ...extra },
});

async function logIn(t, srv, apiTransport, names = ['alice', 'bob', 'carol'], extra = {}, sandboxOpts) {
  const cfg = usersOf(srv, apiTransport, extra);
  const pages = {};
  for (const n of names) {
    pages[n] = H.imPage(t, srv, cfg[n], sandboxOpts);
    pages[n].who = n;
  }
  await within(Promise.all(names.map((n) => pages[n].ready)), 'logins');
  return pages;
}

// A call's outcome as plain data: {code, data} or {code, msg, field}.
const outcome = (p) => p.then((r) => ({ code: r.code, data: plain(r.data) }),
  (e) => ({ code: e.code, msg: e.msg || e.message, field: e.field }));

// Times, tokens and file ids differ between runs: masked.
function normalise(v, key) {
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = normalise(v[k], k);
    return o;
  }
  if (key && /Time$/.test(key) && typeof v === 'number') return '<time>';
  if (key === 'token' && typeof v === 'string' && /^[0-9a-f]{32}$/.test(v)) return '<random token>';
  if (typeof v === 'string' && /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(v)) return '<jwt>';
  if (key === 'fid' && typeof v === 'string') return '<fid>';
  if ((key === 'url' || key === 'path') && typeof v === 'string') {
    return v.replace(/127\.0\.0\.1:\d+/, '<host>').replace(/\/files\/[0-9a-f]+\//, '/files/<fid>/');
  }
  return v;
}

// Every method of section 10, with its success and its typical failures: through sdk.apis, and
// through sdk.im.request for the three sdk.apis does not name (connection/authority/request and
// auth/login, which the SDK does itself, and the JSON form of file/upload; the multipart upload with
// wx.uploadFile is tested below). Returns the outcomes in order.
async function catalogue(p) {
  const { alice, bob, carol } = p;
  const A = alice.sdk.apis;
  const B = bob.sdk.apis;
  const C = carol.sdk.apis;
  const out = [];
  const R = (who, module, method, form) => p[who].sdk.im.request(module, method, form);
  const step = async (name, promise) => { out.push([name, normalise(await outcome(within(promise, name)))]); return out[out.length - 1][1]; };
  // connection / auth
  await step('connection/authority/request', R('alice', 'connection', 'authority/request', { appKey: APP_KEY, auid: 'alice', token: 'pa' }));
  await step('auth/login', R('alice', 'auth', 'login', { appKey: APP_KEY, auid: 'alice', token: 'pa' }));
  await step('auth/login wrong token', R('alice', 'auth', 'login', { appKey: APP_KEY, auid: 'alice', token: 'wrong' }));
  await step('auth/login missing auid', R('alice', 'auth', 'login', { appKey: APP_KEY, token: 'pa' }));
  // file (JSON form, base64 data)
  await step('file/upload', R('alice', 'file', 'upload', { name: 'a.txt', mime: 'text/plain', data: Buffer.from('hello').toString('base64') }));
  await step('file/upload no data', R('alice', 'file', 'upload', { name: 'a.txt' }));
  // user
  await step('user/get', A.user.get({ auid: 'bob' }));
  await step('user/get missing auid', A.user.get({}));
  await step('user/get unknown', A.user.get({ auid: 'nobody' }));
  await step('user/update', A.user.update({ name: 'Alice', sign: 'hi', ext: { level: 3 } }));
  await step('user/update other', A.user.update({ auid: 'bob', name: 'x' }));
  await step('user/list auids', A.user.list({ auids: ['bob', 'nobody', 'carol'] }));
  await step('user/list page', A.user.list({ offset: 0, limit: 2 }));
  await step('user/add (admin)', A.user.add({ appKey: APP_KEY, secret: '', auid: 'dave', token: 'pd', name: 'Dave' }));
  await step('user/add exists', A.user.add({ appKey: APP_KEY, secret: '', auid: 'dave', token: 'pd' }));
  await step('user/update_token', A.user.update_token({ token: 'pa' }));
  // friend
  await step('friend/add', A.friend.add({ friendAuid: 'bob', alias: 'Bobby' }));
  await step('friend/add again', A.friend.add({ friendAuid: 'bob' }));
  await step('friend/add self', A.friend.add({ friendAuid: 'alice' }));
  await step('friend/add unknown', A.friend.add({ friendAuid: 'nobody' }));
  await step('friend/list', A.friend.list({}));
  await step('friend/update_alias', A.friend.update_alias({ friendAuid: 'bob', alias: 'B' }));
  await step('friend/del', A.friend.del({ friendAuid: 'bob' }));
  await step('friend/del again', A.friend.del({ friendAuid: 'bob' }));
  // blacklist
  await step('blacklist/add', B.blacklist.add({ blackAuid: 'carol' }));
  await step('blacklist/add again', B.blacklist.add({ blackAuid: 'carol' }));
  await step('blacklist/add self', B.blacklist.add({ blackAuid: 'bob' }));
  await step('blacklist/list', B.blacklist.list({}));
  await step('message/send blacklisted', C.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'x' }, clientMsgId: 'c-1' }));
  await step('friend/add blacklisted', C.friend.add({ friendAuid: 'bob' }));
  await step('blacklist/del', B.blacklist.del({ blackAuid: 'carol' }));
  await step('blacklist/del again', B.blacklist.del({ blackAuid: 'carol' }));
  // room
  const room = await step('room/add', A.room.add({ name: 'Team', members: ['bob', 'carol'] }));
  const rid = room.data && room.data.rid;
  await step('room/add unknown member', A.room.add({ name: 'X', members: ['nobody'] }));
  await step('room/update', A.room.update({ rid, notice: 'standup at 10' }));
  await step('room/update not owner', B.room.update({ rid, notice: 'no' }));
  await step('room/list', B.room.list({}));
  await step('room/list_member', C.room.list_member({ rid }));
  await step('room/list_member unknown', C.room.list_member({ rid: 999 }));
  await step('room/add_user', A.room.add_user({ rid, auids: ['dave', 'bob'] }));
  await step('room/del_user', A.room.del_user({ rid, auids: ['dave'] }));
  await step('room/del_user not owner', B.room.del_user({ rid, auids: ['carol'] }));
  // message
  await step('message/send P2R', A.message.send({ toTarget: String(rid), way: 'P2R', type: 'TEXT', body: { text: 'hi all' }, at_users: ['bob'], clientMsgId: 'a-1' }));
  await step('message/send repeated clientMsgId', A.message.send({ toTarget: String(rid), way: 'P2R', type: 'TEXT', body: { text: 'again' }, clientMsgId: 'a-1' }));
  const m = await step('message/send P2P', B.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'hi alice' }, clientMsgId: 'b-1' }));
  await step('message/send unknown user', B.message.send({ toTarget: 'nobody', way: 'P2P', type: 'TEXT', body: {}, clientMsgId: 'b-2' }));
  await step('message/send not a member', C.message.send({ toTarget: '999', way: 'P2R', type: 'TEXT', body: {}, clientMsgId: 'c-2' }));
  await step('message/history', A.message.history({ way: 'P2P', toTarget: 'bob', limit: 10 }));
  await step('message/list (alias)', A.message.list({ way: 'P2P', toTarget: 'bob', limit: 10 }));
  await step('message/history room', C.message.history({ way: 'P2R', toTarget: String(rid) }));
  await step('message/history bad way', C.message.history({ way: 'XXX', toTarget: 'bob' }));
  await step('message/sync', A.message.sync({ fromSeq: 0, limit: 2 }));
  if (!m.data) throw new Error('message/send P2P: ' + JSON.stringify(m));
  await step('message/read', A.message.read({ mid: m.data.mid }));
  await step('message/read unknown', A.message.read({ mid: 99999 }));
  await step('message/recall not sender', A.message.recall({ mid: m.data.mid }));
  await step('message/recall', B.message.recall({ mid: m.data.mid }));
  await step('message/recall again', B.message.recall({ mid: m.data.mid }));
  // conversation
  await step('conversation/list', C.conversation.list({}));
  await step('conversation/read', C.conversation.read({ way: 'P2R', toTarget: String(rid) }));
  await step('conversation/read unknown', C.conversation.read({ way: 'P2P', toTarget: 'nobody' }));
  await step('conversation/del', C.conversation.del({ way: 'P2R', toTarget: String(rid) }));
  await step('conversation/list after del', C.conversation.list({}));
  // client
  await step('client/list', A.client.list({ auids: ['alice', 'bob', 'carol', 'dave'] }));
  // the end: room/del, refresh_token (carol cannot log in with 'pc' afterwards)
  await step('room/del not owner', B.room.del({ rid }));
  await step('room/del', A.room.del({ rid }));
  await step('user/refresh_token', C.user.refresh_token({}));
  return out;
}

const results = {};
async function runCatalogue(t, apiTransport) {
  const srv = await H.startDevserver(t);
  const pages = await logIn(t, srv, apiTransport);
  const out = await catalogue(pages);
  results[apiTransport] = out;
  return { out, pages };
}

for (const apiTransport of ['HTTP', 'SOCKET']) {
  test(`im features: the API catalogue over ${apiTransport}`, { skip }, async (t) => {
    const { out, pages } = await runCatalogue(t, apiTransport);
    const byName = Object.fromEntries(out);
    const codes = Object.fromEntries(out.map(([n, r]) => [n, r.code]));
    assert.deepEqual(codes, {
      'connection/authority/request': 0, 'auth/login': 0, 'auth/login wrong token': 401, 'auth/login missing auid': 400,
      'file/upload': 0, 'file/upload no data': 400,
      'user/get': 0, 'user/get missing auid': 400, 'user/get unknown': 404, 'user/update': 0, 'user/update other': 403,
      'user/list auids': 0, 'user/list page': 0, 'user/add (admin)': 0, 'user/add exists': 409, 'user/update_token': 0,
      'friend/add': 0, 'friend/add again': 409, 'friend/add self': 400, 'friend/add unknown': 404, 'friend/list': 0,
      'friend/update_alias': 0, 'friend/del': 0, 'friend/del again': 404,
      'blacklist/add': 0, 'blacklist/add again': 409, 'blacklist/add self': 400, 'blacklist/list': 0,
      'message/send blacklisted': 403, 'friend/add blacklisted': 403, 'blacklist/del': 0, 'blacklist/del again': 404,
      'room/add': 0, 'room/add unknown member': 404, 'room/update': 0, 'room/update not owner': 403, 'room/list': 0,
      'room/list_member': 0, 'room/list_member unknown': 404, 'room/add_user': 0, 'room/del_user': 0, 'room/del_user not owner': 403,
      'message/send P2R': 0, 'message/send repeated clientMsgId': 0, 'message/send P2P': 0, 'message/send unknown user': 404,
      'message/send not a member': 404, 'message/history': 0, 'message/list (alias)': 0, 'message/history room': 0,
      'message/history bad way': 400, 'message/sync': 0, 'message/read': 0, 'message/read unknown': 404,
      'message/recall not sender': 403, 'message/recall': 0, 'message/recall again': 409,
      'conversation/list': 0, 'conversation/read': 0, 'conversation/read unknown': 404, 'conversation/del': 0,
      'conversation/list after del': 0, 'client/list': 0, 'room/del not owner': 403, 'room/del': 0, 'user/refresh_token': 0,
    });
    // 400s name the field
    assert.equal(byName['user/get missing auid'].field, 'auid');
    assert.match(byName['user/get missing auid'].msg, /'auid'/);
    assert.equal(byName['message/history bad way'].field, 'way');
    assert.equal(byName['friend/add self'].field, 'friendAuid');
    // a few results in detail
    assert.equal(byName['connection/authority/request'].data, '<jwt>');
    assert.equal(byName['auth/login missing auid'].field, 'auid');
    assert.equal(byName['file/upload'].data.size, 5);
    assert.equal(byName['file/upload'].data.url, 'http://<host>/files/<fid>/a.txt');
    assert.equal(byName['file/upload no data'].field, 'data');
    assert.equal(byName['user/get'].data.auid, 'bob');
    assert.deepEqual(byName['user/list auids'].data.map((u) => u.auid), ['bob', 'carol']);
    assert.equal(byName['user/add (admin)'].data.token, 'pd');
    assert.equal(byName['friend/update_alias'].data.alias, 'B');
    assert.equal(byName['room/add'].data.memberCount, 3);
    assert.deepEqual(byName['room/add_user'].data.added, ['dave']);
    assert.equal(byName['message/send repeated clientMsgId'].data.duplicate, true);
    assert.equal(byName['message/send repeated clientMsgId'].data.mid, byName['message/send P2R'].data.mid);
    assert.deepEqual(byName['message/history'].data.messages.map((x) => x.body.text), ['hi alice']);
    assert.equal(byName['message/sync'].data.maxSeq, 2);
    assert.equal(byName['message/sync'].data.hasMore, false);
    assert.deepEqual(byName['message/sync'].data.messages.map((x) => x.seq), [1, 2]);
    assert.deepEqual(byName['client/list'].data.map((c) => c.auid).sort(), ['alice', 'bob', 'carol']);
    assert.equal(byName['user/refresh_token'].data.token, '<random token>');
    // what the server keeps for history after the recall
    const h = await within(pages.alice.sdk.apis.message.history({ way: 'P2P', toTarget: 'bob' }), 'history after recall');
    assert.equal(h.data.messages[0].recalled, true);
    assert.equal(h.data.messages[0].body, null);
  });
}

test('im features: both transports give identical results for the whole catalogue', { skip }, async (t) => {
  for (const tr of ['HTTP', 'SOCKET']) if (!results[tr]) await runCatalogue(t, tr);  // when run alone
  assert.deepEqual(results.SOCKET.map(([n]) => n), results.HTTP.map(([n]) => n));
  for (let i = 0; i < results.HTTP.length; i++) {
    assert.deepEqual(results.SOCKET[i], results.HTTP[i], `${results.HTTP[i][0]}: SOCKET and HTTP agree`);
  }
});

test('im features: SDK-side errors are typed: invalid argument naming the field, timeout, network, closed', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  for (const apiTransport of ['HTTP', 'SOCKET']) {
    const page = H.imPage(t, srv, { apiTransport, requestTimeout: 1000, loginAuid: apiTransport === 'HTTP' ? 'alice' : 'bob', loginToken: apiTransport === 'HTTP' ? 'pa' : 'pb' });
    await within(page.ready, 'init');
    const A = page.sdk.apis;
    // invalid argument, detected by the SDK (nothing goes out)
    const frames = page.outFrames().length;
    const requests = page.sb.requests().length;
    for (const [form, field] of [[{ way: 'P2P', type: 'TEXT', body: {} }, 'toTarget'], [{ toTarget: 'bob', type: 'TEXT', body: {} }, 'way'],
      [{ toTarget: 'bob', way: 'P2X', type: 'TEXT', body: {} }, 'way'], [{ toTarget: 'bob', way: 'P2P', body: {} }, 'type'],
      [{ toTarget: 'bob', way: 'P2P', type: 'TEXT' }, 'body'], [{ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: {}, formUser: 'mallory' }, 'formUser']]) {
      const e = await A.message.send(form).then(() => null, (x) => x);
      assert.ok(e, `${apiTransport}: send without ${field} rejects`);
      assert.equal(e.code, 400);
      assert.match(e.msg, new RegExp(`'${field}'`));
    }
    const up = await A.file.upload({}).then(() => null, (x) => x);
    assert.equal(up.code, 400);
    assert.equal(up.field, 'filePath');
    assert.equal(page.outFrames().length, frames, 'nothing sent for SDK-detected invalid arguments');
    assert.equal(page.sb.requests().length, requests);

    // timeout (-1001): the server is stopped (SIGSTOP) and answers nothing
    srv.child.kill('SIGSTOP');
    try {
      const e = await within(A.user.get({ auid: 'carol' }).then(() => null, (x) => x), 'timeout');
      assert.equal(e.code, -1001, `${apiTransport}: timeout code`);
      assert.match(e.msg, /timeout/);
      // network (-1002): a non-idempotent call is out when the link drops
      const pending = A.room.add({ name: 'lost' }).then(() => null, (x) => x);
      if (apiTransport === 'SOCKET') {
        await waitFor(() => page.outFrames().some((f) => typeof f === 'string' && f.includes('"topic.room"')), 'room/add on the wire');
        cutSockets(page.sb);
      } else {
        await waitFor(() => page.sb.requests().some((r) => /\/v1\/room\/add$/.test(r.url) && r.state !== 'done'), 'room/add out');
        await page.sb.setNetwork(false);
      }
      const n = await within(pending, 'network error');
      assert.equal(n.code, -1002, `${apiTransport}: network code`);
      assert.match(n.msg, /network/);
    } finally {
      srv.child.kill('SIGCONT');
      await page.sb.setNetwork(true, 'wifi');
    }
    // closed (-1004): a call waiting at close(), and a call after it
    await waitFor(() => page.sdk.im.getState() === 'connected', 'reconnected', 15000);
    srv.child.kill('SIGSTOP');
    const waiting = A.user.get({ auid: 'carol' }).then(() => null, (x) => x);
    await sleep(50);
    page.sdk.im.close();
    srv.child.kill('SIGCONT');
    const c1 = await within(waiting, 'closed');
    assert.equal(c1.code, -1004);
    const c2 = await A.user.get({ auid: 'carol' }).then(() => null, (x) => x);
    assert.ok(c2 && (c2.code === -1004 || c2.code === -1003), `a call after close() fails closed/not logged in (got ${c2 && c2.code})`);
  }
});

test('im features: a refused login is typed (401, then not logged in -1003) and there is no reconnect', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, { loginToken: 'wrong' });
  assert.equal(await within(page.ready, 'init'), undefined);
  assert.deepEqual(page.calls, [undefined]);
  const err = page.of('error').find((e) => e.fatal);
  assert.equal(err.code, 401);
  const e = await page.sdk.apis.user.get({ auid: 'bob' }).then(() => null, (x) => x);
  assert.equal(e.code, -1003);
  const sockets = page.sb.sockets().length;
  await sleep(1200);
  assert.equal(page.sb.sockets().length, sockets, 'no new connection attempt');
});

test('im features: invalid config names the field: callback with no argument, error event, calls reject', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const cases = [
    [{ loginAuid: undefined }, 'loginAuid'],
    [{ loginToken: '' }, 'loginToken'],
    [{ host: '' }, 'host'],
    [{ httpPort: 'abc' }, 'httpPort'],
    [{ socketPort: 70000 }, 'socketPort'],
    [{ apiTransport: 'FTP' }, 'apiTransport'],
    [{ key: undefined }, 'key'],
    [{ reconnectionDelay: 500, reconnectionDelayMax: 100 }, 'reconnectionDelayMax'],
  ];
  for (const [over, field] of cases) {
    const page = H.imPage(t, srv, over);
    const r = await within(page.ready, `init with bad ${field}`);
    assert.equal(r, undefined, `${field}: init settles with nothing`);
    assert.equal(page.calls.length, 1, `${field}: callback called once`);
    assert.equal(page.calls[0], undefined, `${field}: callback called with no argument`);
    const errors = page.of('error');
    assert.equal(errors.length, 1, `${field}: one error event`);
    assert.equal(errors[0].code, 400);
    assert.match(errors[0].message, new RegExp(`'${field}'`), `${field}: the error names it`);
    const e = await within(page.sdk.apis.user.get({ auid: 'bob' }).then(() => null, (x) => x), 'call after bad config');
    assert.ok(e, `${field}: a call rejects`);
    assert.match(String(e.msg || e.message), new RegExp(`'${field}'`), `${field}: the call's rejection names it`);
    // No connection attempted: at most the cold start's early WebSocket (opened while the wasm loads,
    // before the core read the config: js-shim/im.js openImEarly), closed unused, nothing sent on it.
    const sockets = page.sb.sockets();
    assert.ok(sockets.length <= 1, `${field}: no connection attempted (${sockets.length} sockets)`);
    if (sockets.length === 1) {
      await H.waitFor(() => page.sb.sockets()[0].state === 'closed', `${field}: the early socket closed`);
      assert.equal(page.sb.sockets()[0].closeReason, 'unused', `${field}: closed unused`);
      assert.equal(page.sb.sockets()[0].frames.filter((f) => f.dir === 'out').length, 0, `${field}: nothing sent`);
    }
    assert.equal(page.sb.requests().length, 0);
  }
});

test('im features: a room (P2R) of three members: notifications, messages to all, once each', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob, carol } = await logIn(t, srv, 'SOCKET');
  const room = await within(alice.sdk.apis.room.add({ name: 'Team', members: ['bob', 'carol'] }), 'room/add');
  const rid = room.data.rid;
  for (const p of [alice, bob, carol]) {
    await waitFor(() => p.of('notify').some((n) => n.type === 'room.created' && n.data.rid === rid), `${p.who}: room.created`);
  }
  const texts = [];
  for (const [p, text] of [[alice, 'a1'], [bob, 'b1'], [carol, 'c1'], [alice, 'a2']]) {
    texts.push(text);
    await within(p.sdk.apis.message.send({ toTarget: rid, way: 'P2R', type: 'TEXT', body: { text } }), `send ${text}`);
  }
  for (const p of [alice, bob, carol]) {
    await waitFor(() => p.of('message').length >= 4, `${p.who}: 4 room messages`);
    await sleep(200);
    const got = p.of('message');
    assert.deepEqual(got.map((m) => m.body.text), texts, `${p.who}: every room message once, in order`);
    assert.ok(got.every((m) => m.way === 'P2R' && m.toTarget === String(rid)), 'toTarget is the rid as a string');
    assert.deepEqual(got.map((m) => m.formUser), ['alice', 'bob', 'carol', 'alice']);
  }
  // a member leaves: no more deliveries to her
  await within(carol.sdk.apis.room.del_user({ rid, auids: ['carol'] }), 'carol leaves');
  await waitFor(() => alice.of('notify').some((n) => n.type === 'room.member.left'), 'room.member.left');
  await within(bob.sdk.apis.message.send({ toTarget: rid, way: 'P2R', type: 'TEXT', body: { text: 'after' } }), 'send after');
  await waitFor(() => alice.of('message').length >= 5, 'alice gets it');
  await sleep(300);
  assert.equal(carol.of('message').length, 4, 'carol no longer receives');
});

test('im features: blacklist: P2P refused with 403, room deliveries skipped', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob, carol } = await logIn(t, srv, 'HTTP');
  const rid = (await within(alice.sdk.apis.room.add({ name: 'R', members: ['bob', 'carol'] }), 'room')).data.rid;
  await within(bob.sdk.apis.blacklist.add({ blackAuid: 'carol' }), 'blacklist');
  const e = await within(carol.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'x' } }).then(() => null, (x) => x), 'send');
  assert.equal(e.code, 403);
  assert.match(e.msg, /blacklist/);
  await within(carol.sdk.apis.message.send({ toTarget: rid, way: 'P2R', type: 'TEXT', body: { text: 'room' } }), 'room send');
  await waitFor(() => alice.of('message').some((m) => m.body.text === 'room'), 'alice gets the room message');
  await sleep(300);
  assert.equal(bob.of('message').filter((m) => m.formUser === 'carol').length, 0, 'bob gets nothing from carol');
  const list = await within(bob.sdk.apis.blacklist.list({}), 'list');
  assert.deepEqual(plain(list.data).map((x) => x.auid), ['carol']);
  await within(bob.sdk.apis.blacklist.del({ blackAuid: 'carol' }), 'del');
  await within(carol.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'ok now' } }), 'send after del');
  await waitFor(() => bob.of('message').some((m) => m.body.text === 'ok now'), 'delivered after removal');
});

test('im features: a second login kicks the first session: kicked event, disconnected, no reconnect', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const first = H.imPage(t, srv, { apiTransport: 'SOCKET', reconnectionDelay: 50, reconnectionDelayMax: 100 });
  await within(first.ready, 'first');
  const second = H.imPage(t, srv, {});
  await within(second.ready, 'second');
  await waitFor(() => first.of('kicked').length === 1, 'kicked');
  assert.match(first.of('kicked')[0].reason, /elsewhere/);
  await waitFor(() => first.sdk.im.getState() === 'disconnected', 'disconnected');
  const states = first.of('state').map((s) => s.state);
  assert.equal(states[states.length - 1], 'disconnected');
  const sockets = first.sb.sockets().length;
  await sleep(1000);
  assert.equal(first.sb.sockets().length, sockets, 'the kicked session does not reconnect');
  assert.equal(second.of('kicked').length, 0);
  assert.equal(second.sdk.im.getState(), 'connected');
  const e = await first.sdk.apis.user.get({ auid: 'bob' }).then(() => null, (x) => x);
  assert.equal(e.code, -1004);
});

test('im features: recall: every recipient online gets message.recalled', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'SOCKET', ['alice', 'bob']);
  const sent = await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'oops' } }), 'send');
  await waitFor(() => bob.of('message').length === 1, 'delivered');
  const r = await within(alice.sdk.apis.message.recall({ mid: sent.mid }), 'recall');
  assert.equal(r.data.mid, sent.mid);
  for (const p of [alice, bob]) {
    await waitFor(() => p.of('notify').some((n) => n.type === 'message.recalled'), `${p.who}: message.recalled`);
    const n = p.of('notify').find((x) => x.type === 'message.recalled');
    assert.equal(n.data.mid, sent.mid);
    assert.equal(n.data.formUser, 'alice');
    assert.equal(n.data.toTarget, 'bob');
  }
});

test('im features: file upload with progress, then an IMAGE message carrying its URL', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'HTTP', ['alice', 'bob']);
  const bytes = Buffer.alloc(150000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  const filePath = alice.sb.addLocalFile('cat.png', bytes);
  const progress = [];
  const up = await within(alice.sdk.apis.file.upload({ filePath, name: 'cat.png', onProgress: (p) => progress.push(plain(p)) }), 'upload');
  assert.equal(up.code, 0);
  assert.equal(up.data.size, bytes.length);
  assert.equal(up.data.name, 'cat.png');
  assert.equal(up.data.mime, 'image/png');
  assert.ok(progress.length >= 2, 'progress reported more than once');
  assert.equal(progress[progress.length - 1].progress, 100);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].totalBytesSent >= progress[i - 1].totalBytesSent, 'progress grows');
  const body = { url: up.data.url, name: up.data.name, size: up.data.size, mime: up.data.mime };
  const sent = await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'IMAGE', body }), 'IMAGE send');
  await waitFor(() => bob.of('message').some((m) => m.mid === sent.mid), 'bob gets the IMAGE');
  const m = bob.of('message').find((x) => x.mid === sent.mid);
  assert.equal(m.type, 'IMAGE');
  assert.deepEqual(plain(m.body), body);
  // the URL serves the bytes (no credentials needed)
  const got = await within(new Promise((resolve, reject) => {
    http.get(m.body.url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], data: Buffer.concat(chunks) }));
    }).on('error', reject);
  }), 'download');
  assert.equal(got.status, 200);
  assert.equal(got.type, 'image/png');
  assert.ok(got.data.equals(bytes), 'the same bytes');
});

test('im features: conversations: list, unread counts, markRead', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob, carol } = await logIn(t, srv, 'SOCKET');
  for (const text of ['1', '2', '3']) {
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } }), `a->b ${text}`);
  }
  await within(carol.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'c' } }), 'c->b');
  await waitFor(() => bob.of('message').length === 4, 'bob has 4');
  const find = (list, peer) => list.find((c) => c.way === 'P2P' && c.toTarget === peer);
  let convs;
  await waitFor(async () => {
    convs = plain(await within(bob.sdk.im.getConversations(), 'getConversations'));
    return find(convs, 'alice') && find(convs, 'carol') && find(convs, 'alice').unread === 3;
  }, 'bob sees both conversations with their unread counts');
  assert.equal(find(convs, 'alice').unread, 3);
  assert.equal(find(convs, 'carol').unread, 1);
  assert.deepEqual(convs.slice(0, 2).map((c) => c.toTarget), ['carol', 'alice'], 'most recent first');
  assert.equal(find(convs, 'carol').lastMessage.body.text, 'c');
  // the sender's own conversation counts nothing unread
  await waitFor(async () => {
    const a = plain(await alice.sdk.im.getConversations());
    return find(a, 'bob') && find(a, 'bob').unread === 0 && find(a, 'bob').lastMessage.body.text === '3';
  }, 'alice: her own messages are not unread');
  await within(bob.sdk.im.markRead({ way: 'P2P', toTarget: 'alice' }), 'markRead');
  convs = plain(await bob.sdk.im.getConversations());
  assert.equal(find(convs, 'alice').unread, 0);
  assert.equal(find(convs, 'carol').unread, 1);
  // the server agrees
  const server = await within(bob.sdk.apis.conversation.list({}), 'conversation/list');
  assert.equal(find(server.data, 'alice').unread, 0);
  assert.equal(find(server.data, 'carol').unread, 1);
  // a new message counts again
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: '4' } }), 'a->b 4');
  await waitFor(async () => find(plain(await bob.sdk.im.getConversations()), 'alice').unread === 1, 'unread 1 again');
});

// The common chat-page pattern: mark the conversation read as each message arrives, from inside the
// 'message' listener. The events the app sees must stay in the core's order: the delivery's
// 'conversation' (unread 1) before the one markRead causes (unread 0), so the last one the app saw says
// what getConversations() says.
test('im features: markRead from inside the message listener: the last conversation event is the current one', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'SOCKET', ['alice', 'bob']);
  const reads = [];
  bob.sdk.im.on('message', (m) => {
    if (m.formUser === 'alice') reads.push(bob.sdk.im.markRead({ way: 'P2P', toTarget: 'alice' }));
  });
  for (const text of ['1', '2', '3']) {
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } }), `a->b ${text}`);
    await waitFor(() => reads.length === Number(text), `bob has ${text}`);
  }
  await within(Promise.all(reads), 'markRead calls');
  const seen = bob.of('conversation').filter((c) => c.way === 'P2P' && c.toTarget === 'alice');
  const now = plain(await bob.sdk.im.getConversations()).find((c) => c.way === 'P2P' && c.toTarget === 'alice');
  assert.equal(now.unread, 0);
  assert.equal(seen.at(-1).unread, 0, `the conversation events bob's page saw: ${JSON.stringify(seen.map((c) => [c.lastSeq, c.unread]))}`);
  assert.equal(seen.at(-1).lastMessage.body.text, '3');
});

// close() from inside a listener: the session ends there, with one 'disconnected' state event (the
// core's own comes behind close()'s in the IM driver's ordered delivery), and nothing after it fails.
test('im features: close() from inside the message listener: one disconnected state event', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'SOCKET', ['alice', 'bob']);
  bob.sdk.im.on('message', (m) => { if (m.formUser === 'alice') bob.sdk.im.close(); });
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'bye' } }), 'a->b');
  await waitFor(() => bob.of('state').some((e) => e.state === 'disconnected'), 'bob closed');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(bob.of('state').filter((e) => e.state === 'disconnected').map((e) => e.reason), ['closed']);
  assert.equal(bob.sdk.im.getState(), 'disconnected');
  assert.deepEqual(bob.of('error').map((e) => e.message), []);
});

test('im features: state events: connecting, connected, reconnecting after a drop, connected, disconnected on close', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, { apiTransport: 'SOCKET', reconnectionDelay: 50, reconnectionDelayMax: 200 });
  await within(page.ready, 'init');
  assert.equal(page.sdk.im.getState(), 'connected');
  cutSockets(page.sb);
  await waitFor(() => page.of('state').filter((s) => s.state === 'connected').length === 2, 'connected again');
  await srv.restart('SIGKILL');
  await waitFor(() => page.of('state').filter((s) => s.state === 'connected').length === 3, 'connected after a server crash', 15000);
  page.sdk.im.close();
  const states = page.of('state').map((s) => s.state);
  const collapsed = states.filter((s, i) => s !== states[i - 1]);
  assert.deepEqual(collapsed, ['connecting', 'connected', 'reconnecting', 'connected', 'reconnecting', 'connected', 'disconnected'].slice(collapsed[0] === 'connecting' ? 0 : 1));
  assert.equal(page.sdk.im.getState(), 'disconnected');
  assert.ok(page.of('state').every((s) => typeof s.reason === 'string' || s.reason === undefined || s.reason === null));
});

// Found by this test (.bugs-for-core.md), fixed in a0d3ade (maxHttpRequests).
test('im features: more than 10 API calls at once over HTTP stay within wx.request\'s limit of 10 and all succeed', { skip }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
  const page = H.imPage(t, srv, { apiTransport: 'HTTP' });  // the sandbox's default: the 11th request fails at once, as documented
  await within(page.ready, 'init');
  const rooms = await within(Promise.all(Array.from({ length: 15 }, (_, i) => outcome(page.sdk.apis.room.add({ name: `r${i}` })))), '15 room/add');
  assert.deepEqual(rooms.filter((r) => r.code !== 0).map((r) => [r.code, r.msg]), [], 'every room/add succeeded');
  assert.equal(page.sb.stats().limitRejections.request, 0, 'no wx.request refused for the limit');
  assert.ok(page.sb.stats().maxActiveRequests <= 10);
});

for (const apiTransport of ['HTTP', 'SOCKET']) {
  test(`im features: close() releases the socket and the timer; init again resumes without re-delivery (${apiTransport})`, { skip }, async (t) => {
    const srv = await H.startDevserver(t);
    const page = H.imPage(t, srv, { apiTransport });
    await within(page.ready, 'init');
    await within(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n: 1 } }), 'send 1');
    await waitFor(() => page.of('message').length === 1, 'own delivery 1');
    page.sdk.im.close();
    await sleep(200);
    const s = page.sb.stats();
    assert.deepEqual({ openSockets: s.openSockets, activeRequests: s.activeRequests, pendingTimers: s.pendingTimers },
      { openSockets: 0, activeRequests: 0, pendingTimers: 0 }, 'nothing left running after close()');
    assert.equal(page.sdk.im.getState(), 'disconnected');
    const again = await within(page.sdk.im.init(H.imConfig(srv, { apiTransport })), 'init again');
    assert.equal(again, page.sdk);
    await within(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n: 2 } }), 'send 2');
    await waitFor(() => page.of('message').length >= 2, 'own delivery 2');
    await sleep(300);
    assert.deepEqual(page.of('message').map((m) => m.body.n), [1, 2], 'message 1 is not handed over again');
    assert.ok(page.sb.stats().maxOpenSockets <= 1, 'one socket at a time');
  });
}

// Found by this test (.bugs-for-core.md), fixed in a0d3ade.
test('im features: file.upload while offline fails with a typed error within requestTimeout, as API calls do', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, { apiTransport: 'HTTP', requestTimeout: 1000 });
  await within(page.ready, 'init');
  await page.sb.setNetwork(false);
  const call = await within(outcome(page.sdk.apis.user.get({ auid: 'bob' })), 'user.get offline');
  assert.equal(call.code, -1001, 'an API call offline: timeout');
  const filePath = page.sb.addLocalFile('s.bin', Buffer.alloc(10));
  const up = await within(outcome(page.sdk.apis.file.upload({ filePath })), 'file.upload offline settles', 5000).catch((e) => ({ code: 'never settled', msg: e.message }));
  assert.ok(up.code === -1001 || up.code === -1002, `file.upload offline: timeout or network (got ${up.code})`);
});

// Issue 5: on a fatal failure the callback gets no argument and "init also returns a Promise of the same
// outcome": the Promise resolves with what the callback got (undefined), the error event says why. It
// never rejects, so callback-style pages (E聊's sample) leave no unhandled rejection (docs/api.md).
test('im features: with an invalid config the Promise sdk.im.init returns has the callback\'s outcome (undefined); the error names the field', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, null);
  const errors = [];
  page.sdk.im.on('error', (e) => errors.push(e));
  let calledWith = 'not called';
  const settled = await within(page.sdk.im.init(H.imConfig(srv, { apiTransport: 'FTP' }), (...args) => { calledWith = args; }).then(
    (v) => ({ resolved: v }), (e) => ({ rejected: e })), 'init settles');
  assert.ok(!settled.rejected, `init's Promise does not reject (${settled.rejected && settled.rejected.message})`);
  assert.equal(settled.resolved, undefined, 'the same outcome as the callback: nothing');
  assert.ok(Array.isArray(calledWith) && calledWith[0] === undefined, 'the callback was called, with no sdk');
  assert.equal(errors.length, 1, 'one error event');
  assert.equal(errors[0].code, 400);
  assert.match(errors[0].message, /'apiTransport'/);
});

// Found by this test (.bugs-for-core.md), fixed in 8537a4c.
test('im features: a recall updates the local conversation like the server\'s (a recalled message is not unread)', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'SOCKET', ['alice', 'bob']);
  const sent = [];
  for (let n = 0; n < 3; n++) sent.push(await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n } }), `send ${n}`));
  await waitFor(() => bob.of('message').length === 3, 'bob has 3');
  await within(alice.sdk.apis.message.recall({ mid: sent[2].mid }), 'recall');
  await waitFor(() => bob.of('notify').some((n) => n.type === 'message.recalled'), 'bob: message.recalled');
  const server = plain((await within(bob.sdk.apis.conversation.list({}), 'conversation/list')).data).find((c) => c.toTarget === 'alice');
  assert.equal(server.unread, 2, 'the server: a recalled message is not unread (docs/protocol.md 9.6)');
  assert.equal(server.lastMessage.recalled, true);
  let local;
  await waitFor(async () => {
    local = plain(await bob.sdk.im.getConversations()).find((c) => c.toTarget === 'alice');
    return local && local.lastMessage && local.lastMessage.recalled;
  }, 'the local conversation shows the recall');
  assert.equal(local.unread, server.unread, 'local unread agrees with the server');
});

test('im features: documented details — per-call transport, upload url at the top level, a JSON-text body handed over parsed, sync events', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'HTTP', ['alice', 'bob']);
  // sdk.apis.x.y(form, {transport: 'SOCKET'}) with apiTransport HTTP: over the socket, no wx.request
  const requests = alice.sb.requests().length;
  const frames = alice.outFrames().length;
  const g = await within(alice.sdk.apis.user.get({ auid: 'bob' }, { transport: 'SOCKET' }), 'user.get over the socket');
  assert.equal(g.data.auid, 'bob');
  assert.equal(alice.sb.requests().length, requests, 'no HTTP request');
  assert.equal(alice.outFrames().slice(frames).filter((f) => typeof f === 'string' && f.includes('"topic.user"')).length, 1);
  // file.upload: url at the top level too
  const up = await within(alice.sdk.apis.file.upload({ filePath: alice.sb.addLocalFile('x.txt', 'hello'), name: 'x.txt' }), 'upload');
  assert.equal(up.url, up.data.url);
  // an E聊-style body sent as JSON text reaches the listener parsed
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: '{"text":"legacy"}' }), 'send');
  await waitFor(() => bob.of('message').length === 1, 'delivered');
  assert.deepEqual(plain(bob.of('message')[0].body), { text: 'legacy' });
  // ... after white space too (the first character decides alone only when it is not a space); plain text
  // stays text
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: ' \n{"text":"spaced"}' }), 'send');
  await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: 'plain {text}' }), 'send');
  await waitFor(() => bob.of('message').length === 3, 'delivered');
  assert.deepEqual(plain(bob.of('message')[1].body), { text: 'spaced' });
  assert.equal(bob.of('message')[2].body, 'plain {text}');
  // a sync run after a reconnect reports what it fetched
  await bob.sb.setNetwork(false);
  for (const text of ['a', 'b', 'c']) await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text } }), text);
  const syncs = bob.of('sync').length;
  await bob.sb.setNetwork(true, 'wifi');
  await waitFor(() => bob.of('message').length === 6, 'the missed three');
  await waitFor(() => bob.of('sync').length > syncs, 'a sync event');
  const counted = bob.of('sync').slice(syncs).reduce((n, s) => n + s.count, 0);
  const viaPush = bob.sb.sockets().flatMap((r) => r.frames).filter((f) => f.dir === 'in' && typeof f.data === 'string' && /^42\d*\["topic\.message"/.test(f.data)).length;
  assert.ok(counted >= 1 || viaPush >= 6, 'the missed messages came by sync (counted) or by the login push');
  const last = bob.of('sync')[bob.of('sync').length - 1];
  assert.equal(last.to, bob.of('message')[5].seq, 'the sync ends at the last seq handed over');
});

test('im features: init while the server is down keeps trying (connecting), then calls back once it is up', { skip }, async (t) => {
  const srv = new H.Devserver({ users: ['alice:pa'] });
  t.after(() => srv.dispose());
  await srv.start();
  await srv.stop('SIGTERM');  // the ports are known and nothing listens
  const page = H.imPage(t, srv, { reconnectionDelay: 100, reconnectionDelayMax: 300 });
  await sleep(1000);
  assert.deepEqual(page.calls, [], 'no callback while the server is down');
  assert.equal(page.sdk.im.getState(), 'connecting');
  assert.ok(page.sb.sockets().length >= 2, 'it keeps trying');
  assert.deepEqual(page.of('error').filter((e) => e.fatal), [], 'nothing fatal');
  await srv.start();
  assert.equal(await within(page.ready, 'init after the server came up', 15000), page.sdk);
  assert.equal(page.calls.length, 1);
  assert.equal(page.calls[0], page.sdk);
});

test('im features: notifications — friend.added to both, presence to friends, a read receipt to the sender', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const { alice, bob } = await logIn(t, srv, 'SOCKET', ['alice', 'bob']);
  await within(alice.sdk.apis.friend.add({ friendAuid: 'bob' }), 'friend/add');
  for (const p of [alice, bob]) {
    await waitFor(() => p.of('notify').some((n) => n.type === 'friend.added'), `${p.who}: friend.added`);
    const n = p.of('notify').find((x) => x.type === 'friend.added');
    assert.deepEqual([n.data.auid, n.data.friendAuid], ['alice', 'bob']);
  }
  bob.sdk.im.close();
  await waitFor(() => alice.of('notify').some((n) => n.type === 'user.offline' && n.data.auid === 'bob'), 'user.offline');
  await within(bob.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb' })), 'bob again');
  await waitFor(() => alice.of('notify').some((n) => n.type === 'user.online' && n.data.auid === 'bob'), 'user.online');
  const sent = await within(bob.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'read me' } }), 'send');
  await waitFor(() => alice.of('message').some((m) => m.mid === sent.mid), 'delivered');
  await within(alice.sdk.apis.message.read({ mid: sent.mid }), 'message/read');
  await waitFor(() => bob.of('notify').some((n) => n.type === 'message.read'), 'bob: message.read');
  const receipt = bob.of('notify').find((n) => n.type === 'message.read');
  assert.deepEqual([receipt.data.mid, receipt.data.reader, receipt.data.formUser, receipt.data.toTarget], [sent.mid, 'alice', 'bob', 'alice']);
});

// The send lane (src/im/send_lane.cpp) writes the core's own clientMsgIds and requestIds unescaped and
// skips the ASCII scan of a message it took when its answer comes: an app's clientMsgId with a quote, a
// backslash or non-ASCII text must still reach the server, the record and the answer intact (the lane
// escapes the one it stores, or leaves the message to the general path).
test('im features: clientMsgIds with quotes, a backslash and non-ASCII text, sent over the socket one record per message', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv, null);
  await within(page.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET', outboxPerMessageRecords: true })), 'init');
  const ids = ['q"uote\\d-1', 'café-2', '会话-😀-3', 'plain-4'];
  const results = await within(Promise.all(ids.map((clientMsgId, i) =>
    page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: `m${i}` }, clientMsgId }))), 'the sends');
  assert.deepEqual(results.map((r) => r.clientMsgId), ids);
  assert.ok(results.every((r) => r.code === 0 && r.mid > 0));
  const sendStates = page.of('sendState').filter((s) => s.state === 'sent').map((s) => s.clientMsgId);
  assert.deepEqual(sendStates.sort(), [...ids].sort());
  await waitFor(() => !page.sb.storage.keys.some((k) => k.includes(':outbox:')), 'the records removed');
  // The server stored each under its own clientMsgId (a resend with one is a duplicate, not a new message).
  const again = await within(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'm1' }, clientMsgId: ids[1] }), 'resend');
  assert.equal(again.mid, results[1].mid, 'the server knew café-2 by its clientMsgId');
});
