#!/usr/bin/env node
'use strict';
// Load benchmark, loopback only: C simulated clients (socket.io-client 4, WebSocket) spread round-robin
// over the nodes; client i sends M P2P messages, one at a time (each waits for its answer), to client
// i+1, which is on another node when there are several. All clients send at once. Reported per setup:
//   msgs/s        messages delivered / time from the first send to the last delivery
//   p50/p99 ms    delivery latency: receipt of topic.message at the recipient minus the moment of the
//                 send (both clocks are this process's performance.now())
//   server RSS    resident memory of each node process after the run (/proc/<pid>/status VmRSS)
// Setups: one node on SQLite (the default), one node on PostgreSQL, three nodes on PostgreSQL + Redis.
// redis-server and PostgreSQL are started by the script (tests/multinode/services.js) and stopped.
//
//   node bench/multinode/run.js --clients 300 --messages 10      (docs/benchmarks.md, "Several nodes")
//   node bench/multinode/run.js --clients 2000 --messages 10     the size (a machine of its own)
//   options: --setups sqlite1,pg1,pg3   --json

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');
const { Client } = require('pg');
const h = require('../../tests/devserver/helpers');
const { startServices } = require('../../tests/multinode/services');

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '300' },
    messages: { type: 'string', default: '10' },
    setups: { type: 'string', default: 'sqlite1,pg1,pg3' },
    json: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const MESSAGES = Number(args.messages);
const APP = h.APP;
const SECRET = 'bench-secret';
const log = (line) => { if (!args.json) process.stderr.write(`${line}\n`); };

const rssKiB = (pid) => Number((/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8')) || [])[1]);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function freshPgDatabase(adminUrl, name) {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name}`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function runSetup(name, services, tmp) {
  const nodeCount = name === 'pg3' ? 3 : 1;
  const db = name === 'sqlite1' ? path.join(tmp, `${name}.sqlite`) : await freshPgDatabase(services.pgUrl, `bench_${name}`);
  if (name === 'pg3') {
    const redis = new (require('ioredis'))(services.redisUrl);
    await redis.flushall();
    await redis.quit();
  }
  const nodes = [];
  try {
    for (let i = 0; i < nodeCount; i += 1) {
      nodes.push(await h.startCli([
        '--http-port', '0', '--socket-port', '0', '--db', db, '--files', path.join(tmp, `files-${name}`),
        '--app', `${APP}:${SECRET}`, '--rate-limit', '0', '--max-connections-per-address', String(CLIENTS * 2 + 10),
        ...(nodeCount > 1 ? ['--redis', services.redisUrl] : []),
      ]));
    }
    const auids = Array.from({ length: CLIENTS }, (_, i) => `b${i}`);
    for (let i = 0; i < auids.length; i += 50) {
      await Promise.all(auids.slice(i, i + 50).map((auid) => h.httpCall(nodes[0], 'user', 'add', { appKey: APP, secret: SECRET, auid, token: `tk-${auid}` })
        .then((r) => { if (r.code !== 0) throw new Error(`user/add ${auid}: ${JSON.stringify(r)}`); })));
    }
    const latencies = [];
    let delivered = 0;
    let lastDelivery = 0;
    const expected = CLIENTS * MESSAGES;
    let allDelivered;
    const done = new Promise((resolve) => { allDelivered = resolve; });
    const sockets = [];
    for (let i = 0; i < auids.length; i += 50) {
      await Promise.all(auids.slice(i, i + 50).map(async (auid, j) => {
        const node = nodes[(i + j) % nodes.length];
        const socket = io(`http://127.0.0.1:${node.socketPort}`, { transports: ['websocket'], reconnection: false, forceNew: true });
        sockets[i + j] = socket;
        socket.on('topic.message', (m, ack) => {
          if (typeof ack === 'function') ack();
          if (m.formUser === auid) return; // the sender's own copy
          const now = performance.now();
          latencies.push(now - m.body.t);
          delivered += 1;
          lastDelivery = now;
          if (delivered === expected) allDelivered();
        });
        const r = await new Promise((resolve) => socket.emit('topic.connection',
          { method: 'authority/request', appKey: APP, auid, token: `tk-${auid}` }, resolve));
        if (r.response.code !== 0) throw new Error(`login ${auid}: ${JSON.stringify(r.response)}`);
      }));
    }
    log(`${name}: ${CLIENTS} clients logged in on ${nodeCount} node(s); sending ${expected} messages`);
    const start = performance.now();
    await Promise.all(sockets.map(async (socket, i) => {
      for (let k = 0; k < MESSAGES; k += 1) {
        const r = await new Promise((resolve) => socket.emit('topic.message',
          { method: 'send', way: 'P2P', toTarget: auids[(i + 1) % CLIENTS], type: 'CUSTOM', body: { t: performance.now(), k }, clientMsgId: `m${k}` }, resolve));
        if (r.response.code !== 0) throw new Error(`send: ${JSON.stringify(r.response)}`);
      }
    }));
    let timer;
    await Promise.race([done, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${name}: ${delivered}/${expected} delivered after 120 s`)), 120000); })]);
    clearTimeout(timer);
    const seconds = (lastDelivery - start) / 1000;
    latencies.sort((a, b) => a - b);
    const rss = nodes.map((n) => Math.round(rssKiB(n.child.pid) / 1024));
    for (const s of sockets) s.close();
    return {
      setup: name, nodes: nodeCount, clients: CLIENTS, messages: expected,
      msgsPerSecond: Math.round(expected / seconds), p50ms: +pct(latencies, 0.5).toFixed(1), p99ms: +pct(latencies, 0.99).toFixed(1),
      serverRssMiB: rss, clientRssMiB: Math.round(process.memoryUsage().rss / 1048576),
    };
  } finally {
    for (const n of nodes) n.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.exited));
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-bench-multinode-'));
  const services = await startServices({ durable: true }); // fsync on, like SQLite's synchronous=FULL
  const results = [];
  try {
    for (const setup of args.setups.split(',')) results.push(await runSetup(setup, services, tmp));
  } finally {
    await services.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  console.log(`${CLIENTS} clients x ${MESSAGES} messages, ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`);
  console.log('| setup | nodes | msgs/s | p50 ms | p99 ms | server RSS MiB (per node) |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(`| ${r.setup} | ${r.nodes} | ${r.msgsPerSecond} | ${r.p50ms} | ${r.p99ms} | ${r.serverRssMiB.join(' + ')} |`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack}\n`);
  process.exit(1);
});
