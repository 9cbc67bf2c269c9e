'use strict';
// The SDK's own error codes (docs/errors.md) as an application meets them, in the mini-program sandbox
// against the real devserver: -1007 (init not called), -1004 (after close), -1008 (no wx), and the
// `field` property on the SDK's own argument checks and on the server's 400.

const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, within, sdkPackage } = require('./helpers');
const H = require('./fixtures/im-harness');

const devserver = (t) => H.startDevserver(t);  // alice:pa, bob:pb on :memory:
const config = H.imConfig;

const failure = (p) => p.then((r) => assert.fail(`resolved ${JSON.stringify(r)}`), (e) => e);

test('errors: a call before sdk.im.init fails -1007 (not -1003, which is a refused login)', async (t) => {
  const page = openPage(t);
  const e = await within(failure(page.sdk.apis.friend.list({})), 'the call');
  assert.equal(e.code, -1007);
  assert.match(e.message, /call sdk\.im\.init first/);
});

test('errors: after close() a call fails -1004; a refused login still answers -1003', async (t) => {
  const srv = await devserver(t);
  const page = openPage(t);
  t.after(() => page.sdk.im.close());
  assert.ok(await within(page.sdk.im.init(config(srv)), 'init'));
  page.sdk.im.close();
  assert.equal((await within(failure(page.sdk.apis.friend.list({})), 'after close')).code, -1004);

  const refused = await within(page.sdk.im.init(config(srv, { loginToken: 'wrong' })), 'refused init');
  assert.equal(refused, undefined);
  assert.equal((await within(failure(page.sdk.apis.friend.list({})), 'after refusal')).code, -1003);
});

test('errors: without wx the init fails -1008, fatal, naming the cause', async (t) => {
  // The SDK loaded where there is no wx at all (not a mini-program). The platform is made once, on
  // first use (js-shim/index.js), so wx has to be missing before the SDK is required.
  const { createSandbox } = require('../sandbox');
  const sb = createSandbox({ packageRoot: sdkPackage(), quietErrors: true,
    console: { log() {}, info() {}, warn() {}, error() {}, debug() {} } });
  t.after(() => sb.dispose());
  sb.global.wx = undefined;
  const sdk = sb.require('/utils/echatim-sdk.js');
  const errors = [];
  sdk.im.on('error', (e) => errors.push(e));
  const result = await within(sdk.im.init({ host: '127.0.0.1', key: 'K', loginAuid: 'a', loginToken: 'a' }), 'init');
  assert.equal(result, undefined);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, -1008);
  assert.equal(errors[0].fatal, true);
  assert.match(errors[0].message, /wx/);
});

test('errors: the SDK\'s own checks and the server\'s 400 both carry `field`', async (t) => {
  const srv = await devserver(t);
  const page = openPage(t);
  t.after(() => page.sdk.im.close());

  // A config field: the init fails and the error names it.
  const errors = [];
  page.sdk.im.on('error', (e) => errors.push(e));
  assert.equal(await within(page.sdk.im.init(config(srv, { loginAuid: '' })), 'bad init'), undefined);
  assert.equal(errors[0].code, 400);
  assert.equal(errors[0].field, 'loginAuid');

  assert.ok(await within(page.sdk.im.init(config(srv)), 'init'));
  // Checked by the SDK before sending.
  const local = await within(failure(page.sdk.apis.message.send({ toTarget: 'bob', type: 'TEXT', body: {} })), 'send');
  assert.equal(local.code, 400);
  assert.equal(local.field, 'way');
  // Checked by the server.
  const remote = await within(failure(page.sdk.apis.friend.add({})), 'friend.add');
  assert.equal(remote.code, 400);
  assert.equal(remote.field, 'friendAuid');
  // The upload's own check.
  const upload = await within(failure(page.sdk.apis.file.upload({})), 'upload');
  assert.equal(upload.field, 'filePath');
});
