'use strict';
// Real redis-server and PostgreSQL for the multi-node tests and benchmark, each in a temporary
// directory on a free loopback port, stopped (and the directory removed) by stop(). PostgreSQL
// refuses to run as root: when the test runs as root, initdb and postgres run as the `postgres` user
// (created by the Debian package) through runuser.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');
const { atExit } = require('../support/children');

const PG_BIN = process.env.ECHAT_PG_BIN || '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env.ECHAT_REDIS_SERVER || '/usr/bin/redis-server';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Why the services cannot run here, or null. */
function unavailable() {
  if (!fs.existsSync(REDIS_SERVER)) return `${REDIS_SERVER} not found (Debian package redis-server; toolchain/setup.sh installs it)`;
  if (!fs.existsSync(path.join(PG_BIN, 'postgres'))) return `${PG_BIN}/postgres not found (Debian package postgresql; toolchain/setup.sh installs it)`;
  if (process.getuid && process.getuid() === 0) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user to run PostgreSQL as';
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'true']).status !== 0) return 'running as root and runuser -u postgres fails';
  }
  return null;
}

/** argv run as the postgres user when we are root. */
function asPostgres(argv) {
  return process.getuid && process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0], argv.slice(1)];
}

function waitPort(port, child, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`${what} exited with ${child.exitCode}`));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => { sock.destroy(); resolve(); });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 5000).unref();
  });
}

/**
 * Start both: answers {redisUrl, pgUrl, dir, stop()}. PostgreSQL runs without fsync (a throwaway
 * cluster) unless `durable` (the benchmark: commits reach the disk, as SQLite's do).
 */
async function startServices({ durable = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-multinode-'));
  fs.chmodSync(dir, 0o755);
  const children = [];
  const logs = [];
  // The test process ending before stop() (node --test stopping the file midway): its exit hook ends
  // the services (synchronously), then removes the directory.
  const atEnd = [];
  const running = (c) => c.exitCode === null && c.signalCode === null;
  const forget = atExit(() => {
    for (const end of atEnd) end();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    const redisPort = await freePort();
    const redis = spawn(REDIS_SERVER, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--protected-mode', 'yes'], { stdio: ['ignore', 'ignore', 'pipe'] });
    atEnd.push(() => { if (running(redis)) redis.kill('SIGKILL'); });
    children.push(redis);
    redis.stderr.on('data', (d) => logs.push(`redis: ${d}`));

    const pgData = path.join(dir, 'pg');
    fs.mkdirSync(pgData, { mode: 0o700 });
    if (process.getuid && process.getuid() === 0) spawnSync('chown', ['-R', 'postgres', pgData]);
    const [initCmd, initArgs] = asPostgres([path.join(PG_BIN, 'initdb'), '-D', pgData, '-A', 'trust', '-U', 'echat', '--no-sync', '-E', 'UTF8']);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    const pgPort = await freePort();
    // fsync off for the tests: a throwaway cluster (the server's durability is not what they check).
    const fast = durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    const [pgCmd, pgArgs] = asPostgres([path.join(PG_BIN, 'postgres'), '-D', pgData, '-p', String(pgPort), '-h', '127.0.0.1',
      '-k', pgData, ...fast, '-c', 'max_connections=100']);
    const pgChild = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    // pg_ctl rather than a signal: under runuser, a SIGKILL would end runuser and leave postgres running.
    const [ctlCmd, ctlArgs] = asPostgres([path.join(PG_BIN, 'pg_ctl'), '-D', pgData, 'stop', '-m', 'immediate']);
    atEnd.push(() => { if (running(pgChild)) spawnSync(ctlCmd, ctlArgs, { stdio: 'ignore', timeout: 10000 }); });
    children.push(pgChild);
    pgChild.stderr.on('data', (d) => logs.push(`postgres: ${d}`));
    await Promise.all([waitPort(redisPort, redis, 'redis-server'), waitPort(pgPort, pgChild, 'postgres')]);
    // The port answers a little before the database accepts logins.
    const { Client } = require('pg');
    for (let i = 0; ; i += 1) {
      const c = new Client({ connectionString: `postgres://echat@127.0.0.1:${pgPort}/postgres` });
      try {
        await c.connect();
        await c.end();
        break;
      } catch (err) {
        await c.end().catch(() => {});
        if (i > 200) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return { redisUrl: `redis://127.0.0.1:${redisPort}`, pgUrl: `postgres://echat@127.0.0.1:${pgPort}/postgres`, stop, logs, dir };
  } catch (err) {
    await stop();
    err.message += `\n${logs.join('')}`;
    throw err;
  }
}

module.exports = { startServices, unavailable, freePort };
