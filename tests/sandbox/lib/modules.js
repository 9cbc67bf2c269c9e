'use strict';
// require() the way the WeChat logic layer does it.
//
// - Each file is compiled once (vm.Script with its real filename, so stack traces point at it), wrapped
//   in a function whose parameters are require, module, exports and the browser globals WeChat shadows
//   with undefined: window, document, frames, self, location, navigator, localStorage, history, Caches,
//   screen, alert, confirm, prompt, XMLHttpRequest, WebSocket, Reporter, webkit, WeixinJSCore.
// - Paths: "./x", "../x" and bare "x/y" resolve against the requiring file's folder ("x.js" optional,
//   "x/index.js" accepted); a bare name that is not a package file is looked up as an npm package in
//   miniprogram_npm/<name> folders from the requiring folder up to the package root.
//   Absolute "/x" paths are rejected inside the package (WeChat: "不支持绝对路径" unless resolveAlias is
//   configured) unless allowAbsoluteRequire is set; the host's sb.require() always takes package paths.
// - Only .js files inside the package root can be loaded.

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SHADOWED = ['window', 'document', 'frames', 'self', 'location', 'navigator', 'localStorage', 'history',
  'Caches', 'screen', 'alert', 'confirm', 'prompt', 'XMLHttpRequest', 'WebSocket', 'Reporter', 'webkit', 'WeixinJSCore'];
const PARAMS = ['require', 'module', 'exports', ...SHADOWED];

class ModuleLoader {
  constructor({ root, context, intr, allowAbsoluteRequire = false, onLoad = () => {} }) {
    this.root = root ? path.resolve(root) : null;
    this.context = context;
    this.intr = intr;
    this.allowAbsolute = allowAbsoluteRequire;
    this.onLoad = onLoad;
    this.cache = new Map(); // abs file -> module object (context realm)
  }

  _inside(file) {
    const rel = path.relative(this.root, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  _fileCandidates(base) {
    const c = [];
    if (base.endsWith('.js')) c.push(base);
    else c.push(`${base}.js`, path.join(base, 'index.js'));
    return c;
  }

  _firstFile(cands) {
    for (const f of cands) {
      if (this._inside(f) && fs.existsSync(f) && fs.statSync(f).isFile()) return f;
    }
    return null;
  }

  _npm(fromDir, request) {
    const [name, ...rest] = request.split('/');
    const scoped = name.startsWith('@') && rest.length ? `${name}/${rest.shift()}` : name;
    for (let dir = fromDir; this._inside(dir) || dir === this.root; dir = path.dirname(dir)) {
      const pkg = path.join(dir, 'miniprogram_npm', scoped);
      const f = this._firstFile(this._fileCandidates(rest.length ? path.join(pkg, ...rest) : path.join(pkg, 'index')));
      if (f) return f;
      if (dir === this.root) break;
    }
    return null;
  }

  resolve(fromFile, request) {
    if (!this.root) return null;
    const fromDir = fromFile ? path.dirname(fromFile) : this.root;
    if (request.startsWith('/')) {
      if (fromFile && !this.allowAbsolute) return null;
      return this._firstFile(this._fileCandidates(path.join(this.root, request)));
    }
    if (request.startsWith('./') || request.startsWith('../')) {
      return this._firstFile(this._fileCandidates(path.resolve(fromDir, request)));
    }
    return this._firstFile(this._fileCandidates(path.resolve(fromDir, request))) || this._npm(fromDir, request);
  }

  // The require function handed to one module.
  requireFrom(fromFile, request) {
    if (typeof request !== 'string') throw new this.intr.TypeError('require args must be a string');
    const file = this.resolve(fromFile, request);
    if (!file) {
      const from = fromFile ? path.relative(this.root, fromFile) : '(sandbox)';
      throw new this.intr.Error(`module '${request}' is not defined, require args is '${request}' (from ${from})`);
    }
    return this.load(file).exports;
  }

  load(file) {
    const cached = this.cache.get(file);
    if (cached) return cached;
    const source = fs.readFileSync(file, 'utf8');
    const wrapped = `(function (${PARAMS.join(', ')}) {\n${source}\n})`;
    const script = new vm.Script(wrapped, { filename: file, lineOffset: -1 });
    const fn = script.runInContext(this.context);
    const module = new this.intr.Object();
    module.exports = new this.intr.Object();
    module.id = path.relative(this.root, file).split(path.sep).join('/');
    this.cache.set(file, module);
    const req = (r) => this.requireFrom(file, r);
    try {
      // `this` is undefined as for a plain call: sloppy-mode bundles see the global object.
      fn.call(undefined, req, module, module.exports);
    } catch (e) {
      this.cache.delete(file);
      throw e;
    }
    this.onLoad(module.id);
    return module;
  }
}

module.exports = { ModuleLoader, SHADOWED, PARAMS };
