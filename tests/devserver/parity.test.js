'use strict';
// Every API method gives the same R over HTTP, EIO4 and EIO3 (docs/protocol.md section 1): the same
// script of calls runs against three fresh servers, one per transport, and the answers are compared
// with only times and random values masked.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');

// Every method of docs/protocol.md section 10 except the login, which every run performs.
const METHODS = ['user/add', 'user/update', 'user/get', 'user/list', 'user/update_token', 'user/refresh_token',
  'friend/add', 'friend/del', 'friend/list', 'friend/update_alias', 'blacklist/add', 'blacklist/del', 'blacklist/list',
  'room/add', 'room/update', 'room/del', 'room/list', 'room/list_member', 'room/add_user', 'room/del_user',
  'message/send', 'message/sync', 'message/history', 'message/list', 'message/recall', 'message/read',
  'conversation/list', 'conversation/read', 'conversation/del', 'client/list', 'file/upload'];
const TIME_KEYS = new Set(['createTime', 'updateTime', 'joinTime', 'loginTime', 'recallTime']);
const RANDOM_KEYS = new Set(['fid', 'url', 'path']);

function mask(value) {
  return JSON.parse(JSON.stringify(value, (k, v) => {
    if (TIME_KEYS.has(k) && typeof v === 'number') return 'T';
    if (RANDOM_KEYS.has(k) || (k === 'clientMsgId' && v.startsWith('srv-'))) return 'R';
    return v;
  }));
}

/** Calls touching every module and method, successes and failures; returns [name, R] pairs. */
async function script(server, transport) {
  await h.addUsers(server, ['a', 'b', 'c', 'd']);
  const b = await h.apiClient(server, 'http', 'b');
  h.ok(await b.call('message', 'send', h.text('b', 'a', 'from b')));
  const a = await h.apiClient(server, transport, 'a');
  const out = [];
  const call = async (module, method, fields = {}) => {
    const r = await a.call(module, method, fields);
    out.push([`${module}/${method}`, r]);
    return r;
  };
  await call('user', 'get', { auid: 'b' });
  await call('user', 'get', { auid: 'zz' });
  await call('user', 'list', { auids: ['b', 'c'] });
  await call('user', 'list', { limit: 3, offset: 1 });
  await call('user', 'update', { name: 'A', sign: 's', ext: { x: 1 } });
  await call('user', 'update', { auid: 'b' });
  await call('user', 'update_token', { token: 'tk-a' });
  const refreshed = await call('user', 'refresh_token');
  out[out.length - 1][1] = { ...refreshed, data: { ...refreshed.data, token: refreshed.data.token.length } };
  await call('user', 'add', { auid: 'e' });

  await call('friend', 'add', { friendAuid: 'b', alias: 'B' });
  await call('friend', 'add', { friendAuid: 'b' });
  await call('friend', 'list');
  await call('friend', 'update_alias', { friendAuid: 'b', alias: 'BB' });
  await call('friend', 'del', { friendAuid: 'b' });
  await call('friend', 'del', { friendAuid: 'b' });

  await call('blacklist', 'add', { blackAuid: 'c' });
  await call('blacklist', 'list');
  await call('blacklist', 'del', { blackAuid: 'c' });
  await call('blacklist', 'add', { blackAuid: 'a' });

  const room = (await call('room', 'add', { name: 'R', members: ['b', 'c'] })).data;
  await call('room', 'update', { rid: room.rid, notice: 'n' });
  await call('room', 'list');
  await call('room', 'list_member', { rid: room.rid });
  await call('room', 'add_user', { rid: room.rid, auids: ['d'] });
  await call('room', 'del_user', { rid: room.rid, auids: ['d'] });
  await call('room', 'del_user', { rid: room.rid, auids: ['a'] });

  const sent = (await call('message', 'send', { ...h.text('a', 'b', 'hi'), clientMsgId: 'p1' })).data;
  await call('message', 'send', { ...h.text('a', 'b', 'hi'), clientMsgId: 'p1' });
  await call('message', 'send', { toTarget: room.rid, way: 'P2R', type: 'IMAGE', body: { url: 'u' }, at_users: ['b'] });
  await call('message', 'send', { ...h.text('a', 'b', 'x'), type: 'BAD' });
  await call('message', 'sync', { fromSeq: 0, limit: 2 });
  await call('message', 'sync', { fromSeq: 2 });
  await call('message', 'history', { way: 'P2P', toTarget: 'b', limit: 1 });
  await call('message', 'list', { way: 'P2R', toTarget: room.rid });
  await call('message', 'recall', { mid: sent.mid });
  await call('message', 'recall', { mid: sent.mid });
  await call('message', 'read', { mid: 1 });
  await call('message', 'read', { mid: 999 });

  await call('conversation', 'list');
  await call('conversation', 'read', { way: 'P2R', toTarget: room.rid });
  await call('conversation', 'del', { way: 'P2P', toTarget: 'b' });
  await call('conversation', 'del', { way: 'P2P', toTarget: 'b' });

  await call('client', 'list', { auids: ['b'] });
  await call('file', 'upload', { name: 'f.txt', mime: 'text/plain', data: Buffer.from('file').toString('base64') });
  await call('file', 'upload', { name: 'f.txt' });
  await call('room', 'del', { rid: room.rid });
  await call('nothing', 'here');
  a.close();
  return out;
}

test('the same calls give the same answers over HTTP, EIO4 and EIO3', async () => {
  const runs = {};
  for (const transport of h.TRANSPORTS) {
    const server = await h.startServer();
    try {
      runs[transport] = mask(await script(server, transport));
    } finally {
      await server.close();
    }
  }
  const names = new Set(runs.http.map(([name]) => name));
  for (const method of METHODS) assert.ok(names.has(method), `the script calls ${method}`);
  for (const transport of ['eio4', 'eio3']) {
    runs.http.forEach(([name, r], i) => assert.deepEqual(runs[transport][i], [name, r], `${name} (call ${i}) differs over ${transport}`));
  }
  // Both successes and failures were compared.
  assert.ok(runs.http.some(([, r]) => r.code === 0) && runs.http.some(([, r]) => r.code !== 0));
});
