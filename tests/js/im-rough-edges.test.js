'use strict';
// Issue 11 "Reliability (SDK)", the items a new user hits first, each in the mini-program sandbox against
// the real devserver (child process):
//  - a wrong httpPort (right socketPort): the refusal is reported at once naming host and port, every
//    send shows its state (queued, sending, ..., failed) and fails after sendTimeout with that reason; it
//    can be resent with the same clientMsgId;
//  - a wrong socketPort: a `state` event per attempt naming the address, no `error` toast every attempt;
//    a SOCKET call made meanwhile fails saying it was not connected (not "too many requests waiting");
//  - init calls back with getConversations() loaded; the load is a `conversations` event;
//  - `message` events carry flow ('in' | 'out') and isHistory; historyOnFreshInstall 'none' / N;
//  - a recalled message has body {} and recalled: true (the README's m.body.text does not throw);
//  - user.list with a lone surrogate in a user's ext answers (HTTP), and such a message over the socket does not block the stream;
//  - a misspelt config key warns naming the key meant;
//  - admin calls (user.add) take the config's secret and appKey.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const H = require('./fixtures/im-harness');

const { skip, within, waitFor } = H;
const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 500 };

// A loopback port nobody listens on (bound, then released).
function closedPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// POST /v1/<module>/<method> with a body given as JSON text (so it can carry what JSON.stringify would not).
async function post(srv, pathName, text, jwt) {
  const res = await fetch(`http://127.0.0.1:${srv.httpPort}/v1/${pathName}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) }, body: text,
  });
  return res.json();
}

test('im rough edges: wrong httpPort: refusal reported at once naming host:port, the send fails after sendTimeout with it, states shown, resend works',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await H.startDevserver(t);
    const bad = await closedPort();
    const page = H.imPage(t, srv, null);
    const states = [];
    page.sdk.im.on('sendState', (s) => states.push(H.plain(s)));
    await within(page.sdk.im.init(H.imConfig(srv, { httpPort: bad, sendTimeout: 3000, requestTimeout: 1000 })), 'init (socket login works)');
    const sent = H.settle(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' }, clientMsgId: 'mine-1' }));
    await waitFor(() => page.of('error').length > 0, 'an error event');
    const err = page.of('error')[0];
    assert.match(err.message, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${bad}: connection refused`));
    assert.equal(err.fatal, false);
    const r = await within(sent, 'the send settles', 15000);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, -1001);
    assert.match(r.error.message, /not confirmed within 3000 ms \(sendTimeout\): cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
    assert.equal(r.error.clientMsgId, 'mine-1');
    const seen = states.map((s) => s.state);
    assert.equal(seen[0], 'queued');
    assert.ok(seen.includes('sending'), JSON.stringify(seen));
    assert.equal(seen[seen.length - 1], 'failed');
    assert.ok(states.every((s) => s.clientMsgId === 'mine-1'));
    assert.equal(page.of('error').length, 1, 'reported once, not per attempt');
    // Resent over the socket (same clientMsgId): stored.
    const again = await within(page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' }, clientMsgId: 'mine-1' },
    ).catch((e) => e), 'resend');
    assert.equal(again.code, -1001, 'still the wrong httpPort: fails again, same way');
    page.sdk.im.close();
    const fixed = H.imPage(t, srv, null);
    await within(fixed.sdk.im.init(H.imConfig(srv, { apiTransport: 'SOCKET' })), 'init with the socket transport');
    const ok = await within(fixed.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' }, clientMsgId: 'mine-1' }), 'resend');
    assert.equal(ok.code, 0);
    assert.equal(ok.clientMsgId, 'mine-1');
  });

test('im rough edges: wrong socketPort: a state event naming the address per attempt, no error event; a SOCKET call says it was not connected',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await H.startDevserver(t);
    const bad = await closedPort();
    const page = H.imPage(t, srv, { socketPort: bad, apiTransport: 'SOCKET', requestTimeout: 1500, ...FAST });
    const r = await within(H.settle(page.sdk.apis.user.get({ auid: 'bob' })), 'the call settles');
    assert.equal(r.ok, false);
    assert.equal(r.error.code, -1001);
    assert.match(r.error.message, new RegExp(`not (connected|logged in) within 1500 ms \\(cannot connect to ws://127\\.0\\.0\\.1:${bad}: connection refused\\)`));
    assert.doesNotMatch(r.error.message, /too many requests/);
    const reasons = page.of('state').filter((s) => /cannot connect to/.test(s.reason));
    assert.ok(reasons.length >= 2, `a state event per attempt: ${JSON.stringify(H.plain(page.of('state')))}`);
    assert.equal(reasons[0].reason, `cannot connect to ws://127.0.0.1:${bad}: connection refused`);
    assert.deepEqual(H.plain(page.of('error')), [], 'no error event per attempt');
  });

