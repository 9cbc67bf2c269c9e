'use strict';
// Module `user`: accounts of an app. user/add is administrative ({appKey, secret}); the others
// accept a logged-in user (acting on themselves) or the app credentials (acting on `auid`).

const crypto = require('node:crypto');
const v = require('../validate');
const { conflict } = require('../errors');
const { profile, userRow } = require('./common');

const newToken = () => crypto.randomBytes(16).toString('hex');

/** The user a user|admin call acts on: the caller itself, or `auid` for the app credentials. */
const subject = (caller, input) => (caller.admin ? v.auid(input, 'auid') : caller.auid);

/** The optional profile fields of add/update, as column values (undefined = not given). */
function profileFields(input) {
  return {
    name: v.string(input, 'name', { max: 64 }),
    avatar: v.string(input, 'avatar', { max: 1024 }),
    sign: v.string(input, 'sign', { max: 256 }),
    ext: v.json(input, 'ext', { maxBytes: 4096 }),
  };
}

async function add(ctx, caller, input) {
  const auid = v.auid(input, 'auid');
  const token = v.string(input, 'token', { min: 1, max: 256 }) || newToken();
  const f = profileFields(input);
  const now = ctx.now();
  if (await ctx.store.get('SELECT 1 FROM users WHERE app_key = ? AND auid = ?', caller.appKey, auid)) {
    throw conflict(`user '${auid}' already exists`);
  }
  await ctx.store.run(`INSERT INTO users (app_key, auid, token, name, avatar, sign, ext, create_time, update_time)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  caller.appKey, auid, token, f.name || '', f.avatar || '', f.sign || '', f.ext || null, now, now);
  return { ...profile(await userRow(ctx, caller.appKey, auid)), token };
}

async function update(ctx, caller, input) {
  const auid = subject(caller, input);
  const f = profileFields(input);
  await userRow(ctx, caller.appKey, auid);
  await ctx.store.run(`UPDATE users SET name = COALESCE(?, name), avatar = COALESCE(?, avatar), sign = COALESCE(?, sign),
                   ext = COALESCE(?, ext), update_time = ? WHERE app_key = ? AND auid = ?`,
  f.name, f.avatar, f.sign, f.ext, ctx.now(), caller.appKey, auid);
  return profile(await userRow(ctx, caller.appKey, auid));
}

async function get(ctx, caller, input) {
  return profile(await userRow(ctx, caller.appKey, v.auid(input, 'auid')));
}

/** With `auids`: those users (unknown ones omitted); without: every user, by auid, paged. */
async function list(ctx, caller, input) {
  const auids = v.auidList(input, 'auids', { max: 500 });
  if (auids) {
    const rows = await Promise.all(auids.map((auid) => ctx.store.get('SELECT * FROM users WHERE app_key = ? AND auid = ?', caller.appKey, auid)));
    return rows.filter(Boolean).map(profile);
  }
  const offset = v.int(input, 'offset', { def: 0 });
  const limit = v.int(input, 'limit', { def: 100, min: 1, max: 500 });
  return await ctx.store.all('SELECT * FROM users WHERE app_key = ? ORDER BY auid LIMIT ? OFFSET ?', caller.appKey, limit, offset)
    .then((rows) => rows.map(profile));
}

/**
 * Change the user's login token and revoke the JWTs issued with the old one: all of them when the app
 * credentials change it, all but the caller's own when the user changes their own token. A live
 * socket using a revoked JWT is disconnected (session.kicked, reason 'token changed').
 */
async function setToken(ctx, caller, auid, token) {
  await userRow(ctx, caller.appKey, auid);
  const revoked = await ctx.store.tx(async (db) => {
    await db.run('UPDATE users SET token = ?, update_time = ? WHERE app_key = ? AND auid = ?', token, ctx.now(), caller.appKey, auid);
    return ctx.auth.revoke(caller.appKey, auid, { keepJti: caller.admin ? undefined : caller.jti }, db);
  });
  await ctx.hub.endRevoked(caller.appKey, auid, revoked, 'token changed');
  return { auid, token };
}

async function updateToken(ctx, caller, input) {
  const auid = subject(caller, input);
  return await setToken(ctx, caller, auid, v.string(input, 'token', { required: true, min: 1, max: 256 }));
}

async function refreshToken(ctx, caller, input) {
  return await setToken(ctx, caller, subject(caller, input), newToken());
}

module.exports = { add, update, get, list, updateToken, refreshToken };
