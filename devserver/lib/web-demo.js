'use strict';
// GET /demo/…: the web chat page (web-demo/) and the browser build of the SDK it loads
// (dist/browser/echatim-sdk.js and .wasm), served beside the page: the SDK fetches its wasm from
// beside its <script>.
//   /demo/              web-demo/index.html
//   /demo/config.json   {host, httpPort, socketPort, key}: where the page's SDK connects
// Read-only, a fixed list of files: nothing else of the checkout is reachable.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const FILES = {
  '/demo/': ['web-demo/index.html', 'text/html; charset=utf-8'],
  '/demo/index.html': ['web-demo/index.html', 'text/html; charset=utf-8'],
  '/demo/app.js': ['web-demo/app.js', 'text/javascript; charset=utf-8'],
  '/demo/style.css': ['web-demo/style.css', 'text/css; charset=utf-8'],
  '/demo/echatim-sdk.js': ['dist/browser/echatim-sdk.js', 'text/javascript; charset=utf-8'],
  '/demo/echatim-sdk.wasm': ['dist/browser/echatim-sdk.wasm', 'application/wasm'],
};

function send(req, res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// -> true when the request was a /demo/ one (answered here), false to let the caller go on.
function serveWebDemo(ctx, req, res, pathname) {
  if (pathname !== '/demo' && !pathname.startsWith('/demo/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  req.resume();
  if (pathname === '/demo') {
    res.writeHead(301, { Location: '/demo/' });
    res.end();
    return true;
  }
  if (pathname === '/demo/config.json') {
    const { config, ports } = ctx;
    const body = Buffer.from(JSON.stringify({
      host: config.host, httpPort: ports.http, socketPort: ports.socket, key: config.apps[0] && config.apps[0].appKey,
    }));
    send(req, res, 200, 'application/json; charset=utf-8', body);
    return true;
  }
  const entry = FILES[pathname];
  let body = null;
  if (entry) {
    try {
      body = fs.readFileSync(path.join(ROOT, entry[0]));
    } catch {
      body = null;
    }
  }
  if (!body) {
    const missing = entry && entry[0].startsWith('dist/') ? `${entry[0]} is missing: run bash toolchain/build.sh` : `no such file: ${pathname}`;
    send(req, res, 404, 'text/plain; charset=utf-8', Buffer.from(missing));
    return true;
  }
  send(req, res, 200, entry[1], body);
  return true;
}

module.exports = { serveWebDemo };
