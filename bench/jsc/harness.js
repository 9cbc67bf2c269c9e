// A mini-program logic layer for JavaScriptCore's `jsc` shell (WeChat on iOS runs mini-program code in
// JSC, without a JIT): a `wx` whose sockets are answered in-process by a small Engine.IO 4 / Socket.IO 5
// server, so a client's own work is what gets measured (the shell has no network). Both WeChat socket
// APIs are offered: SocketTask (wx.connectSocket's return value, used by echatim-sdk) and the global
// wx.onSocket* functions (used by weapp.socket.io).
//
// Parameters come from `jsc -e "var P = {...};" harness.js scenario.js`:
//   P.client  'sdk' (P.sdk: dist/echatim-sdk.js, P.wasm: the uncompressed .wasm) or 'weapp' (P.weapp)
//   P.connectMs  ms a WebSocket takes to open (default 0: an in-process link)
// The scenario (tests/jsc/smoke.js, bench/jsc/bench.js) calls H.start(onConnect) and quits itself.
/* global P, print, load, readFile, preciseTime, quit, setTimeout */
'use strict';

var window;  // WeChat wraps page code in a function whose `window` parameter is undefined
var console = { log: print, info: print, warn: print, error: print, debug: function () {} };
var module = { exports: {} };
var exports = module.exports;

// Timers with ids (the shell's setTimeout returns none).
var H = {};
(function () {
  var nativeSetTimeout = setTimeout;
  var live = new Set();
  var next = 0;
  globalThis.setTimeout = function (fn, ms) {
    var id = ++next;
    var args = Array.prototype.slice.call(arguments, 2);
    live.add(id);
    nativeSetTimeout(function () { if (live.delete(id)) fn.apply(null, args); }, ms || 0);
    return id;
  };
  globalThis.clearTimeout = function (id) { live.delete(id); };
  globalThis.setInterval = function (fn, ms) {
    var id = ++next;
    live.add(id);
    (function tick() { nativeSetTimeout(function () { if (live.has(id)) { fn(); tick(); } }, ms); })();
    return id;
  };
  globalThis.clearInterval = globalThis.clearTimeout;
})();

H.now = function () { return preciseTime() * 1000; };
H.log = [];             // what the simulated server received (text frames and binary sizes)
H.acksAnswered = 0;
H.acksFromClient = 0;   // ACK packets the client sent (43...): a delivery counts once it is acknowledged
H.onEvent = null;       // (name, args, ackId) from the client, for scenarios

