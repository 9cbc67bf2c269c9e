'use strict';
// Issue 5 acceptance: exactly-once, ordered delivery through sdk.im / sdk.apis in the mini-program
// sandbox, against the real devserver (child process, a database file), while the world misbehaves.
//
// 1. Two users (alice over HTTP API calls, bob over the socket), IM_RELIABILITY_N (default 200; 2,000 is the long run of docs/im-design.md)
//    P2P messages each way with sdk.apis.message.send, while a seeded schedule (IM_SEED) kills the
//    server three times (SIGKILL) and restarts it once gracefully (SIGTERM) (same ports, same database), cuts WebSockets, hides and
//    shows the app (suspending it), and drops and restores the network. Checked: every send's Promise
//    settles exactly once and resolves; each receiver gets the peer's messages exactly once, in send
//    order (body counter, clientMsgId of the send), and its whole timeline (own deliveries included) as
//    seqs 1..2N in order, each once.
//    Alice keeps her outbox as one storage record per message, bob as one record; bob speaks Engine.IO 3;
//    the two sandboxes resume from a suspension in the two orders WeChat leaves open.
//    Each app is also killed once (sandbox disposed, no close()) during its own network outage, while its
//    outbox holds many unsent messages (N/4: 50 in the suite, 500 in the long run), and restarted as a new
//    SDK instance on the same storage. The killed instance's Promises die with it; "every send resolves"
//    is then: each send settles exactly once, by its Promise or, for the messages in the outbox at the kill
//    (exactly the sends whose Promise had not settled), by the new instance's 'sent' event (code 0, with
//    its mid), each such message's last sendState in the new instance being 'sent' (none left queued or
//    sending, none failed), and each arriving exactly once in send order.
// 2. App restarts with the outbox holding messages (sent while offline; sent and the app killed while
//    they were in flight), in both outbox layouts: a new sandbox with the same Storage sends them, each
//    arrives exactly once.
// 3. A message/sync answer that is older than a live push (the server may answer out of order) changes
//    nothing: held back deterministically by fixtures/im-wire.js until the push was delivered.
// 4. A receiver app restarted mid-stream, with more missed messages than the server's offline push limit.
// 5. A room of three members sending through cuts, a crash, a suspension, a network drop: every member
//    sees every message once and all see the same order.
// 6. A stream through JWT expiries (--jwt-ttl 1) answered from inside the message listener.
// 7. Refused messages inside a queued burst do not block the others (flapping network, quick hide/show).
//
// The schedule is driven by progress (messages answered), not by the clock, so a slower machine runs
// the same scenario. Waits are bounded (guards, never assertions on time).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const H = require('./fixtures/im-harness');
const { interceptFrames } = require('./fixtures/im-wire');
const { Storage } = require('../sandbox');

const { skip, within, waitFor, sleep, rng, cutSockets } = H;
const SEED = Number(process.env.IM_SEED || 20261125);
// The suite runs 2 x 200; the long run of issue 11 is IM_RELIABILITY_N=2000 (docs/im-design.md "Long runs").
const N = Number(process.env.IM_RELIABILITY_N || 200);
// Sends outstanding per user: unbounded by default (a burst: the outbox holds what storage holds, issue 11),
// issued at IM_RELIABILITY_RATE per second (125 by default, the rate of the report), however many are waiting.
const WINDOW = Number(process.env.IM_RELIABILITY_WINDOW || Infinity);
const RATE = Number(process.env.IM_RELIABILITY_RATE || 125);
const LONG = 120000;  // bound of the long waits: a hang guard only
const IDLE = 15000;   // a wait on progress gives up when nothing moved for this long (a stall, not slowness)

// Waits for cond(); gives up only when progress() has not changed for IDLE ms (or after LONG in all).
async function waitProgress(cond, progress, what) {
  const end = Date.now() + LONG;
  let last = progress();
  let lastChange = Date.now();
  for (;;) {
    if (cond()) return;
    const p = progress();
    if (p !== last) { last = p; lastChange = Date.now(); }
    if (Date.now() - lastChange > IDLE) throw new Error(`stalled: no progress for ${IDLE} ms waiting for ${what} (at ${p})`);
    if (Date.now() > end) throw new Error(`timed out (${LONG} ms) waiting for ${what} (at ${p})`);
    await sleep(20);
  }
}

// A database folder on tmpfs when there is one (fsync per commit is the devserver's bottleneck on disk;
// durability across a process kill is the same).
function dbFile(t) {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, 'echat-im-rel-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'echat.sqlite');
}

const FAST_RECONNECT = { reconnectionDelay: 100, reconnectionDelayMax: 1000, ...(process.env.IM_SEND_WINDOW ? { sendWindow: Number(process.env.IM_SEND_WINDOW) } : {}) };

