'use strict';
// The command line (docs/protocol.md section 14) in a child process: --help, flag errors, the
// "listening" line, the E聊 sample defaults, --app/--user/--jwt-ttl, the default database location,
// persistence across a SIGTERM restart.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawnSync } = require('node:child_process');
const jwt = require('jsonwebtoken');
const h = require('./helpers');
const { ownChild } = require('../support/children');

const FLAGS = ['--host', '--http-port', '--socket-port', '--db', '--files', '--app', '--user', '--jwt-ttl', '--max-body-bytes',
  '--max-upload-bytes', '--rate-limit', '--insecure-demo-secret', '--max-connections-per-address', '--login-timeout', '--recall-window', '--offline-push-limit', '--ping-interval', '--ping-timeout', '--public-url',
  '--verbose', '--help'];

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'echat-cli-test-'));
const run = (args, opts = {}) => spawnSync(process.execPath, [h.CLI, ...args], { encoding: 'utf8', timeout: 20000, ...opts });

async function stop(info) {
  info.child.kill('SIGTERM');
  return info.exited;
}

describe('command line', () => {
  test('--help documents every flag and exits 0', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const flag of FLAGS) assert.ok(r.stdout.includes(flag), `--help should document ${flag}`);
    assert.match(r.stdout, /TSDKTEST00001/);
  });

  test('bad flags and values exit 2 with a message on stderr', () => {
    for (const args of [['--bogus'], ['--http-port', 'abc'], ['--http-port', '70000'], ['--user', 'nocolon'], ['--app', ':secret'],
      ['--rate-limit', 'x'], ['--jwt-ttl', '0'], ['--app', 'K:']]) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /echat-devserver: /);
      assert.equal(r.stdout, '');
    }
  });

  test('prints exactly one listening line; the E聊 sample defaults work; SIGTERM exits 0', async () => {
    const dir = tmpDir();
    const info = await h.startCli(['--http-port', '0', '--socket-port', '0', '--db', path.join(dir, 'db.sqlite')]);
    try {
      assert.deepEqual(Object.keys(JSON.parse(info.lines[0])), ['event', 'host', 'httpPort', 'socketPort']);
      assert.equal(info.event, 'listening');
      assert.equal(info.host, '127.0.0.1');
      assert.ok(info.httpPort > 0 && info.socketPort > 0 && info.httpPort !== info.socketPort);
      // The E聊 sample configuration: key TSDKTEST00001, loginAuid admin, loginToken admin.
      const c = new h.SocketClient(info, { eio: 3 });
      h.ok(await c.login('admin', 'admin', 'TSDKTEST00001'));
      c.close();
      // The default app's admin secret is generated (tests/devserver/security.test.js), never empty.
      h.fails(await h.httpCall(info, 'user', 'add', { appKey: 'TSDKTEST00001', secret: '', auid: 'newbie' }), 401, 'invalid secret');
      const secret = JSON.parse(fs.readFileSync(path.join(dir, 'app-secrets.json'), 'utf8')).TSDKTEST00001;
      h.ok(await h.httpCall(info, 'user', 'add', { appKey: 'TSDKTEST00001', secret, auid: 'newbie' }));
    } finally {
      assert.deepEqual(await stop(info), { code: 0, signal: null });
    }
    assert.equal(info.lines.length, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--app, --user and --jwt-ttl', async () => {
    const info = await h.startCli(['--http-port', '0', '--socket-port', '0', '--db', ':memory:', '--app', 'K1:S1', '--app', 'K2',
      '--user', 'u1:t1:Name: One', '--user', 'u2:t2', '--jwt-ttl', '120']);
    try {
      for (const appKey of ['K1', 'K2']) {
        const token = h.ok(await h.httpCall(info, 'auth', 'login', { appKey, auid: 'u1', token: 't1' }));
        const claims = jwt.decode(token);
        assert.equal(claims.exp - claims.iat, 120);
        assert.equal(claims.appKey, appKey);
        assert.equal(h.ok(await h.httpCall(info, 'user', 'get', { jwt: token, auid: 'u1' })).name, 'Name: One');
      }
      h.ok(await h.httpCall(info, 'auth', 'login', { appKey: 'K2', auid: 'u2', token: 't2' }));
      // The defaults are replaced, not added to.
      h.fails(await h.httpCall(info, 'auth', 'login', { appKey: 'TSDKTEST00001', auid: 'admin', token: 'admin' }), 401);
      h.fails(await h.httpCall(info, 'auth', 'login', { appKey: 'K1', auid: 'admin', token: 'admin' }), 401);
      h.fails(await h.httpCall(info, 'user', 'add', { appKey: 'K1', auid: 'x' }), 401, 'invalid secret');
      h.ok(await h.httpCall(info, 'user', 'add', { appKey: 'K1', secret: 'S1', auid: 'x' }));
    } finally {
      assert.equal((await stop(info)).code, 0);
    }
  });

  test('the default database is ./.echat-devserver/echat.sqlite, or $ECHAT_DEVSERVER_DB', async () => {
    const cwd = tmpDir();
    const env = { ...process.env };
    delete env.ECHAT_DEVSERVER_DB;
    const child = ownChild(require('node:child_process').spawn(process.execPath, [h.CLI, '--http-port', '0', '--socket-port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const line = await h.deadline(new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d)))), 'listening line');
    assert.equal(JSON.parse(line).event, 'listening');
    assert.ok(fs.existsSync(path.join(cwd, '.echat-devserver', 'echat.sqlite')));
    assert.ok(fs.existsSync(path.join(cwd, '.echat-devserver', 'files')));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    const envDb = path.join(cwd, 'elsewhere', 'x.sqlite');
    const info = await h.startCli(['--http-port', '0', '--socket-port', '0'], { env: { ECHAT_DEVSERVER_DB: envDb } });
    await stop(info);
    assert.ok(fs.existsSync(envDb));
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  test('data and JWTs survive a SIGTERM restart on the same database', async () => {
    const dir = tmpDir();
    const args = ['--http-port', '0', '--socket-port', '0', '--db', path.join(dir, 'echat.sqlite'), '--user', 'a:pa', '--user', 'b:pb'];
    let info = await h.startCli(args);
    const token = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'a', token: 'pa' }));
    const sent = h.ok(await h.httpCall(info, 'message', 'send', { jwt: token, ...h.text('a', 'b', 'persist me'), clientMsgId: 'p1' }));
    const room = h.ok(await h.httpCall(info, 'room', 'add', { jwt: token, name: 'kept', members: ['b'] }));
    assert.equal((await stop(info)).code, 0);

    info = await h.startCli(args);
    try {
      // The JWT issued before the restart is still valid (the signing key is in the database).
      const again = h.ok(await h.httpCall(info, 'message', 'send', { jwt: token, ...h.text('a', 'b', 'changed'), clientMsgId: 'p1' }));
      assert.deepEqual(again, { ...sent, duplicate: true });
      const bToken = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'b', token: 'pb' }));
      const synced = h.ok(await h.httpCall(info, 'message', 'sync', { jwt: bToken }));
      assert.deepEqual(synced.messages.map((m) => m.body.text), ['persist me']);
      assert.deepEqual(h.ok(await h.httpCall(info, 'room', 'list', { jwt: bToken })).map((r) => r.rid), [room.rid]);
    } finally {
      await stop(info);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a port already in use makes it exit 1 with the reason', async () => {
    const blocker = net.createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const r = run(['--http-port', String(blocker.address().port), '--socket-port', '0', '--db', ':memory:']);
    blocker.close();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /EADDRINUSE/);
    assert.equal(r.stdout, '');
  });
});
