'use strict';
// sdk.io(url, options): a socket.io-client-compatible API over the C++ core, so code written for
// weapp.socket.io / socket.io-client moves over by changing the require line. Managers are shared per
// server (one WebSocket per server: WeChat allows 5), namespaces are multiplexed on it.
const { isFunction, isString, isObject, isNumber } = require('./is.js');
const { Emitter } = require('./emitter.js');
const { deconstruct, reconstruct, packBlob } = require('./binary.js');
const { CoreDriver, earlyUrl, openEarly, dropEarly } = require('./core-driver.js');
const loader = require('./loader.js');

const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const EMPTY = new Uint8Array(0);
const NO_ATTACHMENTS = [];  // read only

let platformFactory = null;  // set by index.js: () => platform
let platform = null;
const cache = Object.create(null);  // manager key -> Manager
const liveManagers = new Set();

function getPlatform() {
  if (!platform) {
    platform = platformFactory();
    platform.onForeground(() => { for (const m of liveManagers) m._foreground(); });
    platform.onNetwork((online) => { for (const m of liveManagers) m._call('setOnline', online); });
  }
  return platform;
}

function makeError(e) {
  return Object.assign(new Error(e.message), { code: e.code, kind: e.kind });
}

// "http://host:port/nsp?query" -> parts. The C++ core validates the URL itself; this split only finds
// the namespace and the manager key, as socket.io-client's url() does.
function parseUrl(uri) {
  const m = /^(?:([a-z][a-z0-9+.-]*):)?\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(uri || '');
  if (!m) throw new TypeError(`io(url): "${uri}" is not an absolute URL such as "http://127.0.0.1:3000/chat"`);
  const scheme = (m[1] || 'http').toLowerCase();
  return { origin: `${scheme}://${m[2]}`, nsp: m[3] && m[3] !== '/' ? m[3] : '/', query: m[4] || '' };
}

function encodeQuery(q) {
  if (!q) return '';
  if (isString(q)) return q.replace(/^\?/, '');
  return Object.keys(q).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(q[k])}`).join('&');
}

// socket.io-client's defaults, returned by the Manager's getters until set.
const MANAGER_DEFAULTS = {
  reconnection: true, reconnectionAttempts: Infinity, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
  randomizationFactor: 0.5, timeout: 20000,
};

// new Manager(opts) without a URL: socket.io-client takes the page's location; a mini-program has none,
// so the server comes from opts.hostname (or opts.host), opts.port and opts.secure, as engine.io-client
// does under Node ("localhost" when none is given).
function uriFromOptions(opts) {
  const host = opts.hostname || opts.host || 'localhost';
  const bracketed = host.indexOf(':') >= 0 && host[0] !== '[' ? `[${host}]` : host;
  return `${opts.secure ? 'https' : 'http'}://${bracketed}${opts.port ? `:${opts.port}` : ''}`;
}

// io(opts) / new Manager(opts): the URL left out.
const urlAndOptions = (uri, opts) => (isObject(uri) ? [undefined, uri] : [uri, opts || {}]);