// The outbox's storage records of a user, whatever their layout (one record, or a marker under the key
// plus one record per entry: docs/im-design.md "Storage records").
function outboxKeys(storage, who) {
  const key = `echatim:TSDKTEST00001:${who}:outbox`;
  return storage.keys.filter((k) => k === key || k.startsWith(`${key}:`));
}
function outboxText(storage, who) {
  return outboxKeys(storage, who).map((k) => {
    const v = storage.peek(k);
    return typeof v === 'string' ? v : JSON.stringify(v === undefined ? '' : v);
  }).join('\n');
}

// The seeded list of disruptions, each at a progress fraction (answered sends / 2N).
function schedule(seed) {
  const r = rng(seed);
  const events = [];
  // issue 11's goal: three SIGKILLs; and one graceful restart (SIGTERM), the other way a server goes
  const kinds = ['SIGKILL', 'SIGKILL', 'SIGKILL', 'SIGTERM'];
  for (const signal of kinds) events.push({ kind: 'restart', signal });
  for (let i = 0; i < 6; i++) events.push({ kind: 'cut', who: r() < 0.5 ? 'alice' : 'bob' });
  for (const who of ['alice', 'bob']) {
    events.push({ kind: 'hide', who, ms: 100 + Math.floor(r() * 500) });
    events.push({ kind: 'network', who, ms: 100 + Math.floor(r() * 500) });
  }
  // shuffle, then spread over 5%..90% of the run
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  events.forEach((e, i) => { e.at = 0.05 + (0.85 * (i + r() * 0.5)) / events.length; });
  // The app restarts, each at a fraction of its own sends issued (20%..50%: at least half of them are
  // still to come, enough to fill the outbox during the outage). Drawn after the others: the rest of a
  // seed's schedule is as before.
  events.appRestartAt = { alice: 0.2 + r() * 0.3, bob: 0.2 + r() * 0.3 };
  return events;
}

// The outbox entries in storage, whatever the layout, as [{c: clientMsgId, n: body.n}] (n undefined when
// the form is not this test's).
function outboxEntries(storage, who) {
  const key = `echatim:TSDKTEST00001:${who}:outbox`;
  const entries = [];
  const add = (e) => {
    if (!e || typeof e !== 'object' || typeof e.c !== 'string') return;
    let f = e.f;
    if (typeof f === 'string') { try { f = JSON.parse(f); } catch (_) { f = null; } }
    entries.push({ c: e.c, n: f && f.body ? f.body.n : undefined });
  };
  for (const k of outboxKeys(storage, who)) {
    let v = storage.peek(k);
    if (typeof v === 'string') { try { v = JSON.parse(v); } catch (_) { v = null; } }
    if (Array.isArray(v)) v.forEach(add);  // the single record
    else if (k !== key) add(v);            // one record per message (the marker under `key` is skipped)
  }
  return entries;
}

// holder.page is the app instance that sends now (replaced at an app restart; holder.restarting pauses
// the sender meanwhile). st.settledCount[n] counts the Promise's settlements, st.restoredCount[n] the
// 'sent' events of a restarted instance for a message its killed predecessor left in the outbox.
function msgSends(holder, peer, count, opts = {}) {
  const st = {
    issued: 0, settledCount: new Array(count).fill(0), restoredCount: new Array(count).fill(0),
    results: new Array(count), errors: [], answered: 0, issuedOn: new Array(count),
  };
  let wake = null;
  st.wake = () => { if (wake) { const w = wake; wake = null; w(); } };
  const run = (async () => {
    for (let n = 0; n < count; n++) {
      while (st.issued - st.answered >= (opts.window || WINDOW)) {
        await new Promise((resolve) => { wake = resolve; });
      }
      if (opts.rate && n > 0) await sleep(1000 / opts.rate);
      // A suspended mini-program runs no JavaScript: the page sends nothing until it is shown again; an
      // app being restarted sends nothing until its new instance is up.
      while (holder.restarting || holder.page.sb.suspended) await sleep(5);
      const page = holder.page;
      st.issued++;
      st.issuedOn[n] = page;
      page.sdk.apis.message.send({ toTarget: peer, way: 'P2P', type: 'TEXT', body: { n, text: `${page.who}#${n}` } })
        .then((r) => ({ ok: true, r }), (e) => ({ ok: false, e }))
        .then((x) => {
          st.settledCount[n]++;
          if (x.ok) st.results[n] = { code: x.r.code, mid: x.r.mid, seq: x.r.seq, clientMsgId: x.r.clientMsgId };
          else st.errors.push({ n, code: x.e.code, msg: x.e.msg || x.e.message });
          st.answered++;
          st.wake();
        });
    }
  })();
  st.done = run.then(() => waitProgress(() => st.answered === count, () => st.answered, `${holder.page.who}: all ${count} sends answered`));
  return st;
}

