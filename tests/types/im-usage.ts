// Every documented field of sdk.im and sdk.apis (docs/api.md, docs/protocol.md 9 and 10, docs/errors.md),
// read and written as an application would, under tsc --strict. A wrong shape in the typings fails here.
import sdk = require('../../js-shim/echatim-sdk');

const config: sdk.ImConfig = {
  host: '127.0.0.1', httpPort: 58082, socketPort: 59092, key: 'TSDKTEST00001', secret: '', apiTransport: 'SOCKET',
  loginAuid: 'alice', loginToken: 'alice', secure: false, wasmPath: '/utils/echatim-sdk.wasm.br', protocol: 3,
  fileServerConfig: { use: 'local', client: 'plupload', baseUrl: 'http://127.0.0.1:58082', version: 'v1' },
  reconnection: true, reconnectionAttempts: 10, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
  requestTimeout: 15000, outboxPerMessageRecords: true, maxHttpRequests: 8, logLevel: 'info',
};

// Several servers instead of host: ports per server, defaulting to the top-level ones.
const several: sdk.ImConfig = {
  hosts: [{ host: '10.0.0.11', httpPort: 58082, socketPort: 59092 }, { host: '10.0.0.12' }, { host: '10.0.0.13', socketPort: '59093' }],
  key: 'TSDKTEST00001', loginAuid: 'alice', loginToken: 'alice',
};
void several;

// init's callback gets the module: configure and ready included.
sdk.im.init(config, (s) => {
  if (!s) return;
  s.configure({ wasmPath: '/miniprogram_npm/echatim-sdk/echatim-sdk.wasm.br' });
  s.configure({ wasmUrl: '/static/echatim-sdk.wasm', logLevel: 'debug' });
  void s.ready().then(() => s.apis.client.list());
  const socket: sdk.Socket = s.io('http://127.0.0.1:3000');
  socket.close();
  const m: sdk.Manager = new s.Manager('http://127.0.0.1:3000', { reconnection: false });
  void m;
}).then((s) => { if (s) console.log(s.version); });

function show(m: sdk.ImMessage): string {
  const head = `${m.mid}/${m.seq} ${m.clientMsgId} ${m.formUser}->${m.toTarget} ${m.way} ${m.createTime}`;
  if (m.recalled) return `${head} recalled at ${m.recallTime === null ? '?' : m.recallTime + 0}`;
  const opt: Record<string, unknown> = m.msgOption;
  const at: string[] = m.at_users;
  void opt;
  if (m.type === 'TEXT') return `${head} ${(m.body as sdk.TextBody).text} @${at.join(',')}`;
  if (m.type === 'IMAGE') return `${head} ${(m.body as sdk.FileBody).url}`;
  return head;
}

sdk.im.on('message', (m) => console.log(show(m)));
sdk.im.on('notify', (n) => {
  switch (n.type) {
    case 'message.read': console.log(n.data.reader, n.data.mid); break;
    case 'message.recalled': console.log(n.data.mid, n.data.recallTime); break;
    case 'room.created': console.log(n.data.rid + 1, n.data.memberCount); break;
    case 'room.member.joined': console.log(n.data.auids.length, n.data.by); break;
    case 'friend.added': console.log(n.data.friendAuid); break;
    default: console.log(n.type, n.createTime);
  }
});
sdk.im.on('conversation', (c) => console.log(c.way, c.toTarget, c.unread, c.readSeq, c.lastSeq, c.updateTime,
  c.lastMessage ? c.lastMessage.recalled : null));
sdk.im.on('sent', (r) => console.log(r.clientMsgId, r.data ? r.data.mid : r.code));
sdk.im.on('error', (err) => console.log(err.code, err.msg, err.fatal, err.field, err.requestId));
sdk.im.on('kicked', (k) => console.log(k.reason));
sdk.im.on('sync', (run) => console.log(run.from, run.to, run.count));

