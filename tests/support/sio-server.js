'use strict';
// Real socket.io servers for the SDK's JS tests, each in a child process so a test can kill -9 it,
// freeze it (SIGSTOP) and restart it on the same port. See sio-server-child.js for the handlers.
//
//   const srv = await startSioServer({ kind: 'v4' | 'v4-eio3' | 'v2', pingInterval, pingTimeout, port });
//   srv.port, srv.url ('http://127.0.0.1:<port>'), srv.wsUrl(eio)  ('ws://…/socket.io/?EIO=4&transport=websocket')
//   await srv.events()            log of what the server saw (connect/event/ack/disconnect/refused/engine-*)
//   await srv.waitForEvent(pred)  resolves with the first matching log entry
//   srv.clearEvents()
//   await srv.emit(nsp, event, ...args)   server-side emit to every socket of a namespace (Buffers ok)
//   await srv.disconnectAll({ nsp, close })  server-side disconnect ("io server disconnect")
//   await srv.dropTransports()    destroy every TCP connection without a close packet ("transport close")
//   await srv.sockets()           [{ nsp, sid, query, auth }]
//   await srv.kill(signal = 'SIGKILL')   the process dies; the port is free again
//   srv.pause() / srv.resume()    SIGSTOP / SIGCONT: the server stops answering (ping timeouts)
//   await srv.restart()           kill (if alive) and start a new server on the same port
//   await srv.stop()              graceful shutdown
// Every server still alive when the test process exits is killed (./children.js, also when node --test
// stops the file midway).

const { fork } = require('node:child_process');
const path = require('node:path');
const { ownChild } = require('./children');

const CHILD = path.join(__dirname, 'sio-server-child.js');
const KINDS = new Set(['v4', 'v4-eio3', 'v2']);

// Log entries keep {$buffer: base64} / {$date: iso} markers; fromLog() turns them back into values.
function fromLog(v) {
  if (Array.isArray(v)) return v.map(fromLog);
  if (v && typeof v === 'object') {
    if (typeof v.$buffer === 'string') return Buffer.from(v.$buffer, 'base64');
    if (typeof v.$date === 'string') return new Date(v.$date);
    const o = {};
    for (const k of Object.keys(v)) o[k] = fromLog(v[k]);
    return o;
  }
  return v;
}

function toWire(v) {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const b = Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return { $buffer: b.toString('base64') };
  }
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = toWire(v[k]);
    return o;
  }
  return v;
}

class SioServer {
  constructor(cfg) {
    this.cfg = cfg;
    this.kind = cfg.kind;
    this.port = null;
    this.child = null;
    this.log = []; // live log, appended as the child reports
    this.output = ''; // child stdout+stderr, for debugging
    this.generation = 0;
    this._nextId = 1;
    this._pending = new Map();
    this._waiters = new Set();
  }

  get url() { return `http://127.0.0.1:${this.port}`; }
  get pid() { return this.child ? this.child.pid : null; }
  get alive() { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }
  wsUrl(eio = this.kind === 'v4' ? 4 : 3) { return `ws://127.0.0.1:${this.port}/socket.io/?EIO=${eio}&transport=websocket`; }

