'use strict';
// The IM harness's devserver (fixtures/im-harness.js) leaves nothing behind in TMPDIR however it is
// stopped: SIGKILL (as every test's t.after does, and the reliability tests mid-run) cannot let the
// server remove its :memory: upload directory, so each server runs with a TMPDIR of its own that
// dispose() removes. These directories once piled up in /tmp by the thousand. A run stopped midway
// (the runner's SIGTERM to its test files) kills its servers and removes its temp directories too.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const H = require('./fixtures/im-harness.js');

test('im harness: a devserver restarted after SIGKILL and SIGTERM, then disposed, leaves TMPDIR empty', { timeout: 60000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-im-harness-test-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;  // what the harness and the server children see as os.tmpdir()
  const cleanups = [];
  try {
    const srv = await H.startDevserver({ after: (fn) => cleanups.push(fn) });
    assert.equal(cleanups.length, 1);
    const made = () => fs.readdirSync(tmp, { recursive: true }).filter((f) => /echat-devserver-files-/.test(f));
    assert.equal(made().length, 1, 'the :memory: server made its upload directory under TMPDIR');
    await srv.restart('SIGKILL');
    await srv.restart('SIGTERM');
    assert.equal(srv.starts, 3);
  } finally {
    for (const fn of cleanups) await fn();
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.deepEqual(fs.readdirSync(tmp), []);
});

test('im harness: node --test stopped by SIGTERM midway leaves TMPDIR empty and no devserver running', { timeout: 60000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-im-harness-test-'));
  const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'echat-im-harness-ready-')), 'pid');
  t.after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.dirname(ready), { recursive: true, force: true });
  });
  const env = { ...process.env, TMPDIR: tmp, ECHAT_KILLED_RUN_READY: ready };
  delete env.NODE_TEST_CONTEXT;  // a runner of its own, not a file of this run
  const runner = spawn(process.execPath, ['--test', path.join(__dirname, 'fixtures', 'killed-run.js')], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => runner.on('exit', resolve));
  t.after(() => { if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL'); });
  await H.waitFor(() => fs.existsSync(ready) && fs.readFileSync(ready, 'utf8'), 'the run to be under way', 30000);
  const pid = Number(fs.readFileSync(ready, 'utf8'));
  assert.ok(fs.readdirSync(tmp).some((f) => f.startsWith('wx-sandbox-')) && fs.readdirSync(tmp).some((f) => f.startsWith('echat-im-devserver-')));
  runner.kill('SIGTERM');
  await H.within(exited, 'the runner to exit', 20000);
  const gone = () => { try { process.kill(pid, 0); return false; } catch (_) { return true; } };
  // (a SIGKILLed orphan can take a moment to be reaped)
  const orphan = await H.waitFor(gone, 'the devserver to go', 5000).then(() => false, () => true);
  if (orphan) process.kill(pid, 'SIGKILL');
  assert.equal(orphan, false, 'the devserver of the stopped run still runs');
  assert.deepEqual(fs.readdirSync(tmp), []);
});
