'use strict';
// A raw WebSocket server on /socket.io/ that plays a scripted sequence of Engine.IO / Socket.IO frames,
// valid or not, so client tests can check error handling. It runs in the test process (no socket.io).
//
//   const h = await startHostileServer({ script: SCENARIOS['bad-open-json'], autoPong: true });
//   h.url, h.wsUrl(eio)
//   h.received      [{ conn, data: string | Buffer, binary, at }]  every frame the client sent
//   h.connections   [{ id, eio, query, headers, closed, closeCode, scriptError }]
//   h.setScript(script)             for the next connections
//   await h.waitForConnection(n = 1), await h.waitForFrame(pred), await h.close()
//
// A script is an array of steps, or a function (ctx) => steps where ctx = { eio, query, headers, index }.
// Steps:
//   'text'  or { text }              a text frame            Buffer or { binary }   a binary frame
//   { wait: ms }                      pause
//   { expect: string | RegExp | fn, timeout }   wait for the next client frame matching (fails the script
//                                     after timeout, default 5000 ms)
//   { close: code, reason }          close handshake          { terminate: true }    drop the TCP connection
//   { raw: Buffer }                   bytes written straight onto the TCP socket (e.g. invalid frames)
//   { pingEvery: ms }                 from now on send "2" every ms (EIO4 server heartbeat)
//   { fn: async (ws, ctx, h) => {} }  anything else
// When the script ends the connection stays open (until the client or h.close() ends it).
// autoPong: answer "2" with "3" and "2probe" with "3probe" (EIO3 clients ping the server).

const { WebSocketServer } = require('ws');
const { once } = require('node:events');

// ---- frame builders ----

function open({ eio = 4, sid = 'hostile-sid', pingInterval = 25000, pingTimeout = 20000, maxPayload = 1000000, upgrades = [] } = {}) {
  const o = { sid, upgrades, pingInterval, pingTimeout };
  if (eio >= 4) o.maxPayload = maxPayload;
  return `0${JSON.stringify(o)}`;
}

// Socket.IO CONNECT acknowledgement for a namespace: EIO4 `40{"sid"}`, EIO3 `40`.
function connectAck(eio = 4, nsp = '/', sid = 'hostile-nsp-sid') {
  const prefix = nsp === '/' ? '' : `${nsp},`;
  return eio >= 4 ? `40${prefix}${JSON.stringify({ sid })}` : `40${prefix}`;
}

function event(name, ...args) { return `42${JSON.stringify([name, ...args])}`; }

// One binary attachment frame: EIO3 prefixes 0x04, EIO4 sends the raw bytes.
function binaryFrame(eio, bytes) {
  const b = Buffer.from(bytes);
  return eio >= 4 ? b : Buffer.concat([Buffer.from([4]), b]);
}

// A BINARY_EVENT with its attachments: [header, ...frames].
function binaryEvent(eio, name, ...args) {
  const buffers = [];
  const walk = (v) => {
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      buffers.push(Buffer.from(v));
      return { _placeholder: true, num: buffers.length - 1 };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = {};
      for (const k of Object.keys(v)) o[k] = walk(v[k]);
      return o;
    }
    return v;
  };
  const data = walk([name, ...args]);
  return [`45${buffers.length}-${JSON.stringify(data)}`, ...buffers.map((b) => binaryFrame(eio, b))];
}

// An unmasked server->client WebSocket frame with any opcode and payload (for { raw }).
function wsFrame(opcode, payload, fin = true) {
  const p = Buffer.from(payload);
  let head;
  if (p.length < 126) head = Buffer.from([(fin ? 0x80 : 0) | opcode, p.length]);
  else if (p.length < 65536) { head = Buffer.alloc(4); head[0] = (fin ? 0x80 : 0) | opcode; head[1] = 126; head.writeUInt16BE(p.length, 2); }
  else { head = Buffer.alloc(10); head[0] = (fin ? 0x80 : 0) | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(p.length), 2); }
  return Buffer.concat([head, p]);
}

// The usual start: open packet, then (EIO4) wait for the client's CONNECT and acknowledge it;
// (EIO3) acknowledge "/" at once as socket.io 2 does.
function handshake(ctx, openOpts = {}) {
  const steps = [open({ eio: ctx.eio, ...openOpts })];
  if (ctx.eio >= 4) steps.push({ expect: /^40/ });
  steps.push(connectAck(ctx.eio));
  return steps;
}

// ---- named scenarios ----

