'use strict';
// The devserver attacked as issue 11 describes (docs/security.md lists each promise and its test here).
// Every attack runs against a real server on 127.0.0.1 started by the test (in this process, or the
// command line as a child process when its memory is measured), and the server is stopped after.
// Memory bounds are asserted in bytes (the child's peak RSS, /proc/<pid>/status VmHWM), never in time.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const WebSocket = require('ws');
const h = require('./helpers');

const MiB = 1024 * 1024;
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'echat-security-test-'));
const mode = (p) => fs.statSync(p).mode & 0o777;

/** {rss, hwm} of a process in bytes (VmRSS now, VmHWM the peak so far). */
function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// The baseline of one attack: the process's RSS now, with its peak (VmHWM) reset to it, so that the
// peak read after the attack is this attack's and not an earlier test's (writing 5 to clear_refs resets
// VmHWM, Linux >= 4.0). Where that is refused, the earlier peak counts as the baseline instead.
function attackBase(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch (_) {
    return memoryOf(pid).hwm;
  }
  return memoryOf(pid).rss;
}

async function stop(info) {
  info.child.kill('SIGTERM');
  return info.exited;
}

/** A multipart/form-data body: fields, then optionally one file part. */
function multipart(fields, file) {
  const boundary = `----echat${crypto.randomBytes(8).toString('hex')}`;
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\n`
      + `Content-Type: ${file.mime}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { raw: Buffer.concat(parts), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

/** POST raw bytes; resolves to {status, body} or {error} when the server closed the connection first. */
function post(port, urlPath, raw, headers) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', agent: false,
      headers: { 'Content-Length': raw.length, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        try {
          resolve({ status: res.statusCode, body: JSON.parse(text) });
        } catch (_) { // cut short by the server closing the connection: reported as closed, with what came
          resolve({ status: res.statusCode, error: new Error(`HTTP ${res.statusCode}, not JSON: ${JSON.stringify(text.slice(0, 200))}`) });
        }
      });
      res.on('error', (error) => resolve({ error }));
    });
    req.on('error', (error) => resolve({ error }));
    req.end(raw);
  });
}

/** A raw Engine.IO 4 WebSocket (socket.io namespace joined); resolves once open. */
function rawSocket(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  ws.on('error', () => {});
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  return h.deadline(new Promise((resolve, reject) => {
    ws.once('open', () => { ws.send('40'); resolve({ ws, closed }); });
    ws.once('unexpected-response', (req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('close', () => reject(new Error('closed before open')));
  }), 'raw websocket');
}

const sendFrame = (ws, data) => new Promise((resolve) => {
  if (ws.readyState !== WebSocket.OPEN) return resolve();
  return ws.send(data, () => resolve());
});

describe('security: uploads cannot crash the server (issue 11: "image/png中")', () => {
  let server;
  let jwt;
  before(async () => {
    server = await h.startServer();
    await h.addUsers(server, ['sec']);
    jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'sec', token: 'tk-sec' }));
  });
  after(() => server.close());

  test('a header-unsafe or CRLF mime is refused naming the field, on every upload path; the server keeps serving', async () => {
    for (const mime of ['image/png中', 'text/html\r\nSet-Cookie: a=b', 'image/png\u0000', 'nonsense', '']) {
      const json = await h.httpCall(server, 'file', 'upload', { jwt, name: 'x.png', mime, data: Buffer.from('x').toString('base64') });
      h.fails(json, 400, "'mime'");
      const c = new h.SocketClient(server, { eio: 4 });
      h.ok(await c.login('sec'));
      h.fails(await c.call('file', 'upload', { name: 'x.png', mime, data: Buffer.from('x') }), 400, "'mime'");
      c.close();
    }
    const body = multipart({ jwt, mime: 'image/png中' }, { filename: 'x.png', mime: 'image/png', data: Buffer.from('x') });
    h.fails((await post(server.httpPort, '/v1/file/upload', body.raw, body.headers)).body, 400, "'mime'");
    // Parameters and case are normalised away.
    const ok = h.ok(await h.httpCall(server, 'file', 'upload', { jwt, name: 'a.txt', mime: 'Text/Plain; charset=UTF-8', data: 'eA==' }));
    assert.equal(ok.mime, 'text/plain');
    assert.deepEqual(server.errors, []);
  });

  test('a name cut inside a surrogate pair (or holding a lone surrogate) is stored well-formed, no 500, no orphan', async () => {
    const before = fs.readdirSync(server.filesDir).length;
    const cut = `${'a'.repeat(199)}😀😀`; // the 200th UTF-16 unit is the high half of a pair
    const r1 = h.ok(await h.httpCall(server, 'file', 'upload', { jwt, name: cut, mime: 'text/plain', data: 'eA==' }));
    assert.equal(r1.name, `${'a'.repeat(199)}😀`);
    const r2 = h.ok(await h.httpCall(server, 'file', 'upload', { jwt, name: 'x\ud800y.png', mime: 'image/png', data: 'eA==' }));
    assert.equal(r2.name, 'xy.png');
    for (const r of [r1, r2]) assert.equal((await h.httpRequest(server, r.path, { method: 'GET' })).status, 200);
    // Failures write nothing: a bad mime, a bad base64, a too-large multipart part.
    h.fails(await h.httpCall(server, 'file', 'upload', { jwt, name: 'n', mime: 'bad', data: 'eA==' }), 400);
    h.fails(await h.httpCall(server, 'file', 'upload', { jwt, name: 'n', data: '***' }), 400);
    const big = multipart({ jwt }, { filename: 'big', mime: 'image/png', data: Buffer.alloc(11 * MiB) });
    const res = await post(server.httpPort, '/v1/file/upload', big.raw, big.headers);
    if (!res.error) h.fails(res.body, 413);
    await h.eventually(() => assert.equal(fs.readdirSync(server.filesDir).length, before + 2), 'no orphan file');
    assert.deepEqual(server.errors, []);
  });
});

