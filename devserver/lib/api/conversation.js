'use strict';
// Module `conversation`: the caller's recent conversations, one per peer (P2P) or room (P2R), kept up
// to date by message/send. Unread = the caller's deliveries in the conversation after its read
// position that are neither the caller's own messages nor recalled.

const { destination, messageObject } = require('./common');
const { notFound } = require('../errors');

async function row(ctx, appKey, auid, way, target) {
  return await ctx.store.get('SELECT * FROM conversations WHERE app_key = ? AND auid = ? AND way = ? AND target = ?', appKey, auid, way, target);
}

async function toSummary(ctx, conv) {
  const { n } = await ctx.store.get(`SELECT COUNT(*) AS n FROM deliveries d JOIN messages m ON m.mid = d.mid
    WHERE d.app_key = ? AND d.auid = ? AND d.way = ? AND d.target = ? AND d.seq > ? AND m.form_user <> d.auid AND m.recalled = 0`,
  conv.app_key, conv.auid, conv.way, conv.target, conv.read_seq);
  const last = await ctx.store.get('SELECT * FROM messages WHERE mid = ?', conv.last_mid);
  return {
    way: conv.way, toTarget: conv.target, unread: n, readSeq: conv.read_seq, lastSeq: conv.last_seq,
    updateTime: conv.update_time, lastMessage: messageObject(last, conv.last_seq),
  };
}

/** The summary of one conversation of `auid` (also the answer of message/read). */
async function summary(ctx, appKey, auid, way, target) {
  return await toSummary(ctx, await row(ctx, appKey, auid, way, target));
}

async function existing(ctx, caller, input) {
  const { way, toTarget } = destination(input);
  const conv = await row(ctx, caller.appKey, caller.auid, way, toTarget);
  if (!conv || conv.hidden) throw notFound(`no conversation ${way} ${toTarget}`);
  return conv;
}

/** Visible conversations, most recently active first. */
async function list(ctx, caller) {
  return await ctx.store.all(`SELECT * FROM conversations WHERE app_key = ? AND auid = ? AND hidden = 0
    ORDER BY update_time DESC, last_seq DESC`, caller.appKey, caller.auid).then((rows) => Promise.all(rows.map((c) => toSummary(ctx, c))));
}

/** Mark the whole conversation read. */
async function read(ctx, caller, input) {
  const conv = await existing(ctx, caller, input);
  await ctx.store.run('UPDATE conversations SET read_seq = last_seq WHERE app_key = ? AND auid = ? AND way = ? AND target = ?',
    conv.app_key, conv.auid, conv.way, conv.target);
  return await summary(ctx, conv.app_key, conv.auid, conv.way, conv.target);
}

/** Hide the conversation (and mark it read) until its next message; messages stay in history/sync. */
async function del(ctx, caller, input) {
  const conv = await existing(ctx, caller, input);
  await ctx.store.run('UPDATE conversations SET hidden = 1, read_seq = last_seq WHERE app_key = ? AND auid = ? AND way = ? AND target = ?',
    conv.app_key, conv.auid, conv.way, conv.target);
  return { way: conv.way, toTarget: conv.target };
}

module.exports = { list, read, del, summary };
