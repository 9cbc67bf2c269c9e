'use strict';
// Module `blacklist`: users the caller refuses. A blacklisted user cannot send the caller P2P messages
// (FORBIDDEN), cannot add the caller as a friend (FORBIDDEN), and the caller receives no deliveries
// of that user's room messages. Blacklisting does not end a friendship.

const v = require('../validate');
const { conflict, invalid, notFound } = require('../errors');
const { userRow, hasBlacklisted } = require('./common');

async function add(ctx, caller, input) {
  const blackAuid = v.auid(input, 'blackAuid');
  const { appKey, auid } = caller;
  if (blackAuid === auid) throw invalid('blackAuid', 'cannot blacklist yourself');
  await userRow(ctx, appKey, blackAuid);
  if (await hasBlacklisted(ctx, appKey, auid, blackAuid)) throw conflict(`'${blackAuid}' is already blacklisted`);
  const now = ctx.now();
  await ctx.store.run('INSERT INTO blacklist (app_key, auid, black_auid, create_time) VALUES (?, ?, ?, ?)', appKey, auid, blackAuid, now);
  return { auid: blackAuid, createTime: now };
}

async function del(ctx, caller, input) {
  const blackAuid = v.auid(input, 'blackAuid');
  const { changes } = await ctx.store.run('DELETE FROM blacklist WHERE app_key = ? AND auid = ? AND black_auid = ?', caller.appKey, caller.auid, blackAuid);
  if (!changes) throw notFound(`'${blackAuid}' is not blacklisted`);
  return { auid: blackAuid };
}

async function list(ctx, caller) {
  return await ctx.store.all('SELECT black_auid, create_time FROM blacklist WHERE app_key = ? AND auid = ? ORDER BY create_time, black_auid',
    caller.appKey, caller.auid).then((rows) => rows.map((r) => ({ auid: r.black_auid, createTime: r.create_time })));
}

module.exports = { add, del, list };
