#!/usr/bin/env node
'use strict';
// IM end to end: messages from A through the devserver to B's message handler, both in the mini-program
// sandbox (tests/sandbox) of this process, the devserver in a child process (:memory:, --rate-limit 0).
//
//   client "sdk"    sdk.apis.message.send on A, sdk.im.on('message') on B (the SDK with sdk.im; see
//                   tests/js/fixtures/im-harness.js for which build: dist/ or the ECHAT_WITH_IM variant)
//   client "sdk-records"  the same with outboxPerMessageRecords: true (one storage record per outbox entry)
//   client "weapp"  npm weapp.socket.io 3.0.0 in the same sandbox as a raw E聊-protocol client: login with
//                   topic.connection/authority/request, send with topic.message/send (JWT in the envelope,
//                   clientMsgId), receive topic.message and ack it with {seq}. Nothing else: no outbox,
//                   no persistence, no ordering or dedup, no sync, no reconnection logic.
//
// For each client and window W (sends outstanding at A): a warm-up, then --messages P2P messages.
// Reported: messages/s (first send to last message handed to B), latency (send call -> B's handler)
// p50/p99, CPU per message (process.cpuUsage delta of this process around the measured part / messages;
// this covers A's sending and B's receiving and the harness, not the devserver).
//
//   node bench/im/run.js [--messages 2000] [--windows 1,16] [--runs 3] [--clients sdk,sdk-records,weapp] [--split] [--json]
//
// --split runs A in a child process (this file, --role sender, driven over IPC), so the CPU column is the
// receiving sandbox's alone (plus this process's small share of the harness).
// Also reported: the devserver's CPU per message and how busy it was (its CPU time / the run's wall time,
// from /proc on Linux): near 100 % it, not the clients, sets the messages/s (it is one Node process).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const MESSAGES = Number(opt('messages', 2000));
const WARMUP = Number(opt('warmup', 200));
const WINDOWS = String(opt('windows', '1,16')).split(',').map(Number);
const RUNS = Number(opt('runs', 3));
const CLIENTS = String(opt('clients', 'sdk,sdk-records,weapp')).split(',');
const JSON_OUT = args.includes('--json');
const SPLIT = args.includes('--split');  // A in a child process: the CPU column is B's (the receiver's) alone

const H = require('../../tests/js/fixtures/im-harness');

if (H.skip) {
  console.error(`bench/im: ${H.skip}`);
  process.exit(2);
}

// A raw E聊 client over weapp.socket.io, written as page code (runs in the page realm).
const WEAPP_CLIENT = `'use strict';
var io = require('../../utils/weapp.socket.io.js');
module.exports = function connect(url, cfg, onMessage, onReady) {
  var socket = io(url, { transports: ['websocket'], reconnection: false });
  var state = { jwt: null, n: 0, socket: socket };
  socket.on('connect', function () {
    socket.emit('topic.connection', { requestId: 'login', timestamp: Date.now(), method: 'authority/request',
      appKey: cfg.key, auid: cfg.auid, token: cfg.token }, function (ack) {
      if (!ack || !ack.response || ack.response.code !== 0) throw new Error('login failed: ' + JSON.stringify(ack));
      state.jwt = ack.response.data;
      onReady();
    });
  });
  socket.on('topic.message', function (m, ack) {
    if (typeof ack === 'function') ack({ seq: m.seq });
    onMessage(m);
  });
  state.send = function (form, cb) {
    state.n++;
    var env = { requestId: 'r' + state.n, timestamp: Date.now(), method: 'send', jwt: state.jwt,
      formUser: cfg.auid, clientMsgId: 'w-' + state.n };
    for (var k in form) env[k] = form[k];
    socket.emit('topic.message', env, function (ack) { cb(ack && ack.response); });
  };
  state.close = function () { socket.disconnect(); };
  return state;
};
`;

function fakeT() {
  const afters = [];
  return { after: (f) => afters.push(f), cleanup: async () => { for (const f of afters.reverse()) { try { await f(); } catch (_) { /* best effort */ } } } };
}

async function sdkSender(t, srv, extra = {}) {
  const a = H.imPage(t, srv, { apiTransport: 'SOCKET', ...extra });
  await H.within(a.ready, 'sdk login (alice)', 20000);
  a.sdk.im.on('message', () => {});
  return { send: (body) => a.sdk.apis.message.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body }) };
}