// Checks one receiver: the peer's messages once each, in order; the whole timeline seqs 1..total.
function checkReceiver(page, peer, sentByPeer, count, ownSent, msgs = page.of('message')) {
  const seqs = msgs.map((m) => m.seq);
  const total = 2 * count;
  const dupSeqs = seqs.filter((s, i) => seqs.indexOf(s) !== i);
  assert.deepEqual(dupSeqs.slice(0, 10), [], `${page.who}: no seq handed over twice`);
  for (let i = 1; i < seqs.length; i++) {
    if (!(seqs[i] > seqs[i - 1])) assert.fail(`${page.who}: seq order broken at #${i}: ${seqs[i - 1]} then ${seqs[i]}`);
  }
  assert.equal(seqs.length, total, `${page.who}: ${total} deliveries (own included)`);
  assert.deepEqual([seqs[0], seqs[seqs.length - 1]], [1, total], `${page.who}: seqs 1..${total}`);
  const mids = new Set(msgs.map((m) => m.mid));
  assert.equal(mids.size, total, `${page.who}: distinct mids`);
  const fromPeer = msgs.filter((m) => m.formUser === peer);
  const ns = fromPeer.map((m) => m.body.n);
  assert.equal(ns.length, count, `${page.who}: ${count} messages from ${peer}`);
  for (let i = 0; i < count; i++) {
    if (ns[i] !== i) assert.fail(`${page.who}: message #${i} from ${peer} carries n=${ns[i]} (expected ${i})`);
    if (fromPeer[i].clientMsgId !== sentByPeer.results[i].clientMsgId) {
      assert.fail(`${page.who}: message n=${i} has clientMsgId ${fromPeer[i].clientMsgId}, the send answered ${sentByPeer.results[i].clientMsgId}`);
    }
    if (fromPeer[i].mid !== sentByPeer.results[i].mid) assert.fail(`${page.who}: message n=${i}: mid differs from the send's`);
  }
  const own = msgs.filter((m) => m.formUser === page.who).map((m) => m.body.n);
  assert.equal(own.length, count, `${page.who}: own deliveries`);
  for (let i = 0; i < count; i++) if (own[i] !== i) assert.fail(`${page.who}: own delivery #${i} carries n=${own[i]}`);
  assert.equal(ownSent.results.length, count);
}

