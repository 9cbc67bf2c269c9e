'use strict';
// The wasm boundary (bindings/boundary.h, js-shim/core-driver.js invoke): string arguments go through one
// input buffer per module, shared by every driver of that module (an app using sdk.io and sdk.im has two).
// Each driver kept its own idea of where the buffer was: one driver asking for a larger buffer (or letting
// a large one go) moved it, and the other then wrote into freed memory while the core read the new buffer.
// Here two drivers of one core take turns with large and small arguments, and the core's answers must
// name exactly what each one passed. Runs js-shim/ against dist/'s wasm in plain Node.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const DIST = process.env.ECHAT_DIST ? path.resolve(process.env.ECHAT_DIST) : path.join(ROOT, 'dist');
const loader = require('../../js-shim/loader.js');
const { CoreDriver } = require('../../js-shim/core-driver.js');

const platform = { now: () => 1000, setTimer: () => 1, clearTimer: () => {} };

// A manager whose options name a server; setOffset(nsp, offset) on a namespace it does not know answers
// an error quoting the namespace as the core read it.
function driver(core) {
  return new CoreDriver(core, 'SioManager', platform, JSON.stringify({ url: 'http://127.0.0.1:1' }), () => {});
}
function quoted(d, nsp) {
  const b = d.raw('setOffset', nsp, 'o');
  assert.ok(b.x, 'an error');
  return /nsp: "(.*)" is not a namespace/s.exec(b.x.message)[1];
}

test('two drivers of one core share its input buffer: large and small arguments in turn', async () => {
  loader.configure({ wasmBinary: fs.readFileSync(path.join(DIST, 'echatim-sdk.wasm')) });
  const core = await loader.loadCore();
  const a = driver(core);
  const b = driver(core);
  const big = (c) => `/${c.repeat(100000)}`;  // over the 64 KiB the buffer keeps
  for (let round = 0; round < 3; round++) {
    assert.equal(quoted(a, '/a-small'), '/a-small');
    assert.equal(quoted(b, big('b')), big('b'), 'b grows the buffer');
    assert.equal(quoted(a, '/a-again'), '/a-again', 'a writes where the buffer is now');
    assert.equal(quoted(a, big('a')), big('a'));
    assert.equal(quoted(b, '/b-small'), '/b-small', 'b lets the large buffer go');
    assert.equal(quoted(a, '/中文-a'), '/中文-a', 'and a follows it (UTF-8)');
    assert.equal(quoted(b, big('é')), big('é'));
  }
  a.destroy();
  b.destroy();
});