class Manager extends Emitter {
  constructor(uri, opts) {
    super();
    [uri, opts] = urlAndOptions(uri, opts);
    // The wasm first (its options may be among these): it compiles while the rest is set up (cold start).
    loader.configure(opts);
    loader.loadCore();
    if (uri === undefined) uri = uriFromOptions(opts);
    const u = parseUrl(uri);
    this.uri = uri;
    this.opts = opts;
    this.nsps = Object.create(null);
    this._pending = [];  // calls made before the core finished loading
    this._coreDriver = null;
    this._failed = null;
    this.engine = null;  // an Engine while connected (and the last one after it closed)
    const protocol = opts.protocol === undefined || opts.protocol === 'auto' ? 0 : opts.protocol;
    if (protocol !== 0 && protocol !== 3 && protocol !== 4) {
      throw new TypeError(`io(): protocol must be 3, 4 or 'auto' (got ${JSON.stringify(opts.protocol)})`);
    }
    const query = [u.query, encodeQuery(opts.query)].filter(Boolean).join('&');
    const transports = opts.transports;
    this._coreOptions = {
      url: u.origin, path: opts.path, query, protocol,
      stripBinaryPrefix: opts.stripBinaryPrefix,
      // socket.io-client's `transports`: a WebSocket first, long-polling (wx.request) when it fails.
      websocket: !transports || transports.indexOf('websocket') >= 0,
      polling: !transports || transports.indexOf('polling') >= 0,
      // ['polling', 'websocket'] (socket.io-client's order): start with polling, then upgrade.
      pollingFirst: !!transports && transports[0] === 'polling',
    };
    // reconnection, reconnectionAttempts, reconnectionDelay, reconnectionDelayMax, randomizationFactor, timeout
    for (const name of Object.keys(MANAGER_DEFAULTS)) this._coreOptions[name] = opts[name];
    liveManagers.add(this);
    // The platform first (it asks wx for the network state while the wasm loads); the first connection
    // attempt waits for both.
    let p;
    try {
      p = getPlatform();
    } catch (err) {
      Promise.resolve().then(() => this._fail(err));
      return;
    }
    // Cold start: the first WebSocket opens while the wasm loads. The core decides as always; its first
    // OpenTransport adopts this socket when it names the same URL, else the socket is closed unused.
    // (Not when the network is known to be down: no attempt is made offline.)
    const early = opts.autoConnect !== false && opts.timeout !== 0 && this._coreOptions.websocket && !this._coreOptions.pollingFirst &&
      (!p.isNetworkKnown || !p.isNetworkKnown() || p.isOnline());
    this._early = early ? openEarly(p, earlyUrl(u, opts.path, query, protocol)) : null;
    loader.loadCore().then((core) => p.whenNetworkKnown(() => this._attach(core)), (err) => this._fail(err));
    // socket.io-client: a Manager made with autoConnect opens its connection at once, sockets or not
    // (after the calls its sockets made meanwhile, see _attach).
    this._autoOpen = opts.autoConnect !== false;
    if (this._autoOpen) this._opening();
  }

  _dropEarly() {
    dropEarly(this._early);
    this._early = null;
  }

  _attach(core) {
    if (this._destroyed) return;
    const p = getPlatform();
    const optionsJson = JSON.stringify(Object.assign({ seed: p.seed() }, this._coreOptions));
    // (set here only: d stays the manager's driver while listeners run)
    const d = this._coreDriver = new CoreDriver(core, 'SioManager', p, optionsJson, (o) => this._onOutput(o), { early: this._early });
    d.onEvent = (args, ackId) => {  // = _onOutput({k: 's.event', nsp: '/', args, ackId, buffers: []})
      const s = this.nsps['/'];
      if (s) s._onEvent(args, ackId, NO_ATTACHMENTS);
    };
    if (d.optionsError) return this._fail(makeError(d.optionsError));
    if (!p.isOnline()) d.call('setOnline', false);
    const pending = this._pending;
    this._pending = [];
    for (const [name, args, done] of pending) d.callThen(done, name, ...args);
    // (A socket made meanwhile already asked for the connection; if it is gone again, so is the wish.)
    if (this._autoOpen && Object.keys(this.nsps).length === 0) d.call('open');
    this._dropEarly();
    return undefined;
  }

  _foreground() {
    if (this._coreDriver) this._coreDriver.foreground();
  }

  // A connection attempt starts: its engine exists from now on (socket.io-client's does).
  _opening() {
    if (!this.engine || this.engine.readyState === 'closed') this.engine = new Engine(this);
  }

  _fail(err) {
    this._failed = err;
    this._dropEarly();
    const pending = this._pending;
    this._pending = [];
    for (const [, , done] of pending) if (done) done({ r: null, x: { kind: 'caller', code: 'load', message: err.message } });
    this._emit('error', err);
    for (const nsp of Object.keys(this.nsps)) this.nsps[nsp]._onConnectError(err, false);
  }

