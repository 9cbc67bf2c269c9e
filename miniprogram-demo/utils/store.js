// The demo's chat state, kept over sdk.im / sdk.apis and shared by the pages: who is logged in, the
// conversations (last message, unread count), the messages of each conversation (with the local
// sending / failed states of our own), friends and groups. Pages subscribe() and re-read what changed.
//
// The SDK does the hard parts (login, reconnection, ordered exactly-once delivery, the offline send
// queue); this file only turns its events into what the pages show.
const sdk = require('./echatim-sdk.js');
const config = require('../config.js');
const { t } = require('./i18n.js');

const LAST_LOGIN_KEY = 'echatim-demo:last-login';

const state = {
  me: null,                // auid of the logged-in user
  settings: null,          // the login form in use
  connection: 'disconnected',
  kicked: false,
  conversations: {},       // key -> {key, way, toTarget, unread, lastSeq, updateTime, lastMessage}
  messages: {},            // key -> [item], see newItem()
  friends: [],             // friend entries (docs/protocol.md 9.2)
  rooms: {},               // rid (string) -> room
  users: {},               // auid -> profile
  active: null,            // key of the conversation open in the chat page
  history: {},             // key -> {hasMore, loading}: paging back with message.history
  peerRead: {},            // P2P key -> the highest mid the peer has read (message.read receipts)
  members: {},             // rid -> [member] (room.list_member)
};
const listeners = [];
const pendingReads = {};   // key -> Promise of conversation/read
let order = 0;
let msgCounter = 0;
let wired = false;

function hasIm() {
  return !!(sdk && sdk.im && sdk.apis);
}

function convKey(way, toTarget) {
  return `${way}:${toTarget}`;
}

// The conversation a message belongs to, from our side: P2P is keyed by the other user.
function peerOf(m) {
  if (m.way === 'P2R') return String(m.toTarget);
  return m.formUser === state.me ? String(m.toTarget) : String(m.formUser);
}

function emit(change) {
  for (const fn of listeners.slice()) {
    try {
      fn(change);
    } catch (err) {
      console.error('store listener failed', err);
    }
  }
}

function subscribe(fn) {
  listeners.push(fn);
  return () => {
    const i = listeners.indexOf(fn);
    if (i >= 0) listeners.splice(i, 1);
  };
}

function conv(way, toTarget) {
  const key = convKey(way, toTarget);
  if (!state.conversations[key]) {
    state.conversations[key] = { key, way, toTarget, unread: 0, lastSeq: 0, updateTime: 0, lastMessage: null };
  }
  return state.conversations[key];
}

function messagesOf(key) {
  if (!state.messages[key]) state.messages[key] = [];
  return state.messages[key];
}

function sortMessages(list) {
  // Delivered messages in our seq order (the server's order); our own not yet stored after them, in
  // the order they were written.
  list.sort((a, b) => {
    const sa = a.seq || Infinity;
    const sb = b.seq || Infinity;
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a.order - b.order;
  });
}

function newItem(fields) {
  return Object.assign({
    mid: 0, seq: 0, clientMsgId: '', formUser: state.me, way: 'P2P', toTarget: '', type: 'TEXT',
    body: null, createTime: Date.now(), recalled: false, status: 'sent', error: '', progress: 0,
    order: ++order,
  }, fields);
}

// Adds or updates a message that the server stored (a delivery, a history page, a send's answer).
function mergeMessage(m) {
  const key = convKey(m.way, peerOf(m));
  const list = messagesOf(key);
  let item = null;
  for (const x of list) {
    if ((m.mid && x.mid === m.mid) || (m.clientMsgId && x.clientMsgId === m.clientMsgId && x.formUser === m.formUser)) {
      item = x;
      break;
    }
  }
  if (!item) {
    item = newItem({});
    list.push(item);
  }
  Object.assign(item, {
    mid: m.mid, seq: m.seq, clientMsgId: m.clientMsgId, formUser: m.formUser, way: m.way,
    toTarget: String(m.toTarget), type: m.type, body: m.body, createTime: m.createTime,
    recalled: !!m.recalled, status: 'sent', error: '', uploaded: true,
  });
  sortMessages(list);
  return { key, item };
}

