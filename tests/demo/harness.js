'use strict';
// Runs the demo mini-program (miniprogram-demo/) headlessly, as a user would see and drive it:
//
//   - every page is rendered by npm miniprogram-simulate (the official component test tool: WXML
//     compiled by WeChat's own wcc, WXSS, j-component + exparser) into a jsdom document;
//   - the page JS, the app, the store and the SDK run in a mini-program sandbox (tests/sandbox): a vm
//     realm with the WeChat logic-layer globals and a `wx` backed by real loopback sockets, so the
//     REAL dist SDK (utils/echatim-sdk.js + .wasm.br via WXWebAssembly) talks to a REAL devserver.
//
// The bridge: simulate's page loader normally require()s the page JS in Node; here it loads it through
// the phone's sandbox module loader instead, and the sandbox's Component() hands the definition to
// simulate's Component(). One Phone = one sandbox (its own wx, storage, SDK instance) = one user.
// The navigation and UI APIs that the sandbox does not emulate (navigateTo, switchTab, showToast,
// chooseMedia, ...) are added to the phone's wx here.
//
//   const { startDevserver, Phone } = require('./harness');
//   const srv = await startDevserver({ users: ['alice:alice:Alice'] });
//   const alice = new Phone('alice');
//   await alice.launch();                       // app.js, then the login page
//   await alice.type('#auid', 'alice'); await alice.tap('#login');
//   await alice.waitText('.me-name', 'alice');
//   await alice.close(); await srv.stop();

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ownChild } = require('../support/children');

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'miniprogram-demo');
const WAIT_MS = 10000;  // bound of every wait: only there so that nothing hangs
// WXML compiler: WeChat's own wcc (npm miniprogram-compiler ships it for x86-64 Linux, macOS and
// Windows); elsewhere simulate's JavaScript one.
const COMPILER = process.env.ECHAT_WXML_COMPILER
  || (process.platform === 'linux' && process.arch !== 'x64' ? 'simulate' : 'official');

// ------------------------------------------------------------------ the DOM simulate renders into
let simulate = null;
let jsdomWindow = null;
function dom() {
  if (simulate) return simulate;
  const { JSDOM } = require('jsdom');
  const jsdom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { pretendToBeVisual: true });
  jsdomWindow = jsdom.window;
  global.window = jsdomWindow;
  global.document = jsdomWindow.document;
  // j-component dispatches jsdom events: Node's own Event/CustomEvent would be refused by jsdom.
  global.Event = jsdomWindow.Event;
  global.CustomEvent = jsdomWindow.CustomEvent;
  for (const k of Object.getOwnPropertyNames(jsdomWindow)) {
    if (k in global) continue;
    try { global[k] = jsdomWindow[k]; } catch (_) { /* read-only: skip */ }
  }
  simulate = require('miniprogram-simulate');
  reflectBuiltins();
  return simulate;
}

