'use strict';
// The socket port: socket.io 4 speaking both Engine.IO 4 and, with allowEIO3, Engine.IO 3 (the wire of
// socket.io 2 clients and of the E聊 server family). Client -> server events:
//   topic.<module>   {requestId, timestamp, method, jwt?, ...fields} with an ack; the ack argument is
//                    {requestId, response: R}. topic.connection / authority/request logs the socket in.
//   topic.clientack  {seq} or {mid}: legacy delivery confirmation (the ack of topic.message is preferred)
// Server -> client events (see hub.js): topic.message (asks for an ack), topic.notify.
//
// Before a connection has authenticated (a login, or an admin call with the app credentials), it may
// send frames of at most maxBodyBytes + 4 KiB and hold at most that many bytes of binary attachments
// waiting for their packet; it must authenticate within --login-timeout; one address may hold at most
// --max-connections-per-address Engine.IO sessions. A packet may announce at most MAX_ATTACHMENTS
// binary attachments. Breaking a rule closes the connection (docs/security.md).

const http = require('node:http');
const { Server } = require('socket.io');
const v = require('./validate');
const { Code, ApiError, ok, fromError, invalid, tooLarge } = require('./errors');
const { resolve, requestIdOf } = require('./api');
const { pending } = require('./api/message');
const { requestLimit } = require('./config');
const { Counter, capConnections } = require('./guard');

const LOGIN = 'connection/authority/request';
const MAX_ATTACHMENTS = 4;
const FRAME_SLACK = 4096;

/**
 * Set the largest frame the connection's transport accepts. Engine.IO has one limit for every
 * connection (maxHttpBufferSize); an authenticated connection gets the larger one here: the polling
 * transport reads `maxHttpBufferSize`, the websocket one checks its ws receiver's `_maxPayload`
 * (ws 8, pinned in package.json; tests/devserver/security.test.js fails if this stops working).
 */
function setFrameLimit(conn, bytes) {
  const transport = conn.transport;
  if (!transport) return;
  if ('maxHttpBufferSize' in transport) transport.maxHttpBufferSize = bytes;
  const receiver = transport.socket && transport.socket._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}

/** The pre-authentication rules of one Engine.IO connection; `authenticated()` lifts them. */
function guardConnection(conn, { preAuthBytes, authBytes, loginTimeout, debug }) {
  const state = { authenticated: false, pendingBinary: 0 };
  const close = (why) => {
    debug(`closing connection ${conn.id} from ${conn.remoteAddress}: ${why}`);
    conn.close();
  };
  const timer = setTimeout(() => close(`no login within ${loginTimeout} ms`), loginTimeout);
  conn.once('close', () => clearTimeout(timer));
  conn.on('packet', (packet) => {
    if (packet.type !== 'message') return;
    const data = packet.data;
    if (data === undefined || data === null) return;
    if (typeof data === 'string') {
      state.pendingBinary = 0;
      const binary = /^[56](\d+)-/.exec(data);
      if (binary && Number(binary[1]) > MAX_ATTACHMENTS) close(`a packet announced ${binary[1]} binary attachments`);
      return;
    }
    state.pendingBinary += Number(data.byteLength !== undefined ? data.byteLength : data.length) || 0;
    const limit = state.authenticated ? authBytes : preAuthBytes;
    if (state.pendingBinary > limit) close(`${state.pendingBinary} bytes of attachments pending (limit ${limit})`);
  });
  conn.on('upgrade', () => { if (state.authenticated) setFrameLimit(conn, authBytes); });
  return {
    authenticated() {
      if (state.authenticated) return;
      state.authenticated = true;
      clearTimeout(timer);
      setFrameLimit(conn, authBytes);
    },
  };
}

/** Approximate encoded size of a payload: JSON text length, binary attachments by byte length. */
function payloadSize(payload) {
  let size = 0;
  for (const value of Object.values(payload)) {
    size += Buffer.isBuffer(value) ? value.length : Buffer.byteLength(JSON.stringify(value) || '');
  }
  return size;
}

/** The HTTP port's base URL as seen by this socket's client (for upload URLs). */
function httpBaseUrl(socket, ctx) {
  let hostname = ctx.config.host;
  try {
    hostname = new URL(`http://${socket.handshake.headers.host}`).hostname || hostname;
  } catch { /* keep the configured host */ }
  return `http://${hostname}:${ctx.ports.http}`;
}