test(`im reliability: ${N} messages each way through 3 server SIGKILLs (and a SIGTERM restart), socket cuts, suspensions, network drops and an app restart with a full outbox (seed ${SEED})`,
  { skip, timeout: 300000 }, async (t) => {
    const srv = await H.startDevserver(t, { db: dbFile(t), args: ['--rate-limit', '0'] });
    // The two apps see the WeChat behaviours the reference leaves open differently (tests/sandbox/README.md):
    // alice's callbacks held back during a suspension come before onAppShow and her timers pause; bob's
    // onAppShow comes first and his overdue timers fire on show.
    // alice keeps her outbox as one record per message (outboxPerMessageRecords), bob as one record.
    // bob speaks Engine.IO 3 (protocol 3: the netty-socketio / E聊 server family), alice Engine.IO 4.
    // Each app's storage outlives its instances (the app restart below starts a new one on it).
    const users = {
      alice: { cfg: { apiTransport: 'HTTP', outboxPerMessageRecords: true, ...FAST_RECONNECT },
        sandbox: { suspendDelay: 50, resumeOrder: 'events-first', timerMode: 'pause', storage: new Storage() } },
      bob: { cfg: { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb', protocol: 3, ...FAST_RECONNECT },
        sandbox: { suspendDelay: 50, resumeOrder: 'show-first', timerMode: 'defer', storage: new Storage() } },
    };
    const instances = { alice: [], bob: [] };  // every instance of each app, oldest first
    const pages = {};                           // who -> { page, restarting }: the live instance
    const launch = (who) => {
      const page = H.imPage(t, srv, null, users[who].sandbox);
      page.who = who;
      instances[who].push(page);
      page.init(users[who].cfg);
      return page;
    };
    for (const who of ['alice', 'bob']) pages[who] = { page: launch(who), restarting: false };
    await within(Promise.all([pages.alice.page.ready, pages.bob.page.ready]), 'both logged in', 30000);

    const events = schedule(SEED);
    const log = [];
    const a = msgSends(pages.alice, 'bob', N, { rate: RATE });
    const b = msgSends(pages.bob, 'alice', N, { rate: RATE });
    const sends = { alice: a, bob: b };
    const progress = () => (a.answered + b.answered) / (2 * N);
    const FULL = Math.max(10, Math.floor(N / 4));  // outbox entries at the kill
    const restarts = [];                           // {who, outbox, orphans, clientMsgIds: Map c -> n}

    // The app is killed during its own network outage once its outbox holds FULL messages (or the sender
    // has issued everything), and a new instance starts on the same storage, network back.
    async function appRestart(who) {
      const holder = pages[who];
      const st = sends[who];
      const old = holder.page;
      await old.sb.setNetwork(false);
      const count = () => outboxEntries(users[who].sandbox.storage, who).length;
      await waitProgress(() => count() >= FULL || st.issued === N, () => count() + st.issued, `${who}: ${FULL} messages in the outbox`);
      holder.restarting = true;
      await old.sb.dispose();  // killed: no close(), no callback of this instance runs any more
      const entries = outboxEntries(users[who].sandbox.storage, who);
      const orphans = [];
      for (let n = 0; n < N; n++) if (st.issuedOn[n] === old && st.settledCount[n] === 0) orphans.push(n);
      const r = { who, outbox: entries.length, orphans, clientMsgIds: new Map(entries.map((e) => [e.c, e.n])) };
      restarts.push(r);
      // exactly the sends whose Promise died unsettled wait in the outbox, each once
      assert.deepEqual(entries.map((e) => e.n).sort((x, y) => x - y), orphans, `${who}: the outbox at the kill holds exactly the unsettled sends`);
      const page = H.imPage(t, srv, null, users[who].sandbox);
      page.who = who;
      instances[who].push(page);
      r.page = page;
      // the restored messages settle by 'sent' events (attached before init: none is missed)
      page.sdk.im.on('sent', (s) => {
        const n = r.clientMsgIds.get(s.clientMsgId);
        if (n === undefined) { st.errors.push({ n: -1, code: 'unknown sent', msg: s.clientMsgId }); return; }
        st.restoredCount[n]++;
        if (s.code === 0) {
          st.results[n] = { code: 0, mid: s.data && s.data.mid, seq: s.data && s.data.seq, clientMsgId: s.clientMsgId };
        } else st.errors.push({ n, code: s.code, msg: s.msg });
        st.answered++;
        st.wake();
      });
      page.init(users[who].cfg);
      holder.page = page;
      await within(page.ready, `${who}: the new instance logged in`, 30000);
      holder.restarting = false;
      return `(outbox ${entries.length} at the kill)`;
    }

    // One disturbance at a time: the schedule's and the app restarts' (which follow each app's sends).
    let lock = Promise.resolve();
    const exclusive = (fn) => { const r = lock.then(fn); lock = r.catch(() => {}); return r; };
    const appRestarts = ['alice', 'bob'].map((who) => (async () => {
      const trigger = Math.floor(events.appRestartAt[who] * N);
      await waitProgress(() => sends[who].issued >= trigger, () => sends[who].issued + sends[who].answered, `${who}: ${trigger} sends issued`);
      await exclusive(async () => {
        const at = `${Math.round(progress() * 2 * N)}/${2 * N}`;
        const note = await appRestart(who);
        log.push(`${at} app restart ${who} at its send #${sends[who].issued} ${note}`);
      });
    })());
    const chaos = (async () => {
      for (const e of events) {
        await waitProgress(() => progress() >= e.at || (a.answered === N && b.answered === N), progress, `progress ${e.at.toFixed(2)}`);
        await exclusive(() => disturb(e));
      }
    })();
    async function disturb(e) {
      const at = `${Math.round(progress() * 2 * N)}/${2 * N}`;
      if (e.kind === 'restart') {
        await srv.restart(e.signal);
      } else if (e.kind === 'cut') {
        e.cut = cutSockets(pages[e.who].page.sb);
      } else if (e.kind === 'hide') {
        const sb = pages[e.who].page.sb;
        // hideApp's promise settles when onHide has been delivered; under load (a page busy with a burst)
        // the suspension (suspendDelay) can come first, and then it settles only after the show: waiting
        // for it before showing would wait forever.
        const heard = sb.hideApp();
        await within(sb.waitSuspended(), 'suspended');
        await sleep(e.ms);
        await sb.showApp();
        await within(heard, 'onHide delivered');
      } else if (e.kind === 'network') {
        const sb = pages[e.who].page.sb;
        await sb.setNetwork(false);
        await sleep(e.ms);
        await sb.setNetwork(true, 'wifi');
      }
      log.push(`${at} ${e.kind} ${e.signal || e.who || ''}${e.ms ? ` ${e.ms}ms` : ''}${e.cut !== undefined ? ` (${e.cut} socket)` : ''}`);
    }
    const all = (who, name) => instances[who].flatMap((p) => p.of(name));
    const diagnose = () => {
      t.diagnostic(`schedule (seed ${SEED}): ${log.join('; ')}`);
      t.diagnostic(`server starts: ${srv.starts}; app restarts: ${restarts.map((r) => `${r.who} outbox ${r.outbox}, ${r.orphans.length} unsettled`).join('; ')}; `
        + `alice got ${all('alice', 'message').length}, bob got ${all('bob', 'message').length}; `
        + `answered ${a.answered}+${b.answered}; errors ${JSON.stringify([...a.errors, ...b.errors].slice(0, 5))}; `
        + `sdk errors alice ${JSON.stringify(all('alice', 'error').slice(0, 3).map((e) => e.message))} `
        + `bob ${JSON.stringify(all('bob', 'error').slice(0, 3).map((e) => e.message))}`);
      for (const who of ['alice', 'bob']) {
        const p = pages[who].page;
        const st = p.of('state').slice(-4).map((x) => `${x.state}:${x.reason}`);
        const ss = p.of('sendState').slice(-3).map((x) => `${x.clientMsgId.slice(-6)}:${x.state}:${x.reason || ''}`);
        if (process.env.IM_DEBUG) {
          t.diagnostic(`${p.who} sockets: ${JSON.stringify(p.sb.sockets().slice(-6).map((r) => [r.id, r.state, r.frames.length, r.openedAt, r.closedAt, r.closeCode, r.closeReason, r.failed && String(r.failed).slice(0, 40)]))}`);
          for (const r of p.sb.sockets().slice(-1)) {
            t.diagnostic(`${p.who} first frames: ${JSON.stringify(r.frames.slice(0, 14).map((f) => `${f.dir}:${String(f.data).slice(0, 70)}`))}`);
            t.diagnostic(`${p.who} last frames: ${JSON.stringify(r.frames.slice(-6).map((f) => `${f.dir}:${String(f.data).slice(0, 70)}`))}`);
          }
        }
        t.diagnostic(`${p.who}: state ${p.sdk.im.getState()}, last states ${JSON.stringify(st)}, last sendStates ${JSON.stringify(ss)}, info ${JSON.stringify(p.sdk.im.info())}`);
      }
    };
    try {
      await Promise.all([a.done, b.done, chaos, ...appRestarts]);
    } catch (err) {
      diagnose();
      throw err;
    }
    // The sending side: every send settled exactly once (its Promise, or the new instance's 'sent'
    // event for a message left in the outbox at the kill), with code 0; distinct ids.
    // The receiving side is checked after the sending side, but waited for first (the diagnostics
    // print in any case).
    try {
      // every message of both directions reaches both timelines (across the instances of each app)
      await waitProgress(() => all('alice', 'message').length >= 2 * N && all('bob', 'message').length >= 2 * N,
        () => all('alice', 'message').length + all('bob', 'message').length, 'every delivery handed over');
      await sleep(500);  // anything extra (a duplicate) would show now
    } finally {
      diagnose();
    }
    assert.equal(srv.starts, 5, 'the server was killed three times and restarted once more (SIGTERM)');
    assert.equal(restarts.length, 2, 'each app was restarted once');
    for (const [who, st] of [['alice', a], ['bob', b]]) {
      assert.deepEqual(st.errors.slice(0, 5), [], `${who}: no send failed`);
      const notOnce = st.settledCount.map((c, n) => [n, c + st.restoredCount[n]]).filter(([, c]) => c !== 1);
      assert.deepEqual(notOnce.slice(0, 5), [], `${who}: every send settled exactly once (Promise or 'sent' after the restart)`);
      assert.ok(st.results.every((r) => r && r.code === 0 && r.mid > 0), `${who}: every send resolved with code 0 and a mid`);
      assert.equal(new Set(st.results.map((r) => r.clientMsgId)).size, N, `${who}: distinct clientMsgIds`);
    }
    for (const r of restarts) {
      assert.ok(r.outbox >= FULL, `${r.who}: the outbox held ${FULL} messages or more at the kill (${r.outbox})`);
      const st = sends[r.who];
      assert.deepEqual(r.orphans.filter((n) => st.restoredCount[n] !== 1), [], `${r.who}: each restored message reported once by a 'sent' event`);
      assert.equal(r.page.of('sent').length, r.orphans.length, `${r.who}: no other 'sent' event`);
    }
    checkReceiver(pages.bob.page, 'alice', a, N, b, all('bob', 'message'));
    checkReceiver(pages.alice.page, 'bob', b, N, a, all('alice', 'message'));
    assert.equal(instances.alice[0].of('sent').length + instances.bob[0].of('sent').length, 0, 'no restored-outbox answers in a live session');
    assert.ok(instances.bob.every((p) => p.sb.sockets().every((r) => /[?&]EIO=3\b/.test(r.url))), 'bob used Engine.IO 3 throughout');
    for (const who of ['alice', 'bob']) {
      for (const p of instances[who]) {
        assert.deepEqual(p.sb.errors.map(String), [], `${who}: no exception in page code`);
        assert.ok(p.sb.stats().maxOpenSockets <= 2, `${who}: at most 2 sockets at a time (WeChat allows 5): ${p.sb.stats().maxOpenSockets}`);
      }
      const p = pages[who].page;
      assert.equal(p.sdk.im.getState(), 'connected');
      assert.deepEqual(outboxKeys(users[who].sandbox.storage, who), [], `${who}: no outbox record is left`);
      // every message the live instance knows of (restored or sent by it) ends 'sent': none queued,
      // sending or failed
      const last = new Map();
      for (const s of p.of('sendState')) last.set(s.clientMsgId, s);
      const notSent = [...last.values()].filter((s) => s.state !== 'sent');
      assert.deepEqual(notSent.slice(0, 5), [], `${who}: every send of the live instance ends in sendState 'sent'`);
      const restored = restarts.find((r) => r.who === who);
      for (const c of restored.clientMsgIds.keys()) {
        if (!last.has(c)) assert.fail(`${who}: restored message ${c} has no sendState in the new instance`);
      }
    }
    t.diagnostic(`figures: ${2 * N} sends, ${srv.starts - 1} server restarts (3 SIGKILL, 1 SIGTERM), app restarts with outbox ${restarts.map((r) => `${r.who} ${r.outbox}`).join(', ')}`);
  });

for (const perMessage of [false, true]) {
test(`im reliability: messages left in the outbox survive app restarts and arrive exactly once (${perMessage ? 'one record per message' : 'one outbox record'})`, { skip, timeout: 120000 }, async (t) => {
  const FAST_RECONNECT = { reconnectionDelay: 100, reconnectionDelayMax: 1000, outboxPerMessageRecords: perMessage };
  const srv = await H.startDevserver(t, { db: dbFile(t), args: ['--rate-limit', '0'] });
  const bob = H.imPage(t, srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb', ...FAST_RECONNECT });
  await within(bob.ready, 'bob init');
  const storage = new Storage();
  const send = (page, n) => page.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n } });

  // Run 1: online; 40 sends issued at once, the app dies (sandbox disposed, no close()) as soon as the
  // 10th is answered: the others are in the outbox, some of them possibly stored by the server already.
  const run1 = H.imPage(t, srv, { ...FAST_RECONNECT }, { storage });
  await within(run1.ready, 'run 1 init');
  let answered1 = 0;
  for (let n = 0; n < 40; n++) send(run1, n).then(() => { answered1++; }, () => {});
  await waitFor(() => answered1 >= 10, 'run 1: 10 sends answered');
  await run1.sb.dispose();  // no callback of run 1 runs after this: answered1 is final
  assert.ok(outboxKeys(storage, 'alice').length > (perMessage ? 1 : 0), 'the outbox records are kept');

  // Run 2: started offline; 20 more sends wait in the outbox; the app dies again.
  const run2 = H.imPage(t, srv, null, { storage });
  await run2.sb.setNetwork(false);
  run2.init({ ...FAST_RECONNECT });
  for (let n = 40; n < 60; n++) send(run2, n).catch(() => {});
  await waitFor(() => /"n":59\b/.test(outboxText(storage, 'alice').replace(/\\"/g, '"')), 'run 2: the offline sends are stored');
  assert.equal(run2.of('message').length, 0);
  await run2.sb.dispose();

  // Run 3: online; the outbox drains; nobody holds those Promises: 'sent' events report them.
  const run3 = H.imPage(t, srv, { ...FAST_RECONNECT }, { storage });
  await within(run3.ready, 'run 3 init');
  await waitFor(() => outboxKeys(storage, 'alice').length === 0, 'run 3: the outbox drains', 30000);
  await waitFor(() => bob.of('message').filter((m) => m.formUser === 'alice').length >= 60, 'bob gets all 60', 30000);
  await sleep(500);
  const ns = bob.of('message').filter((m) => m.formUser === 'alice').map((m) => m.body.n);
  assert.deepEqual(ns, Array.from({ length: 60 }, (_, i) => i), 'each of the 60 exactly once, in send order');
  const seqs = bob.of('message').map((m) => m.seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'bob: seqs 1..n once each');
  // every message whose Promise died with its app is reported once by a 'sent' event (stored, or found
  // stored already: duplicate), and nothing else is
  await waitFor(() => run3.of('sent').length >= 60 - answered1, `${60 - answered1} sent events`);
  await sleep(200);
  const sent = run3.of('sent');
  assert.equal(sent.length, 60 - answered1, 'one sent event per message left in the outbox');
  assert.ok(sent.every((s) => s.code === 0), 'every restored send was stored');
  assert.equal(new Set(sent.map((s) => s.clientMsgId)).size, sent.length, 'distinct clientMsgIds');
});
}

// Found by the test above (.bugs-for-core.md; fixed in cafc74f and 51e39f7); kept as its deterministic form.
test('im reliability: a message/sync answer older than a live push does not reset the inbox', { skip }, async (t) => {
  const srv = await H.startDevserver(t);
  const alice = H.imPage(t, srv, null);
  const wire = interceptFrames(alice.sb);
  // The login sync is answered {maxSeq: 0}; the push of alice's own first message is delivered first.
  wire.hold({ match: /"maxSeq":0/, until: /^42\d*\["topic\.message"/ });
  await within(alice.init({ apiTransport: 'SOCKET' }), 'init');
  for (let n = 1; n <= 3; n++) {
    await within(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n } }), `send ${n}`);
  }
  assert.equal(wire.state.held.length, 1, 'the sync answer was held back');
  await waitFor(() => alice.of('message').length >= 3, 'own deliveries 1..3', 5000).catch(() => {});
  assert.deepEqual(alice.of('message').map((m) => m.seq), [1, 2, 3]);
  assert.deepEqual(alice.of('error').map((e) => e.message), []);
});

