'use strict';
// Module `message`: sending, per-user delivery sequences, sync, history, recall, read receipts.
//
// A message has one row in `messages` and one row in `deliveries` per recipient. The recipients of
// a P2P message are the sender and the peer (one delivery if a user writes to themselves); of a P2R
// message, every current member of the room including the sender, except members who have
// blacklisted the sender. Each delivery takes the recipient's next seq (users.max_seq + 1), in the
// same transaction as the message insert, before the sender is answered: seqs are gap-free and an
// acknowledged send is durable.

const crypto = require('node:crypto');
const v = require('../validate');
const { conflict, forbidden, notFound } = require('../errors');
const { destination, userRow, memberRow, roomMembers, hasBlacklisted, messageObject } = require('./common');
const { summary } = require('./conversation');

const TYPES = ['TEXT', 'IMAGE', 'AUDIO', 'VIDEO', 'POSITION', 'FILE', 'NOTIFY', 'CUSTOM'];
const MAX_BODY_BYTES = 64 * 1024;

/** Rows of `deliveries` joined with their message, as wire messages carrying the delivery's seq. */
const DELIVERY_SELECT = 'SELECT d.seq AS delivery_seq, m.* FROM deliveries d JOIN messages m ON m.mid = d.mid';
const toMessages = (rows) => rows.map((r) => messageObject(r, r.delivery_seq));

async function recipientsOf(ctx, appKey, formUser, way, toTarget) {
  if (way === 'P2P') {
    await userRow(ctx, appKey, toTarget);
    if (await hasBlacklisted(ctx, appKey, toTarget, formUser)) throw forbidden(`'${toTarget}' has blacklisted the sender`);
    return [...new Set([formUser, toTarget])];
  }
  await memberRow(ctx, appKey, Number(toTarget), formUser);
  const members = await roomMembers(ctx, appKey, Number(toTarget));
  const refusing = await Promise.all(members.map((m) => m !== formUser && hasBlacklisted(ctx, appKey, m, formUser)));
  return members.filter((m, i) => !refusing[i]);
}

async function send(ctx, caller, input) {
  const { appKey, auid: formUser } = caller;
  const { way, toTarget } = destination(input);
  const type = v.oneOf(input, 'type', TYPES, { required: true });
  const body = v.json(input, 'body', { required: true, maxBytes: MAX_BODY_BYTES });
  const msgOption = v.json(input, 'msgOption', { def: '{}', object: true, maxBytes: 4096 });
  const atUsers = JSON.stringify(v.auidList(input, 'at_users', { def: [] }));
  const clientMsgId = v.string(input, 'clientMsgId', { min: 1, max: 128, id: true }) || `srv-${crypto.randomUUID()}`;

  const findOriginal = async (db) => {
    const original = await db.get(`SELECT m.mid, m.create_time, d.seq FROM messages m
      JOIN deliveries d ON d.app_key = m.app_key AND d.auid = m.form_user AND d.mid = m.mid
      WHERE m.app_key = ? AND m.form_user = ? AND m.client_msg_id = ?`, appKey, formUser, clientMsgId);
    return original && { answer: { mid: original.mid, seq: original.seq, createTime: original.create_time, clientMsgId, duplicate: true } };
  };
  const outcome = await ctx.store.tx(async (db) => {
    const t = { ...ctx, store: db };
    const known = await findOriginal(db);
    if (known) return known;
    // Sorted, so that two nodes locking the same users (PostgreSQL row locks) take them in one order.
    const recipients = (await recipientsOf(t, appKey, formUser, way, toTarget)).sort();
    // With several nodes on one database: the recipients' rows stay locked until the commit, so the
    // seqs of each user are taken one send at a time, and the same clientMsgId sent twice at once
    // to two nodes finds the first one here (SQLite's transactions are exclusive: nothing to read again).
    if (await db.lockUsers(appKey, recipients)) {
      const raced = await findOriginal(db);
      if (raced) return raced;
    }
    const now = ctx.now();
    const { mid } = await db.get(`INSERT INTO messages
      (app_key, form_user, to_target, way, type, body, msg_option, at_users, client_msg_id, create_time)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING mid`, appKey, formUser, toTarget, way, type, body, msgOption, atUsers, clientMsgId, now);
    // The row as stored (the columns' defaults: not recalled), pushed after the commit without reading it back.
    const row = { mid, app_key: appKey, form_user: formUser, to_target: toTarget, way, type, body, msg_option: msgOption,
      at_users: atUsers, client_msg_id: clientMsgId, create_time: now, recalled: 0, recall_time: null };
    const deliveries = [];
    for (const auid of recipients) {
      const { max_seq: seq } = await db.get('UPDATE users SET max_seq = max_seq + 1 WHERE app_key = ? AND auid = ? RETURNING max_seq', appKey, auid);
      // The conversation as the recipient sees it: the other user (P2P) or the room (P2R).
      const target = way === 'P2R' ? toTarget : auid === formUser ? toTarget : formUser;
      await db.run('INSERT INTO deliveries (app_key, auid, seq, mid, way, target) VALUES (?, ?, ?, ?, ?, ?)', appKey, auid, seq, mid, way, target);
      await db.run(`INSERT INTO conversations (app_key, auid, way, target, last_seq, last_mid, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (app_key, auid, way, target) DO UPDATE SET last_seq = excluded.last_seq, last_mid = excluded.last_mid, hidden = 0,
          update_time = excluded.update_time`,
      appKey, auid, way, target, seq, mid, now);
      deliveries.push({ auid, seq });
    }
    const senderSeq = deliveries.find((d) => d.auid === formUser).seq;
    return { answer: { mid, seq: senderSeq, createTime: now, clientMsgId, duplicate: false }, row, deliveries };
  });

  if (outcome.deliveries) {
    for (const d of outcome.deliveries) ctx.hub.pushMessage(appKey, d.auid, messageObject(outcome.row, d.seq));
  }
  return outcome.answer;
}