// ---- The in-process server: one connection at a time ----
(function () {
  var conn = null;  // {deliver(data), binaryWanted, pending}
  function toClient(data) { if (conn) conn.deliver(data); }
  H.send = toClient;  // scenarios push frames straight into onMessage with this

  function fromClient(data) {
    if (typeof data !== 'string') {  // a binary attachment of the last BINARY_* packet
      H.log.push('bin ' + data.byteLength);
      if (conn.pending && --conn.pending.left === 0) finish(conn.pending.packet);
      return;
    }
    H.log.push(data);
    if (data.charCodeAt(0) === 52 && data.charCodeAt(1) === 51) H.acksFromClient++;
    if (data === '3') return;  // pong
    if (data[0] !== '4') return;
    var t = data[1];
    var i = 2;
    var attachments = 0;
    if (t === '5' || t === '6') {
      var dash = data.indexOf('-', i);
      attachments = Number(data.slice(i, dash));
      i = dash + 1;
    }
    var nsp = '/';
    if (data[i] === '/') {
      var comma = data.indexOf(',', i);
      nsp = data.slice(i, comma);
      i = comma + 1;
    }
    var idStart = i;
    while (data.charCodeAt(i) >= 48 && data.charCodeAt(i) <= 57) i++;
    var id = i > idStart ? Number(data.slice(idStart, i)) : -1;
    var packet = { type: t, nsp: nsp, id: id, payload: data.slice(i) };
    if (attachments > 0) {
      conn.pending = { packet: packet, left: attachments };
      return;
    }
    finish(packet);
  }

  function finish(packet) {
    conn.pending = null;
    if (packet.type === '0') {
      toClient('40' + (packet.nsp === '/' ? '' : packet.nsp + ',') + '{"sid":"jscsid"}');
      return;
    }
    if (packet.type === '2' || packet.type === '5') {
      var args = JSON.parse(packet.payload);
      if (H.onEvent) H.onEvent(args[0], args, packet.id);
      else if (packet.id >= 0) answer(packet.id, args.slice(1));
    }
  }

  function answer(id, args) {
    H.acksAnswered++;
    var frame = '43' + id + JSON.stringify(args);
    Promise.resolve().then(function () { toClient(frame); });  // the reply arrives as a later message
  }
  H.answer = answer;

  function open(url, handlers) {
    conn = {
      url: url,
      pending: null,
      deliver: function (data) { handlers.message(data); },
    };
    var c = conn;
    // P.connectMs: how long the WebSocket takes to open (TCP + TLS + the HTTP upgrade on a real network).
    setTimeout(function () {
      if (conn !== c) return;
      handlers.open();
      toClient('0{"sid":"jsc' + url.length + '","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
    }, P.connectMs || 0);
    return {
      send: function (data) { Promise.resolve().then(function () { if (conn === c) fromClient(data); }); },
      close: function () { if (conn === c) conn = null; setTimeout(function () { handlers.close(1000, ''); }, 0); },
    };
  }

  var globalSocket = null;  // the wx.onSocket* API (one socket)
  var globalHandlers = { open: [], message: [], close: [], error: [] };
  function fire(list, arg) { for (var k = 0; k < list.length; k++) list[k](arg); }

  this.wx = {
    connectSocket: function (o) {
      var h = { open: [], message: [], close: [], error: [] };
      var task;
      var link = open(o.url, {
        open: function () { fire(h.open, {}); fire(globalHandlers.open, {}); },
        message: function (data) { fire(h.message, { data: data }); fire(globalHandlers.message, { data: data }); },
        close: function (code, reason) { fire(h.close, { code: code, reason: reason }); fire(globalHandlers.close, { code: code, reason: reason }); },
      });
      globalSocket = link;
      task = {
        onOpen: function (f) { h.open.push(f); },
        onMessage: function (f) { h.message.push(f); },
        onClose: function (f) { h.close.push(f); },
        onError: function (f) { h.error.push(f); },
        send: function (s) { link.send(s.data); if (s.success) s.success({}); },
        close: function (s) { link.close(); if (s && s.success) s.success({}); },
      };
      if (o.success) o.success({});
      return task;
    },
    onSocketOpen: function (f) { globalHandlers.open.push(f); },
    onSocketMessage: function (f) { globalHandlers.message.push(f); },
    onSocketClose: function (f) { globalHandlers.close.push(f); },
    onSocketError: function (f) { globalHandlers.error.push(f); },
    sendSocketMessage: function (s) { if (globalSocket) globalSocket.send(s.data); if (s.success) s.success({}); },
    closeSocket: function (s) { if (globalSocket) globalSocket.close(); if (s && s.success) s.success({}); },
    getNetworkType: function (o) { setTimeout(function () { o.success({ networkType: 'wifi' }); }, 0); },
    onNetworkStatusChange: function () {},
    onAppShow: function () {},
    onAppHide: function () {},
    getStorageSync: function () { return ''; },
    setStorageSync: function () {},
    removeStorageSync: function () {},
    getSystemInfoSync: function () { return { platform: 'ios', SDKVersion: '3.0.0' }; },
  };
}).call(this);

// WXWebAssembly: instantiate() takes a package path; the harness reads the uncompressed twin of the
// .wasm.br (WeChat decompresses the .br itself).
this.WXWebAssembly = {
  Memory: WebAssembly.Memory,
  Table: WebAssembly.Table,
  RuntimeError: WebAssembly.RuntimeError,
};
// A mini-program has no WebAssembly global: the SDK must not need it.
var savedWebAssembly = WebAssembly;
globalThis.WebAssembly = undefined;
// P.countCalls (bench/jsc/calls.js): the .wasm was instrumented by binaryen's --log-execution, which
// calls env.log_execution(id) at every function's entry and loop's turn; the counts go out with RESULT.
H.counts = null;
this.WXWebAssembly.instantiate = function (path, imports) {
  if (typeof path !== 'string') throw new TypeError('WXWebAssembly.instantiate: a package path');
  if (P.countCalls) {
    var counts = H.counts = new Float64Array(P.countCalls);
    imports.env.log_execution = function (id) { counts[id]++; };
  }
  H.stamp('instantiate called');
  var bytes = readFile(P.wasm, 'binary');
  H.stamp('wasm file read');
  var done = savedWebAssembly.instantiate(bytes, imports);
  if (P.countInstructions) done = done.then(function (result) { H.instance = result.instance; return result; });
  if (!P.stamps && !P.wasmTimes) return done;
  return done.then(function (result) {
    H.stamp('instantiated');
    return P.wasmTimes ? timedExports(result) : result;
  });
};

// P.countInstructions (bench/jsc/wasm-instr.js): the .wasm has a counter global per function, exported as
// "c<function index>"; their values go out as INSTRUCTIONS {index: count} (the ones not 0).
H.instance = null;
H.instructions = function () {
  var out = {};
  var exports = H.instance.exports;
  Object.keys(exports).forEach(function (name) {
    if (!/^c[0-9]+$/.test(name)) return;
    var n = Number(exports[name].value);
    if (n) out[name.slice(1)] = n;
  });
  return out;
};

// P.stamps (bench/jsc/startup.js): ms since H.t0 at each step of a cold start, in RESULT.stamps.
// P.wasmTimes: also the ms spent in each wasm export until 'connect' (RESULT.wasmMs; the wrapper adds a
// little to every call, ~0.1 us in jsc without a JIT); P.wasmTimes 'all': until the end (bench/jsc/wasm-instr.js --time).
H.stamps = null;
H.stamp = function (name) {
  if (!P.stamps) return;
  if (!H.stamps) H.stamps = {};
  if (!(name in H.stamps)) H.stamps[name] = H.now() - H.t0;
};
H.wasmMs = null;
function timedExports(result) {
  var exports = result.instance.exports;
  var timed = {};
  H.wasmMs = {};
  Object.keys(exports).forEach(function (name) {
    var f = exports[name];
    if (typeof f !== 'function') { timed[name] = f; return; }
    timed[name] = function () {
      var t = H.now();
      try { return f.apply(null, arguments); } finally { if (P.wasmTimes === 'all' || !H.tConnected) H.wasmMs[name] = (H.wasmMs[name] || 0) + H.now() - t; }
    };
  });
  return { module: result.module, instance: { exports: timed } };
}

// require() -> the client's io function; t0/tConnected around it. P.onLoadMs (bench/jsc/startup.js
// --on-load): io() is called that many ms later, in a task of its own, as a page calls it from onLoad or
// an app from onLaunch (WeChat runs those after the code that required the client); without it, in the
// same task as require().
H.start = function (onConnect, opts) {
  H.t0 = H.now();
  var io;
  if (P.client === 'sdk') {
    load(P.sdk);
    io = module.exports.io;
  } else {
    load(P.weapp);
    io = module.exports;
  }
  H.stamp('loaded');
  function open() {
    H.stamp('io() called');
    var socket = io('http://127.0.0.1:3000', Object.assign({ forceNew: true, transports: ['websocket'] }, opts || {}));
    socket.on('connect', function () {
      H.tConnected = H.now();
      H.stamp('connected');
      onConnect(socket);
    });
    socket.on('connect_error', function (e) { print('connect_error ' + e.message); quit(3); });
    return socket;
  }
  if (P.onLoadMs === undefined) return open();
  setTimeout(open, P.onLoadMs);
  return null;
};

H.fail = function (msg) { print('FAIL ' + msg); quit(1); };
H.done = function (result) {
  if (H.counts) print('COUNTS ' + JSON.stringify(Array.prototype.slice.call(H.counts)));
  if (H.instance) print('INSTRUCTIONS ' + JSON.stringify(H.instructions()));
  if (H.stamps) result.stamps = H.stamps;
  if (H.wasmMs) result.wasmMs = H.wasmMs;
  print('RESULT ' + JSON.stringify(result));
  quit(0);
};