test('im reliability: a receiver app restarted mid-stream gets what it missed exactly once and nothing again', { skip, timeout: 120000 }, async (t) => {
  const srv = await H.startDevserver(t, { db: dbFile(t), args: ['--rate-limit', '0'] });
  const alice = H.imPage(t, srv, { apiTransport: 'SOCKET', ...FAST_RECONNECT });
  await within(alice.ready, 'alice init');
  const storage = new Storage();
  const bobCfg = { apiTransport: 'HTTP', loginAuid: 'bob', loginToken: 'pb', ...FAST_RECONNECT };
  const send = (n) => alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n } });
  const fromAlice = (p) => p.of('message').filter((m) => m.formUser === 'alice').map((m) => m.body.n);
  const got = [];

  // Run 1 of bob's app: 0..149 arrive; the app dies while 150..299 are being sent.
  const bob1 = H.imPage(t, srv, bobCfg, { storage });
  await within(bob1.ready, 'bob run 1');
  for (let n = 0; n < 150; n++) send(n);
  await waitFor(() => fromAlice(bob1).length >= 150, 'run 1 has 0..149', 30000);
  const sending = [];
  for (let n = 150; n < 300; n++) sending.push(send(n));
  await waitFor(() => fromAlice(bob1).length >= 170, 'run 1 receives a few more');
  got.push(...fromAlice(bob1));
  await bob1.sb.dispose();
  await within(Promise.all(sending), 'alice: all 300 stored', 60000);
  // more while bob's app is not running (more than the server's offline push limit of 100)
  for (let n = 300; n < 450; n++) await within(send(n), `send ${n}`);

  // Run 2: same storage: resumes after what run 1 handed over.
  const bob2 = H.imPage(t, srv, bobCfg, { storage });
  await within(bob2.ready, 'bob run 2');
  await waitFor(() => got.length + fromAlice(bob2).length >= 450, 'run 2 gets the rest', 60000);
  await sleep(500);
  got.push(...fromAlice(bob2));
  assert.deepEqual(got, Array.from({ length: 450 }, (_, i) => i), 'across both runs: every message once, in order');
  const seqs = [...bob1.of('message'), ...bob2.of('message')].map((m) => m.seq);
  assert.deepEqual(seqs, Array.from({ length: 450 }, (_, i) => i + 1), 'bob\'s seqs 1..450 once each across the restart');
});