describe('security: a failing disk', () => {
  test('an upload whose write fails answers 500, leaves no row and no file, and the server keeps serving', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'echat.sqlite');
    const server = await h.startServer({ db });
    try {
      await h.addUsers(server, ['disk']);
      const jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'disk', token: 'tk-disk' }));
      fs.rmSync(server.filesDir, { recursive: true }); // every write now fails (ENOENT)
      h.fails(await h.httpCall(server, 'file', 'upload', { jwt, name: 'a.txt', data: 'eA==' }), 500);
      const body = multipart({ jwt }, { filename: 'b.png', mime: 'image/png', data: Buffer.from('png') });
      const res = await post(server.httpPort, '/v1/file/upload', body.raw, body.headers);
      assert.ok(res.error || res.body.code >= 400, JSON.stringify(res.body));
      const sqlite = new Database(db, { readonly: true });
      assert.equal(sqlite.prepare('SELECT COUNT(*) AS n FROM files').get().n, 0);
      sqlite.close();
      assert.equal(fs.existsSync(server.filesDir), false);
      h.ok(await h.httpCall(server, 'user', 'get', { jwt, auid: 'disk' }));
      server.errors.length = 0; // the 500 was logged, as it should be
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security: an upload cut off midway', () => {
  test('leaves no temporary file and no row', async () => {
    const server = await h.startServer();
    try {
      await h.addUsers(server, ['cut']);
      const jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'cut', token: 'tk-cut' }));
      h.ok(await h.httpCall(server, 'file', 'upload', { jwt, name: 'first', data: 'eA==' }));
      const dir = server.filesDir;
      const body = multipart({ jwt }, { filename: 'half.bin', mime: 'image/png', data: Buffer.alloc(2 * MiB, 5) });
      await new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: server.httpPort, path: '/v1/file/upload', method: 'POST',
          headers: { ...body.headers, 'Content-Length': body.raw.length } });
        req.on('error', () => resolve());
        req.write(body.raw.subarray(0, MiB), () => setTimeout(() => { req.destroy(); resolve(); }, 100));
      });
      await h.eventually(() => assert.deepEqual(fs.readdirSync(dir).filter((f) => !/^[0-9a-f]{32}$/.test(f)), []), 'no temporary file');
      assert.equal(fs.readdirSync(dir).length, 1);
      assert.deepEqual(server.errors, []);
    } finally {
      await server.close();
    }
  });
});