const SCENARIOS = {
  'never-open': () => [],
  'bad-open-json': () => ['0{"sid":"x","upgrades":[],"pingInterval":'],
  'open-not-object': () => ['0[1,2,3]'],
  'open-missing-fields': () => ['0{"sid":"x"}'],
  'unknown-eio-type': (ctx) => [...handshake(ctx), '9whatever'],
  'unknown-sio-type': (ctx) => [...handshake(ctx), '49["x"]'],
  'bad-json': (ctx) => [...handshake(ctx), '42["ev",'],
  'event-not-array': (ctx) => [...handshake(ctx), '42{"a":1}'],
  'event-empty-array': (ctx) => [...handshake(ctx), '42[]'],
  'event-reserved-name': (ctx) => [...handshake(ctx), '42["connect"]', '42["disconnect","x"]'],
  'ack-without-id': (ctx) => [...handshake(ctx), '43[1]'],
  'ack-unknown-id': (ctx) => [...handshake(ctx), '43999[1]'],
  'nsp-without-comma': (ctx) => [...handshake(ctx), '42/admin["ev"]'],
  'empty-frame': (ctx) => [...handshake(ctx), ''],
  'connect-error-string': (ctx) => [open({ eio: ctx.eio }), ...(ctx.eio >= 4 ? [{ expect: /^40/ }] : []), '44"Not authorized"'],
  'connect-error-object': (ctx) => [open({ eio: ctx.eio }), ...(ctx.eio >= 4 ? [{ expect: /^40/ }] : []), '44{"message":"auth failed","data":{"code":401}}'],
  'connect-string-payload': (ctx) => [open({ eio: ctx.eio }), ...(ctx.eio >= 4 ? [{ expect: /^40/ }] : []), '40"not an object"'],
  'disconnect-with-payload': (ctx) => [...handshake(ctx), '41{"reason":"bye"}'],
  'server-disconnect': (ctx) => [...handshake(ctx), '41'],
  'eio-close-packet': (ctx) => [...handshake(ctx), '1'],
  // header announces two attachments, only one arrives before the next packet
  'binary-fewer-attachments': (ctx) => [...handshake(ctx),
    '452-["ev",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', binaryFrame(ctx.eio, [1, 2, 3]), event('after')],
  // header announces one attachment, two arrive
  'binary-more-attachments': (ctx) => [...handshake(ctx),
    '451-["ev",{"_placeholder":true,"num":0}]', binaryFrame(ctx.eio, [1]), binaryFrame(ctx.eio, [2]), event('after')],
  'binary-placeholder-out-of-range': (ctx) => [...handshake(ctx),
    '451-["ev",{"_placeholder":true,"num":5}]', binaryFrame(ctx.eio, [1])],
  'binary-without-header': (ctx) => [...handshake(ctx), binaryFrame(ctx.eio, [9, 9, 9]), event('after')],
  'binary-count-not-a-number': (ctx) => [...handshake(ctx), '45x-["ev",{"_placeholder":true,"num":0}]', binaryFrame(ctx.eio, [1])],
  // a valid binary event, for contrast
  'binary-ok': (ctx) => [...handshake(ctx), ...binaryEvent(ctx.eio, 'bin', Buffer.from([1, 2, 3]), { nested: Buffer.from([4]) })],
  // a message bigger than the maxPayload announced in the open packet (1e6)
  'oversize': (ctx) => [...handshake(ctx), event('big', 'x'.repeat(1100000))],
  // invalid UTF-8 in a text frame (the WebSocket layer must close 1007)
  'invalid-utf8': (ctx) => [...handshake(ctx), { raw: wsFrame(0x1, Buffer.from([0x34, 0x32, 0xff, 0xfe])) }],
  // open, then total silence: no pings (EIO4 clients must time out after pingInterval + pingTimeout)
  'silent-after-open': (ctx) => [open({ eio: ctx.eio, pingInterval: 200, pingTimeout: 200 }),
    ...(ctx.eio >= 4 ? [{ expect: /^40/ }] : []), connectAck(ctx.eio)],
  // EIO4 server heartbeat done right, for contrast
  'pings': (ctx) => [...handshake(ctx, { pingInterval: 100, pingTimeout: 1000 }), { pingEvery: 100 }],
};

// ---- server ----

function matches(matcher, data) {
  if (typeof matcher === 'function') return matcher(data);
  if (matcher instanceof RegExp) return typeof data === 'string' && matcher.test(data);
  return data === matcher;
}

