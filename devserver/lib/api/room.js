'use strict';
// Module `room` (a group). The creator is the owner. Any member may list members and invite users;
// only the owner may update or delete the room or remove other members; any member but the owner
// may leave (room/del_user with their own auid). Every change is announced on topic.notify to the
// members (including the users just added or removed).

const v = require('../validate');
const { forbidden, invalid, notFound } = require('../errors');
const { profile, userRow, roomRow, memberRow, roomMembers, roomObject } = require('./common');

const MAX_MEMBERS = 500;

const rid = (input) => v.int(input, 'rid', { required: true, min: 1 });

function roomFields(input, required) {
  return {
    name: v.string(input, 'name', { required, min: 1, max: 64 }),
    avatar: v.string(input, 'avatar', { max: 1024 }),
    notice: v.string(input, 'notice', { max: 1024 }),
    ext: v.json(input, 'ext', { maxBytes: 4096 }),
  };
}

function requireOwner(room, caller, what) {
  if (room.owner !== caller.auid) throw forbidden(`only the owner of room ${room.rid} may ${what}`);
}

async function insertMembers(db, appKey, roomId, auids, role, now) {
  for (const auid of auids) {
    await db.run('INSERT INTO room_members (app_key, rid, auid, role, join_time) VALUES (?, ?, ?, ?, ?)', appKey, roomId, auid, role, now);
  }
}

async function add(ctx, caller, input) {
  const f = roomFields(input, true);
  const members = (v.auidList(input, 'members', { def: [], max: MAX_MEMBERS - 1 })).filter((a) => a !== caller.auid);
  const { appKey, auid } = caller;
  for (const m of members) await userRow(ctx, appKey, m);
  const now = ctx.now();
  const newRid = await ctx.store.tx(async (db) => {
    const { rid: id } = await db.get(`INSERT INTO rooms (app_key, name, avatar, notice, ext, owner, create_time, update_time)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING rid`, appKey, f.name, f.avatar || '', f.notice || '', f.ext || null, auid, now, now);
    await insertMembers(db, appKey, id, [auid], 'owner', now);
    await insertMembers(db, appKey, id, members, 'member', now);
    return id;
  });
  const room = await roomObject(ctx, await roomRow(ctx, appKey, newRid));
  ctx.hub.notify(appKey, [auid, ...members], 'room.created', room);
  return room;
}

async function update(ctx, caller, input) {
  const id = rid(input);
  const f = roomFields(input, false);
  const room = await roomRow(ctx, caller.appKey, id);
  requireOwner(room, caller, 'update it');
  await ctx.store.run(`UPDATE rooms SET name = COALESCE(?, name), avatar = COALESCE(?, avatar), notice = COALESCE(?, notice),
                   ext = COALESCE(?, ext), update_time = ? WHERE app_key = ? AND rid = ?`,
  f.name, f.avatar, f.notice, f.ext, ctx.now(), caller.appKey, id);
  const updated = await roomObject(ctx, await roomRow(ctx, caller.appKey, id));
  ctx.hub.notify(caller.appKey, await roomMembers(ctx, caller.appKey, id), 'room.updated', updated);
  return updated;
}

async function del(ctx, caller, input) {
  const id = rid(input);
  const room = await roomRow(ctx, caller.appKey, id);
  requireOwner(room, caller, 'delete it');
  const members = await roomMembers(ctx, caller.appKey, id);
  await ctx.store.tx(async (db) => {
    await db.run('DELETE FROM room_members WHERE app_key = ? AND rid = ?', caller.appKey, id);
    await db.run('DELETE FROM rooms WHERE app_key = ? AND rid = ?', caller.appKey, id);
  });
  ctx.hub.notify(caller.appKey, members, 'room.deleted', { rid: id, by: caller.auid });
  return { rid: id };
}

/** The rooms the caller is a member of. */
async function list(ctx, caller) {
  return await ctx.store.all(`SELECT r.* FROM rooms r JOIN room_members m ON m.app_key = r.app_key AND m.rid = r.rid
                        WHERE m.app_key = ? AND m.auid = ? ORDER BY r.rid`, caller.appKey, caller.auid)
    .then((rows) => Promise.all(rows.map((row) => roomObject(ctx, row))));
}

async function listMember(ctx, caller, input) {
  const id = rid(input);
  await memberRow(ctx, caller.appKey, id, caller.auid);
  return await ctx.store.all('SELECT * FROM room_members WHERE app_key = ? AND rid = ? ORDER BY join_time, auid', caller.appKey, id)
    .then((rows) => Promise.all(rows.map(async (m) => ({ auid: m.auid, role: m.role, joinTime: m.join_time, user: profile(await userRow(ctx, caller.appKey, m.auid)) }))));
}

async function addUser(ctx, caller, input) {
  const id = rid(input);
  const auids = v.auidList(input, 'auids', { required: true, min: 1 });
  const { appKey } = caller;
  await memberRow(ctx, appKey, id, caller.auid);
  for (const a of auids) await userRow(ctx, appKey, a);
  const current = new Set(await roomMembers(ctx, appKey, id));
  const added = auids.filter((a) => !current.has(a));
  if (current.size + added.length > MAX_MEMBERS) throw invalid('auids', `a room has at most ${MAX_MEMBERS} members`);
  const now = ctx.now();
  await ctx.store.tx(async (db) => {
    await insertMembers(db, appKey, id, added, 'member', now);
    await db.run('UPDATE rooms SET update_time = ? WHERE app_key = ? AND rid = ?', now, appKey, id);
  });
  if (added.length) ctx.hub.notify(appKey, await roomMembers(ctx, appKey, id), 'room.member.joined', { rid: id, auids: added, by: caller.auid });
  return { rid: id, added };
}

async function delUser(ctx, caller, input) {
  const id = rid(input);
  const auids = v.auidList(input, 'auids', { required: true, min: 1 });
  const { appKey } = caller;
  const room = await roomRow(ctx, appKey, id);
  await memberRow(ctx, appKey, id, caller.auid);
  const current = new Set(await roomMembers(ctx, appKey, id));
  for (const a of auids) {
    if (!current.has(a)) throw notFound(`'${a}' is not a member of room ${id}`);
    if (a === room.owner) throw forbidden('the owner cannot leave the room; delete it instead');
    if (a !== caller.auid) requireOwner(room, caller, 'remove other members');
  }
  await ctx.store.tx(async (db) => {
    for (const a of auids) await db.run('DELETE FROM room_members WHERE app_key = ? AND rid = ? AND auid = ?', appKey, id, a);
    await db.run('UPDATE rooms SET update_time = ? WHERE app_key = ? AND rid = ?', ctx.now(), appKey, id);
  });
  ctx.hub.notify(appKey, [...current], 'room.member.left', { rid: id, auids, by: caller.auid });
  return { rid: id, removed: auids };
}

module.exports = { add, update, del, list, listMember, addUser, delUser };
