'use strict';
// The shipped TypeScript typings compile against a usage file (CanvasKit's compile-only check), and the
// build ships them beside the JS.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '../..');

test('tsc --strict accepts tests/types/{usage,im-usage,page}.ts against js-shim/echatim-sdk.d.ts and WeChat\'s typings', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (err) {
    assert.fail(`tsc reported errors:\n${err.stdout}${err.stderr}`);
  }
});

// The typings' checker: the names of a declared interface's (or an object-typed property's) members.
function typingsChecker() {
  const ts = require('typescript');
  const file = path.join(root, 'js-shim/echatim-sdk.d.ts');
  const program = ts.createProgram([file], { strict: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const declared = (name) => {
    let found = null;
    ts.forEachChild(source, (n) => { if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n; });
    assert.ok(found, `interface ${name} in echatim-sdk.d.ts`);
    return checker.getTypeAtLocation(found);
  };
  const members = (type) => checker.getPropertiesOfType(type).map((p) => p.name);
  const member = (type, name) => checker.getTypeOfSymbolAtLocation(type.getProperty(name), source);
  return { declared, members, member };
}

test('Apis in the typings has exactly the calls of js-shim/apis.js (and file.upload)', () => {
  const { CATALOGUE } = require('../../js-shim/apis.js');
  const { declared, members, member } = typingsChecker();
  const apis = declared('Apis');
  const expected = Object.assign({ file: ['upload'] }, CATALOGUE);
  assert.deepEqual(members(apis).sort(), Object.keys(expected).sort());
  for (const mod of Object.keys(expected)) {
    assert.deepEqual(members(member(apis, mod)).sort(), expected[mod].slice().sort(), `sdk.apis.${mod}`);
  }
});

test('ImConfig in the typings has every config key of docs/api.md\'s table', () => {
  const doc = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| config | default |'));
  const keys = [];
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    for (const m of line.split('|')[1].matchAll(/`([A-Za-z]+)`/g)) keys.push(m[1]);
  }
  assert.ok(keys.length >= 15, `read ${keys.length} keys from docs/api.md`);
  const { declared, members } = typingsChecker();
  const have = members(declared('ImConfig'));
  assert.deepEqual(keys.filter((k) => !have.includes(k)), [], 'documented but not typed');
  assert.deepEqual(have.filter((k) => !keys.includes(k)), [], 'typed but not documented');
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
