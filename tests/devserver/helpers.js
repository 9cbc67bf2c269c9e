'use strict';
// Shared helpers of the devserver tests: start a server (in-process or as the CLI child process),
// talk to it over HTTP and over socket.io (client 4 = EIO4, client 2 = EIO3), independent of the SDK.

const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ownChild } = require('../support/children');
const readline = require('node:readline');
const ioV4 = require('socket.io-client');
const ioV2 = require('socket.io-client-v2');
const { start } = require('../../devserver/lib');

const APP = 'TSDKTEST00001';
const CLI = path.join(__dirname, '..', '..', 'devserver', 'bin', 'echat-devserver.js');
const WAIT_MS = 5000; // a guard against hanging, never a performance assertion
const TRANSPORTS = ['http', 'eio4', 'eio3'];

/**
 * Start the server in this process on free loopback ports with an in-memory database. The default app
 * has the empty secret (insecureDemoSecret) unless the options say otherwise.
 */
async function startServer(options = {}) {
  const errors = [];
  const server = await start({
    host: '127.0.0.1', httpPort: 0, socketPort: 0, db: options.db || await testDatabase(options), insecureDemoSecret: true,
    log: (line) => { errors.push(line); process.stderr.write(`[devserver] ${line}\n`); },
    ...options,
  });
  server.errors = errors;
  return server;
}

/**
 * The database of a server started without `db`: ':memory:' (SQLite), or, with
 * ECHAT_TEST_PG=postgres://USER@HOST:PORT/DB, a new empty PostgreSQL database created there, so the
 * same suites check the PostgreSQL store (tests/multinode/README.md says how to run them so; the
 * databases and the upload directories are left to the caller's throwaway cluster and $TMPDIR).
 */
