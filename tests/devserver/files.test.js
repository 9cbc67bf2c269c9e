'use strict';
// Module file (docs/protocol.md 10.9): multipart upload as plupload / wx.uploadFile send it, JSON and
// socket uploads (binary attachment and base64) on EIO4 and EIO3, download, limits, credentials.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('./helpers');

/** A multipart/form-data body: fields, then optionally one file part. */
function multipart(fields, file) {
  const boundary = `----echat${crypto.randomBytes(8).toString('hex')}`;
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field || 'file'}"; filename="${file.filename}"\r\n`
      + `Content-Type: ${file.mime}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { raw: Buffer.concat(parts), headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

describe('files', () => {
  let server;
  let jwt;
  before(async () => {
    server = await h.startServer({ maxUploadBytes: 64 * 1024 });
    await h.addUsers(server, ['up']);
    jwt = h.ok(await h.httpCall(server, 'auth', 'login', { appKey: h.APP, auid: 'up', token: 'tk-up' }));
  });
  after(() => server.close());

  const upload = (fields, file, headers = {}) => {
    const body = multipart(fields, file);
    return h.httpRequest(server, '/v1/file/upload', { raw: body.raw, headers: { ...body.headers, ...headers } });
  };
  const download = (url) => h.httpRequest(server, new URL(url).pathname, { method: 'GET' });

  test('multipart upload with the jwt as a form field (plupload / wx.uploadFile), then download', async () => {
    const data = crypto.randomBytes(5000);
    const res = await upload({ jwt, requestId: 'up-1' }, { filename: 'cat.png', mime: 'image/png', data });
    assert.equal(res.status, 200);
    assert.equal(res.body.requestId, 'up-1');
    const info = h.ok(res.body);
    assert.match(info.fid, /^[0-9a-f]{32}$/);
    assert.equal(info.name, 'cat.png');
    assert.equal(info.size, 5000);
    assert.equal(info.mime, 'image/png');
    assert.equal(info.url, `http://127.0.0.1:${server.httpPort}/files/${info.fid}/cat.png`);
    assert.equal(info.path, `/files/${info.fid}/cat.png`);
    const got = await download(info.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'image/png');
    assert.equal(Number(got.headers['content-length']), 5000);
    assert.ok(got.body.equals(data));
    const head = await h.httpRequest(server, info.path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), 5000);
  });

  test('multipart upload with a Bearer header; name and mime fields override the part', async () => {
    const res = await upload({ name: '../../etc/passwd', mime: 'text/plain' }, { filename: 'x.bin', mime: 'application/x', data: Buffer.from('hi') },
      { Authorization: `Bearer ${jwt}` });
    const info = h.ok(res.body);
    assert.equal(info.name, 'passwd'); // no directories in a stored name
    assert.equal(info.mime, 'text/plain');
    assert.equal((await download(info.url)).body.toString(), 'hi');
  });

  test('upload failures: no credentials, no file part, too large, malformed multipart', async () => {
    const small = { filename: 'a.txt', mime: 'text/plain', data: Buffer.from('a') };
    h.fails((await upload({}, small)).body, 401);
    h.fails((await upload({ jwt: 'bad' }, small)).body, 401);
    h.fails((await upload({ jwt })).body, 400, "'file'");
    h.fails((await upload({ jwt }, { ...small, field: 'other' })).body, 400, "'file'");
    const big = await upload({ jwt }, { filename: 'big', mime: 'application/octet-stream', data: Buffer.alloc(64 * 1024 + 1) });
    assert.equal(big.status, 413);
    h.fails(big.body, 413, 'file exceeds 65536 bytes');
    const broken = await h.httpRequest(server, '/v1/file/upload', { raw: Buffer.from('--x\r\ngarbage'), headers: { 'Content-Type': 'multipart/form-data; boundary=x' } });
    h.fails(broken.body, 400, 'multipart');
    const noBoundary = await h.httpRequest(server, '/v1/file/upload', { raw: Buffer.from('x'), headers: { 'Content-Type': 'multipart/form-data' } });
    h.fails(noBoundary.body, 400, 'multipart');
  });

  test('download of an unknown file is 404', async () => {
    const res = await h.httpRequest(server, `/files/${'0'.repeat(32)}/x`, { method: 'GET' });
    assert.equal(res.status, 404);
    h.fails(res.body, 404);
    assert.equal((await h.httpRequest(server, '/files/../../etc/passwd', { method: 'GET' })).status, 404);
  });

  for (const eio of [4, 3]) {
    test(`socket upload over EIO${eio}: binary attachment and base64`, async () => {
      const c = new h.SocketClient(server, { eio });
      h.ok(await c.login('up'));
      const bytes = crypto.randomBytes(3000);
      const bin = h.ok(await c.call('file', 'upload', { name: 'b.dat', mime: 'application/x-test', data: bytes }));
      assert.equal(bin.size, 3000);
      assert.equal(bin.url, `http://127.0.0.1:${server.httpPort}/files/${bin.fid}/b.dat`);
      assert.ok((await download(bin.url)).body.equals(bytes));
      const b64 = h.ok(await c.call('file', 'upload', { name: 'hello.txt', data: Buffer.from('hello').toString('base64') }));
      assert.equal(b64.mime, 'application/octet-stream');
      assert.equal((await download(b64.url)).body.toString(), 'hello');
      h.fails(await c.call('file', 'upload', { name: 'x' }), 400, "'data'");
      h.fails(await c.call('file', 'upload', { data: '***not base64***' }), 400, "'data'");
      h.fails(await c.call('file', 'upload', { data: Buffer.alloc(64 * 1024 + 1) }), 413);
      c.close();
    });
  }

  test('JSON upload over HTTP gives the same answer shape as the socket', async () => {
    const r = await h.httpCall(server, 'file', 'upload', { jwt, name: 'j.txt', mime: 'text/plain', data: Buffer.from('json').toString('base64') });
    const info = h.ok(r);
    assert.deepEqual(Object.keys(info).sort(), ['fid', 'mime', 'name', 'path', 'size', 'url']);
    assert.equal((await download(info.url)).body.toString(), 'json');
  });

  test('--public-url sets the base of upload URLs', async () => {
    const pub = await h.startServer({ publicUrl: 'https://files.example.com' });
    try {
      const c = new h.SocketClient(pub, { eio: 4 });
      h.ok(await c.login('admin', 'admin'));
      const info = h.ok(await c.call('file', 'upload', { name: 'p.txt', data: Buffer.from('p') }));
      assert.equal(info.url, `https://files.example.com/files/${info.fid}/p.txt`);
      c.close();
    } finally {
      await pub.close();
    }
  });
});