// simulate registers the built-in components (view, image, input, button...) as bare <wx-*> elements
// without their properties. Re-register the ones whose properties a user sees, reflecting them as DOM
// attributes (<wx-image src=...>, <wx-input value=...>), so tests and pictures can see them.
function reflectBuiltins() {
  const jComponent = require('j-component');
  const reflect = (attr) => ({
    type: null,
    value: null,
    observer(v) {
      const el = this._exparserNode && this._exparserNode.$$;
      if (!el) return;
      if (v === null || v === undefined || v === false || v === '') el.removeAttribute(attr);
      else el.setAttribute(attr, v === true ? '' : String(v));
    },
  });
  const builtins = {
    image: ['src', 'mode'],
    input: ['value', 'placeholder', 'type', 'password', 'disabled'],
    textarea: ['value', 'placeholder', 'disabled'],
    button: ['type', 'size', 'disabled', 'loading'],
    'scroll-view': ['scroll-into-view'],
  };
  for (const [name, attrs] of Object.entries(builtins)) {
    const properties = {};
    for (const a of attrs) properties[a.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = reflect(a);
    jComponent.register({ id: name, tagName: `wx-${name}`, properties, template: '<slot/>' });
  }
}

// simulate loads a page's JS with Node's require(); route it through the phone being rendered.
let loadingPhone = null;
function hookLoader() {
  const utils = require('miniprogram-simulate/src/utils');
  if (utils.runJs.echatHooked) return;
  const runJs = (file) => {
    if (!loadingPhone) throw new Error(`no phone is loading ${file}`);
    loadingPhone._runPageJs(file);
  };
  runJs.echatHooked = true;
  utils.runJs = runJs;
}

// ------------------------------------------------------------------ the devserver
// Starts devserver/bin/echat-devserver.js on free loopback ports with an in-memory database.
// users: ['auid:token:Name', ...]. Resolves {host, httpPort, socketPort, stop()}.
function startDevserver({ users = [], args = [], db = ':memory:', httpPort = 0, socketPort = 0 } = {}) {
  const argv = [path.join(ROOT, 'devserver/bin/echat-devserver.js'), '--http-port', String(httpPort),
    '--socket-port', String(socketPort), '--db', db];
  for (const u of users) argv.push('--user', u);
  argv.push(...args);
  const child = ownChild(spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
    return undefined;
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { stop(); reject(new Error(`devserver did not start: ${stderr}`)); }, WAIT_MS);
    child.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      try {
        const info = JSON.parse(buf.slice(0, i));
        resolve({ host: info.host, httpPort: info.httpPort, socketPort: info.socketPort, stop, child, stderr: () => stderr });
      } catch (err) {
        stop();
        reject(new Error(`devserver said ${buf.slice(0, i)}`));
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`devserver exited ${code}: ${stderr}`)); });
  });
}

// ------------------------------------------------------------------ helpers
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond, what, ms = WAIT_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await sleep(10);
  }
}

