'use strict';
// sdk.apis.* in wx style (issue 12): a form with success/fail/complete gets them called, as wx.request
// does, and the call returns no Promise; without them the call returns a Promise, as before. Run in
// the sandbox against the real devserver.

const test = require('node:test');
const assert = require('node:assert/strict');
const H = require('./fixtures/im-harness');

const { skip, waitFor } = H;

// Calls `fn(form)` with the three callbacks added and records what they receive, in order.
function withCallbacks(fn, form) {
  const seen = [];
  const returned = fn(Object.assign({}, form, {
    success: (r) => seen.push(['success', r]),
    fail: (e) => seen.push(['fail', e]),
    complete: (x) => seen.push(['complete', x]),
  }));
  return { seen, returned };
}

test('apis: success then complete with the result; no Promise returned; the callbacks are not sent', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv);
  assert.ok(await page.ready, 'logged in');

  const get = withCallbacks(page.sdk.apis.user.get, { auid: 'bob' });
  assert.equal(get.returned, undefined, 'no Promise when callbacks are given (as wx.request)');
  await waitFor(() => get.seen.length === 2, 'user.get callbacks');
  assert.deepEqual(get.seen.map(([k]) => k), ['success', 'complete']);
  assert.equal(get.seen[0][1].code, 0);
  assert.equal(get.seen[0][1].data.auid, 'bob');
  assert.equal(get.seen[1][1], get.seen[0][1], 'complete gets the same result');

  // message.send (through the outbox) and its top-level fields, wx style
  const sent = withCallbacks(page.sdk.apis.message.send, { toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'hi' } });
  await waitFor(() => sent.seen.length === 2, 'message.send callbacks');
  assert.deepEqual(sent.seen.map(([k]) => k), ['success', 'complete']);
  assert.ok(sent.seen[0][1].mid > 0, 'the mid at the top level');
  // the callbacks were not part of the request: the stored message has exactly the body sent
  const hist = await page.sdk.apis.message.history({ way: 'P2P', toTarget: 'bob' });
  const stored = hist.data.messages.find((m) => m.mid === sent.seen[0][1].mid);
  assert.ok(stored, 'the message was stored');
  assert.deepEqual(H.plain(stored.body), { text: 'hi' });
  for (const k of ['success', 'fail', 'complete']) assert.ok(!(k in stored) && !(k in stored.body), `no ${k} in the stored message`);

  // Promise style still works
  const r = await page.sdk.apis.user.get({ auid: 'bob' });
  assert.equal(r.data.auid, 'bob');
  page.assertNoErrors();
});

test('apis: fail then complete with the error (code, msg, field); only complete given works too', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv);
  assert.ok(await page.ready, 'logged in');

  const bad = withCallbacks(page.sdk.apis.message.send, { way: 'P2P', type: 'TEXT', body: { text: 'no target' } });
  assert.equal(bad.returned, undefined);
  await waitFor(() => bad.seen.length === 2, 'message.send fail callbacks');
  assert.deepEqual(bad.seen.map(([k]) => k), ['fail', 'complete']);
  const err = bad.seen[0][1];
  assert.equal(err.code, 400);
  assert.match(err.msg, /toTarget/);
  assert.equal(bad.seen[1][1], err);

  const unknown = withCallbacks(page.sdk.apis.user.get, { auid: 'nobody-here' });
  await waitFor(() => unknown.seen.length === 2, 'user.get of an unknown user');
  assert.deepEqual(unknown.seen.map(([k]) => k), ['fail', 'complete']);
  assert.notEqual(unknown.seen[0][1].code, 0);

  const upload = withCallbacks(page.sdk.apis.file.upload, {});
  await waitFor(() => upload.seen.length === 2, 'file.upload callbacks');
  assert.deepEqual(upload.seen.map(([k]) => k), ['fail', 'complete']);
  assert.equal(upload.seen[0][1].field, 'filePath');

  let completed = null;
  assert.equal(page.sdk.apis.friend.list({ complete: (x) => { completed = x; } }), undefined);
  await waitFor(() => completed !== null, 'complete alone');
  assert.equal(completed.code, 0);
  page.assertNoErrors();
});

test('apis: a callback that is not a function is refused, naming it; a throwing success does not call fail', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const page = H.imPage(t, srv);
  assert.ok(await page.ready, 'logged in');

  await assert.rejects(page.sdk.apis.user.get({ auid: 'bob', success: 'yes' }),
    (e) => e.field === 'success' && e.code === 400 && /success/.test(e.message));

  const seen = [];
  page.sdk.apis.user.get({
    auid: 'bob',
    success: () => { seen.push('success'); throw new Error('page bug'); },
    fail: () => seen.push('fail'),
    complete: () => seen.push('complete'),
  });
  await waitFor(() => seen.length === 2, 'success and complete');
  assert.deepEqual(seen, ['success', 'complete']);
  // the page's exception is reported on the console, not swallowed
  assert.ok(page.logs.some((l) => l.level === 'error' && /user\.get callback threw/.test(l.text)));
});