/**
 * The caller's deliveries after `fromSeq`, in seq order. Asking from `fromSeq` also acknowledges every
 * delivery up to it (the client states it has them), so they are not pushed again at the next login.
 */
async function sync(ctx, caller, input) {
  const fromSeq = v.int(input, 'fromSeq', { def: 0 });
  const limit = v.int(input, 'limit', { def: 100, min: 1, max: 500 });
  const { appKey, auid } = caller;
  // maxSeq first, and only deliveries up to it: a send committed between the two reads (another
  // request, another node) must not give an answer whose maxSeq covers a message it does not hold.
  // Every delivery up to a committed maxSeq is committed (one transaction writes both).
  const { max_seq: maxSeq } = await userRow(ctx, appKey, auid);
  const rows = await ctx.store.all(`${DELIVERY_SELECT} WHERE d.app_key = ? AND d.auid = ? AND d.seq > ? AND d.seq <= ? ORDER BY d.seq LIMIT ?`,
    appKey, auid, fromSeq, maxSeq, limit + 1);
  if (fromSeq > 0) await ctx.store.run('UPDATE deliveries SET acked = 1 WHERE app_key = ? AND auid = ? AND seq <= ? AND acked = 0', appKey, auid, fromSeq);
  return { messages: toMessages(rows.slice(0, limit)), maxSeq, hasMore: rows.length > limit };
}

/**
 * One conversation's messages as the caller received them (so blacklisted or pre-join messages are
 * not included), newest page first: the page before `beforeSeq` (exclusive), in ascending seq order.
 */
async function history(ctx, caller, input) {
  const { way, toTarget } = destination(input);
  const beforeSeq = v.int(input, 'beforeSeq', { min: 1 });
  const limit = v.int(input, 'limit', { def: 50, min: 1, max: 500 });
  const { appKey, auid } = caller;
  if (way === 'P2R') await memberRow(ctx, appKey, Number(toTarget), auid);
  const rows = await ctx.store.all(`${DELIVERY_SELECT} WHERE d.app_key = ? AND d.auid = ? AND d.way = ? AND d.target = ? AND d.seq < ?
    ORDER BY d.seq DESC LIMIT ?`, appKey, auid, way, toTarget, beforeSeq || Number.MAX_SAFE_INTEGER, limit + 1);
  return { messages: toMessages(rows.slice(0, limit).reverse()), hasMore: rows.length > limit };
}

/** The sender takes a message back: its body becomes null and every recipient online is told. */
async function recall(ctx, caller, input) {
  const mid = v.int(input, 'mid', { required: true, min: 1 });
  const { appKey } = caller;
  const row = await ctx.store.get('SELECT * FROM messages WHERE app_key = ? AND mid = ?', appKey, mid);
  if (!row) throw notFound(`message ${mid} not found`);
  if (row.form_user !== caller.auid) throw forbidden('only the sender may recall a message');
  if (row.recalled) throw conflict(`message ${mid} is already recalled`);
  const now = ctx.now();
  const window = ctx.config.recallWindow;
  if (window > 0 && now - row.create_time > window * 1000) throw forbidden(`the recall window of ${window} s has passed`);
  await ctx.store.run("UPDATE messages SET recalled = 1, recall_time = ?, body = 'null' WHERE mid = ?", now, mid);
  const recipients = (await ctx.store.all('SELECT auid FROM deliveries WHERE mid = ? AND app_key = ?', mid, appKey)).map((d) => d.auid);
  ctx.hub.notify(appKey, recipients, 'message.recalled',
    { mid, way: row.way, formUser: row.form_user, toTarget: row.to_target, recallTime: now });
  return { mid, recallTime: now };
}

/**
 * The caller has read message `mid` and everything before it in that conversation. For a P2P message
 * from someone else, the sender gets a read receipt (topic.notify message.read).
 */
async function read(ctx, caller, input) {
  const mid = v.int(input, 'mid', { required: true, min: 1 });
  const { appKey, auid } = caller;
  const delivery = await ctx.store.get('SELECT * FROM deliveries WHERE app_key = ? AND auid = ? AND mid = ?', appKey, auid, mid);
  if (!delivery) throw notFound(`message ${mid} not found`);
  await ctx.store.run('UPDATE conversations SET read_seq = CASE WHEN read_seq < ? THEN ? ELSE read_seq END WHERE app_key = ? AND auid = ? AND way = ? AND target = ?',
    delivery.seq, delivery.seq, appKey, auid, delivery.way, delivery.target);
  const row = await ctx.store.get('SELECT * FROM messages WHERE mid = ?', mid);
  if (row.way === 'P2P' && row.form_user !== auid) {
    ctx.hub.notify(appKey, [row.form_user], 'message.read', { mid, reader: auid, way: row.way, formUser: row.form_user, toTarget: row.to_target });
  }
  return await summary(ctx, appKey, auid, delivery.way, delivery.target);
}

/** Up to `limit` deliveries of a user not acknowledged yet, in seq order (pushed at socket login). */
async function pending(ctx, appKey, auid, limit) {
  return toMessages(await ctx.store.all(`${DELIVERY_SELECT} WHERE d.app_key = ? AND d.auid = ? AND d.acked = 0 ORDER BY d.seq LIMIT ?`,
    appKey, auid, limit));
}

module.exports = { send, sync, history, recall, read, pending };
