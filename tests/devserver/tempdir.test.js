'use strict';
// The temporary upload directory of a server on ':memory:' without --files (os.tmpdir()/
// echat-devserver-files-*) is removed however the server ends short of SIGKILL: close(), a start()
// that fails once the directory exists, SIGTERM / SIGINT to the command line, also one that comes
// while it is still starting. Each case runs with TMPDIR at a fresh directory and checks that it is
// empty afterwards (these directories once piled up in /tmp by the thousand).

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { start } = require('../../devserver/lib');
const h = require('./helpers');
const { ownChild } = require('../support/children');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-tempdir-test-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshTmp = () => fs.mkdtempSync(path.join(root, `t${++n}-`));

// Runs fn with process.env.TMPDIR (what os.tmpdir() reads) at `dir`.
async function withTmpdir(dir, fn) {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    assert.equal(os.tmpdir(), dir);
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

const base = { host: '127.0.0.1', httpPort: 0, socketPort: 0, db: ':memory:', insecureDemoSecret: true, log: () => {} };

describe('temporary upload directory', () => {
  test('start() makes it in os.tmpdir() and close() removes it', async () => {
    const tmp = freshTmp();
    await withTmpdir(tmp, async () => {
      const server = await start(base);
      assert.equal(path.dirname(server.filesDir), tmp);
      assert.match(path.basename(server.filesDir), /^echat-devserver-files-/);
      await server.close();
    });
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  test('a start() that fails after making it removes it', async () => {
    const tmp = freshTmp();
    await withTmpdir(tmp, async () => {
      // A token SQLite cannot bind: the seeding of the users fails, after the directory was made.
      await assert.rejects(start({ ...base, users: [{ auid: 'x', token: {} }] }));
    });
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    test(`the command line removes it on ${signal} and exits 0`, async () => {
      const tmp = freshTmp();
      const info = await h.startCli(['--http-port', '0', '--socket-port', '0', '--db', ':memory:'], { env: { TMPDIR: tmp } });
      assert.equal(fs.readdirSync(tmp).length, 1);
      info.child.kill(signal);
      assert.deepEqual(await h.deadline(info.exited, 'exit', 15000), { code: 0, signal: null });
      assert.deepEqual(fs.readdirSync(tmp), []);
    });
  }

  test('the command line removes it on a SIGTERM that comes while it starts', async () => {
    const tmp = freshTmp();
    const child = ownChild(spawn(process.execPath, [h.CLI, '--http-port', '0', '--socket-port', '0', '--db', ':memory:'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } }));
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    // The directory appears in start(), before the server listens: signal at once.
    const watcher = fs.watch(tmp, () => { watcher.close(); child.kill('SIGTERM'); });
    const exit = await h.deadline(new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig }))), 'exit', 15000)
      .finally(() => watcher.close());
    assert.deepEqual(exit, { code: 0, signal: null }, stderr);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });
});