/** Create the socket port's HTTP server (not yet listening) with socket.io attached. */
function createSocketServer({ api, ctx }) {
  const { config, hub } = ctx;
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('this port serves socket.io only (path /socket.io/); the HTTP API is on the HTTP port\n');
  });
  capConnections(httpServer, config.maxConnectionsPerAddress, ctx.debug);
  const sessionsByAddress = new Counter(config.maxConnectionsPerAddress);
  const preAuthBytes = config.maxBodyBytes + FRAME_SLACK;
  // Large enough for a base64 upload; every request is then checked against its own limit and
  // answered PAYLOAD_TOO_LARGE. Beyond this, Engine.IO itself closes the connection.
  const authBytes = requestLimit(config, 'file') + FRAME_SLACK;
  const io = new Server(httpServer, {
    allowEIO3: true,
    serveClient: false,
    cors: { origin: '*' },
    pingInterval: config.pingInterval,
    pingTimeout: config.pingTimeout,
    maxHttpBufferSize: preAuthBytes, // raised per connection once it has authenticated
    allowRequest: (req, callback) => {
      const address = req.socket.remoteAddress;
      if (sessionsByAddress.get(address) >= config.maxConnectionsPerAddress) {
        ctx.debug(`refused a socket.io session from ${address}: ${config.maxConnectionsPerAddress} already open`);
        return callback(`too many connections from ${address}`, false);
      }
      return callback(null, true);
    },
  });
  const guards = new WeakMap(); // Engine.IO connection -> guardConnection()
  io.engine.on('connection', (conn) => {
    const address = conn.remoteAddress;
    sessionsByAddress.add(address);
    conn.once('close', () => sessionsByAddress.remove(address));
    guards.set(conn, guardConnection(conn, { preAuthBytes, authBytes, loginTimeout: config.loginTimeout, debug: ctx.debug }));
  });
  const authenticated = (socket) => { const g = guards.get(socket.conn); if (g) g.authenticated(); };

  async function onTopic(socket, module, payload, reply) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || Buffer.isBuffer(payload)) {
      return reply(fromError(new ApiError(Code.INVALID_ARGUMENT, 'the payload must be an object')));
    }
    if (typeof payload.method !== 'string' || payload.method === '') return reply(fromError(invalid('method', 'required')));
    const limit = requestLimit(config, module);
    let size;
    try {
      size = payloadSize(payload);
    } catch {
      return reply(fromError(new ApiError(Code.INVALID_ARGUMENT, 'the payload is not plain JSON')));
    }
    if (size > limit) return reply(fromError(tooLarge(`request exceeds ${limit} bytes`)));
    const { method } = payload;
    const transport = { session: socket.data.session, baseUrl: httpBaseUrl(socket, ctx) };
    const r = await api.handle({ module, method, input: payload, address: socket.handshake.address, transport });
    if (r.code === Code.OK && (transport.caller || resolve(module, method) === LOGIN)) authenticated(socket);
    if (r.code !== Code.OK || resolve(module, method) !== LOGIN || !socket.connected) return reply(r);
    // A successful login over the socket: this socket becomes the user's session (an older socket of
    // the user is kicked, friends hear user.online), then the answer, then the deliveries the user
    // has not acknowledged yet, in seq order.
    const { appKey, auid, exp, jti } = await ctx.auth.verify(r.data, { issued: true });
    await hub.bind(socket, { appKey, auid, exp, jti, loginTime: ctx.now() });
    ctx.debug(`socket ${socket.id} logged in as ${appKey}/${auid}`);
    reply(r);
    for (const message of await pending(ctx, appKey, auid, config.offlinePushLimit)) hub.pushMessage(appKey, auid, message);
  }

  async function onClientAck(socket, payload, reply) {
    try {
      if (typeof payload !== 'object' || payload === null) throw new ApiError(Code.INVALID_ARGUMENT, 'the payload must be {seq} or {mid}');
      const caller = await ctx.auth.caller('user', payload, { session: socket.data.session }, ctx.now());
      const seq = v.int(payload, 'seq', { min: 1 });
      const mid = seq === undefined ? v.int(payload, 'mid', { required: true, min: 1 }) : undefined;
      reply(ok({ acked: await hub.ack(caller.appKey, caller.auid, { seq, mid }) }));
    } catch (err) {
      reply(fromError(err));
    }
  }

  io.on('connection', (socket) => {
    ctx.debug(`socket ${socket.id} connected (EIO${socket.conn.protocol}) from ${socket.handshake.address}`);
    socket.data.session = null;
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      const payload = args[0];
      const reply = (r) => { if (ack) ack({ requestId: requestIdOf(payload), response: r }); };
      const topic = /^topic\.(.+)$/.exec(event);
      if (event === 'topic.clientack') return onClientAck(socket, payload, reply);
      if (!topic) return reply(fromError(new ApiError(Code.UNKNOWN_METHOD, `unknown event '${event}'`)));
      return onTopic(socket, topic[1], payload, reply).catch((err) => {
        ctx.log(`socket: ${err && err.stack}`);
        reply(fromError(err));
      });
    });
    socket.on('disconnect', (reason) => {
      ctx.debug(`socket ${socket.id} disconnected: ${reason}`);
      hub.unbind(socket);
    });
  });

  return { io, httpServer };
}

module.exports = { createSocketServer };