describe('security: a bad row stored by an older server', () => {
  test('a stored mime with a non-header character and a name with a lone surrogate: GET/HEAD and restarts survive', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'echat.sqlite');
    const args = ['--http-port', '0', '--socket-port', '0', '--db', db, '--user', 'u:tk-u'];
    let info = await h.startCli(args);
    const jwt = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'u', token: 'tk-u' }));
    const up = h.ok(await h.httpCall(info, 'file', 'upload', { jwt, name: 'p.png', mime: 'image/png', data: 'iVBORw==' }));
    assert.equal((await stop(info)).code, 0);
    const sqlite = new Database(db);
    sqlite.prepare('UPDATE files SET mime = ?, name = ? WHERE fid = ?').run('image/png中', 'x\ud800.png', up.fid);
    sqlite.close();
    info = await h.startCli(args);
    try {
      for (const method of ['GET', 'HEAD', 'GET']) {
        const res = await h.httpRequest(info, up.path, { method });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/octet-stream');
        assert.match(res.headers['content-disposition'], /^attachment; /);
      }
      h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'u', token: 'tk-u' }));
    } finally {
      assert.deepEqual(await stop(info), { code: 0, signal: null });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security: stored XSS (issue 11)', () => {
  let server;
  let jwt;
  before(async () => {
    server = await h.startServer();
    await h.addUsers(server, ['xss']);
    jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'xss', token: 'tk-xss' }));
  });
  after(() => server.close());

  const cases = [
    ['page.html', 'text/html', 'attachment'],
    ['logo.svg', 'image/svg+xml', 'attachment'],
    ['x.js', 'application/javascript', 'attachment'],
    ['x.xml', 'text/xml', 'attachment'],
    ['cat.png', 'image/png', 'inline'],
    ['voice.mp3', 'audio/mpeg', 'inline'],
    ['clip.mp4', 'video/mp4', 'inline'],
  ];
  for (const [name, mime, kind] of cases) {
    test(`${mime} is served ${kind}, with nosniff, a sandboxing CSP and no CORS`, async () => {
      const data = Buffer.from('<script>alert(document.domain)</script>').toString('base64');
      const up = h.ok(await h.httpCall(server, 'file', 'upload', { jwt, name, mime, data }));
      const res = await h.httpRequest(server, up.path, { method: 'GET', headers: { Origin: 'http://evil.example' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], mime);
      assert.equal(res.headers['content-disposition'], `${kind}; filename*=UTF-8''${encodeURIComponent(name)}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    });
  }
});

describe('security: the admin secret is never empty by default (account takeover)', () => {
  test('first start generates a secret, prints it once, keeps it 0600; the data is 0600/0700; empty is refused', async () => {
    const dir = path.join(tmpDir(), 'data'); // created by the server
    const db = path.join(dir, 'echat.sqlite');
    const args = ['--http-port', '0', '--socket-port', '0', '--db', db, '--user', 'victim:tk-victim'];
    let info = await h.startCli(args);
    let secret;
    try {
      const printed = /generated the admin secret of app TSDKTEST00001: (\S+)/.exec(info.stderr());
      assert.ok(printed, `stderr: ${info.stderr()}`);
      secret = printed[1];
      assert.ok(secret.length >= 32);
      const file = path.join(dir, 'app-secrets.json');
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { TSDKTEST00001: secret });
      assert.equal(mode(file), 0o600);
      assert.equal(mode(dir), 0o700);
      assert.equal(mode(db), 0o600);
      assert.equal(mode(`${db}-wal`), 0o600);
      // The takeover of issue 11: reset a user's token with the empty secret. Refused.
      h.fails(await h.httpCall(info, 'user', 'update_token', { appKey: h.APP, auid: 'victim', token: 'mine' }), 401, 'invalid secret');
      h.fails(await h.httpCall(info, 'user', 'update_token', { appKey: h.APP, secret: '', auid: 'victim', token: 'mine' }), 401);
      h.ok(await h.httpCall(info, 'user', 'update_token', { appKey: h.APP, secret, auid: 'victim', token: 'tk-victim' }));
      // Uploads are private too.
      const jwt = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'victim', token: 'tk-victim' }));
      const up = h.ok(await h.httpCall(info, 'file', 'upload', { jwt, name: 'a', data: 'eA==' }));
      assert.equal(mode(path.join(dir, 'files')), 0o700);
      assert.equal(mode(path.join(dir, 'files', up.fid)), 0o600);
    } finally {
      await stop(info);
    }
    info = await h.startCli(args);
    try {
      assert.ok(!info.stderr().includes(secret), 'the secret is printed only once');
      h.ok(await h.httpCall(info, 'user', 'get', { appKey: h.APP, secret, auid: 'victim' }));
    } finally {
      await stop(info);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  test('--insecure-demo-secret keeps the empty secret; an explicit empty secret needs it', async () => {
    const info = await h.startCli(['--http-port', '0', '--socket-port', '0', '--db', ':memory:', '--insecure-demo-secret']);
    try {
      h.ok(await h.httpCall(info, 'user', 'add', { appKey: h.APP, secret: '', auid: 'demo' }));
    } finally {
      await stop(info);
    }
    const r = require('node:child_process').spawnSync(process.execPath, [h.CLI, '--db', ':memory:', '--app', 'K:'], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--insecure-demo-secret/);
  });
});

describe('security: token revocation and logout', () => {
  let server;
  before(async () => { server = await h.startServer(); });
  after(() => server.close());

  test('an admin token change revokes every JWT of the user and disconnects the live socket', async () => {
    const u = h.unique('rv');
    await h.addUsers(server, [u]);
    const sock = new h.SocketClient(server, { eio: 4 });
    h.ok(await sock.login(u));
    const httpJwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: u, token: `tk-${u}` }));
    h.ok(await h.httpCall(server, 'user', 'update_token', { appKey: h.APP, secret: '', auid: u, token: 'new' }));
    assert.deepEqual((await sock.waitNotify('session.kicked')).data, { auid: u, reason: 'token changed' });
    assert.equal(await sock.waitDisconnect(), 'io server disconnect');
    for (const jwt of [sock.jwt, httpJwt]) h.fails(await h.httpCall(server, 'user', 'get', { jwt, auid: u }), 401, 'revoked');
    h.fails(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: u, token: `tk-${u}` }), 401);
    h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: u, token: 'new' }));
  });

  test('refresh_token by the user keeps the calling JWT and revokes the others (and their socket)', async () => {
    const u = h.unique('rf');
    await h.addUsers(server, [u]);
    const sock = new h.SocketClient(server, { eio: 3 });
    h.ok(await sock.login(u));
    const mine = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: u, token: `tk-${u}` }));
    const fresh = h.ok(await h.httpCall(server, 'user', 'refresh_token', { jwt: mine }));
    assert.notEqual(fresh.token, `tk-${u}`);
    assert.deepEqual((await sock.waitNotify('session.kicked')).data, { auid: u, reason: 'token changed' });
    await sock.waitDisconnect();
    h.fails(await h.httpCall(server, 'user', 'get', { jwt: sock.jwt, auid: u }), 401, 'revoked');
    h.ok(await h.httpCall(server, 'user', 'get', { jwt: mine, auid: u }));
  });

  test('logout over the socket answers, then ends the session; logout over HTTP ends the socket using that JWT', async () => {
    const u = h.unique('lo');
    await h.addUsers(server, [u]);
    const sock = new h.SocketClient(server, { eio: 4 });
    h.ok(await sock.login(u));
    assert.deepEqual(h.ok(await sock.call('connection', 'logout', {})), { auid: u, revoked: 1 });
    assert.deepEqual((await sock.waitNotify('session.kicked')).data, { auid: u, reason: 'logged out' });
    await sock.waitDisconnect();
    h.fails(await h.httpCall(server, 'user', 'get', { jwt: sock.jwt, auid: u }), 401, 'revoked');

    const again = new h.SocketClient(server, { eio: 3 });
    h.ok(await again.login(u));
    const other = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: u, token: `tk-${u}` }));
    h.ok(await h.httpCall(server, 'auth', 'logout', { jwt: again.jwt }));
    assert.equal((await again.waitNotify('session.kicked')).data.reason, 'logged out');
    await again.waitDisconnect();
    h.ok(await h.httpCall(server, 'user', 'get', { jwt: other, auid: u })); // another login's JWT is not revoked
    h.fails(await h.httpCall(server, 'auth', 'logout', { jwt: again.jwt }), 401);
  });
});

describe('security: upgrading a database of the server before revocation (schema 1)', () => {
  test('the sessions table is added, data is kept, and a JWT without jti answers 401', async () => {
    const dir = tmpDir();
    const db = path.join(dir, 'echat.sqlite');
    const args = ['--http-port', '0', '--socket-port', '0', '--db', db, '--user', 'old:tk-old'];
    let info = await h.startCli(args);
    const jwt = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'old', token: 'tk-old' }));
    h.ok(await h.httpCall(info, 'user', 'update', { jwt, name: 'Kept' }));
    await stop(info);
    // Back to schema 1, and a JWT as that server signed it (no jti), with the stored key.
    const sqlite = new Database(db);
    sqlite.exec('DROP TABLE sessions');
    sqlite.pragma('user_version = 1');
    const key = sqlite.prepare("SELECT value FROM meta WHERE key = 'jwt-signing-key'").get().value;
    sqlite.close();
    const legacy = require('jsonwebtoken').sign({ appKey: h.APP, auid: 'old' }, key, { algorithm: 'HS256', expiresIn: 3600 });
    info = await h.startCli(args);
    try {
      h.fails(await h.httpCall(info, 'user', 'get', { jwt: legacy, auid: 'old' }), 401, 'log in again');
      const fresh = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'old', token: 'tk-old' }));
      assert.equal(h.ok(await h.httpCall(info, 'user', 'get', { jwt: fresh, auid: 'old' })).name, 'Kept');
    } finally {
      await stop(info);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security: login guesses are limited per account and per address, over new connections', () => {
  let server;
  // rate 0.01/s: the failed-login buckets (1/10 of it, burst 2) never refill during the test.
  before(async () => {
    server = await h.startServer({ rateLimit: { rate: 0.01, burst: 20 } });
    await h.addUsers(server, ['guessme']);
  });
  after(() => server.close());

  test('wrong tokens over new HTTP connections and sockets: 429 after the burst, even for the right token', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) {
      codes.push((await h.httpRequest(server, '/v1/auth/login', { body: { appKey: h.APP, auid: 'guessme', token: `guess${i}` }, headers: { Connection: 'close' } })).body.code);
    }
    const s = new h.SocketClient(server, { eio: 4 });
    const r = await s.login('guessme', 'guess-socket');
    s.close();
    codes.push(r.code);
    assert.deepEqual(codes, [401, 401, 429, 429]);
    h.fails(r, 429, 'too many failed logins');
    h.fails(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'guessme', token: 'tk-guessme' }), 429);
  });
});

describe('security: sends of one user over 10 sockets share the user limit', () => {
  let server;
  // rate 0.001/s: nothing refills during the test, so exactly `burst` sends pass.
  before(async () => {
    server = await h.startServer({ rateLimit: { rate: 0.001, burst: 5 } });
    await h.addUsers(server, ['flood', 'target']);
  });
  after(() => server.close());

  test('10 sockets sending with the same JWT: 5 sends in all, the rest 429', async () => {
    const jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'flood', token: 'tk-flood' }));
    const socks = Array.from({ length: 10 }, (_, i) => new h.SocketClient(server, { eio: i % 2 ? 3 : 4 }));
    const codes = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, c] of socks.entries()) {
        await c.connected();
        codes.push((await c.call('message', 'send', { jwt, ...h.text('flood', 'target', `m${round}-${i}`) })).code);
      }
    }
    for (const c of socks) c.close();
    assert.equal(codes.filter((c) => c === 0).length, 5);
    assert.equal(codes.filter((c) => c === 429).length, 15);
  });
});

describe('security: unauthenticated memory exhaustion (issue 11), memory of the server process', () => {
  let info;
  let jwt;
  before(async () => {
    info = await h.startCli(['--http-port', '0', '--socket-port', '0', '--db', ':memory:', '--user', 'm:tk-m', '--rate-limit', '0']);
    jwt = h.ok(await h.httpCall(info, 'auth', 'login', { appKey: h.APP, auid: 'm', token: 'tk-m' }));
  });
  after(() => stop(info));

  const bound = 96 * MiB; // growth of the peak RSS allowed for each attack (without the caps: hundreds of MiB)

  test('6 sockets announcing binary attachments and sending 9 x 8 MiB before login: closed, peak RSS bounded', async () => {
    const base = attackBase(info.child.pid);
    const frame = Buffer.alloc(8 * MiB, 7);
    const socks = await Promise.all(Array.from({ length: 6 }, () => rawSocket(info.socketPort)));
    await Promise.all(socks.map(async ({ ws }, i) => {
      // Half announce 10 attachments, half 1 (then only the frame size or the pending bytes stop them).
      const n = i % 2 ? 10 : 1;
      const placeholders = Array.from({ length: n }, (_, k) => ({ _placeholder: true, num: k }));
      await sendFrame(ws, `45${n}-["topic.file",{"method":"upload","data":${JSON.stringify(placeholders)}}]`);
      for (let k = 0; k < 9; k++) await sendFrame(ws, frame);
    }));
    const codes = await h.deadline(Promise.all(socks.map((s) => s.closed)), 'the server closing the attackers');
    assert.equal(codes.length, 6);
    const { hwm } = memoryOf(info.child.pid);
    assert.ok(hwm - base < bound, `peak RSS grew by ${((hwm - base) / MiB).toFixed(1)} MiB`);
    h.ok(await h.httpCall(info, 'user', 'get', { jwt, auid: 'm' }));
  });

  test('small attachment frames before login are capped by their pending total', async () => {
    const { ws, closed } = await rawSocket(info.socketPort);
    await sendFrame(ws, '451-["topic.file",{"method":"upload","data":{"_placeholder":true,"num":0}}]');
    // Frames under the frame limit, but the announced attachment never completes (num 0 of 1 sent
    // repeatedly is illegal anyway): the pending bytes are what is bounded.
    await sendFrame(ws, '452-["topic.file",{"method":"upload","data":[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]}]');
    const chunk = Buffer.alloc(512 * 1024, 1);
    for (let k = 0; k < 8 && ws.readyState === WebSocket.OPEN; k++) await sendFrame(ws, chunk);
    await h.deadline(closed, 'the server closing the connection');
  });

  test('40 concurrent multipart uploads of 8 MiB with a bad token: refused before their bytes are read, peak RSS bounded', async () => {
    const base = attackBase(info.child.pid);
    const body = multipart({ jwt: 'not-a-jwt' }, { filename: 'big.bin', mime: 'application/octet-stream', data: Buffer.alloc(8 * MiB, 3) });
    const results = await Promise.all(Array.from({ length: 40 }, () => post(info.httpPort, '/v1/file/upload', body.raw, body.headers)));
    const answered = results.filter((r) => !r.error);
    for (const r of answered) h.fails(r.body, 401);
    const { hwm } = memoryOf(info.child.pid);
    assert.ok(hwm - base < bound, `peak RSS grew by ${((hwm - base) / MiB).toFixed(1)} MiB`);
    // The same with a bad Authorization header, and a good upload still works.
    const auth = await post(info.httpPort, '/v1/file/upload', body.raw, { ...body.headers, Authorization: 'Bearer nope' });
    if (!auth.error) h.fails(auth.body, 401);
    const good = multipart({ jwt }, { filename: 'ok.bin', mime: 'application/octet-stream', data: Buffer.alloc(3 * MiB, 4) });
    assert.equal(h.ok((await post(info.httpPort, '/v1/file/upload', good.raw, good.headers)).body).size, 3 * MiB);
  });

  test('40 concurrent 12 MiB JSON bodies without credentials: the per-address budget answers 429, peak RSS bounded', async () => {
    const base = attackBase(info.child.pid);
    const raw = Buffer.from(JSON.stringify({ jwt: 'bad', data: 'A'.repeat(12 * MiB) }));
    const results = await Promise.all(Array.from({ length: 40 }, () => post(info.httpPort, '/v1/file/upload', raw, { 'Content-Type': 'application/json' })));
    const codes = results.map((r) => (r.error ? 'closed' : r.body.code));
    assert.ok(codes.some((c) => c === 429 || c === 'closed'), `codes ${codes}`);
    const { hwm } = memoryOf(info.child.pid);
    assert.ok(hwm - base < bound, `peak RSS grew by ${((hwm - base) / MiB).toFixed(1)} MiB`);
  });

  test('40 concurrent chunked 12 MiB JSON bodies (no Content-Length): 429 once the address holds its budget, peak RSS bounded', async () => {
    const base = attackBase(info.child.pid);
    const chunk = Buffer.alloc(256 * 1024, 65);
    const results = await Promise.all(Array.from({ length: 40 }, () => new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: info.httpPort, path: '/v1/file/upload', method: 'POST', agent: false,
        headers: { 'Content-Type': 'application/json' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ code: JSON.parse(Buffer.concat(chunks).toString()).code }));
        res.on('error', () => resolve({ code: 'closed' }));
      });
      req.on('error', () => resolve({ code: 'closed' }));
      (async () => {
        req.write('{"jwt":"bad","data":"');
        for (let k = 0; k < 48 && !req.destroyed; k++) {
          if (!req.write(chunk)) await new Promise((r) => { req.once('drain', r); req.once('close', r); });
        }
        if (!req.destroyed) req.end('"}');
      })();
    })));
    const codes = results.map((r) => r.code);
    // A refused request's connection is closed with its body unread: the client may see the reset
    // before the 429 (as in the test above).
    assert.ok(codes.some((c) => c === 429 || c === 'closed'), `codes ${codes}`);
    assert.ok(codes.every((c) => c === 429 || c === 401 || c === 'closed'), `codes ${codes}`);
    const { hwm } = memoryOf(info.child.pid);
    assert.ok(hwm - base < bound, `peak RSS grew by ${((hwm - base) / MiB).toFixed(1)} MiB`);
  });

  test('a declared Content-Length holds its share of the address budget until the request ends or is cut', async () => {
    // One request declares 12 MiB and sends 1 byte: the address's budget (~15.3 MiB) is taken.
    const held = net.connect(info.httpPort, '127.0.0.1');
    await new Promise((r) => held.once('connect', r));
    held.write(`POST /v1/file/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${12 * MiB}\r\n\r\n{`);
    const raw = Buffer.from(JSON.stringify({ jwt: 'bad', data: 'B'.repeat(4 * MiB) }));
    await h.eventually(async () => {
      const r = await post(info.httpPort, '/v1/file/upload', raw, { 'Content-Type': 'application/json' });
      assert.equal(r.error ? 'closed' : r.body.code, 429);
    });
    // Cut: the reservation is released, and the same request is read and answered on its merits.
    held.destroy();
    await h.eventually(async () => {
      const r = await post(info.httpPort, '/v1/file/upload', raw, { 'Content-Type': 'application/json' });
      h.fails(r.body, 401);
    });
  });

  test('a logged-in socket may still upload more than the pre-login frame limit (EIO4 websocket, EIO3 polling)', async () => {
    for (const [eio, transports] of [[4, ['websocket']], [3, ['polling']]]) {
      const c = new h.SocketClient(info, { eio, transports });
      h.ok(await c.login('m'));
      const bytes = crypto.randomBytes(3 * MiB);
      const up = h.ok(await c.call('file', 'upload', { name: 'big.bin', data: bytes }));
      assert.equal(up.size, bytes.length);
      c.close();
    }
  });
});

describe('security: connections per address and the login deadline', () => {
  let server;
  before(async () => { server = await h.startServer({ maxConnectionsPerAddress: 4, loginTimeout: 300 }); });
  after(() => server.close());

  test('a 5th socket.io session from one address is refused; a 5th TCP connection to the HTTP port is closed', async () => {
    const socks = await Promise.all(Array.from({ length: 4 }, () => rawSocket(server.socketPort)));
    await assert.rejects(rawSocket(server.socketPort));
    for (const s of socks) s.ws.close();
    await Promise.all(socks.map((s) => s.closed));
    const conns = await Promise.all(Array.from({ length: 5 }, () => new Promise((resolve) => {
      const c = net.connect(server.httpPort, '127.0.0.1', () => resolve(c));
      c.on('error', () => {});
    })));
    const fifthClosed = new Promise((resolve) => conns[4].on('close', resolve));
    await h.deadline(fifthClosed, 'the 5th connection closed');
    for (const c of conns) c.destroy();
    await h.eventually(async () => h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'admin', token: 'admin' })));
  });

  test('a socket that does not log in is disconnected after --login-timeout; one that does stays', async () => {
    const idle = await rawSocket(server.socketPort);
    const c = new h.SocketClient(server, { eio: 4 });
    h.ok(await c.login('admin', 'admin'));
    await h.deadline(idle.closed, 'the idle socket closed');
    await new Promise((r) => setTimeout(r, 400)); // past the deadline for the logged-in one too
    assert.ok(c.socket.connected);
    c.close();
  });
});
