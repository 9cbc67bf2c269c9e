'use strict';
// The demo's language and its chat features, on the rendered tree, against the real devserver
// (harness.js): Chinese by default and English when WeChat's language is English; pull-down for older
// history; long-press to recall; read receipts; a group's member list; and the page lifecycle (a page
// opened again leaves no second listener).

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Phone, startDevserver } = require('./harness');

const USERS = ['alice:pa:Alice', 'bob:pb:Bob', 'carol:pc:Carol'];
const TOKENS = { alice: 'pa', bob: 'pb', carol: 'pc' };

async function server(t) {
  const srv = await startDevserver({ users: USERS });
  t.after(() => srv.stop());
  return srv;
}

async function phone(t, srv, name, options = {}) {
  const p = new Phone(name, options);
  t.after(() => p.close());
  await p.launch();
  if (srv) await p.login(srv, name, TOKENS[name]);
  return p;
}

// The server's HTTP API as `auid` (what another device of that user would do).
async function apiAs(srv, auid) {
  const post = (route, body) => new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request({ host: srv.host, port: srv.httpPort, path: `/v1/${route}`, method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const r = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (r.code !== 0) reject(new Error(`${route}: ${r.code} ${r.msg}`));
        else resolve(r.data);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
  const jwt = await post('auth/login', { appKey: 'TSDKTEST00001', auid, token: TOKENS[auid] });
  return (route, body) => post(route, Object.assign({ jwt }, body));
}

// The chat's bubbles' texts, in the order shown.
const bubbles = (p) => p.all('.message').map((e) => {
  const b = e.querySelector('.chat--text') || e.querySelector('.chat--recall-line');
  return b ? b.textContent.trim() : '(image)';
});

test('Chinese by default: the login page, the tab bar, the lists and the chat speak Chinese', async (t) => {
  const srv = await server(t);
  const alice = await phone(t, null, 'alice');  // the sandbox's WeChat language: zh_CN
  assert.equal(alice.text('#login'), '登录');
  assert.deepEqual(alice.texts('.group-title'), ['服务器', '账号']);
  assert.equal(alice.page.title, 'E聊 SDK 演示');
  await alice.login(srv, 'alice', 'pa');
  assert.equal(alice.page.title, '消息');
  assert.match(alice.text('.empty'), /^还没有会话/);
  assert.equal(alice.text('.logout'), '退出登录');
  assert.deepEqual(alice.tabTexts, ['消息', '通讯录']);
  await alice.tapTab('通讯录');
  assert.equal(alice.el('#friend-input').getAttribute('placeholder'), '输入用户 ID（auid）添加好友');
  await alice.type('#friend-input', 'bob');
  await alice.tap('#add-friend');
  await alice.waitText('.notice', '已添加 bob 为好友');
  await alice.type('#friend-input', 'nobody');
  await alice.tap('#add-friend');
  await alice.waitText('.notice', /^无法添加 nobody：.*\(404\)$/);
  await alice.navigateTo('/pages/chat/chat?way=P2P&toTarget=bob');
  assert.equal(alice.text('.empty'), '还没有消息，打个招呼吧');
  assert.equal(alice.text('#send'), '发送');
  assert.equal(alice.el('#input').getAttribute('placeholder'), '输入消息');
  assert.deepEqual(alice.errors(), []);
});

test('English when WeChat\'s language is English: the same pages in English, the tab bar too', async (t) => {
  const srv = await server(t);
  const alice = await phone(t, null, 'alice', { language: 'en' });
  assert.equal(alice.text('#login'), 'Log in');
  assert.deepEqual(alice.texts('.group-title'), ['Server', 'Account']);
  await alice.login(srv, 'alice', 'pa');
  assert.equal(alice.page.title, 'Chats');
  assert.deepEqual(alice.tabTexts, ['Chats', 'Contacts'], 'wx.setTabBarItem gave the tabs their English words');
  assert.match(alice.text('.empty'), /^No conversations yet/);
  await alice.tapTab('Contacts');
  assert.equal(alice.page.title, 'Contacts');
  assert.equal(alice.text('#add-friend'), 'Add');
  assert.deepEqual(alice.errors(), []);
});

test('pull down in a chat: older messages page in above (message.history with beforeSeq), until there are none', async (t) => {
  const srv = await server(t);
  const bob = await apiAs(srv, 'bob');
  const alice = await phone(t, srv, 'alice');
  for (let i = 1; i <= 7; i++) await bob('message/send', { toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `第 ${i} 条` }, clientMsgId: `h${i}` });
  await alice.waitText('.conversation .badge', '7');
  // Log out and in again: the SDK kept its place in storage and delivers nothing twice, so the chat
  // has only what message.history pages in.
  await alice.tap('.logout');
  await alice.waitRoute('pages/login/login');
  await alice.login(srv, 'alice', 'pa');
  alice.sb.require('/config.js').historyLimit = 3;  // as if config.js said so: three per page
  await alice.waitText('.conversation .badge', '7');
  await alice.tap('.conversation');
  await alice.waitRoute('pages/chat/chat');
  await alice.waitFor(() => bubbles(alice).length === 3, 'the newest page');
  assert.deepEqual(bubbles(alice), ['第 5 条', '第 6 条', '第 7 条']);
  assert.equal(alice.text('.history'), '下拉查看更早的消息');

  await alice.pullDown();
  await alice.waitFor(() => bubbles(alice).length === 6, 'the page before');
  assert.deepEqual(bubbles(alice), ['第 2 条', '第 3 条', '第 4 条', '第 5 条', '第 6 条', '第 7 条']);
  const fifth = alice.page.instance.data.items.find((x) => x.text === '第 5 条');
  assert.equal(alice.el('.messages').getAttribute('scroll-into-view'), fifth.id, 'the former top message stays in view');

  await alice.pullDown();
  await alice.waitFor(() => bubbles(alice).length === 7, 'the first page');
  assert.equal(bubbles(alice)[0], '第 1 条');
  assert.equal(alice.text('.history'), '没有更早的消息了');
  await alice.pullDown();  // nothing more: nothing changes
  assert.equal(bubbles(alice).length, 7);
  assert.deepEqual(alice.errors(), []);
});

test('read receipts: "未读" under alice\'s message until bob opens the chat, then "已读"; long-press recalls it on both phones', async (t) => {
  const srv = await server(t);
  const alice = await phone(t, srv, 'alice');
  const bob = await phone(t, srv, 'bob');
  await alice.navigateTo('/pages/chat/chat?way=P2P&toTarget=bob');
  await alice.type('#input', '今晚一起吃饭？');
  await alice.tap('#send');
  await alice.waitText('.receipt', '未读');

  await bob.waitText('.conversation .badge', '1');
  await bob.tap('.conversation');
  await bob.waitFor(() => bubbles(bob).length === 1, 'bob sees it');
  await alice.waitText('.receipt', '已读', 'the read receipt on alice\'s phone');
  assert.equal(bob.all('.receipt').length, 0, 'receipts only under one\'s own messages');

  // bob cannot recall alice's message: no action sheet
  await bob.longPress('.bubble');
  assert.deepEqual(bob.actionSheets, []);

  // alice: long-press, dismiss the sheet: nothing happens
  alice.actionSheetChoice = -1;
  await alice.longPress('.bubble');
  assert.deepEqual(alice.actionSheets, [['撤回']]);
  assert.deepEqual(bubbles(alice), ['今晚一起吃饭？']);
  // long-press again and tap 撤回
  alice.actionSheetChoice = 0;
  await alice.longPress('.bubble');
  await alice.waitText('.recall-line', '你撤回了一条消息');
  await bob.waitText('.recall-line', '“Alice”撤回了一条消息');
  assert.equal(alice.all('.receipt').length, 0, 'no receipt under a recalled message');
  await bob.back();
  await bob.waitText('.conversation .preview', '[已撤回]');
  for (const p of [alice, bob]) assert.deepEqual(p.errors(), []);
});

test('a group\'s member list: the bar in the group chat opens it, the owner first and marked', async (t) => {
  const srv = await server(t);
  const alice = await phone(t, srv, 'alice');
  const asAlice = await apiAs(srv, 'alice');
  const room = await asAlice('room/add', { name: '周末出游', members: ['bob', 'carol'] });
  await alice.waitFor(() => alice.store.state.rooms[String(room.rid)], 'the room.created notification');
  await alice.navigateTo(`/pages/chat/chat?way=P2R&toTarget=${room.rid}`);
  assert.equal(alice.page.title, '周末出游');
  await alice.waitText('#members', '成员（3） ›');
  await alice.tap('#members');
  await alice.waitRoute('pages/members/members');
  await alice.waitFor(() => alice.all('.member').length === 3, 'three members');
  assert.deepEqual(alice.texts('.member .name').map((n) => n.replace(/\s*@\w+$/, '')), ['Alice (我)', 'Bob', 'Carol']);
  assert.deepEqual(alice.texts('.member .role'), ['群主']);
  assert.equal(alice.page.title, '群成员（3）');
  // a member's row opens a chat with them
  await alice.tap('.member', 1);
  await alice.waitRoute('pages/chat/chat');
  assert.equal(alice.page.title, 'Bob');
  assert.deepEqual(alice.errors(), []);
});

test('lifecycle: a chat opened three times leaves one message listener and no stale page subscription', async (t) => {
  const srv = await server(t);
  const alice = await phone(t, srv, 'alice');
  const bob = await apiAs(srv, 'bob');
  const im = alice.sdk.im;
  const listeners = () => im.listeners('message').length;
  assert.equal(listeners(), 1, 'the store listens once, at the first login');
  const before = alice.store.listenerCount();
  for (let i = 1; i <= 3; i++) {
    await alice.navigateTo('/pages/chat/chat?way=P2P&toTarget=bob');
    assert.equal(alice.store.listenerCount(), before + 1, `chat opened (${i}): one subscription more`);
    await bob('message/send', { toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { text: `hi ${i}` }, clientMsgId: `l${i}` });
    await alice.waitFor(() => bubbles(alice).length === i, `message ${i} shown`);
    assert.equal(new Set(bubbles(alice)).size, i, 'each message once');
    await alice.back();
    assert.equal(alice.store.listenerCount(), before, `chat closed (${i}): its subscription is gone`);
    assert.equal(listeners(), 1);
  }
  assert.deepEqual(alice.errors(), []);
});
