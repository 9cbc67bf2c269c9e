'use strict';
// The demo mini-program, driven like a user: its pages rendered by miniprogram-simulate, its JS and the
// real SDK running in mini-program sandboxes, against a real devserver on 127.0.0.1 (harness.js).
// Assertions read the rendered tree. Every wait is bounded; every server and phone is stopped.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Phone, startDevserver, makePng } = require('./harness');

const USERS = ['alice:pa:Alice', 'bob:pb:Bob', 'carol:pc:Carol'];

async function setup(t, names, { apiTransport } = {}) {
  const srv = await startDevserver({ users: USERS });
  t.after(() => srv.stop());
  const phones = {};
  for (const name of names) {
    const phone = new Phone(name, { language: 'en' });  // English: the demo's Chinese is tested in i18n.test.js
    t.after(() => phone.close());
    await phone.launch();
    if (apiTransport) phone.sb.require('/config.js').apiTransport = apiTransport;  // as if config.js said so
    const [, token] = USERS.find((u) => u.startsWith(`${name}:`)).split(':');
    await phone.login(srv, name, token);
    phones[name] = phone;
  }
  return { srv, ...phones };
}

// alice adds `friend` on the Contacts tab, then opens the chat with them.
async function befriendAndOpen(alice, friend, friendName) {
  await alice.tapTab('Contacts');
  await alice.type('#friend-input', friend);
  await alice.tap('#add-friend');
  await alice.waitText('.notice', `${friend} is now your friend`);
  await alice.waitFor(() => alice.texts('.friend .name').some((x) => x.startsWith(friendName)), `${friendName} in the friend list`);
  const i = alice.all('.friend').findIndex((e) => e.textContent.includes(friendName));
  await alice.tap('.friend', i);
  await alice.waitRoute('pages/chat/chat');
}

async function say(phone, text) {
  await phone.type('#input', text);
  assert.equal(phone.el('#input').getAttribute('value'), text, 'the input shows what was typed');
  await phone.tap('#send');
  assert.equal(phone.el('#input').getAttribute('value'), null, 'the input is cleared');
  await phone.waitFor(() => !phone.all('.sending').length && phone.texts('.mine .bubble').includes(text), `"${text}" sent`);
}

