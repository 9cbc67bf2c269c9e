'use strict';
// Durability (docs/protocol.md 11.2): the server process is killed (SIGKILL) or stopped (SIGTERM)
// during a burst of sends from several clients on EIO4, EIO3 and HTTP. After a restart on the same
// database every acknowledged message is present with its answered mid and seq, every user's seqs
// are 1..n without gaps, and resending the unanswered sends creates no duplicates.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers');

const SENDERS = [
  { auid: 's1', transport: 'eio4' },
  { auid: 's2', transport: 'eio3' },
  { auid: 's3', transport: 'http' },
  { auid: 's4', transport: 'eio4' },
];
const RECEIVER = 'r';
const IN_FLIGHT = 6; // concurrent sends per sender
const ACKED_BEFORE_STOP = 150;

async function syncAll(info, token) {
  const all = [];
  let fromSeq = 0;
  for (;;) {
    const page = h.ok(await h.httpCall(info, 'message', 'sync', { jwt: token, fromSeq, limit: 500 }));
    all.push(...page.messages);
    if (!page.hasMore) return { messages: all, maxSeq: page.maxSeq };
    fromSeq = page.messages[page.messages.length - 1].seq;
  }
}

/**
 * Send from every sender until `stop` resolves or its connection dies. Answered sends are recorded
 * in `acked` (clientMsgId -> answer), every attempted send in `attempted` (clientMsgId -> form).
 */
async function burst(info, rid, { acked, attempted, onAck }) {
  const clients = await Promise.all(SENDERS.map((s) => h.apiClient(info, s.transport, s.auid, `tk-${s.auid}`)));
  await Promise.all(clients.map(async (api, i) => {
    const dead = api.socket
      ? new Promise((resolve) => api.socket.socket.once('disconnect', () => resolve('dead')))
      : new Promise(() => {});
    let n = 0;
    let alive = true;
    const lane = async () => {
      while (alive) {
        n += 1;
        const clientMsgId = `${SENDERS[i].auid}-${n}`;
        const form = n % 3 === 0
          ? { toTarget: rid, way: 'P2R', type: 'TEXT', body: { n }, clientMsgId }
          : { ...h.text(SENDERS[i].auid, RECEIVER, `n${n}`), clientMsgId };
        attempted.set(clientMsgId, { sender: i, form });
        let r;
        try {
          r = await Promise.race([api.call('message', 'send', form), dead]);
        } catch {
          r = 'dead'; // HTTP: connection refused or reset
        }
        if (r === 'dead' || r.code !== 0) { alive = false; return; }
        acked.set(clientMsgId, { sender: i, ...r.data });
        onAck();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    api.close();
  }));
}

async function scenario(signal) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-crash-test-'));
  const users = [RECEIVER, ...SENDERS.map((s) => s.auid)];
  const args = ['--http-port', '0', '--socket-port', '0', '--db', path.join(dir, 'echat.sqlite'), '--rate-limit', '0',
    ...users.flatMap((u) => ['--user', `${u}:tk-${u}`])];
  let info = await h.startCli(args);
  const tokens = {};
  for (const u of users) tokens[u] = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: u, token: `tk-${u}` }));
  const room = h.ok(await h.httpCall(info, 'room', 'add', { jwt: tokens[RECEIVER], name: 'crash', members: SENDERS.map((s) => s.auid) }));

  const acked = new Map();
  const attempted = new Map();
  let stopped = false;
  const exited = info.exited;
  await burst(info, room.rid, {
    acked,
    attempted,
    onAck: () => {
      if (!stopped && acked.size >= ACKED_BEFORE_STOP) {
        stopped = true;
        info.child.kill(signal);
      }
    },
  });
  const exit = await exited;
  if (signal === 'SIGTERM') assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM exits 0');
  else assert.equal(exit.signal, 'SIGKILL');
  assert.ok(acked.size >= ACKED_BEFORE_STOP);

  info = await h.startCli(args);
  try {
    // 1. Every acknowledged send is stored with the answered mid and the sender's answered seq.
    const timelines = {};
    for (const u of users) timelines[u] = await syncAll(info, tokens[u]);
    for (const [clientMsgId, a] of acked) {
      const mine = timelines[SENDERS[a.sender].auid].messages.find((m) => m.clientMsgId === clientMsgId);
      assert.ok(mine, `acknowledged ${clientMsgId} is missing after the restart`);
      assert.equal(mine.mid, a.mid);
      assert.equal(mine.seq, a.seq);
      assert.ok(timelines[RECEIVER].messages.some((m) => m.mid === a.mid), `${clientMsgId} missing at the receiver`);
    }
    // 2. No user's seqs have gaps, and each message is delivered to a user at most once.
    for (const u of users) {
      const seqs = timelines[u].messages.map((m) => m.seq);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `seqs of ${u} have gaps`);
      assert.equal(timelines[u].maxSeq, seqs.length);
      assert.equal(new Set(timelines[u].messages.map((m) => m.mid)).size, seqs.length);
    }
    // 3. Resending every attempted send (what the SDK's outbox does after reconnecting) answers the
    //    acknowledged ones with their original ids and stores the lost ones exactly once.
    for (const [clientMsgId, { sender, form }] of attempted) {
      const r = h.ok(await h.httpCall(info, 'message', 'send', { jwt: tokens[SENDERS[sender].auid], ...form }));
      if (acked.has(clientMsgId)) {
        assert.equal(r.duplicate, true);
        assert.equal(r.mid, acked.get(clientMsgId).mid);
      }
    }
    const after = await syncAll(info, tokens[RECEIVER]);
    const ids = after.messages.map((m) => `${m.formUser}/${m.clientMsgId}`);
    assert.equal(new Set(ids).size, ids.length, 'a resend created a duplicate');
    assert.equal(after.messages.length, attempted.size);
  } finally {
    info.child.kill('SIGTERM');
    await info.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('durability', () => {
  test('SIGKILL during a burst of sends loses no acknowledged message and leaves no seq gap', () => scenario('SIGKILL'));
  test('SIGTERM during a burst of sends exits 0 and loses no acknowledged message', () => scenario('SIGTERM'));
});
