'use strict';
// Three devserver nodes (command-line processes) on one PostgreSQL database and one Redis, both real
// servers started here in a temporary directory on loopback ports (tests/multinode/services.js).
// Users are spread across the nodes; the clients are socket.io-client 4 speaking the E聊 envelope.
// Skipped, with the reason, when redis-server or PostgreSQL is not installed (toolchain/setup.sh).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../devserver/helpers');
const { startServices, unavailable } = require('./services');

const APP = h.APP;
const SECRET = 'multinode-test-secret';
const NODES = 3;
const missing = unavailable();

/** Start one node as its own process; resolves to {httpPort, socketPort, child, exited, index}. */
async function startNode(services, index) {
  const node = await h.startCli([
    '--host', '127.0.0.1', '--http-port', '0', '--socket-port', '0',
    '--db', services.pgUrl, '--redis', services.redisUrl, '--files', path.join(services.dir, 'files'),
    '--app', `${APP}:${SECRET}`, '--user', 'admin:admin',
  ]);
  node.index = index;
  return node;
}

async function stopNode(node) {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM');
  return node.exited;
}

/** A logged-in socket client of `auid` on `node`. */
async function connect(node, auid) {
  const c = new h.SocketClient(node);
  const r = await c.login(auid);
  assert.equal(r.code, 0, `login of ${auid} on node ${node.index}: ${JSON.stringify(r)}`);
  return c;
}

/** Everything `client` holds, keyed by seq (a client keeps one copy per seq, as the SDK does). */
function bySeq(messages) {
  const map = new Map();
  for (const m of messages) {
    const seen = map.get(m.seq);
    if (seen) assert.equal(seen.mid, m.mid, `seq ${m.seq} arrived with two different messages`);
    map.set(m.seq, m);
  }
  return map;
}