// The chat page's messages as [side, text] in the order shown.
function shown(phone) {
  return phone.all('.message').map((e) => {
    const bubble = e.querySelector('.chat--text');  // the DOM's class names carry the page's prefix
    return [e.classList.contains('chat--mine') ? 'me' : 'them', bubble ? bubble.textContent.trim() : '(image)'];
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

for (const apiTransport of ['SOCKET', 'HTTP']) test(`two users chat: messages in order, unread badge, cleared when opened (API calls over ${apiTransport})`, async (t) => {
  const { alice, bob } = await setup(t, ['alice', 'bob'], { apiTransport });
  assert.equal(alice.text('.me-name'), 'alice');
  assert.equal(bob.text('.me-name'), 'bob');
  assert.match(bob.text('.empty'), /No conversations yet/);

  await befriendAndOpen(alice, 'bob', 'Bob');
  assert.equal(alice.page.title, 'Bob');
  await say(alice, 'Hi Bob');

  // bob is on his conversation list: a row for Alice with the message and an unread badge
  await bob.waitText('.conversation .badge', '1');
  assert.deepEqual(bob.texts('.conversation .name'), ['Alice']);
  assert.equal(bob.el('.empty'), null, 'the "no conversations" line is gone');
  assert.equal(bob.text('.conversation .preview'), 'Hi Bob');
  assert.match(bob.text('.conversation .time'), /^(\d\d:\d\d|Yesterday)$/);  // (Yesterday: sent just before midnight)

  await say(alice, 'Are you there?');
  await bob.waitText('.conversation .badge', '2');
  assert.equal(bob.text('.conversation .preview'), 'Are you there?');

  // bob opens it: both messages, in order, on the left
  await bob.tap('.conversation');
  await bob.waitRoute('pages/chat/chat');
  assert.equal(bob.page.title, 'Alice');
  await bob.waitFor(() => shown(bob).length === 2, 'two messages shown');
  assert.deepEqual(shown(bob), [['them', 'Hi Bob'], ['them', 'Are you there?']]);
  assert.equal(bob.el('.empty'), null, 'the "no messages" line is gone');

  await say(bob, 'Yes! Got both, in order.');
  await alice.waitFor(() => shown(alice).length === 3, 'the reply on alice\'s chat page');
  assert.deepEqual(shown(alice), [['me', 'Hi Bob'], ['me', 'Are you there?'], ['them', 'Yes! Got both, in order.']]);

  // back on the list the badge is gone, and stays gone after a pull-down refresh from the server
  await bob.back();
  assert.equal(bob.route, 'pages/conversations/conversations');
  await bob.waitText('.conversation .preview', 'Yes! Got both, in order.');
  assert.equal(bob.all('.badge').length, 0);
  await bob.pullDown();
  assert.equal(bob.all('.badge').length, 0);
  assert.deepEqual(bob.texts('.conversation .name'), ['Alice']);

  // alice read bob's reply while her chat was open: no badge on her list either
  await alice.back();
  await alice.tapTab('Chats');
  await alice.pullDown();
  assert.deepEqual(alice.texts('.conversation .name'), ['Bob']);
  assert.equal(alice.all('.badge').length, 0);
  assert.deepEqual(alice.errors(), []);
  assert.deepEqual(bob.errors(), []);
});

test('an image picked with wx.chooseMedia is uploaded and renders on both sides', async (t) => {
  const { srv, alice, bob } = await setup(t, ['alice', 'bob']);
  await befriendAndOpen(alice, 'bob', 'Bob');
  const png = makePng(64, 48, [7, 193, 96]);
  alice.pickImage('photo.png', png, { width: 64, height: 48 });
  await alice.tap('#image');
  await alice.waitFor(() => alice.all('.sending, .failed').length === 0 && alice.all('.image').length === 1, 'image sent');
  const src = alice.el('.image').getAttribute('src');
  assert.match(src, new RegExp(`^http://127\\.0\\.0\\.1:${srv.httpPort}/files/[0-9a-f]+/[^/]+\\.png$`));

  await bob.waitText('.conversation .preview', '[Image]');
  assert.equal(bob.text('.conversation .badge'), '1');
  await bob.tap('.conversation');
  await bob.waitFor(() => bob.all('.theirs .image').length === 1, 'image on bob\'s chat page');
  assert.equal(bob.el('.image').getAttribute('src'), src);
  assert.equal(bob.el('.image').getAttribute('mode'), 'widthFix');
  const file = await get(src);
  assert.equal(file.status, 200);
  assert.equal(file.type, 'image/png');
  assert.ok(file.body.equals(png), 'the server serves the bytes that were picked');
  assert.deepEqual(alice.errors(), []);
  assert.deepEqual(bob.errors(), []);
});

test('a group chat: create it from friends, everyone sees the messages in order with sender names', async (t) => {
  const { alice, bob, carol } = await setup(t, ['alice', 'bob', 'carol']);
  await alice.tapTab('Contacts');
  for (const who of ['bob', 'carol']) {
    await alice.type('#friend-input', who);
    await alice.tap('#add-friend');
    await alice.waitText('.notice', `${who} is now your friend`);
    assert.equal(alice.all('.friend').length, who === 'bob' ? 1 : 2);
  }
  await alice.tap('#new-group');
  await alice.type('#group-name', 'Team');
  await alice.tap('.friend', 0);
  await alice.tap('.friend', 1);
  assert.equal(alice.all('.friend.selected').length, 2);
  assert.match(alice.text('.pick-hint'), /2 selected/);
  await alice.tap('#create-group');
  await alice.waitRoute('pages/chat/chat');
  assert.equal(alice.page.title, 'Team');
  await say(alice, 'Hello team');

  await bob.waitText('.conversation .preview', 'Alice: Hello team');
  assert.deepEqual(bob.texts('.conversation .name'), ['Team']);
  assert.equal(bob.text('.conversation .badge'), '1');
  await bob.tap('.conversation');
  await bob.waitFor(() => shown(bob).length === 1, 'bob sees the group message');
  await bob.waitFor(() => bob.texts('.sender').join() === 'Alice', `sender name (${bob.texts('.sender')})`);
  await say(bob, 'Hi all');

  await carol.waitText('.conversation .badge', '2');
  await carol.tap('.conversation');
  await carol.waitFor(() => shown(carol).length === 2, 'carol sees both');
  assert.deepEqual(shown(carol), [['them', 'Hello team'], ['them', 'Hi all']]);
  // carol is nobody's friend: the names come from the user profiles
  await carol.waitFor(() => carol.texts('.sender').join() === 'Alice,Bob', `sender names (${carol.texts('.sender')})`);
  await alice.waitFor(() => shown(alice).length === 2, 'alice sees bob\'s reply');
  assert.deepEqual(alice.texts('.sender'), ['Bob']);

  // the group is on everyone's contacts page
  await carol.back();
  await carol.tapTab('Contacts');
  await carol.waitFor(() => carol.texts('.group .name').length === 1, 'carol\'s groups');
  assert.match(carol.text('.group .name'), /^Team ?\(3\)$/);  // simulate's own WXML compiler trims the space
  for (const p of [alice, bob, carol]) assert.deepEqual(p.errors(), []);
});

test('a refused send shows "failed"; tapping it sends it again, and it arrives once', async (t) => {
  const { alice, bob } = await setup(t, ['alice', 'bob']);
  await befriendAndOpen(alice, 'bob', 'Bob');
  await bob.sdk.apis.blacklist.add({ blackAuid: 'alice' });

  await alice.type('#input', 'Can you hear me?');
  await alice.tap('#send');
  await alice.waitFor(() => alice.all('.failed').length === 1, 'the failed mark');
  assert.match(alice.text('.error'), /^Not sent: .*\(403\)\. Tap to retry\.$/);
  assert.deepEqual(shown(alice), [['me', 'Can you hear me?']]);

  await bob.sdk.apis.blacklist.del({ blackAuid: 'alice' });
  await alice.tap('.failed');
  await alice.waitFor(() => !alice.all('.failed, .sending').length, 'sent on retry');
  assert.equal(alice.all('.error').length, 0);
  assert.deepEqual(shown(alice), [['me', 'Can you hear me?']]);

  await bob.waitText('.conversation .badge', '1');
  await bob.tap('.conversation');
  await bob.waitFor(() => shown(bob).length === 1, 'bob has it');
  assert.deepEqual(shown(bob), [['them', 'Can you hear me?']]);
  assert.deepEqual(alice.errors(), []);
});

test('a wrong token: the login page says why and stays', async (t) => {
  const srv = await startDevserver({ users: USERS });
  t.after(() => srv.stop());
  const phone = new Phone('mallory', { language: 'en' });
  t.after(() => phone.close());
  await phone.launch();
  assert.equal(phone.el('#host').getAttribute('value'), '127.0.0.1');
  assert.equal(phone.el('#httpPort').getAttribute('value'), '58082');
  assert.equal(phone.el('#socketPort').getAttribute('value'), '59092');
  assert.equal(phone.el('#key').getAttribute('value'), 'TSDKTEST00001');
  assert.equal(phone.el('#auid').getAttribute('value'), 'admin');
  await assert.rejects(phone.login(srv, 'alice', 'wrong'), /Login failed: invalid auid or token \(401\)/);
  assert.equal(phone.route, 'pages/login/login');
  assert.equal(phone.text('#login'), 'Log in');
});

test('no server at that port: the login page gives up after config.loginTimeoutMs and says so; then a good login works', async (t) => {
  const srv = await startDevserver({ users: USERS });
  t.after(() => srv.stop());
  const net = require('node:net');
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = probe.address().port;
  await new Promise((r) => probe.close(r));

  const phone = new Phone('alice', { language: 'en' });
  t.after(() => phone.close());
  await phone.launch();
  phone.sb.require('/config.js').loginTimeoutMs = 1500;
  await assert.rejects(phone.login({ host: '127.0.0.1', httpPort: deadPort, socketPort: deadPort }, 'alice', 'pa'),
    new RegExp(`no answer from 127\\.0\\.0\\.1:${deadPort} within 1\\.5 s: is the server running\\? \\(.*(connection refused|ERR_CONNECTION_REFUSED).*\\)`));
  assert.equal(phone.sdk.im.getState(), 'disconnected');
  await phone.login(srv, 'alice', 'pa');
  assert.equal(phone.text('.me-name'), 'alice');
  assert.equal(phone.sdk.im.getState(), 'connected');
  assert.deepEqual(phone.errors(), []);
});

test('the headless answering phone (chat-demo.js --bot) answers through its chat page', async (t) => {
  const { runBot } = require('../../toolchain/chat-demo');
  const { srv, alice } = await setup(t, ['alice']);
  let stop;
  const until = new Promise((resolve) => { stop = resolve; });
  let ready;
  const isReady = new Promise((resolve) => { ready = resolve; });
  const lines = [];
  const bot = runBot(srv, 'bob', 'pb', { say: (l) => lines.push(l), until, onReady: ready });
  t.after(() => { stop(); return bot; });
  await isReady;
  await befriendAndOpen(alice, 'bob', 'Bob');
  await say(alice, 'ping');
  await alice.waitFor(() => shown(alice).length === 2, 'the answer');
  assert.deepEqual(shown(alice), [['me', 'ping'], ['them', 'Got "ping" (bob, a headless demo phone)']]);
  stop();
  await bot;
  assert.ok(lines.some((l) => /bob: Alice says "ping"$/.test(l)), lines.join('\n'));
});

test('offline: the chat says so, a message typed meanwhile waits as "sending" and goes out when the network returns', async (t) => {
  const { alice, bob } = await setup(t, ['alice', 'bob']);
  await befriendAndOpen(alice, 'bob', 'Bob');
  await alice.sb.setNetwork(false);
  await alice.waitText('.state-bar', /^(Connecting|Reconnecting)…/);
  await alice.type('#input', 'Written in a tunnel');
  await alice.tap('#send');
  assert.equal(alice.all('.sending').length, 1, 'shown at once, marked as sending');
  assert.deepEqual(shown(alice), [['me', 'Written in a tunnel']]);
  await alice.sb.setNetwork(true, 'wifi');
  await alice.waitFor(() => !alice.all('.sending, .failed').length, 'sent after the network returned');
  assert.equal(alice.el('.state-bar'), null);
  await bob.waitText('.conversation .preview', 'Written in a tunnel');
  assert.equal(bob.text('.conversation .badge'), '1');
  assert.deepEqual(alice.errors(), []);
});

test('logged in on another phone: the first one says so', async (t) => {
  const { srv, alice } = await setup(t, ['alice']);
  const other = new Phone('alice-2', { language: 'en' });
  t.after(() => other.close());
  await other.launch();
  await other.login(srv, 'alice', 'pa');
  await alice.waitText('.state-bar', 'Logged in on another device');
  assert.equal(other.el('.state-bar'), null);
});
