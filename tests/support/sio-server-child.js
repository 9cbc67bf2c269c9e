'use strict';
// Child process: one real socket.io server on 127.0.0.1, driven over IPC by sio-server.js.
// Config arrives as JSON in argv[2]: { kind: 'v4'|'v4-eio3'|'v2', port, pingInterval, pingTimeout,
// maxHttpBufferSize, connectTimeout, recovery }.
//
// Handlers (every namespace gets them; modelled on socket.io-client's own test server):
//   hi                  -> emits "hi"
//   echo ...args [cb]   -> cb(...args) if an ack is asked, else emits "echo" with the args
//   ack ...args cb      -> cb(...args)
//   getAckDate x cb     -> cb(new Date())          getDate -> emits "takeDate" a Date
//   getUtf8             -> emits "takeUtf8" five non-ASCII strings
//   false               -> emits "false" false
//   doge                -> emits "doge" Buffer("asdfasdf")
//   getbin              -> emits "takebin" Buffer and "takebin-mixed" {hello, message: Buffer, goodbye}
//   binary-echo ...args -> emits "binary-echo" with the same args (Buffers stay binary) / cb(...args)
//   buffa x             -> emits "buffack" if x is binary
//   jsonbuff x          -> emits "jsonbuff-ack" if x = {hello:'lol', message:<binary>, goodbye:'gotcha'}
//   getId cb            -> cb(socket.id)            getHandshake cb -> cb({query, auth, url})
//   many n              -> emits "many" 0..n-1 in order
//   request-ack ...args -> emits "server-ack-request" ...args with an ack; when the client acks, the
//                          server emits "server-ack-received" with the ack's args (and logs it)
//   server-disconnect   -> socket.disconnect()      (client sees "io server disconnect")
//   server-close        -> socket.disconnect(true)  (closes the whole connection)
//   big n cb            -> cb("x" * n)
// Namespaces: "/" (refused when query.fail or auth.fail), "/foo", "/abc" (emits "handshake" on connect),
// "/asd", "/valid", "/timeout_socket", "/no" (always refused: {message:'auth failed', data:{...}};
// socket.io 2 sends the plain string "auth failed").

const http = require('node:http');

const cfg = JSON.parse(process.argv[2] || '{}');
const kind = cfg.kind || 'v4';
const NAMESPACES = ['/', '/foo', '/abc', '/asd', '/valid', '/timeout_socket', '/no'];

function send(msg) {
  if (process.connected) process.send(msg);
}

// JSON-safe copy of event arguments for the log.
function safe(v, depth = 0) {
  if (depth > 20) return '[deep]';
  if (Buffer.isBuffer(v)) return { $buffer: v.toString('base64') };
  if (v instanceof ArrayBuffer) return { $buffer: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { $buffer: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Date) return { $date: v.toISOString() };
  if (typeof v === 'function') return { $ack: true };
  if (Array.isArray(v)) return v.map((x) => safe(x, depth + 1));
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = safe(v[k], depth + 1);
    return o;
  }
  return v === undefined ? null : v;
}

// The reverse: {$buffer} -> Buffer, {$date} -> Date.
function unsafe(v) {
  if (Array.isArray(v)) return v.map(unsafe);
  if (v && typeof v === 'object') {
    if (typeof v.$buffer === 'string') return Buffer.from(v.$buffer, 'base64');
    if (typeof v.$date === 'string') return new Date(v.$date);
    const o = {};
    for (const k of Object.keys(v)) o[k] = unsafe(v[k]);
    return o;
  }
  return v;
}

function log(entry) {
  send({ type: 'event', entry: { at: Date.now(), ...entry } });
}

const isBinary = (x) => Buffer.isBuffer(x) || x instanceof ArrayBuffer || ArrayBuffer.isView(x);

