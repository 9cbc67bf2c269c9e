'use strict';
// Helpers for the sandbox self-tests: temp package roots, loopback ws/http servers, a tiny wasm module.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { once } = require('node:events');
const { WebSocketServer } = require('ws');

// Creates a package root holding `files` ({ 'utils/a.js': 'source' | Buffer }). Removed by t.after.
function makePackage(t, files = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-pkg-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

// A sandbox that is disposed by t.after, printing nothing unless asked.
function sandboxFor(t, createSandbox, options = {}) {
  const sb = createSandbox({ console: { log() {}, info() {}, warn() {}, error() {}, debug() {} }, quietErrors: true, ...options });
  t.after(() => sb.dispose());
  return sb;
}

// ws server on 127.0.0.1: echoes text and binary; "close:<code>" makes it close with that code,
// "drop" makes it destroy the TCP connection; "hello" is sent on connect when greet is true.
async function startWsServer(t, { greet = false } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await once(wss, 'listening');
  const conns = new Set();
  const seen = [];
  wss.on('connection', (ws, req) => {
    conns.add(ws);
    ws.upgradeHeaders = req.headers;
    ws.on('close', () => conns.delete(ws));
    if (greet) ws.send('hello');
    ws.on('message', (data, isBinary) => {
      seen.push(isBinary ? Buffer.from(data) : data.toString());
      const s = isBinary ? null : data.toString();
      if (s && s.startsWith('close:')) ws.close(Number(s.slice(6)), 'bye');
      else if (s === 'drop') ws._socket.destroy();
      else ws.send(data, { binary: isBinary });
    });
  });
  const port = wss.address().port;
  const srv = {
    wss, conns, seen, port, url: `ws://127.0.0.1:${port}/ws`,
    close: () => new Promise((resolve) => {
      for (const c of conns) c.terminate();
      wss.close(() => resolve());
    }),
  };
  t.after(() => srv.close());
  return srv;
}

// http server on 127.0.0.1 with a handler (req, res, body:Buffer).
async function startHttpServer(t, handler) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  const srv = {
    server, port, url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  t.after(() => srv.close());
  return srv;
}

// Bounded wait for a condition (polls); fails with `what` after `ms`.
async function waitFor(cond, what = 'condition', ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A hand-assembled wasm module:
//   (import "env" "log" (func (param i32)))
//   (memory (export "memory") 1)  with "hi" at offset 0
//   (func (export "add") (param i32 i32) (result i32)  ;; logs and returns a+b
//     local.get 0 local.get 1 i32.add local.set 0 local.get 0 call 0 local.get 0)
const TINY_WASM = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: (i32 i32)->i32, (i32)->()
  0x01, 0x0b, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00,
  // import section: env.log : type 1
  0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x01,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // memory section: min 1 page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // export section: "add" func 1, "memory" memory 0
  0x07, 0x10, 0x02, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  // code section
  0x0a, 0x11, 0x01, 0x0f, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x00, 0x20, 0x00, 0x10, 0x00, 0x20, 0x00, 0x0b,
  // data section: "hi" at 0
  0x0b, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x68, 0x69,
]);

module.exports = { makePackage, sandboxFor, startWsServer, startHttpServer, waitFor, sleep, TINY_WASM };