  // Runs a core call now, or once the core is loaded. `done` receives the batch ({r, x}) before its
  // outputs are dispatched.
  _call(name, ...args) {
    let done = null;
    if (isFunction(args[args.length - 1])) done = args.pop();
    if (this._coreDriver) {
      this._coreDriver.callThen(done, name, ...args);
    } else if (!this._failed && !this._destroyed) {
      this._pending.push([name, args, done]);
    }
  }

  socket(nsp, opts) {
    let s = this.nsps[nsp];
    if (!s) {
      s = new Socket(this, nsp, opts || {});
      this.nsps[nsp] = s;
    } else if (this.opts.autoConnect !== false && !s.active) {
      s.connect();
    }
    return s;
  }

  _onOutput(o) {
    switch (o.k) {
      case 'm.open': {
        let e = this.engine;
        if (!e || e.readyState !== 'opening') e = this.engine = new Engine(this);
        e._opened(o.sid, o.polling);
        return this._emit('open');
      }
      case 'm.upgrade': {  // the polling connection moved to a WebSocket
        const e = this.engine;
        if (!e) return undefined;
        e.transport = { name: 'websocket' };
        return e._emit('upgrade', e.transport);
      }
      case 'm.close':
        if (this.engine) this.engine._closed(o.reason);
        return this._emit('close', o.reason);
      case 'm.error': {
        const e = this.engine;
        if (e && e.readyState === 'opening') e._closed('transport error');  // the attempt failed
        return this._emit('error', makeError(o.err));
      }
      case 'm.attempt':
        this._opening();
        return this._emit('reconnect_attempt', o.n);
      case 'm.reconnect': return this._emit('reconnect', o.n);
      case 'm.rerror': return this._emit('reconnect_error', makeError(o.err));
      case 'm.failed': return this._emit('reconnect_failed');
      default: {
        const s = this.nsps[o.nsp];
        return s ? s._onOutput(o) : undefined;
      }
    }
  }

  // socket.io-client's setters and getters: with no argument the value, with one the manager (the core
  // takes the new value for its next decision: the next backoff, the next attempt's timeout).
  // (reconnection(v), reconnectionAttempts(v), reconnectionDelay(v), reconnectionDelayMax(v),
  // randomizationFactor(v), timeout(v): defined below the class, one per MANAGER_DEFAULTS key.)
  _option(name, v) {
    const o = this._coreOptions;
    if (v === undefined) return o[name] === undefined ? MANAGER_DEFAULTS[name] : o[name];
    const before = o[name];
    o[name] = v;
    if (this._coreDriver) {
      const b = this._coreDriver.call('setOptions', JSON.stringify(o));
      if (b.x) {
        o[name] = before;
        throw makeError(b.x);
      }
    }
    return this;
  }

  // The manager's own connection controls (socket.io-client names): the Engine.IO connection opens even
  // without a socket (fn(err) once it is open or has failed).
  open(fn) {
    if (fn) {
      const opened = () => { this.off('error', failed); fn(); };
      const failed = (err) => { this.off('open', opened); fn(err); };
      this.once('open', opened);
      this.once('error', failed);
    }
    for (const nsp of Object.keys(this.nsps)) this.nsps[nsp].connect();
    this._opening();
    this._call('open');
    return this;
  }
  connect(fn) { return this.open(fn); }

  // Closes the connection and every socket on it; no reconnection.
  _close() {
    this._call('close');
  }

  // Frees the core. The manager cannot be used afterwards.
  _destroy() {
    this._destroyed = true;
    liveManagers.delete(this);
    for (const key of Object.keys(cache)) if (cache[key] === this) delete cache[key];
    if (this._coreDriver) this._coreDriver.destroy();
  }
}