function parseUrl(url) {
  const [p, q = ''] = String(url).split('?');
  const query = {};
  for (const part of q.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    query[k] = i < 0 ? '' : part.slice(i + 1);  // left encoded, as WeChat hands it to onLoad
  }
  return { route: p.replace(/^\//, ''), query };
}

const APP = () => JSON.parse(fs.readFileSync(path.join(DEMO, 'app.json'), 'utf8'));

// A PNG of the given size (for wx.chooseMedia).
function makePng(width, height, rgb) {
  const zlib = require('node:zlib');
  const crcTable = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crcTable[n] = c >>> 0;
  }
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const row = Buffer.alloc(1 + width * 3);
  const rows = [];
  // rgb: [r, g, b] (a soft diagonal gradient over that colour) or a function (x, y) -> [r, g, b]
  const paint = typeof rgb === 'function' ? rgb : (x, y) => {
    const f = 0.75 + 0.25 * ((x + y) / (width + height));
    return rgb.map((c) => Math.min(255, Math.round(c * f)));
  };
  for (let y = 0; y < height; y++) {
    row[0] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = paint(x, y);
      row[1 + x * 3] = r;
      row[2 + x * 3] = g;
      row[3 + x * 3] = b;
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// setData hands the view layer a JSON copy of the data (WeChat serialises it to send it to the view
// thread). Do the same across the realms: the page's objects and arrays are the sandbox realm's, and the
// compiled WXML evaluates expressions such as `items.length` only on this realm's arrays.
function viewCopy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function bridgeDefinition(def) {
  const lifetimes = Object.assign({}, def.lifetimes || {});
  const created = lifetimes.created || def.created;
  lifetimes.created = function created_() {
    const setData = this.setData;
    this.setData = function (data, callback) {
      return setData.call(this, viewCopy(data), callback);
    };
    if (typeof created === 'function') created.call(this);
  };
  return Object.assign({}, def, { data: viewCopy(def.data || {}), lifetimes });
}

// ------------------------------------------------------------------ a phone
class Phone {
  // name: a label (also the container's id); options: sandbox options (storage, ...),
  // {language}: WeChat's language ('zh_CN' by default, as the sandbox's; 'en' for English), and
  // {log(text)}: called with a line for every toast/modal/navigation (for the run.sh printout).
  constructor(name, options = {}) {
    dom();
    hookLoader();
    const { createSandbox } = require('../sandbox');
    this.name = name;
    this.log = options.log || (() => {});
    this.logs = [];
    const quiet = (level) => (...args) => this.logs.push({ level, text: args.map((a) => (a && a.stack) || String(a)).join(' ') });
    const sandbox = Object.assign({}, options.sandbox || {});
    if (options.language) sandbox.systemInfo = Object.assign({}, sandbox.systemInfo || {}, { language: options.language });
    this.sb = createSandbox({
      packageRoot: DEMO,
      console: { log: quiet('log'), info: quiet('info'), warn: quiet('warn'), error: quiet('error'), debug: quiet('debug') },
      quietErrors: true,
      ...sandbox,
    });
    this.tabTexts = APP().tabBar.list.map((t) => t.text);  // as wx.setTabBarItem leaves them
    this.actionSheets = [];  // the item lists wx.showActionSheet showed
    this.actionSheetChoice = 0;  // the item the "user" taps (-1: dismisses the sheet)
    this.stack = [];        // open pages, the top one last: {route, comp, instance, title}
    this.tabs = {};         // route -> page kept alive by the tab bar
    this.toasts = [];
    this.navigations = [];
    this.pullDownStops = 0;
    this.media = [];        // files wx.chooseMedia hands out, in order
    this.definitions = new Map();  // page file -> its Component definition (the sandbox caches modules)
    this.screen = document.createElement('div');
    this.screen.className = 'phone';
    this.screen.id = `phone-${name}`;
    document.body.appendChild(this.screen);
    this._queue = Promise.resolve();
    this._installWx();
    this.sb.global.Component = (def) => {
      this._lastDefinition = bridgeDefinition(def);
      return global.Component(this._lastDefinition);
    };
    this.sb.global.getCurrentPages = () => this.sb.toCtx([]).concat(this.stack.map((p) => p.instance));
  }

  // The app starts: app.js, then the first page of app.json (login).
  async launch() {
    this.sb.require('/app.js');
    this.app = this.sb.app;
    await this.sb.flush();
    await this.open(APP().pages[0], {});
  }

  get sdk() { return this.sb.require('/utils/echatim-sdk.js'); }
  get store() { return this.sb.require('/utils/store.js'); }
  get page() { return this.stack[this.stack.length - 1] || null; }
  get route() { return this.page ? this.page.route : null; }

  _runPageJs(file) {
    const rel = `/${path.relative(DEMO, file).split(path.sep).join('/')}.js`;
    if (this.definitions.has(rel)) {
      global.Component(this.definitions.get(rel));
      return;
    }
    this._lastDefinition = null;
    this.sb.require(rel);
    if (!this._lastDefinition) throw new Error(`${rel} did not call Component()`);
    this.definitions.set(rel, this._lastDefinition);
  }

  // Renders a page and runs its page lifecycle (onLoad(query), onShow()).
  async open(route, query = {}) {
    const sim = dom();
    const file = path.join(DEMO, route);
    const tag = route.split('/').pop();
    loadingPhone = this;
    let id;
    try {
      id = sim.load(file, tag, { rootPath: DEMO, compiler: COMPILER });
    } finally {
      loadingPhone = null;
    }
    const comp = sim.render(id);
    const holder = document.createElement('div');
    holder.className = 'page-holder';
    holder.setAttribute('data-route', route);
    this.screen.appendChild(holder);
    comp.attach(holder);
    const json = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    const page = { route, comp, instance: comp.instance, holder, query, title: json.navigationBarTitleText || APP().window.navigationBarTitleText, json };
    const below = this.page;
    if (below) this._hide(below);
    this.stack.push(page);
    this.navigations.push(route);
    this._call(page, 'onLoad', [this.sb.toCtx(query)]);
    this._call(page, 'onShow', []);
    await this.settle();
    return page;
  }

  _call(page, name, args) {
    const fn = page.instance[name];
    if (typeof fn !== 'function') return undefined;
    try {
      return fn.apply(page.instance, args);
    } catch (err) {
      this.sb.errors.push(err);
      return undefined;
    }
  }

  _hide(page) {
    page.holder.style.display = 'none';
    this._call(page, 'onHide', []);
  }

  _show(page) {
    page.holder.style.display = '';
    this._call(page, 'onShow', []);
  }

  _unload(page) {
    this._call(page, 'onUnload', []);
    try { page.comp.detach(); } catch (_) { /* already gone */ }
    page.holder.remove();
  }

  _isTab(route) {
    const tabBar = APP().tabBar;
    return !!(tabBar && tabBar.list.some((t) => t.pagePath === route));
  }

  async navigateTo(url) {
    const { route, query } = parseUrl(url);
    if (this._isTab(route)) throw new Error(`navigateTo:fail can not navigateTo a tabbar page`);
    return this.open(route, query);
  }

  async navigateBack(delta = 1) {
    for (let i = 0; i < delta && this.stack.length > 1; i++) {
      const top = this.stack.pop();
      if (this.tabs[top.route] === top) delete this.tabs[top.route];
      this._unload(top);
    }
    if (this.page) this._show(this.page);
    await this.settle();
  }

  async switchTab(url) {
    const { route } = parseUrl(url);
    if (!this._isTab(route)) throw new Error(`switchTab:fail can not switch to no-tabBar page`);
    // Every page that is not a tab closes; the tab pages stay alive.
    while (this.stack.length && !this._isTab(this.page.route)) this._unload(this.stack.pop());
    if (this.page && this.page.route === route) {
      this._show(this.page);
      await this.settle();
      return this.page;
    }
    if (this.page) {
      this._hide(this.page);
      this.stack.pop();  // a tab page leaves the stack but stays alive in this.tabs
    }
    if (this.tabs[route]) {
      this.stack.push(this.tabs[route]);
      this._show(this.tabs[route]);
      await this.settle();
      return this.tabs[route];
    }
    const page = await this.open(route, {});
    this.tabs[route] = page;
    return page;
  }

  async reLaunch(url) {
    const { route, query } = parseUrl(url);
    const all = new Set([...this.stack, ...Object.values(this.tabs)]);
    for (const p of all) this._unload(p);
    this.stack = [];
    this.tabs = {};
    const page = await this.open(route, query);
    if (this._isTab(route)) this.tabs[route] = page;
    return page;
  }

  // The wx APIs of the view layer and navigation, which the sandbox leaves out.
  _installWx() {
    const wx = this.sb.wx;
    const ctx = (x) => this.sb.toCtx(x);
    const settleCb = (o, promise, okMsg) => {
      promise.then(() => {
        if (o && typeof o.success === 'function') o.success(ctx({ errMsg: okMsg }));
        if (o && typeof o.complete === 'function') o.complete(ctx({ errMsg: okMsg }));
      }, (err) => {
        this.log(`${this.name}: ${err.message}`);
        if (o && typeof o.fail === 'function') o.fail(ctx({ errMsg: err.message }));
        if (o && typeof o.complete === 'function') o.complete(ctx({ errMsg: err.message }));
      });
    };
    // Navigation runs after the current page callback, one at a time, as WeChat does.
    const nav = (name, fn) => (o) => {
      const url = o && o.url;
      const p = this._queue.then(() => fn(o || {}));
      this._queue = p.catch(() => null);
      settleCb(o, p, `${name}:ok`);
      return undefined;
    };
    wx.navigateTo = nav('navigateTo', (o) => this.navigateTo(o.url));
    wx.redirectTo = nav('redirectTo', async (o) => {
      const top = this.stack.pop();
      if (top) this._unload(top);
      const { route, query } = parseUrl(o.url);
      return this.open(route, query);
    });
    wx.navigateBack = nav('navigateBack', (o) => this.navigateBack(o.delta || 1));
    wx.switchTab = nav('switchTab', (o) => this.switchTab(o.url));
    wx.reLaunch = nav('reLaunch', (o) => this.reLaunch(o.url));
    wx.setNavigationBarTitle = (o) => {
      if (this.page) this.page.title = String(o && o.title);
      if (o && typeof o.success === 'function') o.success(ctx({ errMsg: 'setNavigationBarTitle:ok' }));
    };
    wx.stopPullDownRefresh = () => { this.pullDownStops++; };
    wx.startPullDownRefresh = () => this.pullDown();
    wx.showToast = (o) => {
      this.toasts.push(String(o && o.title));
      this.log(`${this.name}: toast "${o && o.title}"`);
    };
    wx.hideToast = () => {};
    wx.showLoading = () => {};
    wx.hideLoading = () => {};
    wx.showModal = (o) => {
      this.toasts.push(String(o && o.content));
      if (o && typeof o.success === 'function') o.success(ctx({ confirm: true, cancel: false, errMsg: 'showModal:ok' }));
    };
    wx.previewImage = () => {};
    wx.setTabBarItem = (o) => {
      if (o && typeof o.index === 'number' && o.text !== undefined) this.tabTexts[o.index] = String(o.text);
      if (o && typeof o.success === 'function') o.success(ctx({ errMsg: 'setTabBarItem:ok' }));
    };
    wx.showActionSheet = (o) => {
      const items = Array.from((o && o.itemList) || [], String);
      this.actionSheets.push(items);
      this.log(`${this.name}: action sheet [${items.join(', ')}]`);
      const choice = this.actionSheetChoice;
      Promise.resolve().then(() => {
        if (choice < 0 || choice >= items.length) {
          if (o && typeof o.fail === 'function') o.fail(ctx({ errMsg: 'showActionSheet:fail cancel' }));
        } else if (o && typeof o.success === 'function') o.success(ctx({ tapIndex: choice, errMsg: 'showActionSheet:ok' }));
      });
    };
    wx.pageScrollTo = () => {};
    wx.vibrateShort = () => {};
    wx.chooseMedia = (o) => {
      const f = this.media.shift();
      Promise.resolve().then(() => {
        if (!f) {
          if (o && typeof o.fail === 'function') o.fail(ctx({ errMsg: 'chooseMedia:fail cancel' }));
          return;
        }
        const tempFilePath = this.sb.addLocalFile(f.name, f.bytes);
        const res = ctx({
          type: 'image',
          tempFiles: [{ tempFilePath, size: f.bytes.length, fileType: 'image', width: f.width, height: f.height }],
          errMsg: 'chooseMedia:ok',
        });
        if (o && typeof o.success === 'function') o.success(res);
        if (o && typeof o.complete === 'function') o.complete(res);
      });
    };
  }

  // What wx.chooseMedia hands out next (as if the user picked it in the album).
  pickImage(name, bytes, { width, height } = {}) {
    this.media.push({ name, bytes, width, height });
  }

  // ---------------------------------------------------------------- what the user sees and does
  // Waits until the page JS, the SDK and the DOM are quiet for this turn.
  async settle() {
    await sleep(0);
    await this.sb.flush();
    await sleep(0);
  }

  _one(selector) {
    const page = this.page;
    if (!page) throw new Error(`${this.name}: no page is open`);
    const el = page.comp.querySelector(selector);
    if (!el) throw new Error(`${this.name}: no ${selector} on ${page.route}`);
    return el;
  }

  // The DOM elements matching a selector written with the page's own class names.
  all(selector) {
    if (!this.page) return [];
    return this.page.comp.querySelectorAll(selector).map((c) => c.dom);
  }

  el(selector) {
    return this.all(selector)[0] || null;
  }

  text(selector) {
    const e = this.el(selector);
    return e ? e.textContent.trim() : null;
  }

  texts(selector) {
    return this.all(selector).map((e) => e.textContent.trim());
  }

  async type(selector, value) {
    const el = this._one(selector);
    el.dispatchEvent('input', { detail: { value, cursor: value.length, keyCode: 0 } });
    await this.settle();
  }

  async tap(selector, index = 0) {
    await this._touch('tap', selector, index);
  }

  // A long press (bindlongpress) on the index-th element matching selector.
  async longPress(selector, index = 0) {
    await this._touch('longpress', selector, index);
  }

  async _touch(event, selector, index) {
    const page = this.page;
    if (!page) throw new Error(`${this.name}: no page is open`);
    const list = page.comp.querySelectorAll(selector);
    if (!list[index]) throw new Error(`${this.name}: no ${selector}[${index}] on ${page.route}`);
    list[index].dispatchEvent(event);
    await this.settle();
    await this._queue;
    await this.settle();
  }

  // Pull-down refresh on the current page; resolves once the page stopped the refresh animation.
  async pullDown() {
    const before = this.pullDownStops;
    this._call(this.page, 'onPullDownRefresh', []);
    await waitFor(() => this.pullDownStops > before, `${this.name}: stopPullDownRefresh`);
    await this.settle();
  }

  async waitText(selector, expected, what) {
    const match = (t) => (expected instanceof RegExp ? expected.test(t || '') : t === expected);
    await waitFor(() => match(this.text(selector)), what || `${this.name}: ${selector} to read ${expected} (reads ${JSON.stringify(this.text(selector))})`);
  }

  async waitRoute(route) {
    await waitFor(() => this.route === route, `${this.name}: page ${route} (on ${this.route})`);
    await this.settle();
  }

  waitFor(cond, what, ms) {
    return waitFor(cond, `${this.name}: ${what}`, ms);
  }

  // The user taps a tab of the tab bar, by its text: as shown now (wx.setTabBarItem), or in either
  // language of the demo (miniprogram-demo/utils/i18n.js), so that scripts can say 'Contacts'.
  async tapTab(text) {
    const { STRINGS } = require(path.join(DEMO, 'utils/i18n.js'));
    const names = [this.tabTexts, ...Object.keys(STRINGS).map((k) => STRINGS[k].tabs)];
    const list = APP().tabBar.list;
    let index = -1;
    for (const n of names) if (index < 0) index = n.indexOf(text);
    if (!list[index]) throw new Error(`no tab ${text}`);
    await this.switchTab(`/${list[index].pagePath}`);
  }

  // The user taps the navigation bar's back arrow.
  async back() {
    await this.navigateBack(1);
  }

  // Logs in through the login page as a user would: fills in every field and taps "Log in".
  async login(srv, auid, token) {
    if (this.route !== 'pages/login/login') await this.reLaunch('/pages/login/login');
    await this.type('#host', srv.host || '127.0.0.1');
    await this.type('#httpPort', String(srv.httpPort));
    await this.type('#socketPort', String(srv.socketPort));
    await this.type('#auid', auid);
    await this.type('#token', token);
    await this.tap('#login');
    await this.waitFor(() => this.route === 'pages/conversations/conversations' || this.text('.error'), 'login');
    if (this.route !== 'pages/conversations/conversations') throw new Error(`${this.name}: ${this.text('.error')}`);
    await this.settle();
  }

  // Page errors: exceptions thrown by page code and console.error calls.
  errors() {
    return [
      ...this.sb.errors.map((e) => String((e && e.stack) || e)),
      ...this.logs.filter((l) => l.level === 'error').map((l) => l.text),
    ];
  }

  // The current page's DOM as HTML (for pictures).
  html() {
    return this.page ? this.page.comp.dom.outerHTML : '';
  }

  async close() {
    try {
      if (this.app) this.store.logout();
    } catch (_) { /* the sandbox goes anyway */ }
    const all = new Set([...this.stack, ...Object.values(this.tabs)]);
    for (const p of all) this._unload(p);
    this.stack = [];
    this.tabs = {};
    this.screen.remove();
    await this.sb.dispose();
  }
}

// A small landscape: sky, sun, two hills (what the demo "picks from the album").
function landscape(width, height) {
  return makePng(width, height, (x, y) => {
    const sun = Math.hypot(x - width * 0.72, y - height * 0.3) < height * 0.14;
    const hill1 = y > height * (0.62 + 0.12 * Math.cos((x / width) * Math.PI * 1.6));
    const hill2 = y > height * (0.75 + 0.1 * Math.sin((x / width) * Math.PI * 2.2 + 1));
    if (hill2) return [34, 139, 34];
    if (hill1) return [60, 179, 113];
    if (sun) return [255, 200, 40];
    const t = y / height;
    return [Math.round(110 + 80 * t), Math.round(170 + 50 * t), 235];
  });
}

module.exports = { Phone, landscape, startDevserver, waitFor, sleep, makePng, DEMO, ROOT, dom, parseUrl };