/** The seqs are exactly 1..n, and no message (mid) is held under two seqs. */
function assertGapFreeOnce(map, who) {
  const seqs = [...map.keys()].sort((a, b) => a - b);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${who}: seqs are 1..${seqs.length}`);
  const mids = [...map.values()].map((m) => m.mid);
  assert.equal(new Set(mids).size, mids.length, `${who}: a message arrived twice under two seqs`);
}

/** Pull everything after `fromSeq` with message/sync (what a client does after reconnecting). */
async function syncAll(client, fromSeq = 0) {
  const out = [];
  let from = fromSeq;
  for (;;) {
    const r = h.ok(await client.call('message', 'sync', { fromSeq: from, limit: 500 }));
    out.push(...r.messages);
    if (!r.hasMore) return out;
    from = r.messages[r.messages.length - 1].seq;
  }
}

describe('multinode: three nodes on PostgreSQL and Redis', { skip: missing || false, timeout: 120000 }, () => {
  let services;
  let nodes = [];
  const clients = [];

  before(async () => {
    services = await startServices();
    fs.mkdirSync(path.join(services.dir, 'files'));
    // One after another: the first creates the schema (the others would wait on its advisory lock).
    for (let i = 0; i < NODES; i += 1) nodes.push(await startNode(services, i));
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(nodes.map(stopNode));
    if (services) await services.stop();
  });

  const addUsers = (auids) => h.addUsers(nodes[0], auids, { secret: SECRET });
  const track = (c) => { clients.push(c); return c; };

  test('every node answers /healthz with the store and Redis reachable', async () => {
    for (const node of nodes) {
      const res = await h.httpRequest(node, '/healthz', { method: 'GET' });
      assert.equal(res.status, 200);
      assert.equal(res.body.ok, true);
      assert.equal(res.body.store, 'ok');
      assert.equal(res.body.redis, 'ok');
    }
  });

  test('P2P and room messages cross nodes exactly once, in order', async () => {
    const users = Array.from({ length: 6 }, () => h.unique('x'));
    await addUsers(users);
    const cs = await Promise.all(users.map((u, i) => connect(nodes[i % NODES], u).then(track)));
    const room = h.ok(await cs[0].call('room', 'add', { name: 'cross', members: users.slice(1) }));
    const P2P = 10;
    const ROOM = 5;
    // Everyone at once: P2P to the next user (who is on another node), then messages to the room.
    await Promise.all(cs.map(async (c, i) => {
      const peer = users[(i + 1) % users.length];
      for (let k = 0; k < P2P; k += 1) {
        h.ok(await c.call('message', 'send', { way: 'P2P', toTarget: peer, type: 'TEXT', body: `p${k}`, clientMsgId: `${c.auid}-p${k}` }));
      }
      for (let k = 0; k < ROOM; k += 1) {
        h.ok(await c.call('message', 'send', { way: 'P2R', toTarget: room.rid, type: 'TEXT', body: `r${k}`, clientMsgId: `${c.auid}-r${k}` }));
      }
    }));
    const expected = P2P * 2 + ROOM * users.length; // own P2P copies + received P2P + every room message
    const roomOrders = [];
    for (const [i, c] of cs.entries()) {
      await c.waitMessage(() => c.messages.length >= expected, `${expected} deliveries to ${c.auid}`);
      assert.equal(c.messages.length, expected, `${c.auid}: no extra delivery`);
      const map = bySeq(c.messages);
      assertGapFreeOnce(map, c.auid);
      const ordered = [...map.values()].sort((a, b) => a.seq - b.seq);
      // Each sender's messages in the order sent, in each conversation.
      const prev = users[(i + users.length - 1) % users.length];
      for (const [from, prefix] of [[c.auid, 'p'], [prev, 'p']]) {
        const ids = ordered.filter((m) => m.way === 'P2P' && m.formUser === from).map((m) => m.clientMsgId);
        assert.deepEqual(ids, Array.from({ length: P2P }, (_, k) => `${from}-${prefix}${k}`));
      }
      for (const from of users) {
        const ids = ordered.filter((m) => m.way === 'P2R' && m.formUser === from).map((m) => m.clientMsgId);
        assert.deepEqual(ids, Array.from({ length: ROOM }, (_, k) => `${from}-r${k}`));
      }
      roomOrders.push(ordered.filter((m) => m.way === 'P2R').map((m) => m.mid));
      // What was pushed is what the database holds for this user.
      assert.deepEqual((await syncAll(c)).map((m) => [m.seq, m.mid]), ordered.map((m) => [m.seq, m.mid]));
    }
    // Every member sees the room in one same order.
    for (const order of roomOrders) assert.deepEqual(order, roomOrders[0]);
  });

  test('one clientMsgId sent to three nodes at once is stored once', async () => {
    const [a, b] = [h.unique('d'), h.unique('d')];
    await addUsers([a, b]);
    const jwt = h.ok(await h.httpCall(nodes[0], 'auth', 'login', { appKey: APP, auid: a, token: `tk-${a}` }));
    for (let round = 0; round < 5; round += 1) {
      const answers = await Promise.all(nodes.map((node) => h.httpCall(node, 'message', 'send',
        { jwt, way: 'P2P', toTarget: b, type: 'TEXT', body: round, clientMsgId: `same-${round}` })));
      const data = answers.map((r) => h.ok(r));
      assert.equal(new Set(data.map((d) => d.mid)).size, 1, `round ${round}: one message`);
      assert.equal(data.filter((d) => !d.duplicate).length, 1, `round ${round}: one original, the others duplicates`);
    }
    const jwtB = h.ok(await h.httpCall(nodes[1], 'auth', 'login', { appKey: APP, auid: b, token: `tk-${b}` }));
    const synced = h.ok(await h.httpCall(nodes[2], 'message', 'sync', { jwt: jwtB, fromSeq: 0 }));
    assert.deepEqual(synced.messages.map((m) => [m.seq, m.clientMsgId]), [0, 1, 2, 3, 4].map((i) => [i + 1, `same-${i}`]));
  });

  test('a newer login on node B kicks the session on node A; the online list spans the nodes', async () => {
    const u = h.unique('k');
    const other = h.unique('k');
    await addUsers([u, other]);
    const onA = track(await connect(nodes[0], u));
    const watcher = track(await connect(nodes[2], other));
    const kicked = onA.waitNotify('session.kicked');
    const onB = track(await connect(nodes[1], u));
    assert.equal((await kicked).data.reason, 'logged in elsewhere');
    await onA.waitDisconnect();
    // Deliveries go to the newer session only.
    h.ok(await watcher.call('message', 'send', { way: 'P2P', toTarget: u, type: 'TEXT', body: 'to the new one', clientMsgId: 'k1' }));
    await onB.waitMessage((m) => m.clientMsgId === 'k1');
    assert.equal(onA.messages.filter((m) => m.clientMsgId === 'k1').length, 0);
    const online = h.ok(await watcher.call('client', 'list', { auids: [u, other] }));
    assert.deepEqual(online.map((o) => o.auid), [u, other].sort());
  });

  test('a revoked token stops working on every node, and its live socket on another node is ended', async () => {
    const u = h.unique('r');
    await addUsers([u]);
    const live = track(await connect(nodes[0], u));
    const jwt = live.jwt;
    for (const node of nodes) h.ok(await h.httpCall(node, 'user', 'get', { jwt, auid: u }));
    const kicked = live.waitNotify('session.kicked');
    h.ok(await h.httpCall(nodes[2], 'user', 'refresh_token', { appKey: APP, secret: SECRET, auid: u }));
    assert.equal((await kicked).data.reason, 'token changed');
    await live.waitDisconnect();
    for (const node of nodes) {
      const r = await h.httpCall(node, 'user', 'get', { jwt, auid: u });
      assert.equal(r.code, 401, `node ${node.index}: ${JSON.stringify(r)}`);
    }
  });

  test('the rate limit of a user is shared by the nodes (one Redis bucket)', async () => {
    const Redis = require('ioredis');
    const { RedisLimiter } = require('../../devserver/lib/cluster');
    const conns = [new Redis(services.redisUrl), new Redis(services.redisUrl)];
    try {
      const limiters = conns.map((r) => {
        r.defineCommand('echatBucket', { numberOfKeys: 1, lua: RedisLimiter.SCRIPT });
        return new RedisLimiter(r, 'user', { rate: 1, burst: 10 }, (line) => assert.fail(line));
      });
      const now = Date.now();
      const taken = [];
      for (let i = 0; i < 14; i += 1) taken.push(await limiters[i % 2].take('app\nshared-user', now));
      assert.deepEqual(taken, [...Array(10).fill(true), ...Array(4).fill(false)]);
      assert.equal(await limiters[0].take('app\nanother-user', now), true);
    } finally {
      await Promise.all(conns.map((r) => r.quit()));
    }
  });

  // Last: it kills a node.
  test('a node SIGKILLed mid-stream: its clients move to another node, nothing lost or doubled', async () => {
    const [a, b, c] = [h.unique('s'), h.unique('s'), h.unique('s')];
    await addUsers([a, b, c]);
    const victim = nodes[2];
    const rescue = nodes[0];
    const ca = track(await connect(nodes[0], a)); // sends to b and c, on a surviving node
    let cb = track(await connect(victim, b)); // receives, on the node that dies
    let cc = track(await connect(victim, c)); // sends to a through the node that dies
    const COUNT = 30;
    const received = { [b]: [], [a]: [] };
    const keep = (client, list) => client.socket.on('topic.message', (m) => list.push(m));
    keep(cb, received[b]);
    keep(ca, received[a]);

    // c's sender: on a failed or lost send it logs in on the rescue node and sends the SAME clientMsgId again.
    const cSends = (async () => {
      for (let k = 0; k < COUNT; k += 1) {
        for (;;) {
          const lost = new Promise((resolve) => { if (!cc.socket.connected) resolve(); cc.socket.once('disconnect', resolve); });
          const r = await Promise.race([
            cc.call('message', 'send', { way: 'P2P', toTarget: a, type: 'TEXT', body: k, clientMsgId: `c-${k}` }).catch(() => null),
            lost.then(() => null),
          ]);
          if (r && r.code === 0) break;
          if (cc.socket.connected) assert.fail(`send c-${k}: ${JSON.stringify(r)}`);
          cc = track(await connect(rescue, c));
        }
      }
    })();
    const aSends = (async () => {
      for (let k = 0; k < COUNT; k += 1) {
        h.ok(await ca.call('message', 'send', { way: 'P2P', toTarget: b, type: 'TEXT', body: k, clientMsgId: `a-${k}` }));
        if (k === 10) victim.child.kill('SIGKILL');
      }
    })();
    // b notices the dead node and logs in on the rescue node, then syncs from the last seq it holds.
    await cb.waitDisconnect();
    cb = track(await connect(rescue, b));
    keep(cb, received[b]);
    await Promise.all([aSends, cSends]);
    assert.equal((await victim.exited).signal, 'SIGKILL');

    const heldB = bySeq(received[b]);
    const contiguous = (map) => { let n = 0; while (map.has(n + 1)) n += 1; return n; };
    for (const m of await syncAll(cb, contiguous(heldB))) received[b].push(m);
    const finalB = bySeq(received[b]);
    assertGapFreeOnce(finalB, b);
    assert.deepEqual([...finalB.values()].sort((x, y) => x.seq - y.seq).map((m) => m.clientMsgId),
      Array.from({ length: COUNT }, (_, k) => `a-${k}`));

    for (const m of await syncAll(ca, contiguous(bySeq(received[a])))) received[a].push(m);
    const finalA = bySeq(received[a]);
    assertGapFreeOnce(finalA, a);
    const fromC = [...finalA.values()].sort((x, y) => x.seq - y.seq).filter((m) => m.formUser === c).map((m) => m.clientMsgId);
    assert.deepEqual(fromC, Array.from({ length: COUNT }, (_, k) => `c-${k}`));
    // The survivors still agree on who is online: the dead node's sockets are gone from the list.
    const online = h.ok(await ca.call('client', 'list', { auids: [a, b, c] }));
    assert.deepEqual(online.map((o) => o.auid), [a, b, c].sort());
  });
});

if (missing) test(`multinode tests skipped: ${missing}`, { skip: missing }, () => {});