// socket.io-client's `manager.engine` (the Engine.IO connection), as far as a mini-program has one: the
// Engine.IO session id, the transport's name, close() (the connection drops with "forced close" and the
// manager reconnects, as socket.io-client's engine.close() does), the "close" and "upgrade" events. A new
// object per connection attempt, there from the attempt's start (readyState "opening", then "open"); the
// last one stays after it closed ("closed").
class Engine extends Emitter {
  constructor(manager) {
    super();
    this.id = undefined;
    this.transport = { name: manager._coreOptions.websocket && !manager._coreOptions.pollingFirst ? 'websocket' : 'polling' };
    this.readyState = 'opening';
    this._manager = manager;
  }

  _opened(id, polling) {
    this.id = id;
    this.transport = { name: polling ? 'polling' : 'websocket' };
    this.readyState = 'open';
  }

  close() {
    if (this.readyState === 'closed' || this._manager.engine !== this) return this;
    this._manager._call('dropConnection');
    return this;
  }

  _closed(reason) {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this._emit('close', reason);
  }
}

for (const name of Object.keys(MANAGER_DEFAULTS)) {
  Manager.prototype[name] = function option(v) { return this._option(name, v); };
}

class Socket extends Emitter {
  constructor(io, nsp, opts) {
    super();
    this.io = io;
    this.nsp = nsp;
    this.id = undefined;
    this.connected = false;
    this.recovered = false;
    this.auth = opts.auth;
    this._opts = opts;
    this.flags = {};
    this.active = false;
    this._acks = new Map();   // emit id -> {fn, withError}
    this._any = [];
    this._anyOut = [];
    this._outQueue = [];      // [ev, ...args] emitted while disconnected, told to onAnyOutgoing when sent
    this._pid = undefined;    // connection-state recovery: the server's pid, and the last event's offset
    this._lastOffset = undefined;
    if (io.opts.autoConnect !== false) this.connect();
  }

  get disconnected() { return !this.connected; }

  get volatile() {
    this.flags.volatile = true;
    return this;
  }

  timeout(ms) {
    this.flags.timeout = ms;
    return this;
  }

  compress() { return this; }

  connect() {
    if (this.connected) return this;
    this.active = true;
    const send = (auth) => {
      let authJson = '';
      if (auth !== undefined && auth !== null) {
        if (typeof auth !== 'object') {
          this._onConnectError(new TypeError('auth must be an object'), false);
          return;
        }
        authJson = JSON.stringify(auth);
      }
      this.io._opening();
      this.io._call('connectSocket', this.nsp, authJson, (b) => {
        if (b.x) this._onConnectError(makeError(b.x), false);
      });
    };
    if (isFunction(this.auth)) this.auth(send);
    else send(this.auth);
    return this;
  }

  open() { return this.connect(); }

  disconnect() {
    this.active = false;
    this.io._call('disconnectSocket', this.nsp);
    return this;
  }

  close() { return this.disconnect(); }

  send(...args) { return this.emit('message', ...args); }

  // An option of this socket (io(url, opts) / manager.socket(nsp, opts)), else of its manager.
  _opt(name) {
    return this._opts[name] !== undefined ? this._opts[name] : this.io.opts[name];
  }