async function everyCall(): Promise<void> {
  const a = sdk.apis;
  const me = await a.user.get({ auid: 'alice' });
  console.log(me.data.name, me.data.avatar, me.data.sign, me.data.ext, me.data.createTime, me.data.updateTime);
  const added = await a.user.add({ auid: 'dave', token: 'pd', name: 'Dave' });
  console.log(added.data.token);
  await a.user.update({ sign: 'busy' });
  const users = await a.user.list({ auids: ['bob'] });
  console.log(users.data.map((u) => u.auid));
  await a.user.list({ offset: 0, limit: 100 });
  console.log((await a.user.update_token({ token: 'new' })).data.token, (await a.user.refresh_token()).data.auid);

  const f = await a.friend.add({ friendAuid: 'bob', alias: 'Bobby' });
  console.log(f.data.alias, f.data.user.name, (await a.friend.list()).data.length);
  await a.friend.update_alias({ friendAuid: 'bob', alias: '' });
  console.log((await a.friend.del({ friendAuid: 'bob' })).data.friendAuid);

  console.log((await a.blacklist.add({ blackAuid: 'mallory' })).data.createTime);
  console.log((await a.blacklist.del({ blackAuid: 'mallory' })).data.auid, (await a.blacklist.list({})).data);

  const room = (await a.room.add({ name: 'Team', members: ['bob', 'carol'], notice: 'hi' })).data;
  const rid: number = room.rid;
  await a.room.update({ rid, notice: 'standup at 10' });
  const members = await a.room.list_member({ rid });
  console.log(members.data.map((x) => `${x.auid}:${x.role}:${x.joinTime}:${x.user.name}`));
  console.log((await a.room.add_user({ rid, auids: ['dave'] })).data.added, (await a.room.del_user({ rid: String(rid), auids: ['dave'] })).data.removed);
  console.log((await a.room.list()).data[0].owner, (await a.room.del({ rid })).data.rid);

  // A room's number id works as toTarget.
  const sent = await a.message.send({ toTarget: rid, way: 'P2R', type: 'TEXT', body: { text: 'hi all' }, at_users: ['bob'], msgOption: {} });
  console.log(sent.mid, sent.seq, sent.createTime, sent.clientMsgId, sent.duplicate, sent.data.mid);
  const page = await a.message.history({ way: 'P2R', toTarget: rid, limit: 20 });
  const first = page.data.messages[0];
  if (page.data.hasMore && first) await a.message.list({ way: 'P2R', toTarget: rid, beforeSeq: first.seq, limit: 20 });
  const synced = await a.message.sync({ fromSeq: 0, limit: 100 });
  console.log(synced.data.maxSeq, synced.data.hasMore, synced.data.messages.length);
  const recalled = await a.message.recall({ mid: sent.mid });
  console.log(recalled.data.recallTime);
  const read = await a.message.read({ mid: sent.mid });
  console.log(read.data.readSeq, read.data.unread);

  const convs = await a.conversation.list();
  for (const c of convs.data) console.log(c.readSeq <= c.lastSeq, c.updateTime);
  await a.conversation.read({ way: 'P2P', toTarget: 'bob' });
  console.log((await a.conversation.del({ way: 'P2R', toTarget: rid })).data.toTarget);
  const online = await a.client.list({ auids: ['bob'] });
  console.log(online.data.map((c) => `${c.auid} ${c.loginTime} eio${c.eio}`));

  const up = await a.file.upload({ filePath: 'wxfile://tmp.png', name: 'a.png', mime: 'image/png' });
  console.log(up.url, up.data.fid, up.data.path, up.data.size, up.data.mime);

  const fromCore = await sdk.im.getConversations();
  if (fromCore[0]) console.log((await sdk.im.markRead({ way: 'P2R', toTarget: 12 })).data.readSeq);
  console.log(sdk.im.getState(), sdk.im.hasListeners('message'));
  // Per call, over the other transport.
  await a.friend.list({}, { transport: 'HTTP' });
}
void everyCall().catch((err: sdk.ApiError) => console.log(err.code, err.field));

// wx-style: success / fail / complete in the form, as wx.request takes them; no Promise then.
sdk.apis.friend.list({
  success: (r) => console.log(r.data.map((x) => x.alias)),
  fail: (err) => console.log(err.code, err.msg),
  complete: () => console.log('done'),
});
sdk.apis.message.history({ way: 'P2P', toTarget: 'bob', success: (r) => console.log(r.data.hasMore) });
sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { text: 'x' }, fail: (e) => console.log(e.code) });
sdk.apis.file.upload({ filePath: 'wxfile://a', success: (r) => console.log(r.data.url) });
const nothing: void = sdk.apis.room.list({ complete: (r) => console.log(r) });
void nothing;

// What the typings refuse.
// @ts-expect-error a required field is missing
void sdk.apis.message.history({ way: 'P2P' });
// @ts-expect-error results are typed: a friend entry has no 'rid'
void sdk.apis.friend.list().then((r) => r.data[0].rid);
// @ts-expect-error a typo in a form field
void sdk.apis.friend.add({ friendAuId: 'bob' });
// @ts-expect-error logLevel is one of five words
sdk.im.init({ ...config, logLevel: 'verbose' });
// @ts-expect-error with a callback there is no Promise
void sdk.apis.friend.list({ success: () => undefined }).then(() => undefined);