async function sdkReceiver(t, srv, extra = {}) {
  const b = H.imPage(t, srv, { apiTransport: 'SOCKET', loginAuid: 'bob', loginToken: 'pb', ...extra });
  await H.within(b.ready, 'sdk login (bob)', 20000);
  let handler = null;
  b.sdk.im.on('message', (m) => { if (handler) handler(m); });
  return { onMessage: (fn) => { handler = fn; } };
}

function weappModule(t) {
  const root = H.helpers.sdkPackage();
  const file = path.join(root, 'pages', 'bench', 'weapp-echat.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, WEAPP_CLIENT);
}

async function weappClient(t, srv, auid, token, onMessage) {
  weappModule(t);
  const page = H.helpers.openPage(t);
  const connect = page.sb.require('/pages/bench/weapp-echat.js');
  let client;
  await H.within(new Promise((resolve) => {
    client = connect(`http://127.0.0.1:${srv.socketPort}`, { key: H.APP_KEY, auid, token }, onMessage, resolve);
  }), `${auid} weapp login`, 20000);
  t.after(() => client.close());
  return client;
}

async function weappSender(t, srv) {
  const a = await weappClient(t, srv, 'alice', 'pa', () => {});
  return {
    send: (body) => new Promise((resolve, reject) => a.send({ toTarget: 'bob', way: 'P2P', type: 'TEXT', body }, (r) => {
      if (r && r.code === 0) resolve(r);
      else reject(new Error(`send failed: ${JSON.stringify(r)}`));
    })),
  };
}

async function weappReceiver(t, srv) {
  let handler = null;
  await weappClient(t, srv, 'bob', 'pb', (m) => { if (handler) handler(m); });
  return { onMessage: (fn) => { handler = fn; } };
}

const extraOf = (client) => (client === 'sdk-records' ? { outboxPerMessageRecords: true } : {});
const makeSender = (t, srv, client) => (client === 'weapp' ? weappSender(t, srv) : sdkSender(t, srv, extraOf(client)));
const makeReceiver = (t, srv, client) => (client === 'weapp' ? weappReceiver(t, srv) : sdkReceiver(t, srv, extraOf(client)));

// Issues `count` sends with at most `window` outstanding; resolves when all are answered.
function sendLoop(sender, count, window, tag) {
  return new Promise((resolve, reject) => {
    let issued = 0;
    let answered = 0;
    const pump = () => {
      while (issued < count && issued - answered < window) {
        issued++;
        sender.send({ tag, n: issued, t: Date.now(), text: `message ${issued}` }).then(() => {
          answered++;
          if (answered === count) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
}

// Runs `loop` (the sends) and resolves when B's handler has had all `count` messages of `tag`.
function drive(receiver, loop, count, tag) {
  return new Promise((resolve, reject) => {
    const lat = [];
    let received = 0;
    const start = Date.now();
    receiver.onMessage((m) => {
      if (!m.body || m.body.tag !== tag) return;
      lat.push(Date.now() - m.body.t);
      received++;
      if (received === count) resolve({ lat, wall: Date.now() - start });
    });
    loop().catch(reject);
  });
}

// --split: A runs in a child process (this file with --role sender), so this process's CPU is B's alone.
function childSender(srv, client) {
  const { fork } = require('node:child_process');
  const child = fork(__filename, ['--role', 'sender', '--client', client, '--http-port', String(srv.httpPort),
    '--socket-port', String(srv.socketPort)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (m) => { const w = waiting.shift(); if (w) (m.error ? w.reject(new Error(m.error)) : w.resolve(m)); });
  const ask = (msg) => new Promise((resolve, reject) => { waiting.push({ resolve, reject }); if (msg) child.send(msg); });
  return {
    ready: ask(null),
    loop: (count, window, tag) => () => ask({ count, window, tag }),
    stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
  };
}

async function senderRole() {
  const t = fakeT();
  const srv = { httpPort: Number(opt('http-port')), socketPort: Number(opt('socket-port')) };
  const sender = await makeSender(t, srv, opt('client'));
  process.on('message', (m) => {
    sendLoop(sender, m.count, m.window, m.tag).then(() => process.send({ done: true }), (e) => process.send({ error: String(e) }));
  });
  process.on('SIGTERM', () => t.cleanup().then(() => process.exit(0)));
  process.send({ ready: true });
}

// A child process's CPU time in ms (Linux: /proc/<pid>/stat utime + stime, in ticks of 10 ms); null elsewhere.
function childCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // f[0] is field 3 (state)
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch (_) {
    return null;
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function once(client, window) {
  const t = fakeT();
  try {
    const srv = await H.startDevserver(t, { args: ['--rate-limit', '0'] });
    let loop;
    if (SPLIT) {
      const child = childSender(srv, client);
      t.after(() => child.stop());
      await H.within(child.ready, 'the sender process', 30000);
      loop = child.loop;
    } else {
      const sender = await makeSender(t, srv, client);
      loop = (count, w, tag) => () => sendLoop(sender, count, w, tag);
    }
    const receiver = await makeReceiver(t, srv, client);
    await H.within(drive(receiver, loop(WARMUP, window, 'warm'), WARMUP, 'warm'), 'warm-up', 120000);
    const s0 = childCpuMs(srv.child.pid);
    const c0 = process.cpuUsage();
    const r = await H.within(drive(receiver, loop(MESSAGES, window, 'run'), MESSAGES, 'run'), 'run', 300000);
    const c = process.cpuUsage(c0);
    const s1 = childCpuMs(srv.child.pid);
    const serverMs = s0 === null || s1 === null ? null : s1 - s0;
    const lat = r.lat.sort((x, y) => x - y);
    return { rate: (MESSAGES * 1000) / r.wall, p50: pct(lat, 50), p99: pct(lat, 99), cpuUs: (c.user + c.system) / MESSAGES, wall: r.wall,
      serverUs: serverMs === null ? null : (serverMs * 1000) / MESSAGES, serverBusy: serverMs === null ? null : serverMs / r.wall };
  } finally {
    await t.cleanup();
  }
}

const fmtServer = (r) => (r.serverUs === null ? 'n/a' : `${(r.serverUs / 1000).toFixed(2)} ms, ${(100 * r.serverBusy).toFixed(0)} %`);

async function main() {
  const rows = [];
  // Rounds are interleaved (round 1 of every client and window, then round 2, ...), so a change in the
  // machine's load hits every row alike.
  const results = new Map();
  for (let i = 0; i < RUNS; i++) {
    for (const client of CLIENTS) {
      for (const window of WINDOWS) {
        const key = `${client} ${window}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(await once(client, window));
      }
    }
  }
  for (const client of CLIENTS) {
    for (const window of WINDOWS) {
      const runs = results.get(`${client} ${window}`);
      const row = {
        client, window, messages: MESSAGES, runs: RUNS,
        rate: median(runs.map((r) => r.rate)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)),
        cpuUs: median(runs.map((r) => r.cpuUs)), all: runs,
        serverUs: runs[0].serverUs === null ? null : median(runs.map((r) => r.serverUs)),
        serverBusy: runs[0].serverBusy === null ? null : median(runs.map((r) => r.serverBusy)),
      };
      rows.push(row);
      if (!JSON_OUT) {
        console.error(`${client} W=${window}: ${row.rate.toFixed(0)} msg/s, p50 ${row.p50} ms, p99 ${row.p99} ms, `
          + `${(row.cpuUs / 1000).toFixed(2)} ms CPU/msg, devserver ${fmtServer(row)} (runs: ${runs.map((r) => r.rate.toFixed(0)).join(', ')} msg/s)`);
      }
    }
  }
  const machine = { nproc: os.cpus().length, cpu: os.cpus()[0] && os.cpus()[0].model, node: process.version, sdk: H.CHOSEN.origin };
  if (JSON_OUT) {
    console.log(JSON.stringify({ machine, rows }, null, 2));
  } else {
    console.log(`| client | window | messages/s | latency p50 | latency p99 | CPU per message | devserver CPU per message, busy |`);
    console.log(`|---|---|---|---|---|---|---|`);
    for (const r of rows) {
      const label = { sdk: 'echatim sdk.im/sdk.apis', 'sdk-records': 'echatim, outboxPerMessageRecords', weapp: 'weapp.socket.io 3.0.0 (raw E聊 client)' }[r.client];
      console.log(`| ${label} | ${r.window} | ${r.rate.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${(r.cpuUs / 1000).toFixed(2)} ms | ${fmtServer(r)} |`);
    }
    console.log(`\nmachine: ${machine.nproc} × ${machine.cpu}, node ${machine.node}; SDK: ${machine.sdk}; ${MESSAGES} messages, median of ${RUNS} interleaved rounds; `
      + `CPU column: ${SPLIT ? 'B (the receiver) alone, A in a child process' : 'A + B in this process'}`);
  }
  process.exit(0);
}

(opt('role') === 'sender' ? senderRole() : main()).catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