let databases = 0;
async function testDatabase(options) {
  const admin = process.env.ECHAT_TEST_PG;
  if (!admin) return ':memory:';
  options.filesDir = options.filesDir || fs.mkdtempSync(path.join(os.tmpdir(), 'echat-test-files-')); // as :memory: has
  const { Client } = require('pg');
  const name = `echat_test_${process.pid}_${++databases}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Run the command line as a child process; resolves when its JSON "listening" line arrives. */
function startCli(args, { env } = {}) {
  const child = ownChild(spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = [];
  const rl = readline.createInterface({ input: child.stdout });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) {
        try {
          const info = JSON.parse(line);
          resolve({ ...info, child, lines, exited, stderr: () => stderr });
        } catch (err) {
          reject(new Error(`bad first line ${line}: ${err.message}`));
        }
      }
    });
    exited.then(({ code, signal }) => reject(new Error(`devserver exited (${code ?? signal}) before listening: ${stderr}`)));
  });
}

function deadline(promise, what, ms = WAIT_MS) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms); timer.unref(); }),
  ]).finally(() => clearTimeout(timer));
}

/** Retry `fn` (an async assertion) until it passes; for state the server reaches asynchronously. */
async function eventually(fn, what = 'condition', ms = WAIT_MS) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw new Error(`${what} never held: ${err.message}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** POST a JSON body (or raw bytes) to the HTTP API. Resolves to {status, headers, body (parsed)}. */
function httpRequest(server, urlPath, { method = 'POST', body, raw, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = raw !== undefined ? raw : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({
      host: '127.0.0.1', port: server.httpPort, path: urlPath, method,
      headers: { ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let parsed = buf;
        if ((res.headers['content-type'] || '').startsWith('application/json')) parsed = JSON.parse(buf.toString());
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Call POST /v1/<module>/<method>; resolves to the response body {requestId, code, msg, data}. */
async function httpCall(server, module, method, fields = {}, options = {}) {
  const res = await httpRequest(server, `/v1/${module}/${method}`, { body: fields, ...options });
  return res.body;
}

/** Create users with the app credentials (user/add over HTTP). */
async function addUsers(server, auids, { appKey = APP, secret = '' } = {}) {
  for (const auid of auids) {
    const r = await httpCall(server, 'user', 'add', { appKey, secret, auid, token: `tk-${auid}`, name: `User ${auid}` });
    if (r.code !== 0) throw new Error(`user/add ${auid}: ${JSON.stringify(r)}`);
  }
}

let uniqueCounter = 0;
/** A fresh id for users, so tests sharing a server never share users. */
const unique = (prefix = 'u') => `${prefix}${process.pid}x${++uniqueCounter}`;

/** A socket.io client (EIO4 via socket.io-client 4, EIO3 via socket.io-client 2) speaking the envelope. */
class SocketClient {
  constructor(server, { eio = 4, autoAck = true, transports = ['websocket'] } = {}) {
    const url = `http://127.0.0.1:${server.socketPort}`;
    const opts = { transports, reconnection: false, forceNew: true };
    this.socket = eio === 3 ? ioV2(url, opts) : ioV4(url, opts);
    this.eio = eio;
    this.requests = 0;
    this.jwt = null;
    this.messages = [];
    this.notifies = [];
    this.waiters = [];
    this.socket.on('topic.message', (msg, ack) => {
      this.messages.push(msg);
      if (autoAck && typeof ack === 'function') ack({ seq: msg.seq });
      this.check();
    });
    this.socket.on('topic.notify', (n) => {
      this.notifies.push(n);
      this.check();
    });
    this.socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.check();
    });
  }

  connected() {
    if (this.socket.connected) return Promise.resolve();
    return deadline(new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('connect_error', reject);
    }), 'socket connect');
  }

  /** Emit `event` with `payload` and resolve to the ack argument. */
  emitAck(event, payload) {
    return deadline(new Promise((resolve) => this.socket.emit(event, payload, resolve)), `ack of ${event}`);
  }

  /** topic.<module> with the E聊 envelope; resolves to the ack {requestId, response}. */
  async request(module, method, fields = {}, { withJwt = true } = {}) {
    const requestId = `t${this.eio}-${++this.requests}`;
    const payload = { requestId, timestamp: Date.now(), method, ...(withJwt && this.jwt ? { jwt: this.jwt } : {}), ...fields };
    const ack = await this.emitAck(`topic.${module}`, payload);
    if (!ack || ack.requestId !== requestId) throw new Error(`requestId not echoed: ${JSON.stringify(ack)}`);
    return ack;
  }

  /** Like request, resolving to R only. */
  async call(module, method, fields = {}, options) {
    return (await this.request(module, method, fields, options)).response;
  }

  async login(auid, token = `tk-${auid}`, appKey = APP) {
    await this.connected();
    const ack = await this.request('connection', 'authority/request', { appKey, auid, token }, { withJwt: false });
    if (ack.response.code === 0) {
      this.jwt = ack.response.data;
      this.auid = auid;
    }
    return ack.response;
  }

  check() {
    this.waiters = this.waiters.filter((w) => !w());
  }

  /** Resolve with the first item of `list` ('messages' | 'notifies') matching pred, waiting if needed. */
  waitFor(list, pred = () => true, what = list) {
    return deadline(new Promise((resolve) => {
      const probe = () => {
        const found = this[list].find(pred);
        if (found) resolve(found);
        return !!found;
      };
      if (!probe()) this.waiters.push(probe);
    }), what);
  }

  waitMessage(pred, what = 'topic.message') { return this.waitFor('messages', pred, what); }
  waitNotify(type, pred = () => true) { return this.waitFor('notifies', (n) => n.type === type && pred(n), `notify ${type}`); }
  waitDisconnect() {
    return deadline(new Promise((resolve) => {
      if (!this.socket.connected) return resolve(this.disconnectReason);
      this.socket.once('disconnect', resolve);
    }), 'disconnect');
  }

  close() {
    this.socket.close();
  }
}

/**
 * An API client over one transport ('http' | 'eio4' | 'eio3') with the same call(module, method, fields)
 * -> R interface, so a test can run once per transport and compare.
 */
async function apiClient(server, transport, auid, token = `tk-${auid}`, appKey = APP) {
  if (transport === 'http') {
    const login = await httpCall(server, 'auth', 'login', { appKey, auid, token });
    if (login.code !== 0) throw new Error(`login ${auid}: ${JSON.stringify(login)}`);
    let n = 0;
    return {
      transport, auid, jwt: login.data,
      call: async (module, method, fields = {}) => {
        const requestId = `h-${++n}`;
        const body = await httpCall(server, module, method, { requestId, jwt: login.data, ...fields });
        if (body.requestId !== requestId) throw new Error(`requestId not echoed: ${JSON.stringify(body)}`);
        const { code, msg, data } = body;
        return { code, msg, data };
      },
      close: () => {},
    };
  }
  const client = new SocketClient(server, { eio: transport === 'eio3' ? 3 : 4 });
  const r = await client.login(auid, token, appKey);
  if (r.code !== 0) throw new Error(`login ${auid}: ${JSON.stringify(r)}`);
  return {
    transport, auid, jwt: client.jwt, socket: client,
    call: (module, method, fields = {}) => client.call(module, method, fields),
    close: () => client.close(),
  };
}

/** Assert R succeeded and return its data. */
function ok(r) {
  assert.equal(r && r.code, 0, `expected success, got ${JSON.stringify(r)}`);
  return r.data;
}

/** Assert R failed with `code` (and, if given, a msg containing `msgPart`). */
function fails(r, code, msgPart) {
  assert.equal(r && r.code, code, `expected code ${code}, got ${JSON.stringify(r)}`);
  assert.equal(typeof r.msg, 'string');
  if (msgPart) assert.ok(r.msg.includes(msgPart), `msg ${JSON.stringify(r.msg)} should contain ${JSON.stringify(msgPart)}`);
  return r;
}

/** A P2P TEXT message form. */
const text = (from, to, str, extra = {}) => ({ formUser: from, toTarget: to, way: 'P2P', type: 'TEXT', body: { text: str }, ...extra });

module.exports = {
  APP, CLI, TRANSPORTS, ok, fails, eventually, startServer, startCli, httpRequest, httpCall, addUsers, unique, SocketClient, apiClient, text, deadline,
};