function attach(nsp, socket) {
  const name = nsp.name;
  const sid = socket.id;
  const hs = socket.handshake || {};
  log({ type: 'connect', nsp: name, sid, query: safe(hs.query || {}), auth: safe(hs.auth || {}) });
  if (name === '/abc') socket.emit('handshake', { query: hs.query || {}, auth: hs.auth || {}, url: hs.url });

  const onAny = (event, args) => log({ type: 'event', nsp: name, sid, event, args: safe(args) });
  // socket.io 2 has no onAny: wrap onevent instead
  if (typeof socket.onAny === 'function') socket.onAny((event, ...args) => onAny(event, args));
  else {
    const orig = socket.onevent;
    socket.onevent = function (packet) {
      const args = packet.data || [];
      onAny(args[0], [...args.slice(1), ...(packet.id != null ? [() => {}] : [])]); // an ack logs as {$ack}
      return orig.call(this, packet);
    };
  }

  socket.on('hi', () => socket.emit('hi'));
  socket.on('echo', (...args) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') { args.pop(); last(...args); } else socket.emit('echo', ...args);
  });
  socket.on('ack', (...args) => {
    const cb = args.pop();
    if (typeof cb === 'function') cb(...args);
  });
  socket.on('getAckDate', (x, cb) => { if (typeof cb === 'function') cb(new Date()); });
  socket.on('getDate', () => socket.emit('takeDate', new Date()));
  socket.on('getUtf8', () => {
    for (const s of ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', '😀 emoji']) socket.emit('takeUtf8', s);
  });
  socket.on('false', () => socket.emit('false', false));
  socket.on('doge', () => socket.emit('doge', Buffer.from('asdfasdf', 'utf8')));
  socket.on('getbin', () => {
    socket.emit('takebin', Buffer.from('asdfasdf', 'utf8'));
    socket.emit('takebin-mixed', { hello: 'lol', message: Buffer.from([0, 1, 2, 255]), goodbye: 'gotcha' });
  });
  socket.on('binary-echo', (...args) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') { args.pop(); last(...args); } else socket.emit('binary-echo', ...args);
  });
  socket.on('buffa', (a) => { if (isBinary(a)) socket.emit('buffack'); });
  socket.on('jsonbuff', (a) => {
    const ok = a && a.hello === 'lol' && isBinary(a.message) && a.goodbye === 'gotcha';
    socket.emit(ok ? 'jsonbuff-ack' : 'jsonbuff-nack');
  });
  socket.on('getId', (cb) => { if (typeof cb === 'function') cb(socket.id); });
  socket.on('getHandshake', (cb) => { if (typeof cb === 'function') cb({ query: hs.query || {}, auth: hs.auth || {}, url: hs.url }); });
  socket.on('many', (n) => { for (let i = 0; i < Number(n); i++) socket.emit('many', i); });
  socket.on('request-ack', (...args) => {
    if (typeof args[args.length - 1] === 'function') args.pop();
    socket.emit('server-ack-request', ...args, (...ackArgs) => {
      log({ type: 'ack', nsp: name, sid, args: safe(ackArgs) });
      socket.emit('server-ack-received', ...ackArgs);
    });
  });
  socket.on('server-disconnect', () => socket.disconnect());
  socket.on('server-close', () => socket.disconnect(true));
  socket.on('big', (n, cb) => { if (typeof cb === 'function') cb('x'.repeat(Number(n) || 0)); });
  socket.on('disconnect', (reason) => log({ type: 'disconnect', nsp: name, sid, reason }));
}

function refuseIfAsked(socket, next) {
  const hs = socket.handshake || {};
  const q = hs.query || {};
  const a = hs.auth || {};
  if (q.fail || a.fail) {
    log({ type: 'refused', nsp: socket.nsp.name, query: safe(q), auth: safe(a) });
    const err = new Error('auth failed');
    if (kind !== 'v2') err.data = { reason: 'refused by middleware', nsp: socket.nsp.name };
    return next(err);
  }
  return next();
}

function refuseAlways(socket, next) {
  log({ type: 'refused', nsp: socket.nsp.name });
  const err = new Error('auth failed');
  if (kind !== 'v2') err.data = { reason: 'namespace is closed', nsp: socket.nsp.name };
  next(err);
}

