'use strict';
// The IM harness's devserver (fixtures/im-harness.js) leaves nothing behind in TMPDIR however it is
// stopped: SIGKILL (as every test's t.after does, and the reliability tests mid-run) cannot let the
// server remove its :memory: upload directory, so each server runs with a TMPDIR of its own that
// dispose() removes. These directories once piled up in /tmp by the thousand.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
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