test('im reliability: a room of three, each member sending while links drop and the server crashes: every member sees every message once, all in the same order', { skip, timeout: 120000 }, async (t) => {
  const R = Number(process.env.IM_ROOM_N || 200);
  const srv = await H.startDevserver(t, { db: dbFile(t), args: ['--rate-limit', '0'] });
  const who = ['alice', 'bob', 'carol'];
  const tokens = { alice: 'pa', bob: 'pb', carol: 'pc' };
  const pages = {};
  for (const [i, w] of who.entries()) {
    pages[w] = H.imPage(t, srv, { apiTransport: i === 1 ? 'HTTP' : 'SOCKET', loginAuid: w, loginToken: tokens[w], ...FAST_RECONNECT }, { suspendDelay: 50 });
    pages[w].who = w;
  }
  await within(Promise.all(who.map((w) => pages[w].ready)), 'logins');
  const rid = (await within(pages.alice.sdk.apis.room.add({ name: 'chaos', members: ['bob', 'carol'] }), 'room')).data.rid;
  const r = rng(SEED + 1);
  const answered = { alice: 0, bob: 0, carol: 0 };
  const failures = [];
  const senders = who.map((w) => (async () => {
    const inflight = new Set();
    for (let n = 0; n < R; n++) {
      while (inflight.size >= 4) await Promise.race(inflight);
      const p = pages[w].sdk.apis.message.send({ toTarget: rid, way: 'P2R', type: 'TEXT', body: { from: w, n } })
        .then(() => { answered[w]++; }, (e) => { failures.push([w, n, e.code, e.msg]); })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  })());
  const total = () => answered.alice + answered.bob + answered.carol;
  const chaos = (async () => {
    const plan = ['cut', 'cut', 'restart', 'hide', 'network', 'cut'];
    for (const [i, kind] of plan.entries()) {
      const at = Math.floor(((i + 1) * 3 * R) / (plan.length + 1));
      await waitProgress(() => total() >= at || failures.length > 0, total, `room progress ${at}`);
      const target = pages[who[Math.floor(r() * 3)]];
      if (kind === 'cut') cutSockets(target.sb);
      else if (kind === 'restart') await srv.restart('SIGKILL');
      else if (kind === 'hide') { await target.sb.hideApp(); await within(target.sb.waitSuspended(), 'suspended'); await sleep(200); await target.sb.showApp(); } else { await target.sb.setNetwork(false); await sleep(200); await target.sb.setNetwork(true, 'wifi'); }
    }
  })();
  await Promise.all([...senders, chaos]);
  assert.deepEqual(failures, [], 'every send resolved');
  const count = (p) => p.of('message').filter((m) => m.way === 'P2R').length;
  await waitProgress(() => who.every((w) => count(pages[w]) >= 3 * R), () => who.reduce((s, w) => s + count(pages[w]), 0), 'every member has every message');
  await sleep(500);
  const orders = who.map((w) => pages[w].of('message').filter((m) => m.way === 'P2R').map((m) => m.mid));
  for (const [i, w] of who.entries()) {
    assert.equal(orders[i].length, 3 * R, `${w}: ${3 * R} room messages, none twice`);
    for (let k = 1; k < orders[i].length; k++) if (!(orders[i][k] > orders[i][k - 1])) assert.fail(`${w}: mid order broken at #${k}`);
    const bySender = {};
    for (const m of pages[w].of('message')) (bySender[m.body.from] = bySender[m.body.from] || []).push(m.body.n);
    for (const s of who) assert.deepEqual(bySender[s], Array.from({ length: R }, (_, n) => n), `${w}: ${s}'s messages once each in send order`);
  }
  assert.deepEqual(orders[1], orders[0], 'bob sees the order alice sees');
  assert.deepEqual(orders[2], orders[0], 'carol sees the order alice sees');
});

for (const apiTransport of ['HTTP', 'SOCKET']) {
  test(`im reliability: a stream through JWT expiries (--jwt-ttl 1), answered from inside the message listener (${apiTransport})`, { skip, timeout: 120000 }, async (t) => {
    const N = 300;
    const srv = await H.startDevserver(t, { args: ['--jwt-ttl', '1', '--rate-limit', '0'] });
    const alice = H.imPage(t, srv, { apiTransport });
    const bob = H.imPage(t, srv, { apiTransport, loginAuid: 'bob', loginToken: 'pb' });
    await within(Promise.all([alice.ready, bob.ready]), 'logins');
    const echoes = [];
    // bob answers each message from inside his listener (a re-entrant send during the SDK's dispatch)
    bob.sdk.im.on('message', (m) => {
      if (m.formUser === 'alice') echoes.push(H.settle(bob.sdk.apis.message.send({ toTarget: 'alice', way: 'P2P', type: 'TEXT', body: { echo: m.body.n } })));
    });
    const sends = [];
    const inflight = new Set();
    for (let n = 0; n < N; n++) {
      while (inflight.size >= 20) await Promise.race(inflight);  // well below the outbox's 200
      const p = H.settle(alice.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body: { n } }));
      inflight.add(p);
      p.then(() => inflight.delete(p));
      sends.push(p);
      if (n % 10 === 9) await sleep(30);  // spread over a few seconds: several JWT lifetimes
    }
    const sent = await within(Promise.all(sends), 'alice: all sends answered', 60000);
    assert.deepEqual(sent.filter((x) => !x.ok).map((x) => [x.error.code, x.error.msg]).slice(0, 3), [], 'every send resolved');
    const echoed = () => alice.of('message').filter((m) => m.formUser === 'bob').length;
    await waitProgress(() => echoed() >= N, echoed, 'every echo');
    await sleep(300);
    const e = await Promise.all(echoes);
    assert.deepEqual(e.filter((x) => !x.ok).map((x) => [x.error.code, x.error.msg]).slice(0, 3), [], 'every echo resolved');
    const seq = (k) => Array.from({ length: k }, (_, i) => i);
    assert.deepEqual(bob.of('message').filter((m) => m.formUser === 'alice').map((m) => m.body.n), seq(N), 'bob: once each, in order');
    assert.deepEqual(alice.of('message').filter((m) => m.formUser === 'bob').map((m) => m.body.echo), seq(N), 'alice: echoes once each, in order');
    assert.deepEqual([...alice.of('error'), ...bob.of('error')].map((x) => x.message), [], 'no error events');
  });
}