const httpServer = http.createServer((req, res) => {
  // socket.io answers /socket.io/ itself; anything else is a 404
  if (!res.headersSent) { res.writeHead(404); res.end(); }
});
const sockets = new Set();
httpServer.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

let io;
const common = {
  pingInterval: cfg.pingInterval || 25000,
  pingTimeout: cfg.pingTimeout || 20000,
  maxHttpBufferSize: cfg.maxHttpBufferSize || 1e6,
};
if (kind === 'v2') {
  const ioV2 = require('socket.io-v2');
  io = ioV2(httpServer, { ...common, serveClient: false, cookie: false, ...(cfg.transports ? { transports: cfg.transports } : {}) });
} else {
  const { Server } = require('socket.io');
  io = new Server(httpServer, {
    ...common,
    serveClient: false,
    allowEIO3: kind === 'v4-eio3',
    connectTimeout: cfg.connectTimeout || 45000,
    ...(cfg.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 60000 } } : {}),
    ...(cfg.transports ? { transports: cfg.transports } : {}),
  });
}

io.engine.on('connection', (raw) => {
  const q = raw.request && raw.request._query ? raw.request._query : {};
  log({ type: 'engine-connection', id: raw.id, eio: Number(q.EIO) || raw.protocol || null, transport: raw.transport && raw.transport.name });
  raw.on('close', (reason) => log({ type: 'engine-close', id: raw.id, reason }));
});

io.use(refuseIfAsked);
for (const name of NAMESPACES) {
  const nsp = io.of(name);
  if (name === '/no') nsp.use(refuseAlways);
  else if (name !== '/') nsp.use(refuseIfAsked);
  nsp.on('connection', (socket) => attach(nsp, socket));
}

function listSockets() {
  const out = [];
  for (const name of NAMESPACES) {
    const nsp = io.of(name);
    const map = nsp.sockets instanceof Map ? [...nsp.sockets.values()] : Object.values(nsp.sockets || nsp.connected || {});
    for (const s of map) out.push({ nsp: name, sid: s.id, query: safe((s.handshake && s.handshake.query) || {}), auth: safe((s.handshake && s.handshake.auth) || {}) });
  }
  return out;
}

process.on('message', (msg) => {
  const reply = (data) => send({ type: 'reply', id: msg.id, data });
  try {
    switch (msg.cmd) {
      case 'sync': reply(null); break;
      case 'sockets': reply(listSockets()); break;
      case 'emit': io.of(msg.nsp || '/').emit(msg.event, ...unsafe(msg.args || [])); reply(null); break;
      case 'disconnectAll': {
        for (const s of listSockets()) {
          if (msg.nsp && s.nsp !== msg.nsp) continue;
          const nsp = io.of(s.nsp);
          const sock = nsp.sockets instanceof Map ? nsp.sockets.get(s.sid) : (nsp.connected || nsp.sockets)[s.sid];
          if (sock) sock.disconnect(!!msg.close);
        }
        reply(null);
        break;
      }
      case 'dropTransports': {
        // Abrupt: destroy every TCP connection without any Engine.IO / Socket.IO close packet.
        for (const s of sockets) s.destroy();
        reply(null);
        break;
      }
      case 'stop':
        io.close();
        for (const s of sockets) s.destroy();
        httpServer.close(() => { reply(null); setTimeout(() => process.exit(0), 10); });
        setTimeout(() => process.exit(0), 1000).unref();
        break;
      default: send({ type: 'reply', id: msg.id, error: `unknown command ${msg.cmd}` });
    }
  } catch (e) {
    send({ type: 'reply', id: msg.id, error: e.message });
  }
});

process.on('disconnect', () => process.exit(0)); // parent went away: never linger

httpServer.on('error', (e) => {
  send({ type: 'error', message: e.message, code: e.code });
  setTimeout(() => process.exit(1), 10);
});
httpServer.listen(cfg.port || 0, '127.0.0.1', () => {
  const versions = kind === 'v2'
    ? { socketio: require('socket.io-v2/package.json').version }
    : { socketio: require('socket.io/package.json').version };
  send({ type: 'ready', port: httpServer.address().port, pid: process.pid, kind, versions });
});
