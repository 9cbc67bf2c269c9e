'use strict';
// GET /demo/ on the devserver (devserver/lib/web-demo.js): the web chat page, the browser build beside
// it, and where to connect; nothing else of the checkout is reachable, and the API is untouched.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { start } = require('../../devserver/lib');

const ROOT = path.join(__dirname, '..', '..');
const built = fs.existsSync(path.join(ROOT, 'dist', 'browser', 'echatim-sdk.wasm'));

test('devserver /demo/: page, script, wasm (application/wasm), config.json; no other file; the API as before', async (t) => {
  const srv = await start({ httpPort: 0, socketPort: 0, db: ':memory:', log: () => {} });
  t.after(() => srv.close());
  const base = `http://127.0.0.1:${srv.httpPort}`;

  const page = await fetch(`${base}/demo/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.match(html, /<script src="echatim-sdk.js"><\/script>/);
  assert.equal((await fetch(`${base}/demo`, { redirect: 'manual' })).headers.get('location'), '/demo/');

  const cfg = await (await fetch(`${base}/demo/config.json`)).json();
  assert.deepEqual(cfg, { host: '127.0.0.1', httpPort: srv.httpPort, socketPort: srv.socketPort, key: 'TSDKTEST00001' });

  const app = await fetch(`${base}/demo/app.js`);
  assert.equal(app.status, 200);
  assert.equal(await app.text(), fs.readFileSync(path.join(ROOT, 'web-demo', 'app.js'), 'utf8'));
  if (built) {
    const wasm = await fetch(`${base}/demo/echatim-sdk.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.ok(Buffer.from(await wasm.arrayBuffer()).equals(fs.readFileSync(path.join(ROOT, 'dist', 'browser', 'echatim-sdk.wasm'))));
  }

  // only the listed files: no traversal, no other name
  for (const p of ['/demo/package.json', '/demo/%2e%2e/package.json', '/demo/..%2fpackage.json', '/demo/web-demo.js']) {
    const r = await fetch(`${base}${p}`);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(await r.text(), /"name": "echatim-sdk"/, p);
  }
  // the API is untouched: a POST under /demo/ is not served here, and /v1 answers as before
  const post = await fetch(`${base}/demo/`, { method: 'POST' });
  assert.equal(post.status, 404);
  assert.equal((await post.json()).code, 404);
  const api = await fetch(`${base}/v1/user/get`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal((await api.json()).code, 401);
});