function onMessage(m) {
  const { key } = mergeMessage(m);
  const c = conv(m.way, peerOf(m));
  if (!c.lastSeq || m.seq > c.lastSeq) {
    c.lastSeq = m.seq;
    c.lastMessage = m;
    c.updateTime = m.createTime;
    if (m.formUser !== state.me && !m.recalled) {
      if (state.active === key) {
        markRead(c.way, c.toTarget);
        sendReceipt(m);
      } else c.unread += 1;
    }
  }
  ensureNames([c]);  // the sender's name too
  emit({ type: 'messages', key });
  emit({ type: 'conversations' });
}

function onNotify(n) {
  const type = n && n.type;
  if (type === 'message.read') {
    // A read receipt: the peer has read our P2P messages up to mid.
    const d = n.data || {};
    if (d.way !== 'P2P' || d.reader === state.me) return;
    const key = convKey('P2P', String(d.reader));
    if (!(state.peerRead[key] >= d.mid)) state.peerRead[key] = d.mid;
    emit({ type: 'messages', key });
    return;
  }
  if (/^room\.member\./.test(type || '')) delete state.members[String((n.data || {}).rid)];
  if (type === 'message.recalled') {
    const d = n.data || {};
    for (const key of Object.keys(state.messages)) {
      for (const x of state.messages[key]) {
        if (x.mid === d.mid) {
          x.recalled = true;
          x.body = null;
          emit({ type: 'messages', key });
        }
      }
    }
    return;
  }
  if (/^(friend|room)\./.test(type || '')) refreshContacts().catch(() => {});
}

function wire() {
  if (wired || !hasIm()) return;
  wired = true;
  sdk.im.on('message', onMessage);
  sdk.im.on('notify', onNotify);
  sdk.im.on('state', (s) => {
    state.connection = s.state;
    emit({ type: 'state' });
  });
  sdk.im.on('kicked', () => {
    state.kicked = true;
    emit({ type: 'state' });
  });
  sdk.im.on('conversation', (sc) => {
    const c = mergeConversation(sc);
    if (!c) return;
    ensureNames([c]);
    emit({ type: 'conversations' });
  });
  // A message the outbox sent after a restart (nobody waited for it).
  sdk.im.on('sent', () => refreshConversations().catch(() => {}));
}

function errorText(err) {
  if (!err) return t('unknownError');
  const text = err.msg || err.message || String(err);
  return err.code !== undefined && err.code !== null ? `${text} (${err.code})` : text;
}

function lastLogin() {
  try {
    const v = wx.getStorageSync(LAST_LOGIN_KEY);
    return v && typeof v === 'object' ? v : null;
  } catch (err) {
    return null;
  }
}

// Logs in with the login page's form (server host and ports, app key, auid, token).
// Resolves with the auid; rejects with an Error whose message says why.
function login(form) {
  if (!hasIm()) {
    return Promise.reject(new Error(t('noSdk')));
  }
  wire();
  if (state.me || sdk.im.getState() !== 'disconnected') logout();
  const s = Object.assign({}, config, form || {});
  s.httpPort = Number(s.httpPort);
  s.socketPort = Number(s.socketPort);
  state.settings = s;
  state.kicked = false;
  const baseUrl = `http://${s.host}:${s.httpPort}`;
  const cfg = {
    host: s.host,
    httpPort: s.httpPort,
    socketPort: s.socketPort,
    key: s.key,
    secret: s.secret || '',
    apiTransport: s.apiTransport,
    loginAuid: s.loginAuid,
    loginToken: s.loginToken,
    fileServerConfig: { use: 'local', client: 'plupload', baseUrl, version: 'v1' },
    wasmPath: s.wasmPath,
  };
  // Why the login is not through yet: an 'error' event, or the reason of the last 'state' event
  // (connection attempts report theirs there, e.g. "cannot connect to ws://host:port: connection refused").
  let lastError = null;
  let lastReason = '';
  const onError = (e) => { lastError = e; };
  const onState = (st) => { if (st && st.state !== 'connected' && st.reason) lastReason = st.reason; };
  sdk.im.on('error', onError);
  sdk.im.on('state', onState);
  let timer = null;
  const waitMs = Number(s.loginTimeoutMs) || 15000;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), waitMs);
  });
  return Promise.race([sdk.im.init(cfg), timeout]).then((result) => {
    clearTimeout(timer);
    sdk.im.off('error', onError);
    sdk.im.off('state', onState);
    if (result === 'timeout') {
      sdk.im.close();
      const cause = lastError ? errorText(lastError) : lastReason;
      const why = cause ? ` (${cause})` : '';
      throw new Error(t('noAnswer', { host: s.host, port: s.socketPort, s: waitMs / 1000, why }));
    }
    if (!result) {
      sdk.im.close();
      throw new Error(lastError ? errorText(lastError) : t('loginRefused'));
    }
    state.me = s.loginAuid;
    state.connection = sdk.im.getState();
    try {
      wx.setStorageSync(LAST_LOGIN_KEY, {
        host: s.host, httpPort: s.httpPort, socketPort: s.socketPort, key: s.key, loginAuid: s.loginAuid,
      });
    } catch (err) { /* storage full: only a convenience */ }
    emit({ type: 'state' });
    return Promise.all([refreshConversations(), refreshContacts()]).catch(() => {}).then(() => state.me);
  });
}

