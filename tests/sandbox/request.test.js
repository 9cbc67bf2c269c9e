'use strict';
// wx.request / wx.uploadFile / wx.downloadFile over real loopback HTTP.

const test = require('node:test');
const assert = require('node:assert/strict');
const busboy = require('busboy');
const { createSandbox, ERR } = require('.');
const { sandboxFor, startHttpServer, waitFor } = require('./fixtures');

// Calls wx[api](opts) in the page and resolves with ['success'|'fail', result, completeCalled].
function call(sb, api, optsSource) {
  return new Promise((resolve) => {
    const key = `__r${Math.random().toString(36).slice(2)}`;
    sb.global[key] = resolve;
    sb.runScript(`(function () {
      var o = ${optsSource};
      var out = null;
      o.success = function (r) { out = ['success', r]; };
      o.fail = function (r) { out = ['fail', r]; };
      o.complete = function (r) { out.push(r === out[1]); ${key}(out); };
      globalThis.${key}_task = wx.${api}(o);
    })()`);
  });
}

test('request: methods, query strings, JSON bodies, every status is success, Referer is not settable', async (t) => {
  const srv = await startHttpServer(t, (req, res, body) => {
    const status = req.url.includes('status=500') ? 500 : 200;
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Echo': 'yes', 'Set-Cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify({ method: req.method, url: req.url, ct: req.headers['content-type'], referer: req.headers.referer, body: body.toString() }));
  });
  const sb = sandboxFor(t, createSandbox);
  const get = await call(sb, 'request', `{ url: '${srv.url}/api', data: { a: 1, b: 'x y' }, header: { Referer: 'https://me' } }`);
  assert.equal(get[0], 'success');
  assert.equal(get[2], true, 'complete gets the same object');
  const r = get[1];
  assert.equal(r.errMsg, 'request:ok');
  assert.equal(r.statusCode, 200);
  assert.equal(r.data.method, 'GET');
  assert.equal(r.data.url, '/api?a=1&b=x%20y');
  assert.match(r.data.referer, /^https:\/\/servicewechat\.com\//);
  assert.equal(r.header['X-Echo'], 'yes');
  assert.deepEqual([...r.cookies], ['a=1', 'b=2']);
  assert.equal(Object.getPrototypeOf(r.data), sb.runScript('Object.prototype'), 'JSON parsed in the page realm');

  const post = await call(sb, 'request', `{ url: '${srv.url}/p?status=500', method: 'post', data: { n: [1, 2] } }`);
  assert.equal(post[0], 'success');
  assert.equal(post[1].statusCode, 500);
  assert.equal(post[1].data.method, 'POST');
  assert.equal(post[1].data.ct, 'application/json');
  assert.equal(post[1].data.body, '{"n":[1,2]}');

  const form = await call(sb, 'request', `{ url: '${srv.url}/f', method: 'POST', data: { k: 'v&w' },
    header: { 'content-type': 'application/x-www-form-urlencoded' } }`);
  assert.equal(form[1].data.body, 'k=v%26w');

  const text = await call(sb, 'request', `{ url: '${srv.url}/t', dataType: 'text' }`);
  assert.equal(typeof text[1].data, 'string');

  const bin = await call(sb, 'request', `{ url: '${srv.url}/b', responseType: 'arraybuffer' }`);
  assert.equal(sb.global.Object.prototype.toString.call(bin[1].data), '[object ArrayBuffer]');
  assert.equal(bin[1].data instanceof sb.global.ArrayBuffer, true);
});

test('request: non-JSON body stays a string; timeout; abort; refused; invalid url; non-loopback', async (t) => {
  const srv = await startHttpServer(t, (req, res) => {
    if (req.url === '/slow') return; // never answers
    res.end('not json');
  });
  const sb = sandboxFor(t, createSandbox);
  const plain = await call(sb, 'request', `{ url: '${srv.url}/' }`);
  assert.equal(plain[1].data, 'not json');
  const slow = await call(sb, 'request', `{ url: '${srv.url}/slow', timeout: 50 }`);
  assert.deepEqual([slow[0], slow[1].errMsg], ['fail', ERR.timeout('request')]);
  const aborted = call(sb, 'request', `{ url: '${srv.url}/slow' }`);
  await waitFor(() => sb.stats().activeRequests === 1, 'request running');
  sb.runScript(`Object.keys(globalThis).filter(function (k) { return /_task$/.test(k); }).forEach(function (k) { globalThis[k].abort(); })`);
  const ab = await aborted;
  assert.deepEqual([ab[0], ab[1].errMsg], ['fail', ERR.abort('request')]);
  const refused = await call(sb, 'request', `{ url: 'http://127.0.0.1:1/' }`);
  assert.deepEqual([refused[0], refused[1].errMsg], ['fail', 'request:fail -102:net::ERR_CONNECTION_REFUSED']);
  const bad = await call(sb, 'request', `{ url: 'ftp://127.0.0.1/' }`);
  assert.equal(bad[1].errMsg, ERR.invalidUrl('request', 'ftp://127.0.0.1/'));
  const far = await call(sb, 'request', `{ url: 'https://example.com/' }`);
  assert.equal(far[1].errMsg, ERR.domain('request'));
  assert.equal(sb.stats().activeRequests, 0);
});

