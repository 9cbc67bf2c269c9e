'use strict';
// Cold start (issue 10 goal 2): in WeChat the SDK starts loading its wasm when a page requires it, once
// the code that required it has run (js-shim/loader.js preload), so that the wasm compiles while the
// page sets up and its first io()/sdk.im.init (usually in onLoad or onLaunch, a later task) finds it
// loaded or loading. The wasm options decide where it loads from until something asks for the core:
//  - configure({wasmPath}) in the code that requires the SDK comes before the load starts;
//  - configure({wasmPath}) or init({wasmPath}) later, before the first io()/init asked for the core,
//    loads it again from there (the first load is dropped);
//  - after that, wasm options are ignored with a warning.
// Real sandbox (tests/sandbox: WXWebAssembly reads package paths only) and a real socket.io server.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createSandbox } = require('../sandbox');
const { SDK_JS, SDK_BR, distMissing, ownServer, sdkPackage, sleep, waitEvent, within } = require('./helpers');

const skip = distMissing();

// A sandbox on `root`, recording the page's console and the package paths its wasm loads came from.
function sandbox(t, root) {
  const logs = [];
  const rec = (level) => (...args) => logs.push({ level, text: args.map(String).join(' ') });
  const sb = createSandbox({
    packageRoot: root,
    quietErrors: true,
    console: { log: rec('log'), info: rec('info'), warn: rec('warn'), error: rec('error'), debug: rec('debug') },
  });
  t.after(() => sb.dispose());
  const loads = [];
  sb.on('wasm-load', (e) => loads.push(e.path));
  return { sb, logs, loads };
}

// A package with the SDK's script in /utils/ and its wasm only in /lib/ (not where the SDK looks by
// default).
function libPackage(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-preload-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'utils'));
  fs.mkdirSync(path.join(root, 'lib'));
  fs.copyFileSync(SDK_JS, path.join(root, 'utils', 'echatim-sdk.js'));
  fs.copyFileSync(SDK_BR, path.join(root, 'lib', 'echatim-sdk.wasm.br'));
  return root;
}

async function connected(t, sdk) {
  const server = await ownServer(t, { kind: 'v4' });
  const socket = sdk.io(server.url, { forceNew: true });
  t.after(() => socket.disconnect());
  await waitEvent(socket, 'connect');
  return socket;
}

test('require() starts loading the wasm once the requiring code has run; the first io() takes that load over', { skip }, async (t) => {
  const { sb, loads } = sandbox(t, sdkPackage());
  const sdk = sb.require('/utils/echatim-sdk.js');
  assert.deepEqual(loads, [], 'nothing loads while the requiring code runs');
  await sleep(0);
  assert.deepEqual(loads, ['/utils/echatim-sdk.wasm.br'], 'the load started right after it');
  await within(sdk.ready(), 'sdk.ready()');
  await connected(t, sdk);
  assert.deepEqual(loads, ['/utils/echatim-sdk.wasm.br'], 'io() used the load that had started: one load in all');
  assert.equal(sb.stats().wasmInstantiate, 1);
});

test('configure({wasmPath}) in the code that requires the SDK: the only load is from that path', { skip }, async (t) => {
  const root = libPackage(t);
  fs.mkdirSync(path.join(root, 'pages'));
  fs.writeFileSync(path.join(root, 'pages', 'chat.js'), `var sdk = require('../utils/echatim-sdk.js');
sdk.configure({ wasmPath: '/lib/echatim-sdk.wasm.br' });
module.exports = sdk;
`);
  const { sb, loads, logs } = sandbox(t, root);
  const sdk = sb.require('/pages/chat.js');
  await sleep(0);
  assert.deepEqual(loads, ['/lib/echatim-sdk.wasm.br']);
  await connected(t, sdk);
  assert.deepEqual(loads, ['/lib/echatim-sdk.wasm.br']);
  assert.deepEqual(logs.filter((l) => l.level === 'warn' || l.level === 'error'), []);
});

test('a wasmPath given after the load started, before anything asked for the core, loads it again from there', { skip }, async (t) => {
  // The started load fails (no wasm in /utils/): without a new load from the new path, io() would
  // fail with it.
  const root = libPackage(t);
  const { sb, loads, logs } = sandbox(t, root);
  const sdk = sb.require('/utils/echatim-sdk.js');
  await sleep(20);  // the first load has started (and failed: nothing at /utils/)
  sdk.configure({ wasmPath: '/lib/echatim-sdk.wasm.br' });
  await connected(t, sdk);
  assert.deepEqual(loads, ['/lib/echatim-sdk.wasm.br'], 'the core came from the path given');
  assert.deepEqual(logs.filter((l) => l.level === 'warn' || l.level === 'error'), []);

  // sdk.im.init({wasmPath}) is the same call (a page of an app that passes it in its config).
  const two = sandbox(t, root);
  const sdk2 = two.sb.require('/utils/echatim-sdk.js');
  await sleep(20);
  const outcome = sdk2.im.init({ host: '127.0.0.1', httpPort: 1, socketPort: 1, key: 'k', secret: 's', loginAuid: 'a', loginToken: 't',
    wasmPath: '/lib/echatim-sdk.wasm.br' });
  await within(sdk2.ready(), 'the core loads from the config\'s wasmPath');
  assert.deepEqual(two.loads, ['/lib/echatim-sdk.wasm.br']);
  sdk2.im.close();
  await outcome;
});

test('wasm options after the core was asked for are ignored, with a warning; the same options are not', { skip }, async (t) => {
  const { sb, loads, logs } = sandbox(t, sdkPackage());
  const sdk = sb.require('/utils/echatim-sdk.js');
  await connected(t, sdk);
  sdk.configure({ wasmPath: '/utils/echatim-sdk.wasm.br' });
  assert.deepEqual(logs.filter((l) => l.level === 'warn'), [], 'the path in use again: nothing to say');
  sdk.configure({ wasmPath: '/lib/echatim-sdk.wasm.br' });
  assert.equal(logs.filter((l) => l.level === 'warn' && /wasm options set after the core loaded: ignored/.test(l.text)).length, 1);
  await within(sdk.ready(), 'sdk.ready()');
  await connected(t, sdk);
  assert.deepEqual(loads, ['/utils/echatim-sdk.wasm.br'], 'the core in use stays: one load');
});

test('a load started at require() that fails (no wasm in the package) says nothing until the page asks, then the page learns why', { skip }, async (t) => {
  const root = libPackage(t);
  fs.rmSync(path.join(root, 'lib'), { recursive: true });  // the script only: no wasm anywhere
  const { sb, loads, logs } = sandbox(t, root);
  const sdk = sb.require('/utils/echatim-sdk.js');
  await sleep(50);  // the load has started and failed (no unhandled rejection: node:test would fail on one)
  assert.deepEqual(loads, []);
  assert.deepEqual(sb.errors, [], 'no page error');
  assert.deepEqual(logs.filter((l) => l.level === 'warn' || l.level === 'error'), [], 'nothing printed');
  const socket = sdk.io('http://127.0.0.1:9', { forceNew: true });
  const [err] = await waitEvent(socket, 'connect_error');
  assert.match(err.message, /loading the SDK's wasm from "\/utils\/echatim-sdk\.wasm\.br" failed/);
  const outcome = await within(sdk.im.init({ host: '127.0.0.1', httpPort: 9, socketPort: 9, key: 'k', secret: 's', loginAuid: 'a', loginToken: 't' }), 'init');
  assert.equal(outcome, undefined, 'init ends without an sdk (its error event says why)');
});
