'use strict';
// Issue 14, the SDK side: sdk.im.init({hosts: [...]}) against two REAL devserver nodes on one PostgreSQL
// database and one Redis (tests/multinode/services.js starts both in a temporary directory on loopback
// ports). Checked:
// 1. a first host that refuses (a port nobody listens on) falls through to the second: logged in there,
//    HTTP calls go there too, the state reason names the refused server;
// 2. the node the SDK is on is SIGKILLed mid-stream: the SDK moves to the other node, logs in again,
//    syncs, and resends its outbox; every message of the peer arrives exactly once, in order, and every
//    send of its own is stored exactly once.
// Skipped, with the reason, when redis-server or PostgreSQL is not installed (toolchain/setup.sh), or
// when there is no IM build. Waits are bounded guards, never assertions on time.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const H = require('./fixtures/im-harness');
const dh = require('../devserver/helpers');
const { startServices, unavailable, freePort } = require('../multinode/services');

const { waitFor, sleep } = H;
const SECRET = 'failover-test-secret';
const missing = H.skip || unavailable();
const N = 60;  // bob's messages to alice; the node alice is on dies after KILL_AT of them
const KILL_AT = 20;
const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 500, apiTransport: 'HTTP' };

async function startNode(services) {
  return dh.startCli([
    '--host', '127.0.0.1', '--http-port', '0', '--socket-port', '0',
    '--db', services.pgUrl, '--redis', services.redisUrl, '--files', path.join(services.dir, 'files'),
    '--app', `${dh.APP}:${SECRET}`, '--user', 'admin:admin',
  ]);
}

function alive(node) { return node.child.exitCode === null && node.child.signalCode === null; }

const endpoint = (n) => ({ host: '127.0.0.1', httpPort: n.httpPort, socketPort: n.socketPort });

test('im failover: several hosts, a refused one and a node killed mid-stream', { skip: missing || false, timeout: 180000 }, async (t) => {
  const services = await startServices();
  const nodes = [];
  t.after(async () => {
    for (const n of nodes) if (alive(n)) { n.child.kill('SIGKILL'); await n.exited; }
    await services.stop();
  });
  nodes.push(await startNode(services), await startNode(services));
  const [a, b] = nodes;
  const users = [`al${process.pid}`, `bo${process.pid}`, `ca${process.pid}`];
  await dh.addUsers(a, users, { secret: SECRET });
  const [alice, bob, carol] = users;

  await t.test('a refused first host falls through to the second', async (st) => {
    const dead = await freePort();
    const page = H.imPage(st, a, {
      ...FAST, loginAuid: carol, loginToken: `tk-${carol}`,
      hosts: [{ host: '127.0.0.1', httpPort: dead, socketPort: dead }, endpoint(b)],
    });
    const sdk = await H.within(page.ready, 'init through the second host', 30000);
    assert.ok(sdk, `init failed: ${JSON.stringify(page.of('error').map((e) => e.message))}`);
    assert.equal(page.sdk.im.info().httpBase, `http://127.0.0.1:${b.httpPort}`);
    const reasons = page.of('state').map((s) => s.reason);
    assert.ok(reasons.some((r) => r.includes(`cannot connect to ws://127.0.0.1:${dead}`)), reasons.join(' | '));
    const r = await page.sdk.apis.user.get({ auid: alice });
    assert.equal(r.code, 0);
    page.sdk.im.close();
  });

  await t.test('the node in use SIGKILLed mid-stream: moved, nothing lost, nothing doubled', async (st) => {
    const page = H.imPage(st, a, {
      ...FAST, loginAuid: alice, loginToken: `tk-${alice}`, hosts: [endpoint(a), endpoint(b)],
    });
    assert.ok(await H.within(page.ready, 'alice logged in', 30000));
    assert.equal(page.sdk.im.info().httpBase, `http://127.0.0.1:${a.httpPort}`);
    const got = [];
    page.sdk.im.on('message', (m) => { if (m.formUser === bob) got.push(H.plain(m)); });

    const peer = new dh.SocketClient(b);  // bob, on the node that survives
    st.after(() => peer.socket.close());
    assert.equal((await peer.login(bob)).code, 0);

    const sends = [];  // alice's own sends, through the outbox, across the failover
    for (let k = 0; k < N; k++) {
      const r = await peer.call('message', 'send', { toTarget: alice, way: 'P2P', type: 'TEXT', body: { text: `b${k}` }, clientMsgId: `${bob}-${k}` });
      assert.equal(r.code, 0, JSON.stringify(r));
      if (k % 10 === 5) {
        sends.push(page.sdk.apis.message.send({ toTarget: bob, way: 'P2P', type: 'TEXT', body: { text: `a${k}` } }));
      }
      if (k === KILL_AT) {
        a.child.kill('SIGKILL');
        assert.equal((await a.exited).signal, 'SIGKILL');
      }
      await sleep(5);
    }
    await waitFor(() => got.length >= N, `alice got ${N} messages from bob`, 60000);
    const results = await H.within(Promise.all(sends), 'alice\'s sends answered', 60000);
    await sleep(300);  // a duplicate would come right behind: give it a chance to show
    assert.deepEqual(got.map((m) => m.body.text), Array.from({ length: N }, (_, k) => `b${k}`), 'once each, in order');
    const seqs = got.map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq order at ${i}: ${seqs}`);
    assert.equal(page.sdk.im.info().httpBase, `http://127.0.0.1:${b.httpPort}`, 'HTTP follows the node that works');
    assert.ok(page.of('state').some((s) => s.reason.includes(`cannot connect to ws://127.0.0.1:${a.socketPort}`)));

    // Alice's sends: each stored once (bob's timeline holds each text once, under its clientMsgId).
    const stored = [];
    let from = 0;
    for (;;) {
      const r = await peer.call('message', 'sync', { fromSeq: from, limit: 500 });
      assert.equal(r.code, 0);
      stored.push(...r.data.messages);
      if (!r.data.hasMore) break;
      from = r.data.messages[r.data.messages.length - 1].seq;
    }
    const mine = stored.filter((m) => m.formUser === alice).map((m) => m.clientMsgId);
    assert.deepEqual(mine, results.map((x) => x.clientMsgId), 'each send stored once, in send order');
  });
});