  emit(ev, ...args) {
    if (RESERVED.has(ev)) throw new Error(`"${ev}" is a reserved event name`);
    const flags = this.flags;
    this.flags = {};
    // socket.io-client's `retries`: the core's retry queue (one emit in flight, each try with a new ack id,
    // retried after ackTimeout or a lost connection); the ack, if any, is error-first.
    const retries = flags.volatile ? 0 : retryCount(this._opt('retries'));
    // socket.io-client: .timeout(ms), or the ackTimeout option, makes the ack error-first.
    const t = flags.timeout !== undefined ? flags.timeout : this._opt('ackTimeout');
    let ack = null;
    if (isFunction(args[args.length - 1])) {
      ack = { fn: args.pop(), withError: t !== undefined || flags.withError === true || retries > 0 };
    }
    const packet = [ev, ...args];
    const { json, attachments } = deconstruct(packet);
    const wire = (ack ? 1 : 0) | (flags.volatile ? 2 : 0) | (retries << 2);
    const timeout = (ack || retries > 0) && t !== undefined ? t : -1;
    if (this._anyOut.length) {
      if (this.connected) this._notifyOutgoing(packet);
      else if (!flags.volatile) this._outQueue.push(packet);
    }
    const done = (b) => {
      if (b.x) {
        const err = makeError(b.x);
        if (ack && ack.withError) ack.fn(err);
        else this._emit('error', err);
        return;
      }
      if (ack) this._acks.set(b.r, ack);
    };
    const d = this.io._coreDriver;
    // The hot path: the JSON text stays here (the core holds a handle while it is buffered).
    if (d && !attachments.length && !retries && d.emitFast(done, this.nsp, json, packet, wire, timeout)) return this;
    const blob = attachments.length ? packBlob(attachments) : EMPTY;
    this.io._call('emit', this.nsp, json, wire, timeout, blob, done);
    return this;
  }

  // A Promise of the first ack argument; rejects on timeout (with .timeout(ms)) or disconnect.
  emitWithAck(ev, ...args) {
    return new Promise((resolve, reject) => {
      args.push((err, res) => (err ? reject(err) : resolve(res)));
      this.flags.withError = true;
      this.emit(ev, ...args);
    });
  }

  onAny(fn) { this._any.push(fn); return this; }
  prependAny(fn) { this._any.unshift(fn); return this; }
  offAny(fn) {
    this._any = fn ? this._any.filter((f) => f !== fn) : [];
    return this;
  }
  listenersAny() { return this._any.slice(); }

  // Listeners of every packet this socket sends: (event, ...args), without the ack function, when the
  // packet goes out (an emit made while disconnected is told when the buffer is sent, before "connect").
  onAnyOutgoing(fn) { this._anyOut.push(fn); return this; }
  prependAnyOutgoing(fn) { this._anyOut.unshift(fn); return this; }
  offAnyOutgoing(fn) {
    this._anyOut = fn ? this._anyOut.filter((f) => f !== fn) : [];
    return this;
  }
  listenersAnyOutgoing() { return this._anyOut.slice(); }

  _notifyOutgoing(packet) {
    for (const fn of this._anyOut.slice()) {
      try { fn.apply(this, packet); } catch (err) { Emitter.onListenerError(err, packet[0]); }
    }
  }

  _onConnectError(err, active) {
    this.active = !!active;
    this._emit('connect_error', err);
  }

  _onOutput(o) {
    switch (o.k) {
      case 's.connect':
        this.id = o.sid;
        this.recovered = !!(o.pid && o.pid === this._pid);
        if (o.pid !== this._pid) this._lastOffset = undefined;
        this._pid = o.pid || undefined;
        this.connected = true;
        this.active = true;
        if (this._outQueue.length) {
          const sent = this._outQueue;
          this._outQueue = [];
          for (const packet of sent) this._notifyOutgoing(packet);
        }
        return this._emit('connect');
      case 's.cerror': {
        const { data } = o;
        // Protocol 5 refusals are {message, data}; protocol 4 servers send the middleware's data alone
        // (socket.io 4 to an EIO3 client: err.data; socket.io 2: err.data || err.message), so an object
        // without "message" is the data itself.
        let { message } = o;
        let detail;
        if (isObject(data)) {
          if (data.data !== undefined) detail = data.data;
          else if (!isString(data.message)) detail = data;
        }
        if (!message) message = `the server refused the connection to namespace "${this.nsp}"`;
        const err = new Error(message);
        if (detail !== undefined) err.data = detail;
        return this._onConnectError(err, o.active);
      }
      case 's.disconnect': {
        const { reason } = o;
        const wasConnected = this.connected;
        this.connected = false;
        this.id = undefined;
        // Connection-state recovery: the core sends the offset with the next CONNECT.
        if (this._pid && this._lastOffset !== undefined) this.io._call('setOffset', this.nsp, this._lastOffset);
        // "forced close" ends the socket's activity when the manager was closed, not after engine.close()
        // (the manager reconnects then): the core's Manager.close() reports "io client disconnect" to
        // connected sockets, so "forced close" reaches a socket only from a dropped connection.
        if (reason === 'io server disconnect' || reason === 'io client disconnect') {
          this.active = false;
          this._outQueue = [];
        }
        return wasConnected ? this._emit('disconnect', reason) : undefined;
      }
      case 's.event': return this._onEvent(o.args, o.ackId, o.buffers);
      case 's.ack': return this._onAck(o.emitId, o.ok, o.args, o.error, o.buffers);
      default: return undefined;
    }
  }

