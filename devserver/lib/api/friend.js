'use strict';
// Module `friend`: a symmetric friendship, made at once by friend/add (there is no request/accept
// step). Both users get topic.notify friend.added / friend.removed. A user who has blacklisted the
// caller cannot be added by the caller.

const v = require('../validate');
const { conflict, forbidden, invalid, notFound } = require('../errors');
const { profile, userRow, hasBlacklisted } = require('./common');

async function friendRow(ctx, appKey, auid, friendAuid) {
  return await ctx.store.get('SELECT * FROM friends WHERE app_key = ? AND auid = ? AND friend_auid = ?', appKey, auid, friendAuid);
}

async function entry(ctx, row) {
  return {
    auid: row.friend_auid, alias: row.alias, createTime: row.create_time,
    user: profile(await userRow(ctx, row.app_key, row.friend_auid)),
  };
}

async function add(ctx, caller, input) {
  const friendAuid = v.auid(input, 'friendAuid');
  const alias = v.string(input, 'alias', { def: '', max: 64 });
  const { appKey, auid } = caller;
  if (friendAuid === auid) throw invalid('friendAuid', 'cannot befriend yourself');
  await userRow(ctx, appKey, friendAuid);
  if (await hasBlacklisted(ctx, appKey, friendAuid, auid)) throw forbidden(`'${friendAuid}' has blacklisted you`);
  if (await friendRow(ctx, appKey, auid, friendAuid)) throw conflict(`'${friendAuid}' is already a friend`);
  const now = ctx.now();
  await ctx.store.tx(async (db) => {
    await db.run('INSERT INTO friends (app_key, auid, friend_auid, alias, create_time) VALUES (?, ?, ?, ?, ?)', appKey, auid, friendAuid, alias, now);
    await db.run(`INSERT INTO friends (app_key, auid, friend_auid, alias, create_time) VALUES (?, ?, ?, '', ?)
                   ON CONFLICT DO NOTHING`, appKey, friendAuid, auid, now);
  });
  ctx.hub.notify(appKey, [auid, friendAuid], 'friend.added', { auid, friendAuid, createTime: now });
  return await entry(ctx, await friendRow(ctx, appKey, auid, friendAuid));
}

async function del(ctx, caller, input) {
  const friendAuid = v.auid(input, 'friendAuid');
  const { appKey, auid } = caller;
  if (!await friendRow(ctx, appKey, auid, friendAuid)) throw notFound(`'${friendAuid}' is not a friend`);
  await ctx.store.tx(async (db) => {
    await db.run('DELETE FROM friends WHERE app_key = ? AND auid = ? AND friend_auid = ?', appKey, auid, friendAuid);
    await db.run('DELETE FROM friends WHERE app_key = ? AND auid = ? AND friend_auid = ?', appKey, friendAuid, auid);
  });
  ctx.hub.notify(appKey, [auid, friendAuid], 'friend.removed', { auid, friendAuid });
  return { friendAuid };
}

async function list(ctx, caller) {
  const rows = await ctx.store.all('SELECT * FROM friends WHERE app_key = ? AND auid = ? ORDER BY create_time, friend_auid', caller.appKey, caller.auid);
  return Promise.all(rows.map((row) => entry(ctx, row)));
}

async function updateAlias(ctx, caller, input) {
  const friendAuid = v.auid(input, 'friendAuid');
  const alias = v.string(input, 'alias', { required: true, max: 64 });
  const { appKey, auid } = caller;
  if (!await friendRow(ctx, appKey, auid, friendAuid)) throw notFound(`'${friendAuid}' is not a friend`);
  await ctx.store.run('UPDATE friends SET alias = ? WHERE app_key = ? AND auid = ? AND friend_auid = ?', alias, appKey, auid, friendAuid);
  return await entry(ctx, await friendRow(ctx, appKey, auid, friendAuid));
}

module.exports = { add, del, list, updateAlias };