function logout() {
  if (hasIm()) sdk.im.close();
  state.me = null;
  state.connection = 'disconnected';
  state.conversations = {};
  state.messages = {};
  state.friends = [];
  state.rooms = {};
  state.users = {};
  state.active = null;
  state.history = {};
  state.peerRead = {};
  state.members = {};
  emit({ type: 'state' });
  emit({ type: 'conversations' });
  emit({ type: 'contacts' });
}

// ---------------------------------------------------------------- conversations

// A conversation as the SDK keeps it (sdk.im.getConversations(), the 'conversation' event): taken
// unless what we hold is newer.
function mergeConversation(sc) {
  if (!sc || !sc.way || sc.toTarget === undefined || sc.toTarget === null) return null;
  const c = conv(sc.way, String(sc.toTarget));
  if (!c.lastSeq || !sc.lastSeq || sc.lastSeq >= c.lastSeq) {
    if (sc.lastSeq) c.lastSeq = sc.lastSeq;
    c.unread = state.active === c.key ? 0 : (sc.unread || 0);
    if (sc.lastMessage) c.lastMessage = sc.lastMessage;
    if (sc.updateTime) c.updateTime = sc.updateTime;
  }
  return c;
}

function refreshConversations() {
  if (!state.me) return Promise.resolve([]);
  const reads = Object.keys(pendingReads).map((k) => pendingReads[k]);
  return Promise.all(reads).then(() => sdk.im.getConversations()).then((list) => {
    for (const sc of list || []) mergeConversation(sc);
    ensureNames(Object.keys(state.conversations).map((k) => state.conversations[k]));
    emit({ type: 'conversations' });
    return list;
  });
}

// Tells the sender of a P2P message that we read it (message/read: the server sends them a message.read
// notification, shown as "Read" under their message).
function sendReceipt(m) {
  if (!m || m.way !== 'P2P' || m.formUser === state.me || !m.mid) return null;
  return sdk.apis.message.read({ mid: m.mid }).catch(() => null);
}

function markRead(way, toTarget) {
  const key = convKey(way, toTarget);
  const p = sdk.im.markRead({ way, toTarget }).catch(() => null).then((r) => {
    if (pendingReads[key] === p) delete pendingReads[key];
    return r;
  });
  pendingReads[key] = p;
  return p;
}

// The chat page opened a conversation: its unread count goes to 0 (here and on the server) and its
// recent history is loaded.
function openConversation(way, toTarget) {
  const key = convKey(way, String(toTarget));
  state.active = key;
  const c = state.conversations[key];
  if (c && (c.unread || c.lastSeq)) {
    c.unread = 0;
    markRead(way, String(toTarget));
    emit({ type: 'conversations' });
  }
  state.history[key] = { hasMore: false, loading: true };
  return sdk.apis.message.history({ way, toTarget: String(toTarget), limit: config.historyLimit }).then((r) => {
    const messages = (r.data && r.data.messages) || [];
    for (const m of messages) mergeMessage(m);
    state.history[key] = { hasMore: !!(r.data && r.data.hasMore), loading: false };
    ensureUsers(messages.map((m) => m.formUser));
    const theirs = messages.filter((m) => m.formUser !== state.me && !m.recalled);
    if (state.active === key && theirs.length) sendReceipt(theirs[theirs.length - 1]);
    emit({ type: 'messages', key });
  }, () => {
    state.history[key] = { hasMore: false, loading: false };
    return null;
  });
}

