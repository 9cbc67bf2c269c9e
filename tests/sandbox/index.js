'use strict';
// A WeChat mini-program logic-layer sandbox for Node: see README.md in this folder.

const EventEmitter = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const { createRealm, makeConverters, toStringTag } = require('./lib/realm');
const { Timers } = require('./lib/timers');
const { Storage, encode, decode } = require('./lib/storage');
const { SocketTaskImpl } = require('./lib/socket');
const { NetTask } = require('./lib/http');
const { ModuleLoader } = require('./lib/modules');
const { createWXWebAssembly } = require('./lib/wasm');
const { ERR, NET_DOWN } = require('./lib/errmsg');

// The temp userDataDir of a sandbox not disposed yet is removed when the process exits (a test that
// never reached its dispose()), also when node --test stops the file midway (tests/support/children.js).
const { atExit } = require('../support/children');

const DEFAULTS = {
  packageRoot: null,
  storage: null,
  userDataDir: null,
  suspendDelay: 5000, // ms in the background before JS is suspended; Infinity = never
  suspendSocketClose: { code: 1000, reason: 'interrupted' }, // false = sockets survive suspension
  resumeOrder: 'show-first', // 'show-first' | 'events-first'
  timerMode: 'defer', // 'defer' (wall clock) | 'pause' (countdown stops while suspended)
  socketLimit: 5,
  requestLimit: 10,
  requestLimitMode: 'fail', // 'fail' | 'queue'
  requestTimeout: 60000, // default and maximum
  socketTimeout: 60000,
  strictSocketSend: true, // SocketTask.send accepts string / ArrayBuffer only
  errorOnAbnormalClose: true, // a 1006 closure is reported as onError then onClose (false: onClose only)
  allowAbsoluteRequire: false,
  hideGlobalThis: false,
  loopbackOnly: true,
  localPathStyle: 'wxfile', // 'wxfile' (device) | 'http' (DevTools)
  networkType: 'wifi',
  console: null, // defaults to the host console
  onPageError: null, // (err) => void; default prints to console.error
  systemInfo: {},
  accountInfo: null,
  launchOptions: null,
  appId: 'wx0000000000000000',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function typeName(v) {
  if (v === null) return 'Null';
  if (v === undefined) return 'Undefined';
  return toStringTag(v).slice(8, -1);
}

class Sandbox extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    const o = this.options;
    if (o.packageRoot) o.packageRoot = path.resolve(o.packageRoot);
    this.options.referer = `https://servicewechat.com/${o.appId}/devtools/page-frame.html`;
    this.options.userAgent = 'Mozilla/5.0 (sandbox) MicroMessenger/8.0.50 MiniProgramEnv/devtools';

    const realm = createRealm({ hideGlobalThis: o.hideGlobalThis });
    this.realm = realm;
    this.context = realm.context;
    this.global = realm.global;
    this.intr = realm.intr;
    const conv = makeConverters(this.intr);
    this.toCtx = conv.toCtx;
    this.ctxArrayBuffer = conv.ctxArrayBuffer;
    this.ctxError = conv.ctxError;

    this.disposed = false;
    this.hidden = false;
    this.suspended = false;
    this.online = true;
    this.networkType = o.networkType;
    this._lastOnlineType = o.networkType;
    this._queue = [];
    this._queueHead = 0;  // the callbacks before it have run (_takeQueued)
    this._waiters = new Set(); // resolvers of promises that wait for a delivery
    this._drainScheduled = false;
    this._suspendTimer = null;
    this._listeners = { appShow: [], appHide: [], network: [], error: [] };
    this._sockets = []; // every SocketTaskImpl ever created
    this._activeSockets = new Set();
    this._tasks = []; // every NetTask record
    this._running = new Set();
    this._waiting = [];
    this.errors = [];
    this.logs = [];
    this.app = undefined;
    this.definitions = { pages: [], components: [], behaviors: [] };
    this._httpAgent = new http.Agent({ keepAlive: true });
    this._httpsAgent = new https.Agent({ keepAlive: true });
    this.storage = o.storage || new Storage();
    if (o.userDataDir) {
      this.userDataDir = path.resolve(o.userDataDir);
      fs.mkdirSync(this.userDataDir, { recursive: true });
      this._ownsUserDataDir = false;
    } else {
      this.userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-sandbox-'));
      this._ownsUserDataDir = true;
      const dir = this.userDataDir;
      this._forgetDir = atExit(() => fs.rmSync(dir, { recursive: true, force: true }));
    }
    this.resetStats();

    this.timers = new Timers({ invoke: (fn, args) => this._invoke(fn, args), TypeErrorCtor: this.intr.TypeError });
    this.modules = new ModuleLoader({
      root: o.packageRoot,
      context: this.context,
      intr: this.intr,
      allowAbsoluteRequire: o.allowAbsoluteRequire,
      onLoad: (id) => this.emit('module-load', id),
    });
    this._installGlobals();
  }

  // ------------------------------------------------------------------ globals

  _define(name, value) {
    Object.defineProperty(this.global, name, { value, writable: true, configurable: true, enumerable: true });
  }

  _installGlobals() {
    const t = this.timers;
    this._define('setTimeout', (fn, ms, ...args) => t.set(fn, ms, args, false));
    this._define('setInterval', (fn, ms, ...args) => t.set(fn, ms, args, true));
    this._define('clearTimeout', (id) => t.clear(id));
    this._define('clearInterval', (id) => t.clear(id));
    this._define('console', this._makeConsole());
    this._define('WXWebAssembly', createWXWebAssembly({
      run: this.realm.run,
      intr: this.intr,
      root: this.options.packageRoot,
      onLoad: (p, size) => { this._stats.wasmInstantiate++; this.emit('wasm-load', { path: p, size }); },
      onReady: (p, result) => {
        this.emit('wasm-ready', { path: p });
        return this.options.wasmResult ? this.options.wasmResult(result) : undefined;
      },
    }));
    this.wx = this._makeWx();
    this._define('wx', this.wx);
    this._define('App', (def) => this._registerApp(def));
    this._define('getApp', () => this.app);
    this._define('Page', (def) => { this.definitions.pages.push(def); });
    this._define('Component', (def) => { this.definitions.components.push(def); });
    this._define('Behavior', (def) => { this.definitions.behaviors.push(def); return `behavior-${this.definitions.behaviors.length}`; });
    this._define('getCurrentPages', () => new this.intr.Array());
  }

  _makeConsole() {
    const c = new this.intr.Object();
    const host = this.options.console || console;
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
      c[level] = (...args) => {
        this.logs.push({ level, args, at: Date.now() });
        if (this.logs.length > 2000) this.logs.splice(0, 1000);
        if (typeof host[level] === 'function') host[level](...args);
      };
    }
    for (const name of ['group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'table', 'trace', 'assert']) {
      c[name] = (...args) => { if (typeof host[name] === 'function') host[name](...args); };
    }
    return c;
  }

  _registerApp(def) {
    if (this.app) throw this.ctxError('App() has already been called');
    this.app = def;
    const opts = this._launchOptions();
    this._deliver(() => {
      if (typeof def.onLaunch === 'function') this._invoke(def.onLaunch, [this.toCtx(opts)], def);
      if (typeof def.onShow === 'function') this._invoke(def.onShow, [this.toCtx(opts)], def);
    });
  }

  _launchOptions() {
    return this.options.launchOptions || { path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: {}, forwardMaterials: [] };
  }

  // ------------------------------------------------------------------ delivery to page code

  // Run page code, reporting (never propagating) what it throws, as WeChat does.
  _invoke(fn, args = [], thisArg = undefined) {
    try {
      return fn.apply(thisArg, args);
    } catch (e) {
      this._reportError(e);
      return undefined;
    }
  }

  _reportError(e) {
    this.errors.push(e);
    this._stats.pageErrors++;
    this.emit('page-error', e);
    const msg = (e && e.stack) || String(e);
    for (const cb of [...this._listeners.error]) {
      try { cb(msg); } catch (_) { /* an error in an error listener is dropped */ }
    }
    if (this.app && typeof this.app.onError === 'function') {
      try { this.app.onError(msg); } catch (_) { /* dropped */ }
    }
    if (typeof this.options.onPageError === 'function') this.options.onPageError(e);
    else if (!this.options.quietErrors) console.error('[wx-sandbox] uncaught error in page code:', e);
  }

  // Queue a callback into page code. Callbacks run one per macrotask, in order, never while suspended.
  _deliver(fn) {
    if (this.disposed) return;
    this._queue.push(fn);
    this._kick();
  }

  _kick() {
    if (this._drainScheduled || this.suspended || this.disposed || this._queueHead >= this._queue.length) return;
    this._drainScheduled = true;
    setImmediate(() => {
      this._drainScheduled = false;
      if (this.suspended || this.disposed) return;
      const fn = this._takeQueued();
      if (fn) fn();
      this._kick();
    });
  }

  // The next queued callback, taken by moving a head rather than by shift(): a burst of frames queued at
  // once (a server pushing faster than the page handles them) made every shift() move the rest of the
  // queue, which was most of the CPU of a sandboxed client's burst (bench/socketio/run.js).
  _takeQueued() {
    const fn = this._queue[this._queueHead];
    this._queue[this._queueHead++] = undefined;
    if (this._queueHead >= 1024 && this._queueHead * 2 >= this._queue.length) this._compactQueue();
    return fn;
  }

  _compactQueue() {
    this._queue.splice(0, this._queueHead);
    this._queueHead = 0;
  }

  // Queue fn like _deliver; the promise resolves after fn ran (or when the sandbox is disposed).
  _deliverWait(fn) {
    if (this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      this._waiters.add(resolve);
      this._deliver(() => {
        this._waiters.delete(resolve);
        try { fn(); } finally { resolve(); }
      });
    });
  }

  // Resolves once everything queued so far has been delivered (waits through a suspension).
  flush() {
    return this._deliverWait(() => {});
  }

  // API callbacks: success|fail then complete, with one result object made in the page's realm.
  _callback(opts, kind, result) {
    if (kind === 'fail') this._stats.failedCalls++;
    // No callback to run: nothing the page can observe, and no task queued for it (a task per
    // SocketTask.send without callbacks was a third of the loop turns of a sandboxed round trip).
    if (!opts || (typeof opts[kind] !== 'function' && typeof opts.complete !== 'function')) return;
    this._deliver(() => {
      const arg = this.toCtx(result);
      if (opts && typeof opts[kind] === 'function') this._invoke(opts[kind], [arg]);
      if (opts && typeof opts.complete === 'function') this._invoke(opts.complete, [arg]);
    });
  }

  // APIs that WeChat also offers "Promise style": without success/fail/complete they return a Promise
  // (of the page's realm) that resolves with the result or rejects with {errMsg}.
  _promisable(opts, runner) {
    opts = opts || {};
    const cbStyle = ['success', 'fail', 'complete'].some((k) => typeof opts[k] === 'function');
    if (cbStyle) {
      runner((kind, result) => this._callback(opts, kind, result));
      return undefined;
    }
    return new this.intr.Promise((resolve, reject) => {
      runner((kind, result) => this._deliver(() => (kind === 'success' ? resolve : reject)(this.toCtx(result))));
    });
  }

  // ------------------------------------------------------------------ wx

  _makeWx() {
    const wx = new this.intr.Object();
    const onOff = (name, list) => {
      wx[`on${name}`] = (cb) => { if (typeof cb === 'function') this._listeners[list].push(cb); };
      wx[`off${name}`] = (cb) => {
        if (cb === undefined) this._listeners[list] = [];
        else this._listeners[list] = this._listeners[list].filter((x) => x !== cb);
      };
    };
    onOff('AppShow', 'appShow');
    onOff('AppHide', 'appHide');
    onOff('NetworkStatusChange', 'network');
    onOff('Error', 'error');

    wx.connectSocket = (opts) => this._connectSocket(opts || {});
    wx.request = (opts) => this._netApi('request', opts || {});
    wx.uploadFile = (opts) => this._netApi('uploadFile', opts || {});
    wx.downloadFile = (opts) => this._netApi('downloadFile', opts || {});

    // storage
    wx.setStorageSync = (key, data) => { this._storageSet('setStorageSync', key, data, true); };
    wx.getStorageSync = (key) => this._storageGet('getStorageSync', key, true);
    wx.removeStorageSync = (key) => { this._storageKey('removeStorageSync', key, true); this.storage.remove(key); };
    wx.clearStorageSync = () => { this.storage.clear(); };
    wx.getStorageInfoSync = () => this.toCtx(this._storageInfo());
    wx.setStorage = (o) => this._promisable(o, (done) => {
      const err = this._storageSet('setStorage', o && o.key, o && o.data, false);
      done(err ? 'fail' : 'success', { errMsg: err || 'setStorage:ok' });
    });
    wx.getStorage = (o) => this._promisable(o, (done) => {
      const key = o && o.key;
      const bad = this._storageKey('getStorage', key, false);
      if (bad) return done('fail', { errMsg: bad });
      if (!this.storage.has(key)) return done('fail', { errMsg: ERR.storageNotFound('getStorage') });
      return done('success', { data: this._storageGet('getStorage', key, false), errMsg: 'getStorage:ok' });
    });
    wx.removeStorage = (o) => this._promisable(o, (done) => {
      const key = o && o.key;
      const bad = this._storageKey('removeStorage', key, false);
      if (bad) return done('fail', { errMsg: bad });
      this.storage.remove(key);
      return done('success', { errMsg: 'removeStorage:ok' });
    });
    wx.clearStorage = (o) => this._promisable(o, (done) => { this.storage.clear(); done('success', { errMsg: 'clearStorage:ok' }); });
    wx.getStorageInfo = (o) => this._promisable(o, (done) => done('success', { ...this._storageInfo(), errMsg: 'getStorageInfo:ok' }));

    // network / system
    wx.getNetworkType = (o) => this._promisable(o, (done) => done('success', { networkType: this.networkType, signalStrength: 0, hasSystemProxy: false, errMsg: 'getNetworkType:ok' }));
    wx.getSystemInfoSync = () => this.toCtx(this._systemInfo());
    wx.getSystemInfo = (o) => this._promisable(o, (done) => done('success', { ...this._systemInfo(), errMsg: 'getSystemInfo:ok' }));
    wx.getAppBaseInfo = () => {
      const s = this._systemInfo();
      return this.toCtx({ SDKVersion: s.SDKVersion, version: s.version, language: s.language, theme: 'light', enableDebug: false, host: { env: 'WeChat' } });
    };
    wx.getDeviceInfo = () => {
      const s = this._systemInfo();
      return this.toCtx({ brand: s.brand, model: s.model, system: s.system, platform: s.platform, benchmarkLevel: s.benchmarkLevel, abi: 'x86_64' });
    };
    wx.getWindowInfo = () => {
      const s = this._systemInfo();
      return this.toCtx({ pixelRatio: s.pixelRatio, screenWidth: s.screenWidth, screenHeight: s.screenHeight, windowWidth: s.windowWidth, windowHeight: s.windowHeight, statusBarHeight: s.statusBarHeight, safeArea: s.safeArea });
    };
    wx.getAccountInfoSync = () => this.toCtx(this.options.accountInfo || { miniProgram: { appId: this.options.appId, envVersion: 'develop', version: '' }, plugin: {} });
    wx.getLaunchOptionsSync = () => this.toCtx(this._launchOptions());
    wx.getEnterOptionsSync = () => this.toCtx(this._launchOptions());
    wx.getRandomValues = (o) => this._promisable(o, (done) => {
      const n = o && o.length;
      if (!Number.isInteger(n) || n <= 0 || n > 1048576) {
        return done('fail', { errMsg: 'getRandomValues:fail parameter error: parameter.length should be an integer in 1..1048576' });
      }
      return done('success', { randomValues: crypto.randomBytes(n), errMsg: 'getRandomValues:ok' });
    });
    wx.canIUse = (schema) => {
      const first = String(schema || '').split('.')[0];
      return Object.prototype.hasOwnProperty.call(wx, first);
    };
    wx.env = this.toCtx({ USER_DATA_PATH: this.options.localPathStyle === 'http' ? 'http://usr' : 'wxfile://usr' });
    return wx;
  }

  _systemInfo() {
    return {
      SDKVersion: '3.0.0', platform: 'devtools', brand: 'devtools', model: 'iPhone 12', system: 'iOS 10.0.1',
      version: '8.0.5', language: 'zh_CN', pixelRatio: 3, screenWidth: 390, screenHeight: 844, windowWidth: 390,
      windowHeight: 844, statusBarHeight: 47, fontSizeSetting: 16, benchmarkLevel: 1,
      safeArea: { left: 0, right: 390, top: 47, bottom: 810, width: 390, height: 763 },
      ...this.options.systemInfo,
    };
  }

  // ------------------------------------------------------------------ storage

  _storageKey(api, key, sync) {
    if (typeof key === 'string') return null;
    const msg = ERR.storageKeyType(api, typeName(key));
    if (sync) throw this.ctxError(msg);
    return msg;
  }

  _storageSet(api, key, data, sync) {
    const bad = this._storageKey(api, key, sync);
    if (bad) return bad;
    let rec;
    let msg = null;
    try {
      rec = encode(data);
    } catch (_) {
      msg = ERR.storageNotSerialisable(api);
    }
    if (!msg) {
      const why = this.storage.setRecord(key, rec);
      if (why === 'item') msg = ERR.storageItemTooLarge(api);
      else if (why === 'total') msg = ERR.storageFull(api);
    }
    if (msg && sync) throw this.ctxError(msg);
    return msg;
  }

  _storageGet(api, key, sync) {
    this._storageKey(api, key, sync);
    const rec = this.storage.getRecord(key);
    if (rec === undefined) return '';
    return decode(rec, this.intr.JSON, (ms) => new this.intr.Date(ms));
  }

  _storageInfo() {
    return {
      keys: this.storage.keys,
      currentSize: Math.ceil(this.storage.usedBytes / 1024),
      limitSize: Math.floor(this.storage.totalLimit / 1024),
    };
  }

  // ------------------------------------------------------------------ network helpers

  _hostAllowed(url) {
    if (!this.options.loopbackOnly) return true;
    try {
      return LOOPBACK.has(new URL(url).hostname);
    } catch (_) {
      return false;
    }
  }

  _connectSocket(opts) {
    this._stats.connectSocket++;
    const task = new SocketTaskImpl(this, opts);
    this._sockets.push(task);
    const url = opts.url;
    let fail = null;
    if (typeof url !== 'string' || !/^wss?:\/\/[^/]/i.test(url)) fail = ERR.socketInvalidUrl(url);
    else if (!this._hostAllowed(url)) fail = ERR.socketDomain;
    else if (!this.online) { fail = ERR.socketOffline; this._stats.offlineAttempts.connectSocket++; }
    else if (this._activeSockets.size >= this.options.socketLimit) { fail = ERR.socketLimit(this.options.socketLimit); this._stats.limitRejections.connectSocket++; }
    if (fail) {
      this._stats.connectSocketFailed++;
      task.failAtCreate(opts, fail);
    } else {
      task.start(opts);
    }
    return task.facade;
  }

  _socketOpened(task) {
    this._activeSockets.add(task);
    this._stats.maxOpenSockets = Math.max(this._stats.maxOpenSockets, this._activeSockets.size);
  }

  _socketClosed(task) {
    this._activeSockets.delete(task);
  }

  _frame(task, frame) {
    task.record.frames.push(frame);
    if (frame.dir === 'out') this._stats.framesSent++;
    else this._stats.framesReceived++;
    this.emit('frame', frame, task.record);
  }

  _netApi(api, opts) {
    this._stats[api]++;
    const task = new NetTask(this, api, opts);
    this._tasks.push(task.record);
    const url = opts.url;
    let fail = null;
    if (typeof url !== 'string' || !/^https?:\/\/[^/]/i.test(url)) fail = ERR.invalidUrl(api, url);
    else if (!this._hostAllowed(url)) fail = ERR.domain(api);
    else if (!this.online) { fail = ERR.offline(api); this._stats.offlineAttempts[api]++; }
    if (fail) {
      task.fail(fail);
      return task.facade;
    }
    if (this._running.size >= this.options.requestLimit) {
      if (this.options.requestLimitMode === 'queue') {
        task.state = 'queued';
        task.record.state = 'queued';
        this._waiting.push(task);
        this._stats.queuedRequests++;
      } else {
        this._stats.limitRejections[api]++;
        task.fail(ERR.taskLimit(api, this.options.requestLimit));
      }
      return task.facade;
    }
    this._startTask(task);
    return task.facade;
  }

  _startTask(task) {
    this._running.add(task);
    this._stats.maxActiveRequests = Math.max(this._stats.maxActiveRequests, this._running.size);
    task.run();
  }

  _taskEnded(task) {
    this._running.delete(task);
    while (!this.disposed && !this.suspended && this.online && this._waiting.length && this._running.size < this.options.requestLimit) {
      this._startTask(this._waiting.shift());
    }
  }

  _dequeue(task) {
    this._waiting = this._waiting.filter((t) => t !== task);
  }

  // ------------------------------------------------------------------ local files

  // wxfile://X -> <userDataDir>/wxfile/X ; http://tmp/X -> <userDataDir>/tmp/X ; http://usr/X -> <userDataDir>/usr/X
  resolveLocalPath(p) {
    if (typeof p !== 'string') return null;
    let base;
    let rest;
    let m;
    if ((m = /^wxfile:\/\/(.+)$/.exec(p))) { base = path.join(this.userDataDir, 'wxfile'); rest = m[1]; }
    else if ((m = /^http:\/\/tmp\/(.+)$/.exec(p))) { base = path.join(this.userDataDir, 'tmp'); rest = m[1]; }
    else if ((m = /^http:\/\/usr\/(.+)$/.exec(p))) { base = path.join(this.userDataDir, 'usr'); rest = m[1]; }
    else return null;
    const file = path.resolve(base, rest);
    const rel = path.relative(base, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return file;
  }

  // Put a file where the page can refer to it by a local temp path (as chooseImage etc. would).
  addLocalFile(name, bytes, { style = this.options.localPathStyle } = {}) {
    const safe = String(name).replace(/[^A-Za-z0-9._-]/g, '_');
    const p = style === 'http' ? `http://tmp/${safe}` : `wxfile://tmp_${safe}`;
    const file = this.resolveLocalPath(p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes));
    return p;
  }

  readLocalFile(p) {
    const file = this.resolveLocalPath(p);
    return file && fs.existsSync(file) ? fs.readFileSync(file) : null;
  }

  _newTempFile(url) {
    let ext = '';
    try { ext = path.extname(new URL(url).pathname).slice(0, 8); } catch (_) { /* none */ }
    const name = `${crypto.randomBytes(8).toString('hex')}${ext}`;
    const p = this.options.localPathStyle === 'http' ? `http://tmp/${name}` : `wxfile://tmp_${name}`;
    const file = this.resolveLocalPath(p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return { path: p, file };
  }

  // ------------------------------------------------------------------ lifecycle

  get isHidden() { return this.hidden; }
  get isSuspended() { return this.suspended; }

  // Fires onAppHide; after suspendDelay (real time) the app is suspended.
  // Resolves after the onAppHide listeners ran (and, with suspendDelay 0, after the suspension).
  hideApp() {
    if (this.disposed || this.hidden) return Promise.resolve();
    this.hidden = true;
    this._stats.hides++;
    this.emit('app-hide');
    const heard = this._deliverWait(() => {
      if (this.app && typeof this.app.onHide === 'function') this._invoke(this.app.onHide, [], this.app);
      const arg = new this.intr.Object();
      for (const cb of [...this._listeners.appHide]) this._invoke(cb, [arg]);
    });
    const delay = this.options.suspendDelay;
    if (delay === 0) return heard.then(() => { if (this.hidden) this._suspend(); });
    // The suspension is counted from the onAppHide delivery, as in WeChat (the app hears onHide, then is
    // suspended some seconds later). Counted from this call, a busy delivery queue (many socket messages
    // ahead of onHide, a slow core) let the suspension come first: onHide was then held back until the
    // next show, and this promise with it.
    if (Number.isFinite(delay) && delay > 0) {
      heard.then(() => {
        if (this.hidden && !this.suspended && !this.disposed) this._suspendTimer = setTimeout(() => this._suspend(), delay);
      });
    }
    return heard;
  }

  // Resolves when the app is suspended (immediately if it already is).
  waitSuspended() {
    if (this.suspended || this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.off('suspend', done); this.off('dispose', done); resolve(); };
      this.once('suspend', done);
      this.once('dispose', done);
    });
  }

  // Suspend now, whatever suspendDelay says (the app must be hidden).
  suspendNow() {
    if (!this.hidden) throw new Error('suspendNow: hide the app first');
    this._suspend();
  }

  _suspend() {
    if (this.disposed || !this.hidden || this.suspended) return;
    clearTimeout(this._suspendTimer);
    this._suspendTimer = null;
    this.suspended = true;
    this._stats.suspends++;
    this.timers.freeze();
    const waiting = this._waiting;
    this._waiting = [];
    for (const task of waiting) task.fail(ERR.interrupted(task.api));
    for (const task of [...this._running]) task.fail(ERR.interrupted(task.api));
    const close = this.options.suspendSocketClose;
    if (close) {
      for (const s of [...this._activeSockets]) s.kill({ code: close.code, reason: close.reason });
    }
    this.emit('suspend');
  }

  // Fires onAppShow; if the app was suspended, resumes it: timers run again (overdue ones fire),
  // and callbacks held back during the suspension are delivered (order: resumeOrder).
  // Resolves when all of that has been delivered.
  showApp(showOptions) {
    if (this.disposed || !this.hidden) return Promise.resolve();
    clearTimeout(this._suspendTimer);
    this._suspendTimer = null;
    this.hidden = false;
    this._stats.shows++;
    const opts = { ...this._launchOptions(), ...(showOptions || {}) };
    const show = () => {
      const arg = this.toCtx(opts);
      if (this.app && typeof this.app.onShow === 'function') this._invoke(this.app.onShow, [arg], this.app);
      for (const cb of [...this._listeners.appShow]) this._invoke(cb, [arg]);
    };
    this.emit('app-show');
    if (!this.suspended) {
      return this._deliverWait(show);
    }
    const overdue = this.timers.thaw(this.options.timerMode);
    this.suspended = false;
    this.emit('resume');
    if (this.options.resumeOrder === 'events-first') {
      this._queue.push(...overdue, show);
    } else {
      this._compactQueue();
      this._queue.unshift(show);
      this._queue.push(...overdue);
    }
    const done = this.flush();
    this._kick();
    return done;
  }

  // Network cut / restore. Cut: onNetworkStatusChange({isConnected:false, networkType:'none'}), every
  // socket gets onError then onClose(1006), in-flight requests fail, new calls fail fast.
  // Resolves once those callbacks have been delivered.
  setNetwork(online, networkType) {
    if (this.disposed) return Promise.resolve();
    online = !!online;
    const type = online ? (networkType || this._lastOnlineType || 'wifi') : 'none';
    if (online) this._lastOnlineType = type;
    const changed = online !== this.online || type !== this.networkType;
    this.online = online;
    this.networkType = type;
    if (!changed) return Promise.resolve();
    this.emit('network', { isConnected: online, networkType: type });
    this._deliver(() => {
      const arg = this.toCtx({ isConnected: online, networkType: type });
      for (const cb of [...this._listeners.network]) this._invoke(cb, [arg]);
    });
    if (!online) {
      const waiting = this._waiting;
      this._waiting = [];
      for (const task of waiting) task.fail(ERR.offline(task.api));
      for (const task of [...this._running]) task.fail(ERR.offline(task.api));
      for (const s of [...this._activeSockets]) s.kill({ errMsg: NET_DOWN, code: 1006 });
    } else {
      this._taskEnded(null);
    }
    return this.flush();
  }

  // ------------------------------------------------------------------ host-side helpers

  // Load a package file the way WeChat loads a page's script: path from the package root.
  require(p) {
    if (!this.options.packageRoot) throw new Error('createSandbox: packageRoot is required for require()');
    const rel = String(p).replace(/^\/+/, '');
    const file = this.modules.resolve(null, `/${rel}`);
    if (!file) throw new Error(`sandbox.require: no such file in the package: ${p}`);
    return this.modules.load(file).exports;
  }

  // Run host-written code in the page realm (compiled by the host, so allowed; not page eval).
  runScript(code, filename = 'sandbox:script') {
    return this.realm.run(code, filename);
  }

  sockets() { return this._sockets.map((s) => s.record); }
  requests() { return this._tasks.slice(); }

  resetStats() {
    this._stats = {
      connectSocket: 0, connectSocketFailed: 0, request: 0, uploadFile: 0, downloadFile: 0, failedCalls: 0,
      offlineAttempts: { connectSocket: 0, request: 0, uploadFile: 0, downloadFile: 0 },
      limitRejections: { connectSocket: 0, request: 0, uploadFile: 0, downloadFile: 0 },
      queuedRequests: 0, maxOpenSockets: 0, maxActiveRequests: 0, framesSent: 0, framesReceived: 0,
      hides: 0, shows: 0, suspends: 0, wasmInstantiate: 0, pageErrors: 0,
    };
    if (this._activeSockets) this._stats.maxOpenSockets = this._activeSockets.size;
    if (this._running) this._stats.maxActiveRequests = this._running.size;
  }

  stats() {
    const s = JSON.parse(JSON.stringify(this._stats));
    s.openSockets = this._activeSockets.size;
    s.activeRequests = this._running.size;
    s.waitingRequests = this._waiting.length;
    s.pendingTimers = this.timers.count;
    s.queuedCallbacks = this._queue.length - this._queueHead;
    s.hidden = this.hidden;
    s.suspended = this.suspended;
    s.online = this.online;
    return s;
  }

  // Close every socket, request and timer the sandbox owns; remove its temp userDataDir.
  async dispose() {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this._suspendTimer);
    this.timers.dispose();
    this._queue = [];
    this._queueHead = 0;
    for (const resolve of this._waiters) resolve();
    this._waiters.clear();
    this._waiting = [];
    for (const task of [...this._running]) {
      task.state = 'done';
      if (task.timer) clearTimeout(task.timer);
      if (task.req) { try { task.req.destroy(); } catch (_) { /* ignore */ } }
    }
    this._running.clear();
    const closing = [];
    for (const s of this._sockets) {
      if (s.ws) {
        s.kill(null);
        closing.push(s.whenClosed());
      }
    }
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 2000).unref())]);
    this._httpAgent.destroy();
    this._httpsAgent.destroy();
    if (this._ownsUserDataDir) {
      fs.rmSync(this.userDataDir, { recursive: true, force: true });
      this._forgetDir();
    }
    this.emit('dispose');
  }
}

function createSandbox(options) {
  return new Sandbox(options);
}

// Lay out a mini-program package root in a temp folder (or `dir`).
// files: { 'utils/echatim-sdk.js': { from: '/abs/dist/echatim-sdk.js' }, 'pages/p.js': 'source', 'x.bin': Buffer }
// Returns { root, cleanup() }.
function createPackageRoot(files = {}, { dir } = {}) {
  const root = dir ? path.resolve(dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'wx-package-'));
  for (const [rel, v] of Object.entries(files)) {
    const file = path.join(root, rel.replace(/^\/+/, ''));
    const back = path.relative(root, file);
    if (!back || back.startsWith('..')) throw new Error(`createPackageRoot: ${rel} is outside the package`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (v && typeof v === 'object' && !Buffer.isBuffer(v) && typeof v.from === 'string') fs.copyFileSync(v.from, file);
    else fs.writeFileSync(file, v);
  }
  return { root, cleanup: () => { if (!dir) fs.rmSync(root, { recursive: true, force: true }); } };
}

module.exports = { createSandbox, createPackageRoot, Sandbox, Storage, ERR, NET_DOWN, DEFAULTS };