async function startHostileServer({ script = [], autoPong = true, port = 0 } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/socket.io/' });
  await once(wss, 'listening');
  const h = {
    wss,
    port: wss.address().port,
    received: [],
    connections: [],
    script,
    _frameWaiters: new Set(),
    _connWaiters: new Set(),
    get url() { return `http://127.0.0.1:${this.port}`; },
    wsUrl(eio = 4) { return `ws://127.0.0.1:${this.port}/socket.io/?EIO=${eio}&transport=websocket`; },
    setScript(s) { this.script = s; },
    waitForConnection(n = 1, ms = 5000) {
      return waitUntil(() => this.connections.length >= n, this._connWaiters, ms, `${n} connection(s)`);
    },
    waitForFrame(pred, ms = 5000) {
      return waitUntil(() => this.received.find((f) => pred(f)), this._frameWaiters, ms, 'a client frame');
    },
    close() {
      return new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      });
    },
  };

  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const conn = { id: h.connections.length + 1, eio: Number(query.EIO) || 4, query, headers: req.headers, closed: false, closeCode: null, scriptError: null };
    h.connections.push(conn);
    for (const w of [...h._connWaiters]) w();
    const inbox = []; // frames not yet consumed by an { expect }
    let inboxWaiter = null;
    let pingTimer = null;
    ws.on('message', (data, isBinary) => {
      const frame = { conn: conn.id, data: isBinary ? Buffer.from(data) : data.toString('utf8'), binary: isBinary, at: Date.now() };
      h.received.push(frame);
      for (const w of [...h._frameWaiters]) w();
      if (autoPong && !isBinary) {
        if (frame.data === '2') ws.send('3');
        else if (frame.data === '2probe') ws.send('3probe');
      }
      inbox.push(frame.data);
      if (inboxWaiter) inboxWaiter();
    });
    ws.on('close', (code) => {
      conn.closed = true;
      conn.closeCode = code;
      clearInterval(pingTimer);
      if (inboxWaiter) inboxWaiter();
    });
    ws.on('error', () => { /* client misbehaviour is expected here */ });

    const next = (matcher, ms) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => { inboxWaiter = null; reject(new Error(`expected a client frame matching ${matcher} within ${ms} ms`)); }, ms);
      const check = () => {
        while (inbox.length) {
          const d = inbox.shift();
          if (matches(matcher, d)) { clearTimeout(timer); inboxWaiter = null; resolve(d); return; }
        }
        if (conn.closed) { clearTimeout(timer); inboxWaiter = null; reject(new Error('client closed before the expected frame')); }
      };
      inboxWaiter = check;
      check();
    });

    const ctx = { eio: conn.eio, query, headers: req.headers, index: conn.id };
    const steps = typeof h.script === 'function' ? h.script(ctx) : h.script;
    (async () => {
      for (const step of steps) {
        if (conn.closed) return;
        if (typeof step === 'string') ws.send(step);
        else if (Buffer.isBuffer(step) || step instanceof Uint8Array) ws.send(Buffer.from(step), { binary: true });
        else if ('text' in step) ws.send(String(step.text));
        else if ('binary' in step) ws.send(Buffer.from(step.binary), { binary: true });
        else if ('wait' in step) await new Promise((r) => setTimeout(r, step.wait));
        else if ('expect' in step) await next(step.expect, step.timeout || 5000);
        else if ('close' in step) ws.close(step.close, step.reason);
        else if (step.terminate) ws.terminate();
        else if ('raw' in step) ws._socket.write(step.raw);
        else if ('pingEvery' in step) {
          clearInterval(pingTimer);
          pingTimer = setInterval(() => { if (ws.readyState === ws.OPEN) ws.send('2'); }, step.pingEvery);
        } else if (typeof step.fn === 'function') await step.fn(ws, ctx, h);
        else throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
    })().catch((e) => { conn.scriptError = e.message; });
  });
  return h;
}

function waitUntil(cond, waiters, ms, what) {
  const v = cond();
  if (v) return Promise.resolve(v);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`timed out waiting for ${what}`)); }, ms);
    const w = () => {
      const r = cond();
      if (!r) return;
      clearTimeout(timer);
      waiters.delete(w);
      resolve(r);
    };
    waiters.add(w);
  });
}

module.exports = {
  startHostileServer, SCENARIOS,
  frames: { open, connectAck, event, binaryFrame, binaryEvent, wsFrame, handshake },
};