// Pull-down in the chat: the page of history before the oldest message we hold (message.history with
// beforeSeq). Resolves with the number of messages added.
function loadOlder(way, toTarget) {
  const key = convKey(way, String(toTarget));
  const h = state.history[key];
  if (!h || !h.hasMore || h.loading) return Promise.resolve(0);
  const seqs = messagesOf(key).map((m) => m.seq).filter((x) => x > 0);
  if (!seqs.length) return Promise.resolve(0);
  h.loading = true;
  const beforeSeq = Math.min.apply(null, seqs);
  return sdk.apis.message.history({ way, toTarget: String(toTarget), beforeSeq, limit: config.historyLimit }).then((r) => {
    const messages = (r.data && r.data.messages) || [];
    for (const m of messages) mergeMessage(m);
    state.history[key] = { hasMore: !!(r.data && r.data.hasMore), loading: false };
    ensureUsers(messages.map((m) => m.formUser));
    emit({ type: 'messages', key });
    return messages.length;
  }, (err) => {
    h.loading = false;
    throw err;
  });
}

// Long-press → Recall on one of our sent messages (message/recall; the server tells every recipient).
function recall(key, clientMsgId) {
  const item = messagesOf(key).find((x) => x.clientMsgId === clientMsgId && x.formUser === state.me && x.mid);
  if (!item || item.recalled) return Promise.resolve(null);
  return sdk.apis.message.recall({ mid: item.mid }).then(() => {
    item.recalled = true;
    item.body = null;
    emit({ type: 'messages', key });
    emit({ type: 'conversations' });
    return item;
  });
}

// A group's members (room.list_member), the owner first.
function roomMembers(rid) {
  const id = String(rid);
  if (state.members[id]) return Promise.resolve(state.members[id]);
  return sdk.apis.room.list_member({ rid: Number(rid) }).then((r) => {
    const list = (r.data || []).slice().sort((a, b) => (a.role === 'owner' ? 0 : 1) - (b.role === 'owner' ? 0 : 1));
    for (const m of list) if (m.user) state.users[m.auid] = m.user;
    state.members[id] = list;
    return list;
  });
}

function closeConversation(way, toTarget) {
  if (state.active === convKey(way, String(toTarget))) state.active = null;
}

function conversationList() {
  const list = Object.keys(state.conversations).map((k) => state.conversations[k])
    .filter((c) => c.lastMessage);
  list.sort((a, b) => b.updateTime - a.updateTime);
  return list;
}

// ---------------------------------------------------------------- sending

function newClientMsgId() {
  msgCounter += 1;
  return `${state.me}-${Date.now().toString(36)}-${msgCounter}`;
}

function touch(item) {
  const c = conv(item.way, item.toTarget);
  c.lastMessage = item;
  c.updateTime = item.createTime;
  emit({ type: 'conversations' });
}

function deliver(key, item) {
  item.status = 'sending';
  item.error = '';
  emit({ type: 'messages', key });
  return sdk.apis.message.send({
    toTarget: item.toTarget, way: item.way, type: item.type, body: item.body, clientMsgId: item.clientMsgId,
  }).then((r) => {
    item.status = 'sent';
    item.sentHere = true;  // sent in this session: its read receipt may still come
    item.mid = r.mid;
    item.seq = r.seq;
    item.createTime = r.createTime;
    sortMessages(messagesOf(key));
    const c = conv(item.way, item.toTarget);
    if (r.seq > c.lastSeq) c.lastSeq = r.seq;
    emit({ type: 'messages', key });
    touch(item);
    return item;
  }, (err) => {
    if (item.status !== 'sent') {  // the delivery of our own copy may have come first
      item.status = 'failed';
      item.error = errorText(err);
    }
    emit({ type: 'messages', key });
    return item;
  });
}

function sendText(way, toTarget, text) {
  const item = newItem({ way, toTarget: String(toTarget), type: 'TEXT', body: { text }, status: 'sending', clientMsgId: newClientMsgId() });
  const key = convKey(way, item.toTarget);
  messagesOf(key).push(item);
  touch(item);
  return deliver(key, item);
}