test('im reliability: refused messages inside a queued burst do not block the others, through a flapping network and quick hide/show', { skip, timeout: 120000 }, async (t) => {
  const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
  const quick = { reconnectionDelay: 50, reconnectionDelayMax: 200 };
  const alice = H.imPage(t, srv, { apiTransport: 'HTTP', ...quick }, { suspendDelay: 30 });
  const bob = H.imPage(t, srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb', ...quick }, { suspendDelay: 30 });
  await within(Promise.all([alice.ready, bob.ready]), 'logins');
  const refusedAt = (n) => n % 15 === 7;  // to an unknown user: 404, dropped from the outbox
  const results = [];
  for (let n = 0; n < 60; n++) {
    results.push(H.settle(alice.sdk.apis.message.send({ toTarget: refusedAt(n) ? 'nobody' : 'bob', way: 'P2P', type: 'TEXT', body: { n } })));
  }
  for (let i = 0; i < 15; i++) {
    await alice.sb.setNetwork(false);
    await sleep(20);
    await alice.sb.setNetwork(true, 'wifi');
    await sleep(20);
    await bob.sb.hideApp();
    await sleep(i % 2 ? 10 : 60);  // before or after the suspension (suspendDelay 30 ms)
    await bob.sb.showApp();
  }
  const r = await within(Promise.all(results), 'every send settles', 60000);
  assert.deepEqual(r.map((x, n) => [n, x.ok ? 0 : x.error.code]).filter(([, c]) => c !== 0), [[7, 404], [22, 404], [37, 404], [52, 404]]);
  const expected = Array.from({ length: 60 }, (_, n) => n).filter((n) => !refusedAt(n));
  await waitProgress(() => bob.of('message').length >= expected.length, () => bob.of('message').length, 'bob gets the others');
  await sleep(300);
  assert.deepEqual(bob.of('message').map((m) => m.body.n), expected, 'the others once each, in order');
});