  _onEvent(args, ackId, attachments) {
    if (attachments.length) reconstruct(args, attachments);
    if (ackId >= 0) {
      let sent = false;
      args.push((...res) => {
        if (sent) return;
        sent = true;
        const { json, attachments: bins } = deconstruct(res);
        const done = (b) => {
          if (b.x) this._emit('error', makeError(b.x));
        };
        const d = this.io._coreDriver;
        if (d && !bins.length && d.ackFast(done, this.nsp, ackId, json, res)) return;
        this.io._call('ack', this.nsp, ackId, json, bins.length ? packBlob(bins) : EMPTY, done);
      });
    }
    // A server with connection-state recovery appends the event's offset (a string) to events without
    // an ack request; the last one seen goes with the next CONNECT (noted before the listeners run: one
    // of them may drop the connection).
    if (this._pid && ackId < 0 && isString(args[args.length - 1])) this._lastOffset = args[args.length - 1];
    if (this._any.length) {
      for (const fn of this._any.slice()) {
        try { fn.apply(this, args); } catch (err) { Emitter.onListenerError(err, args[0]); }
      }
    }
    this._emit(...args);
  }

  _onAck(emitId, ok, args, error, attachments) {
    const ack = this._acks.get(emitId);
    if (!ack) return;
    this._acks.delete(emitId);
    try {
      if (ok) {
        if (attachments.length) reconstruct(args, attachments);
        if (ack.withError) ack.fn(null, ...args);
        else ack.fn(...args);
      } else if (ack.withError) {
        ack.fn(new Error(error));
      }
    } catch (err) {
      Emitter.onListenerError(err, 'ack');
    }
  }
}

// socket.io-client's `retries` option: a whole number >= 0 (Infinity is capped); anything else is an
// error naming the option, thrown by emit().
function retryCount(v) {
  if (v === undefined || v === null || v === 0) return 0;
  if (!isNumber(v) || !(v >= 0) || (v !== Infinity && Math.floor(v) !== v)) {
    throw new TypeError(`retries: must be a whole number >= 0, got ${String(v)}`);
  }
  return Math.min(v, 0x1fffffff);
}

function lookup(uri, opts) {
  [uri, opts] = urlAndOptions(uri, opts);
  const u = parseUrl(uri);
  const key = `${u.origin}${opts.path || '/socket.io'}`;
  const same = cache[key] && u.nsp in cache[key].nsps;
  const newConnection = opts.forceNew || opts['force new connection'] || opts.multiplex === false || same;
  let io;
  if (newConnection) {
    io = new Manager(uri, opts);
  } else {
    if (!cache[key]) cache[key] = new Manager(uri, opts);
    io = cache[key];
  }
  return io.socket(u.nsp, opts);
}

// The platform is made when the SDK is required (index.js), so that the network state is known by the
// time a page calls io() (an early WebSocket is not opened offline).
function warmUp() {
  try {
    getPlatform();
  } catch (_) { /* io() reports it */ }
}

function setPlatformFactory(factory) {
  platformFactory = factory;
}

module.exports = { io: lookup, Manager, Socket, setPlatformFactory, warmUp };
