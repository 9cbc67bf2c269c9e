'use strict';
// sdk.im and sdk.apis: the E聊 session over the C++ im::Client (bindings: the echat_ImClient_* exports). This file does
// the I/O the core asks for (socket, wx.request, storage, the one timer) and turns its outputs into
// events and Promises. No protocol logic lives here: login, queueing, retries, ordering, dedup and the
// outbox are the core's (src/im, docs/im-design.md).
//
//   sdk.im.init(config, function (sdk) { ... })   // also returns a Promise of sdk (or undefined)
//   sdk.im.on('message', (m) => ...)   // message, notify, state, kicked, sync, error, sent, conversation
//   sdk.apis.message.send({toTarget, way, type, body}).then(({mid, seq, createTime, clientMsgId}) => ...)
const { isFunction, isString, isObject, isNumber } = require('./is.js');
const { Emitter } = require('./emitter.js');
const loader = require('./loader.js');
const log = require('./log.js');
const { createApis, apiError } = require('./apis.js');
const { CoreDriver, earlyUrl, openEarly, dropEarly } = require('./core-driver.js');

let platformFactory = null;  // set by index.js
let platform = null;

function getPlatform() {
  if (!platform) platform = platformFactory();
  return platform;
}

// -1004 closed: a call that close() ended, or made after it (docs/errors.md).
const closedError = () => apiError(-1004, 'closed');

function callBack(callback, sdk) {
  if (!isFunction(callback)) return;
  try { callback(sdk); } catch (e) { Emitter.onListenerError(e, 'init callback'); }
}

// A caller error of the IM core: its code is one of the numeric codes of docs/errors.md, as text ("400",
// "-1004"; src/im/types.h invalid_argument); anything else would be an SDK bug, reported as -1.
function callerError(x) {
  const n = Number(x.code);
  const field = /^invalid argument '([^']+)'/.exec(x.message || '');  // the core's wording (src/im)
  return apiError(Number.isFinite(n) ? n : -1, x.message, null, field ? { field: field[1] } : null);
}

// Cold start: the session's first WebSocket, opened while the wasm loads (as sdk.io does). The URL is the
// one the core's first attempt names (the first server of `hosts`, or host and socketPort; Engine.IO 4
// unless protocol 3); the core's OpenTransport adopts the socket when it matches (CoreDriver.open), else
// it is closed unused. None when the config is not the plain kind whose URL is certain here (the core
// then checks it and decides), or when the network is known to be down.
function openImEarly(p, cfg) {
  if (p.isNetworkKnown && p.isNetworkKnown() && !p.isOnline()) return null;
  const first = Array.isArray(cfg.hosts) ? cfg.hosts[0] : undefined;
  const host = isObject(first) ? first.host : cfg.host;
  const port = isObject(first) && first.socketPort !== undefined ? first.socketPort : cfg.socketPort;
  if (!isString(host) || !(isNumber(port) || isString(port)) || !/^[1-9]\d{0,4}$/.test(String(port)) || Number(port) > 65535) {
    return null;
  }
  const origin = `${cfg.secure === true ? 'https' : 'http'}://${host}:${port}`;
  return openEarly(p, earlyUrl({ origin }, undefined, '', cfg.protocol === 3 ? 3 : 4));
}

// The IM core's driver: the shared CoreDriver (transport, the one timer, foreground wake) plus the
// IM's own I/O output, 'http' (wx.request), performed with the transport commands.
function createImDriver(core, p, configJson, sink, early) {
  return new CoreDriver(core, 'ImClient', p, configJson, sink, {
    closedCode: '-1004',
    ordered: true,
    early,
    io: {
      http: (o, driver) => p.request(o.url, o.body, (err, status, text) => {
        if (err) driver.input('httpError', o.id, String(err));
        else driver.input('httpResponse', o.id, status, String(text));
      }),
    },
  });
}

const DISCONNECTED = 'disconnected';
const STATES = ['connecting', 'connected', 'reconnecting', DISCONNECTED];

// The configuration keys sdk.im.init reads (docs/api.md); anything else is warned about, naming the key
// probably meant (`socketport` -> `socketPort`).
// (One string: 2 bytes a key less than an array literal in the bundle.)
const CONFIG_KEYS = ('host hosts httpPort socketPort key secret apiTransport loginAuid loginToken fileServerConfig secure ' +
  'protocol reconnection reconnectionAttempts reconnectionDelay reconnectionDelayMax requestTimeout maxHttpRequests ' +
  'outboxPerMessageRecords sendWindow sendTimeout historyOnFreshInstall seed wasmPath').split(' ');