test('im rough edges: init calls back with the conversations loaded (a conversations event); message events carry flow and isHistory',
  { skip, timeout: 60000 }, async (t) => {
    const srv = await H.startDevserver(t);
    const bob = H.imPage(t, srv, { loginAuid: 'bob', loginToken: 'pb' });
    await within(bob.ready, 'bob');
    for (let i = 0; i < 3; i++) await bob.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `old ${i}` } });
    const alice = H.imPage(t, srv, null);
    let atCallback = null;
    const events = [];
    alice.sdk.im.on('conversations', (list) => events.push(H.plain(list)));
    await within(alice.sdk.im.init(H.imConfig(srv), () => {
      alice.sdk.im.getConversations().then((l) => { atCallback = H.plain(l); });
    }), 'alice');
    await waitFor(() => atCallback !== null, 'getConversations');
    assert.equal(events.length, 1, 'the first load is an event, before the callback');
    assert.equal(atCallback.length, 1);
    assert.equal(atCallback[0].toTarget, 'bob');
    // A fresh install replays the history (historyOnFreshInstall 'all' by default), marked.
    await waitFor(() => alice.of('message').length >= 3, 'the history');
    assert.deepEqual(alice.of('message').map((m) => [m.body.text, m.flow, m.isHistory]),
      [['old 0', 'in', true], ['old 1', 'in', true], ['old 2', 'in', true]]);
    await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'live' } });
    await waitFor(() => alice.of('message').length >= 4, 'own delivery');
    const own = alice.of('message')[3];
    assert.deepEqual([own.body.text, own.flow, own.isHistory], ['live', 'out', false]);
    await waitFor(() => bob.of('message').some((m) => m.body.text === 'live'), 'bob gets it');
    const got = bob.of('message').find((m) => m.body.text === 'live');
    assert.deepEqual([got.flow, got.isHistory], ['in', false]);
  });

test('im rough edges: historyOnFreshInstall none / 1; a recalled message has body {} and recalled: true', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--recall-window', '0'] });
  const bob = H.imPage(t, srv, { loginAuid: 'bob', loginToken: 'pb' });
  await within(bob.ready, 'bob');
  const carol = H.imPage(t, srv, { loginAuid: 'carol', loginToken: 'pc' });
  await within(carol.ready, 'carol');
  for (let i = 0; i < 3; i++) await bob.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `b${i}` } });
  const c = await carol.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: 'c0' } });
  await carol.sdk.apis.message.recall({ mid: c.mid });

  const none = H.imPage(t, srv, { historyOnFreshInstall: 'none' });
  await within(none.ready, 'alice, none');
  await waitFor(() => none.of('sync').length > 0, 'the first sync');
  assert.deepEqual(none.of('message'), [], 'nothing replayed');
  assert.equal(none.sdk.im.info().synced, 4, 'the position moved on');
  none.sdk.im.close();

  // Another install (fresh storage): the last one per conversation.
  const one = H.imPage(t, srv, { historyOnFreshInstall: 1 });
  await within(one.ready, 'alice, 1');
  await waitFor(() => one.of('sync').length > 0, 'the first sync');
  const got = one.of('message');
  assert.deepEqual(got.map((m) => m.formUser), ['bob', 'carol']);
  assert.equal(got[0].body.text, 'b2');
  // The README's listener: `${m.formUser}: ${m.body.text}` must not throw on the recalled one.
  assert.equal(got[1].recalled, true);
  assert.deepEqual(H.plain(got[1].body), {});
  assert.equal(`${got[1].formUser}: ${got[1].body.text}`, 'carol: undefined');
});

test('im rough edges: user.list answers with a lone surrogate in a user\'s ext (HTTP)', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv);
  await within(page.ready, 'init');
  const jwt = page.sdk.im.info().jwt;
  const up = await post(srv, 'user/update', '{"auid":"alice","ext":{"note":"x\\ud800"}}', jwt);
  assert.equal(up.code, 0, JSON.stringify(up));
  const r = await within(page.sdk.apis.user.list({}), 'user.list');
  assert.equal(r.code, 0);
  const alice = r.data.find((u) => u.auid === 'alice') || (r.data.list || []).find((u) => u.auid === 'alice');
  assert.ok(alice, JSON.stringify(r.data).slice(0, 300));
  assert.equal(alice.ext.note, 'x\ufffd');
});