function upload(key, item) {
  item.status = 'sending';
  item.error = '';
  item.progress = 0;
  emit({ type: 'messages', key });
  return sdk.apis.file.upload({
    filePath: item.localPath,
    onProgress: (p) => {
      item.progress = p.progress;
      emit({ type: 'messages', key });
    },
  }).then((r) => {
    // The SDK answers the R envelope whose data is the uploaded file (docs/protocol.md 9.7), with the
    // url also at the top level (docs/api.md).
    const f = Object.assign({}, (r && r.data) || {});
    if (r && r.url) f.url = r.url;
    item.body = { url: f.url, name: f.name, size: f.size, mime: f.mime, width: item.width, height: item.height };
    item.uploaded = true;
    return deliver(key, item);
  }, (err) => {
    item.status = 'failed';
    item.error = errorText(err);
    emit({ type: 'messages', key });
    return item;
  });
}

// file: what wx.chooseMedia gave ({tempFilePath, size, width, height}).
function sendImage(way, toTarget, file) {
  const item = newItem({
    way, toTarget: String(toTarget), type: 'IMAGE', body: { url: file.tempFilePath }, localPath: file.tempFilePath,
    width: file.width, height: file.height, status: 'sending', clientMsgId: newClientMsgId(), uploaded: false,
  });
  const key = convKey(way, item.toTarget);
  messagesOf(key).push(item);
  touch(item);
  return upload(key, item);
}

// Sends a failed message again, with the same clientMsgId: the server stores it once whatever happened.
function retry(key, clientMsgId) {
  const item = messagesOf(key).find((x) => x.clientMsgId === clientMsgId && x.status === 'failed');
  if (!item) return Promise.resolve(null);
  return item.type === 'IMAGE' && !item.uploaded ? upload(key, item) : deliver(key, item);
}

// ---------------------------------------------------------------- contacts and names

function refreshContacts() {
  if (!state.me) return Promise.resolve();
  return Promise.all([sdk.apis.friend.list({}), sdk.apis.room.list({})]).then(([friends, rooms]) => {
    state.friends = friends.data || [];
    for (const f of state.friends) if (f.user) state.users[f.auid] = f.user;
    state.rooms = {};
    for (const r of rooms.data || []) state.rooms[String(r.rid)] = r;
    emit({ type: 'contacts' });
    emit({ type: 'conversations' });
  });
}

// Loads the profiles of users we only know by auid (senders in groups, partners who are not friends).
function ensureUsers(auids) {
  const missing = [];
  for (const a of auids) if (a && !state.users[a] && missing.indexOf(a) < 0) missing.push(a);
  if (!missing.length || !state.me) return;
  for (const a of missing) state.users[a] = { auid: a, name: '' };  // asked once
  sdk.apis.user.list({ auids: missing }).then((r) => {
    for (const u of r.data || []) state.users[u.auid] = u;
    emit({ type: 'conversations' });
    emit({ type: 'contacts' });
  }, () => null);
}

// Names for conversation rows: user profiles for P2P, the room list for groups.
function ensureNames(convs) {
  const users = [];
  let roomMissing = false;
  for (const c of convs) {
    if (c.way === 'P2P') users.push(c.toTarget);
    if (c.way === 'P2R' && !state.rooms[c.toTarget]) roomMissing = true;
    if (c.lastMessage) users.push(c.lastMessage.formUser);
  }
  ensureUsers(users);
  if (roomMissing) refreshContacts().catch(() => null);
}

function displayName(way, toTarget) {
  if (way === 'P2R') {
    const r = state.rooms[String(toTarget)];
    return r ? r.name : t('groupDefaultName', { rid: toTarget });
  }
  const f = state.friends.find((x) => x.auid === toTarget);
  if (f && f.alias) return f.alias;
  const u = state.users[toTarget];
  return (u && u.name) || String(toTarget);
}

function userName(auid) {
  return displayName('P2P', auid);
}

function addFriend(auid) {
  return sdk.apis.friend.add({ friendAuid: auid }).then((r) => refreshContacts().then(() => r.data));
}

function createGroup(name, members) {
  return sdk.apis.room.add({ name, members }).then((r) => {
    state.rooms[String(r.data.rid)] = r.data;
    emit({ type: 'contacts' });
    return r.data;
  });
}

module.exports = {
  state, subscribe, login, logout, lastLogin, errorText, convKey,
  refreshConversations, conversationList, openConversation, closeConversation, markRead,
  messages: (key) => messagesOf(key), sendText, sendImage, retry, loadOlder, recall, roomMembers,
  history: (key) => state.history[key] || { hasMore: false, loading: false },
  peerReadMid: (key) => state.peerRead[key] || 0,
  listenerCount: () => listeners.length,
  refreshContacts, addFriend, createGroup, displayName, userName,
};