function editDistance(a, b) {
  const row = [];
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length];
}

// One warning per unknown key: "... 'socketport' is not a config key (did you mean 'socketPort'?) ...".
function configWarnings(cfg) {
  const out = [];
  for (const k of Object.keys(cfg)) {
    if (CONFIG_KEYS.indexOf(k) >= 0) continue;
    let best = null;
    let bestD = Infinity;
    for (const known of CONFIG_KEYS) {
      const d = editDistance(known.toLowerCase(), k.toLowerCase());  // 0 for the same key in another case
      if (d < bestD) { best = known; bestD = d; }
    }
    const guess = bestD <= Math.max(2, Math.floor(k.length / 4)) ? ` (did you mean '${best}'?)` : '';
    out.push(`echatim: sdk.im.init: '${k}' is not a config key${guess}; it is ignored`);
  }
  return out;
}

// A recalled message keeps a body the app's own listener can read (m.body.text is undefined, not a
// TypeError): body {} and recalled: true (docs/api.md "Recalled messages").
function recalledShape(m) {
  if (m && (m.body == null || m.recalled === true)) {
    if (!isObject(m.body)) m.body = {};
    if (m.recalled !== true && m.recalled !== false) m.recalled = true;
  }
  return m;
}

// E聊 apps may send a body as JSON text ('{"text":"hi"}'): hand it over parsed, as an object. A string
// that is not a JSON object or array stays as it is. Its first character decides without the regex
// unless it is a space or not ASCII (a regex test is ~450 ns per message on JSC without a JIT).
function parsedBody(m) {
  const t = m && m.body;
  const c = isString(t) && t[0];
  if (c === '{' || c === '[' || (c && (c <= ' ' || c > '~') && /^\s*[[{]/.test(t))) {
    try {
      const b = JSON.parse(t);
      if (isObject(b)) m.body = b;
    } catch (err) { /* not JSON: keep the string */ }
  }
  return m;
}

// sdk.im. The session's own life is the core's (im::Lifecycle, src/im/lifecycle.h: its states come as
// `state` outputs, and `ready` says when init calls back); what the shim keeps is only the loader's
// side, the time between init() and the core existing, as one phase:
//
//   phase     on                                         to
//   IDLE      init(config)                               LOADING  (the wasm loads; calls wait in _waiting)
//   LOADING   the core attached                          RUNNING  (the waiting calls run)
//   LOADING   no wx, the wasm cannot load, the config    FAILED   (the waiting calls fail with _failed)
//             refused by the core
//   RUNNING   a fatal `error` output                     FAILED   (the core answers later calls itself)
//   any       close()                                    CLOSED   (waiting and pending calls fail -1004)
//   FAILED,   init(config)                               LOADING  (a new run)
//   CLOSED
//   LOADING,  init(another config, or after the end)     LOADING  (close(), then a new run)
//   RUNNING
// Each init is a run, named by its Promise: a load that finishes after its run was closed or replaced
// attaches nothing.
const IDLE = 0;
const LOADING = 1;
const RUNNING = 2;
const FAILED = 3;
const CLOSED = 4;

class Im extends Emitter {
  constructor() {
    super();
    this._phase = IDLE;
    this._coreDriver = null;  // the core's driver (running; failed after a fatal output)
    this._calls = new Map();  // call id -> {resolve, reject}
    this._waiting = [];       // [fn] to run once the core exists (loading)
    this._state = DISCONNECTED;  // the core's last `state`, for getState()
    this._outcome = null;  // the current init's outcome, until Ready, a fatal error or close()
    this._sdk = null;
    this._failed = null;      // failed: why
    this._requestTimeout = 15000;
  }

  // The core's driver under the name the tests read (sdk.im._driver.core, .held, .syncedKey): the bundle
  // renames the shim's own members (toolchain/bundle.js), not this one.
  get _driver() { return this._coreDriver; }

  // init(config, callback) -> Promise<sdk | undefined>. callback(sdk) once after the first login;
  // callback() (no argument) on a fatal failure, with an 'error' event saying why; the Promise then
  // resolves undefined (it never rejects: callback-style apps get no unhandled rejection). Whether it
  // should reject instead is an open spec question (docs/im-design.md).
  init(config, callback) {
    // A bad logLevel or wasmPath throws here (a TypeError naming the field), before anything starts.
    loader.configure({ wasmPath: config && config.wasmPath || undefined, logLevel: config && config.logLevel });
    loader.loadCore();  // (cold start: it compiles while the rest is set up)
    const key = JSON.stringify(config || {});
    if (this._phase === LOADING || this._phase === RUNNING || this._coreDriver) {
      // A page opened again runs its onLoad again: with the same config it joins the session there is
      // (called back once it is, or already was, logged in); another config, or a session that ended
      // (kicked, refused), starts anew.
      const live = this._phase !== FAILED && (this._outcome || this._state !== DISCONNECTED);
      if (key === this._configKey && live) return this._join(callback);
      this.close();
    }
    this._configKey = key;
    this._phase = LOADING;
    const cfg = Object.assign({}, config || {});
    for (const w of configWarnings(cfg)) {
      if (typeof console !== 'undefined' && console.warn) console.warn(w);
    }
    this._requestTimeout = isNumber(cfg.requestTimeout) && cfg.requestTimeout > 0 ? cfg.requestTimeout : 15000;
    let settled = false;
    let resolveInit;
    const promise = new Promise((resolve) => { resolveInit = resolve; });
    this._initPromise = promise;
    this._outcome = (sdk) => {
      if (settled) return;
      settled = true;
      this._outcome = null;
      callBack(callback, sdk);
      resolveInit(sdk);
    };
    this._failed = null;
    this._state = 'connecting';
    log.debug('im.init', cfg);  // log.js replaces the token, secret and key by '***'
    let p;
    try {
      p = getPlatform();
    } catch (err) {
      this._fatal(apiError(-1008, err.message));  // no wx here (docs/errors.md)
      return promise;
    }
    this._early = openImEarly(p, cfg);
    const current = () => this._initPromise === promise && this._phase === LOADING;
    loader.loadCore().then((core) => p.whenNetworkKnown(() => { if (current()) this._attach(core, p, cfg); }),
      (err) => { if (current()) this._fatal(apiError(-1002, `could not load the SDK core: ${err.message}`)); });
    return promise;
  }

  // A second init with the same config: the outcome of the first, when it is known (undefined if the
  // session has ended since).
  _join(callback) {
    return this._initPromise.then((outcome) => {
      const sdk = this._coreDriver ? outcome : undefined;
      callBack(callback, sdk);
      return sdk;
    });
  }

  _attach(core, p, cfg) {
    const json = JSON.stringify(Object.assign({}, cfg, { seed: p.seed(), wasmPath: undefined, logLevel: undefined }));
    this._platform = p;
    this._auid = isString(cfg.loginAuid) ? cfg.loginAuid : String(cfg.loginAuid);
    this._coreDriver = createImDriver(core, p, json, (o) => this._onOutput(o), this._early);
    // Its listeners: the lanes make no sendState or conversation event that no listener wants.
    this._coreDriver.heard = this;
    if (this._coreDriver.optionsError) {
      const x = this._coreDriver.optionsError;
      this._coreDriver.destroy();
      this._coreDriver = null;
      return this._fatal(callerError(x));
    }
    if (!this._hooked) {
      this._hooked = true;
      p.onForeground(() => { if (this._coreDriver) this._coreDriver.foreground(); });
      p.onNetwork((online) => { if (this._coreDriver) this._coreDriver.input('setOnline', online); });
    }
    const wanted = this._coreDriver.call('storageKeys').r || {};
    if (isString(wanted.synced)) this._coreDriver.syncedKey = wanted.synced;
    if (isString(wanted.outboxPrefix)) {
      // (`from`: the formUser field the send lane adds; the core takes the lane only for a user that needs
      // no escapes in JSON.)
      this._coreDriver._outbox = { key: wanted.outbox, prefix: wanted.outboxPrefix, marker: wanted.outboxMarker,
        setByCore: wanted.setByCore || [], idPrefix: wanted.idPrefix, from: `,"formUser":"${wanted.user}"` };
    }
    const prefixes = wanted.prefixes || [];
    const keys = (wanted.keys || []).slice();
    for (const k of p.storageKeys()) {
      if (prefixes.some((pre) => k.length > pre.length && k.startsWith(pre))) keys.push(k);
    }
    const records = {};
    for (const k of keys) {
      const v = p.storageGet(k);
      if (isString(v) && v) records[k] = v;
    }
    // The app's listeners run inside these calls (a restored outbox's sendState, the first state): one
    // may close the session or init another, which drops this driver and does the rest: this run then
    // stops here.
    const driver = this._coreDriver;
    driver.call('load', JSON.stringify(records));
    if (!p.isOnline() && this._coreDriver === driver) driver.call('setOnline', false);
    if (this._coreDriver !== driver) return;
    this._phase = RUNNING;
    driver.call('start');
    if (this._coreDriver !== driver) return;
    this._dropEarly();  // adopted by the core's first attempt, or not wanted
    const waiting = this._waiting;
    this._waiting = [];
    for (const fn of waiting) fn();
  }

  _dropEarly() {
    dropEarly(this._early);
    this._early = null;
  }

  _fatal(err) {
    this._dropEarly();
    err.fatal = true;
    this._phase = FAILED;
    this._failed = err;
    this._state = DISCONNECTED;
    this._emit('error', err);
    for (const fn of this._waiting.splice(0)) fn();
    if (this._outcome) this._outcome(undefined);
  }

  _onOutput(o) {
    switch (o.k) {
      case 'store': {
        const p = this._platform;
        const failure = o.value === '' ? p.storageRemove(o.key) : p.storageSet(o.key, o.value);
        // The core bounds its records well under WeChat's 1 MB per key; a failure here is the app's
        // storage being full: say so (the session goes on; the record is written again on its next change).
        if (failure) this._onOutput({ k: 'error', code: -1005, message: `storage: could not write ${o.key}: ${failure}`, fatal: false });
        return;
      }
      case 'state': {
        // (After close() from a listener, the core's own 'disconnected' comes behind close()'s.)
        if (STATES.indexOf(o.state) < 0 || (this._phase === CLOSED && o.state === this._state)) return;
        this._state = o.state;
        this._emit('state', { state: o.state, reason: o.reason });
        return;
      }
      case 'convs': {
        this._emit('conversations', o.list);
        return;
      }
      case 'ready': {  // the core: logged in, with the conversation list loaded (once per init)
        if (this._outcome) this._outcome(this._sdk);
        return;
      }
      case 'sendstate':  // (the lanes make none that no listener wants: CoreDriver.sendForm, answered)
        return this._emit('sendState', { clientMsgId: o.clientMsgId, state: o.state, reason: o.reason || null });
      case 'resp': {
        const { id, code, msg, data, requestId, clientMsgId } = o;
        const call = this._calls.get(id);
        if (!call) {
          // A message restored from the outbox after a restart: nobody waits for it.
          if (clientMsgId) this._emit('sent', { code, msg, data, clientMsgId, requestId: requestId || null });
          return;
        }
        this._calls.delete(id);
        if (code === 0) call.resolve({ code, msg, data, requestId: requestId || null });
        else {
          const extra = data && data.field ? { field: data.field } : {};
          if (clientMsgId) extra.clientMsgId = clientMsgId;  // resend with it: the server drops repeats
          call.reject(apiError(code, msg, requestId || null, extra));
        }
        return;
      }
      case 'msg': {
        const m = recalledShape(parsedBody(o.message));
        if (isObject(m)) {
          // flow as TIM's: 'out' for the user's own sends (they come back as deliveries too), 'in' for others'.
          m.flow = this._auid !== undefined && m.formUser === this._auid ? 'out' : 'in';
          m.isHistory = o.history === true;
        }
        return this._emit('message', m);
      }
      case 'notify': return this._emit('notify', o.data);
      case 'sync': return this._emit('sync', { from: o.from, to: o.to, count: o.count });
      case 'kicked': return this._emit('kicked', { reason: o.reason });
      case 'conv': return this._emit('conversation', o.conv);
      case 'error': {
        const err = apiError(o.code, o.message, null, { fatal: o.fatal });
        if (o.fatal) return this._fatal(err);
        return this._emit('error', err);
      }
      default: return undefined;
    }
  }

  // Runs fn once the core exists (at once if it does); fails with why it does not otherwise.
  _whenReady(fn, fail) {
    switch (this._phase) {
      case RUNNING: return fn();
      case LOADING:
        this._waiting.push(() => (this._coreDriver ? fn() : fail(this._failed || closedError())));
        return undefined;
      case FAILED: return this._coreDriver ? fn() : fail(this._failed);  // with a core, its sticky end answers
      case CLOSED: return fail(apiError(-1004, 'closed: sdk.im.close() was called'));
      default: return fail(apiError(-1007, 'not initialised: call sdk.im.init first'));
    }
  }

  // A raw core call that yields a call id; the Promise settles with its Response. The call is
  // registered before the batch that created it is dispatched (CoreDriver.callThen), so a Response in
  // that very batch (the core finished the call at once) finds it.
  // `form` (message.send): the form itself, tried on the send lane first (CoreDriver.sendForm).
  _submit(name, args, form) {
    return new Promise((resolve, reject) => {
      this._whenReady(() => {
        if (form && this._coreDriver.sendForm(form, args[0], (id) => this._calls.set(id, { resolve, reject }),
          (x) => reject(callerError(x)))) return;
        this._coreDriver.callThen((b) => {
          if (b.x) reject(callerError(b.x));
          else this._calls.set(b.r, { resolve, reject });
        }, name, ...args);
      }, reject);
    });
  }

  request(module, method, form, transport) {
    const t = transport === 'HTTP' ? 0 : transport === 'SOCKET' ? 1 : -1;
    log.debug(`call ${module}.${method}`, form || {});
    return this._submit('request', [module, method, JSON.stringify(form || {}), t]);
  }

  send(form) {
    const f = form || {};
    return this._submit('send', [JSON.stringify(f)], typeof f === 'object' ? f : null);
  }

  info() {
    return this._coreDriver ? this._coreDriver.call('info').r : null;
  }

  // Resolves with info() once logged in (uploads need the JWT); rejects with -1001 after `ms` (the
  // config's requestTimeout by default), as API calls do.
  whenLoggedIn(ms) {
    const wait = isNumber(ms) ? ms : this._requestTimeout;
    return new Promise((resolve, reject) => {
      let timer = null;
      let onState = null;
      const settle = (fn, value) => {
        if (timer !== null) getPlatform().clearTimer(timer);
        timer = null;
        if (onState) this.off('state', onState);
        onState = null;
        fn(value);
      };
      const check = () => {
        const info = this.info();
        if (info && info.jwt && this._state === 'connected') return settle(resolve, info);
        if (this._phase === FAILED) return settle(reject, this._failed);
        if (this._phase === CLOSED) return settle(reject, closedError());
        if (!onState) {
          onState = () => check();
          this.on('state', onState);
        }
        return undefined;
      };
      timer = getPlatform().setTimer(wait, () => {
        timer = null;
        settle(reject, apiError(-1001, `timeout: not logged in within ${wait} ms`));
      });
      this._whenReady(check, (err) => settle(reject, err));
    });
  }

  getState() {
    return this._state;
  }

  // The conversations kept by the core (docs/protocol.md 9.6 objects, most recent first): seeded by
  // conversation/list after each login and updated by every message.
  getConversations() {
    return new Promise((resolve, reject) => {
      this._whenReady(() => {
        const list = this._coreDriver.call('conversations').r || [];
        resolve(list.map((c) => this._coreDriver.shown(c)));
      }, reject);
    });
  }

  // markRead({way, toTarget}): read locally at once, and on the server (conversation/read).
  markRead(conversation) {
    const c = conversation || {};
    return this._submit('markRead', [String(c.way || ''), String(c.toTarget === undefined ? '' : c.toTarget)]);
  }

  close() {
    this._phase = CLOSED;
    this._dropEarly();
    if (this._coreDriver) {
      this._coreDriver.destroy();
      this._coreDriver = null;
    }
    if (this._outcome) this._outcome(undefined);
    for (const fn of this._waiting.splice(0)) fn();  // calls made while the wasm loaded: -1004 closed
    for (const [, call] of this._calls) call.reject(closedError());
    this._calls.clear();
    this._failed = null;
    if (this._state !== DISCONNECTED) {
      this._state = DISCONNECTED;
      this._emit('state', { state: DISCONNECTED, reason: 'closed' });
    }
  }
}

const im = new Im();
const apis = createApis(im, getPlatform);

function setPlatformFactory(factory) {
  platformFactory = factory;
}

// Wires sdk.im and sdk.apis into the SDK's exports (js-shim/index.js does it for every build, with the
// platform it shares with sdk.io): platform() -> the IM platform (platform/wx-im.js over wx, or the browser's).
function install(sdk, platform) {
  setPlatformFactory(platform);
  im._sdk = sdk;
  sdk.im = im;
  sdk.apis = apis;
  return sdk;
}

module.exports = { im, apis, setPlatformFactory, apiError, install };