  async _spawn(port) {
    const cfg = { ...this.cfg, port };
    const child = ownChild(fork(CHILD, [JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: path.join(__dirname, '..', '..'),
    }));
    this.child = child;
    this.generation++;
    child.stdout.on('data', (d) => { this.output += d; });
    child.stderr.on('data', (d) => { this.output += d; });
    child.on('exit', () => {
      for (const [, p] of this._pending) p.reject(new Error('sio server exited'));
      this._pending.clear();
    });
    child.on('message', (msg) => this._onMessage(msg));
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sio server did not start in time\n${this.output}`)), 15000);
      const onMsg = (msg) => {
        if (msg.type === 'ready') { clearTimeout(timer); child.off('message', onMsg); resolve(msg); }
        if (msg.type === 'error') { clearTimeout(timer); child.off('message', onMsg); reject(Object.assign(new Error(msg.message), { code: msg.code })); }
      };
      child.on('message', onMsg);
      child.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`sio server exited early (${code ?? sig})\n${this.output}`)); });
    });
    this.port = ready.port;
    this.versions = ready.versions;
    return this;
  }

  _onMessage(msg) {
    if (msg.type === 'event') {
      const entry = { ...msg.entry, generation: this.generation };
      this.log.push(entry);
      for (const w of [...this._waiters]) w(entry);
    } else if (msg.type === 'reply') {
      const p = this._pending.get(msg.id);
      if (!p) return;
      this._pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve(msg.data);
    }
  }

  _command(cmd, extra = {}) {
    if (!this.alive || !this.child.connected) return Promise.reject(new Error('sio server is not running'));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, ...extra });
    });
  }

  // The log, complete up to now (a round trip through the child flushes what it already sent).
  async events() {
    if (this.alive && this.child.connected) {
      try { await this._command('sync'); } catch (_) { /* died meanwhile */ }
    }
    return this.log.slice();
  }

  clearEvents() { this.log.length = 0; }

  waitForEvent(pred, ms = 5000) {
    const hit = this.log.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this._waiters.delete(w); reject(new Error(`no matching server event within ${ms} ms`)); }, ms);
      const w = (entry) => {
        if (!pred(entry)) return;
        clearTimeout(timer);
        this._waiters.delete(w);
        resolve(entry);
      };
      this._waiters.add(w);
    });
  }

  emit(nsp, event, ...args) { return this._command('emit', { nsp, event, args: toWire(args) }); }
  disconnectAll({ nsp, close = false } = {}) { return this._command('disconnectAll', { nsp, close }); }
  dropTransports() { return this._command('dropTransports'); }
  sockets() { return this._command('sockets'); }

  kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      // SIGKILL ends a stopped (paused) process as it is. SIGTERM waits for it to run again, so it gets
      // SIGCONT after the signal; SIGCONT first would give a paused server a moment to answer what it
      // was sent while paused (a test that pauses it to lose an emit then saw that emit answered).
      child.kill(signal);
      if (signal === 'SIGTERM') {
        try { process.kill(child.pid, 'SIGCONT'); } catch (_) { /* not stopped */ }
      }
    });
  }

  pause() { if (this.alive) this.child.kill('SIGSTOP'); }
  resume() { if (this.alive) this.child.kill('SIGCONT'); }

  async restart() {
    await this.kill('SIGKILL');
    let lastErr;
    for (let i = 0; i < 50; i++) {
      try {
        return await this._spawn(this.port);
      } catch (e) {
        lastErr = e;
        if (e.code !== 'EADDRINUSE') throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw lastErr;
  }

  async stop() {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      this.resume();
      await Promise.race([this._command('stop'), new Promise((r) => setTimeout(r, 2000))]);
    } catch (_) { /* already gone */ }
    const t = setTimeout(() => { if (this.alive) this.child.kill('SIGKILL'); }, 2000);
    await exited;
    clearTimeout(t);
  }
}

async function startSioServer(options = {}) {
  const kind = options.kind || 'v4';
  if (!KINDS.has(kind)) throw new Error(`startSioServer: kind must be one of ${[...KINDS].join(', ')}`);
  const srv = new SioServer({
    kind,
    pingInterval: options.pingInterval,
    pingTimeout: options.pingTimeout,
    maxHttpBufferSize: options.maxHttpBufferSize,
    connectTimeout: options.connectTimeout,
    recovery: !!options.recovery,
    transports: options.transports,  // e.g. ['polling']: a server (or proxy) that refuses WebSockets
  });
  return srv._spawn(options.port || 0);
}

module.exports = { startSioServer, SioServer, fromLog, toWire };