test('at most 10 concurrent requests: the 11th fails (default) ...', async (t) => {
  const pending = [];
  const srv = await startHttpServer(t, (req, res) => pending.push(res));
  const sb = sandboxFor(t, createSandbox);
  const calls = [];
  for (let i = 0; i < 10; i++) calls.push(call(sb, 'request', `{ url: '${srv.url}/${i}' }`));
  await waitFor(() => pending.length === 10, 'ten requests at the server');
  const eleventh = await call(sb, 'uploadFile', `{ url: '${srv.url}/u', filePath: 'wxfile://tmp_none', name: 'f' }`);
  assert.deepEqual([eleventh[0], eleventh[1].errMsg], ['fail', ERR.taskLimit('uploadFile', 10)]);
  assert.equal(sb.stats().limitRejections.uploadFile, 1);
  assert.equal(sb.stats().maxActiveRequests, 10);
  for (const res of pending) res.end('{}');
  const done = await Promise.all(calls);
  assert.ok(done.every((d) => d[0] === 'success'));
});

test('... or waits its turn with requestLimitMode "queue"', async (t) => {
  const pending = [];
  const srv = await startHttpServer(t, (req, res) => pending.push(res));
  const sb = sandboxFor(t, createSandbox, { requestLimitMode: 'queue' });
  const calls = [];
  for (let i = 0; i < 12; i++) calls.push(call(sb, 'request', `{ url: '${srv.url}/${i}' }`));
  await waitFor(() => pending.length === 10, 'ten requests at the server');
  assert.equal(sb.stats().waitingRequests, 2);
  pending.shift().end('{}');
  await waitFor(() => pending.length === 10, 'the eleventh started');
  for (const res of pending) res.end('{}');
  await waitFor(() => pending.length === 11, 'the twelfth started');
  pending.at(-1).end('{}');
  const done = await Promise.all(calls);
  assert.ok(done.every((d) => d[0] === 'success'));
  assert.equal(sb.stats().maxActiveRequests, 10);
  assert.equal(sb.stats().queuedRequests, 2);
});

test('uploadFile: a real multipart POST of a local file, with progress', async (t) => {
  const got = {};
  const srv = await startHttpServer(t, (req, res, body) => {
    const bb = busboy({ headers: req.headers });
    got.fields = {};
    bb.on('field', (name, val) => { got.fields[name] = val; });
    bb.on('file', (name, stream, info) => {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => { got.file = { name, filename: info.filename, mimeType: info.mimeType, bytes: Buffer.concat(chunks) }; });
    });
    bb.on('close', () => { res.writeHead(201); res.end('{"url":"/f/1"}'); });
    bb.end(body);
  });
  const sb = sandboxFor(t, createSandbox);
  const bytes = Buffer.alloc(200 * 1024, 7);
  const p = sb.addLocalFile('photo.jpg', bytes);
  assert.equal(p, 'wxfile://tmp_photo.jpg');
  sb.runScript('globalThis.__progress = [];');
  const r = await new Promise((resolve) => {
    sb.global.__up = resolve;
    sb.runScript(`var task = wx.uploadFile({ url: '${srv.url}/upload', filePath: '${p}', name: 'file',
      formData: { user: 'u1', n: 3 }, header: { 'X-Token': 't' },
      success: function (r) { __up(['success', r]); }, fail: function (r) { __up(['fail', r]); } });
      task.onProgressUpdate(function (e) { __progress.push(e); });`);
  });
  assert.equal(r[0], 'success', r[1].errMsg);
  assert.deepEqual({ ...r[1] }, { data: '{"url":"/f/1"}', statusCode: 201, errMsg: 'uploadFile:ok' });
  assert.deepEqual(got.fields, { user: 'u1', n: '3' });
  assert.equal(got.file.name, 'file');
  assert.equal(got.file.filename, 'tmp_photo.jpg');
  assert.equal(got.file.mimeType, 'image/jpeg');
  assert.ok(got.file.bytes.equals(bytes));
  await sb.flush();
  const prog = Array.from(sb.global.__progress);
  assert.ok(prog.length >= 2, 'several progress events');
  assert.equal(prog.at(-1).progress, 100);
  assert.equal(prog.at(-1).totalBytesSent, prog.at(-1).totalBytesExpectedToSend);

  const missing = await call(sb, 'uploadFile', `{ url: '${srv.url}/upload', filePath: 'wxfile://tmp_nope.jpg', name: 'f' }`);
  assert.equal(missing[1].errMsg, ERR.fileNotFound('uploadFile', 'wxfile://tmp_nope.jpg'));
  const http = sb.addLocalFile('a.txt', 'hello', { style: 'http' });
  assert.equal(http, 'http://tmp/a.txt');
  const ok = await call(sb, 'uploadFile', `{ url: '${srv.url}/upload', filePath: '${http}', name: 'doc' }`);
  assert.equal(ok[0], 'success');
  assert.equal(got.file.bytes.toString(), 'hello');
});

test('downloadFile saves to a local temp path', async (t) => {
  const srv = await startHttpServer(t, (req, res) => { res.writeHead(200, { 'Content-Length': 5 }); res.end('abcde'); });
  const sb = sandboxFor(t, createSandbox);
  const r = await call(sb, 'downloadFile', `{ url: '${srv.url}/x.bin' }`);
  assert.equal(r[0], 'success');
  assert.match(r[1].tempFilePath, /^wxfile:\/\/tmp_[0-9a-f]+\.bin$/);
  assert.equal(sb.readLocalFile(r[1].tempFilePath).toString(), 'abcde');
});
