'use strict';
// The shipped TypeScript typings compile against a usage file (CanvasKit's compile-only check), and the
// build ships them beside the JS.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '../..');

test('tsc --noEmit accepts tests/types/usage.ts against js-shim/echatim-sdk.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (err) {
    assert.fail(`tsc reported errors:\n${err.stdout}${err.stderr}`);
  }
});

test('a usage error is caught: the check can fail', () => {
  const bad = path.join(__dirname, `bad-usage-${process.pid}.generated.ts`);  // unique: runs may overlap
  fs.writeFileSync(bad, "import sdk = require('../../js-shim/echatim-sdk');\nsdk.io(42);\n");
  try {
    const tsc = require.resolve('typescript/bin/tsc');
    assert.throws(() => execFileSync(process.execPath, [tsc, '--noEmit', '--strict', bad], { encoding: 'utf8', stdio: 'pipe' }));
  } finally {
    fs.unlinkSync(bad);
  }
});

test('the build ships the typings as dist/echatim-sdk.d.ts', () => {
  const shipped = path.join(root, 'dist/echatim-sdk.d.ts');
  assert.ok(fs.existsSync(shipped), 'run toolchain/build.sh first');
  assert.strictEqual(fs.readFileSync(shipped, 'utf8'), fs.readFileSync(path.join(root, 'js-shim/echatim-sdk.d.ts'), 'utf8'));
});