test('im rough edges: a misspelt config key warns naming the key meant', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t);
  const warns = [];
  const quiet = () => {};
  const page = H.imPage(t, srv, null, { console: { log: quiet, info: quiet, debug: quiet, error: quiet, warn: (m) => warns.push(String(m)) } });
  const cfg = H.imConfig(srv);
  cfg.socketport = cfg.socketPort;
  cfg.requestTimout = 5000;
  cfg.somethingElse = 1;
  await within(page.sdk.im.init(cfg), 'init');
  assert.deepEqual(warns, [
    "echatim: sdk.im.init: 'socketport' is not a config key (did you mean 'socketPort'?); it is ignored",
    "echatim: sdk.im.init: 'requestTimout' is not a config key (did you mean 'requestTimeout'?); it is ignored",
    "echatim: sdk.im.init: 'somethingElse' is not a config key; it is ignored",
  ]);
});

test('im rough edges: admin calls take the config\'s secret and appKey when the form lacks them', { skip, timeout: 60000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--app', `${H.APP_KEY}:s3cret`] });
  const page = H.imPage(t, srv, { secret: 's3cret' });
  await within(page.ready, 'init');
  const r = await within(page.sdk.apis.user.add({ auid: 'dan', token: 'pd', name: 'Dan' }), 'user.add');
  assert.equal(r.code, 0);
  const wrong = H.imPage(t, srv, { secret: 'nope', loginAuid: 'bob', loginToken: 'pb' });
  await within(wrong.ready, 'init bob');
  const refused = await H.settle(wrong.sdk.apis.user.add({ auid: 'eve', token: 'pe' }));
  assert.equal(refused.ok, false);
});

// A devserver, bob on the socket (logged in first), then alice.
async function bobThenAlice(t) {
  const srv = await H.startDevserver(t);
  const bob = H.imPage(t, srv, { loginAuid: 'bob', loginToken: 'pb', apiTransport: 'SOCKET' });
  await within(bob.ready, 'bob');
  const alice = H.imPage(t, srv);
  await within(alice.ready, 'alice');
  return { srv, bob, alice };
}

// The socket.io layer used to refuse such a packet ("payload is not valid JSON", a reconnect per push:
// the receiver looped); its payload scanner now accepts what JSON.parse accepts (issue 10) and the IM side
// (parse_json) reads the text with U+FFFD in place of the lone surrogate.
test('im rough edges: a message with a lone surrogate does not block the stream (socket)', {
  skip, timeout: 60000,
}, async (t) => {
  const { srv, bob, alice } = await bobThenAlice(t);
  const bad = await post(srv, 'message/send',
    '{"formUser":"alice","toTarget":"bob","way":"P2P","type":"TEXT","body":{"text":"x\\ud800"},"clientMsgId":"s1"}', alice.sdk.im.info().jwt);
  assert.equal(bad.code, 0);
  await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'after' } });
  await waitFor(() => bob.of('message').length >= 2, 'both messages', 10000);
  const texts = bob.of('message').map((m) => m.body.text);
  assert.equal(texts[0].length, 2);
  assert.equal(texts[1], 'after');
  assert.equal(bob.of('state').filter((s) => s.state === 'reconnecting').length, 0, 'no reconnect loop');
});

// core::Json keeps containers deeper than 64 levels as their text (the wasm stack is 128 KiB and the
// parser recurses): such a message still arrives whole, in order, and does not block the stream.
test('im rough edges: a message nested 2,000 deep arrives whole and does not block the stream (socket)', {
  skip, timeout: 60000,
}, async (t) => {
  const { bob, alice } = await bobThenAlice(t);
  const deep = '['.repeat(2000) + '"core"' + ']'.repeat(2000);
  await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'deep', d: JSON.parse(deep) } });
  await alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'after' } });
  await waitFor(() => bob.of('message').length >= 2, 'both messages', 10000);
  const [first, second] = bob.of('message');
  assert.equal(first.body.text, 'deep');
  assert.equal(JSON.stringify(first.body.d), deep);
  assert.equal(second.body.text, 'after');
  assert.deepEqual(bob.of('error'), []);
  assert.equal(bob.of('state').filter((s) => s.state === 'reconnecting').length, 0, 'no reconnect loop');
});
