'use strict';
// Lookups and wire shapes shared by the API modules.

const v = require('../validate');
const { notFound, forbidden } = require('../errors');

const parseJson = (text) => (text === null || text === undefined ? null : JSON.parse(text));

/** The (way, toTarget) pair naming a destination or a conversation; rids are normalised to strings. */
function destination(input) {
  const way = v.oneOf(input, 'way', ['P2P', 'P2R'], { required: true });
  const toTarget = way === 'P2P' ? v.auid(input, 'toTarget') : String(v.int(input, 'toTarget', { required: true, min: 1 }));
  return { way, toTarget };
}

/** A user's public profile (never the token). */
function profile(row) {
  return {
    auid: row.auid, name: row.name, avatar: row.avatar, sign: row.sign, ext: parseJson(row.ext),
    createTime: row.create_time, updateTime: row.update_time,
  };
}

async function userRow(ctx, appKey, auid) {
  const row = await ctx.store.get('SELECT * FROM users WHERE app_key = ? AND auid = ?', appKey, auid);
  if (!row) throw notFound(`user '${auid}' not found`);
  return row;
}

async function roomRow(ctx, appKey, rid) {
  const row = await ctx.store.get('SELECT * FROM rooms WHERE app_key = ? AND rid = ?', appKey, rid);
  if (!row) throw notFound(`room ${rid} not found`);
  return row;
}

/** The caller's membership row of a room; FORBIDDEN for non-members (the room must exist). */
async function memberRow(ctx, appKey, rid, auid) {
  await roomRow(ctx, appKey, rid);
  const row = await ctx.store.get('SELECT * FROM room_members WHERE app_key = ? AND rid = ? AND auid = ?', appKey, rid, auid);
  if (!row) throw forbidden(`not a member of room ${rid}`);
  return row;
}

async function roomMembers(ctx, appKey, rid) {
  return (await ctx.store.all('SELECT auid FROM room_members WHERE app_key = ? AND rid = ? ORDER BY join_time, auid', appKey, rid))
    .map((m) => m.auid);
}

async function roomObject(ctx, row) {
  const { n } = await ctx.store.get('SELECT COUNT(*) AS n FROM room_members WHERE app_key = ? AND rid = ?', row.app_key, row.rid);
  return {
    rid: row.rid, name: row.name, avatar: row.avatar, notice: row.notice, ext: parseJson(row.ext), owner: row.owner,
    memberCount: n, createTime: row.create_time, updateTime: row.update_time,
  };
}

/** True if `auid` has blacklisted `other`. */
async function hasBlacklisted(ctx, appKey, auid, other) {
  return !!await ctx.store.get('SELECT 1 FROM blacklist WHERE app_key = ? AND auid = ? AND black_auid = ?', appKey, auid, other);
}

/** The wire form of a message as delivered to one recipient (`seq` is that recipient's seq). */
function messageObject(row, seq) {
  return {
    mid: row.mid,
    seq,
    clientMsgId: row.client_msg_id,
    formUser: row.form_user,
    toTarget: row.to_target,
    way: row.way,
    type: row.type,
    body: parseJson(row.body),
    msgOption: parseJson(row.msg_option),
    at_users: parseJson(row.at_users),
    createTime: row.create_time,
    recalled: row.recalled === 1,
    recallTime: row.recall_time === null ? null : row.recall_time,
  };
}

module.exports = {
  destination, profile, userRow, roomRow, memberRow, roomMembers, roomObject, hasBlacklisted, messageObject,
};
