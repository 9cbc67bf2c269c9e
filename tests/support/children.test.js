'use strict';
// A node --test run stopped midway (the runner's SIGTERM to its files: a timeout, Ctrl-C) leaves no
// server running and no service directory behind (children.js): before 2026-12-06 the devservers of
// tests/devserver, tests/demo and im-session.test.js, and the multi-node tests' redis-server and
// PostgreSQL, outlived it, holding their ports.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const until = async (check, what, ms) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const listening = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (_) { return false; } };

test('node --test stopped by SIGTERM midway: its servers stop, their ports close, their directories go', { timeout: 120000 }, async (t) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-stopped-run-'));
  const ready = path.join(scratch, 'ready.json');
  t.after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const env = { ...process.env, ECHAT_STOPPED_RUN_READY: ready };
  delete env.NODE_TEST_CONTEXT;  // a runner of its own, not a file of this run
  const runner = spawn(process.execPath, ['--test', path.join(__dirname, 'fixtures', 'stopped-run.js')], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => runner.on('exit', resolve));
  t.after(() => { if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL'); });
  await until(() => fs.existsSync(ready), 'the run to be under way', 60000);
  const seen = JSON.parse(fs.readFileSync(ready, 'utf8'));
  for (const port of seen.ports) assert.ok(await listening(port), `port ${port} is served`);
  for (const dir of seen.dirs) assert.ok(fs.existsSync(dir));
  runner.kill('SIGTERM');
  let timer;
  await Promise.race([exited, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the runner did not exit')), 30000); })]);
  clearTimeout(timer);
  const left = async () => {
    const ports = [];
    for (const port of seen.ports) if (await listening(port)) ports.push(port);
    return { pids: seen.pids.filter(alive), ports, dirs: seen.dirs.filter((d) => fs.existsSync(d)) };
  };
  // (a killed child can take a moment to be reaped, and PostgreSQL to close its port)
  await until(async () => { const l = await left(); return !l.pids.length && !l.ports.length && !l.dirs.length; }, 'the servers to go', 15000)
    .catch(() => {});
  const l = await left();
  for (const pid of l.pids) { try { process.kill(pid, 'SIGKILL'); } catch (_) { /* gone */ } }
  assert.deepEqual(l, { pids: [], ports: [], dirs: [] }, 'left running or behind by the stopped run');
  if (!seen.dirs.length) t.diagnostic('redis-server / PostgreSQL not available here: the devserver and socket.io server only');
});
