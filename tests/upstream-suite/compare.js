'use strict';
// compare.js <mocha json results> <expected.json>: prints every upstream test with its result, the
// counts, and exits 1 when a test expected to pass did not, or a test has no entry in expected.json.
const fs = require('node:fs');
const [resultsFile, expectedFile] = process.argv.slice(2);
const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
const got = new Map();
for (const t of results.passes) got.set(t.fullTitle, 'pass');
for (const t of results.failures) got.set(t.fullTitle, `fail: ${(t.err && t.err.message || '').split('\n')[0]}`);
for (const t of results.pending) got.set(t.fullTitle, 'pending');
let pass = 0; let fail = 0; let na = 0; let unexpected = 0;
for (const [title, r] of got) {
  const e = expected[title];
  if (r === 'pass') pass++; else fail++;
  const ok = e === undefined ? false : e === 'pass' ? r === 'pass' : true;
  if (e !== undefined && e !== 'pass') na++;
  if (!ok) unexpected++;
  console.log(`${ok ? '  ' : '✗ '}${r === 'pass' ? 'pass' : r}  ${title}${e && e !== 'pass' ? `  [${e}]` : ''}${e === undefined ? '  [not in expected.json]' : ''}`);
}
for (const title of Object.keys(expected)) {
  if (!got.has(title) && !/^not applicable/.test(expected[title])) {
    console.log(`✗ missing  ${title}`);
    unexpected++;
  }
}
console.log(`\n${got.size} tests run: ${pass} passed, ${fail} failed (${na} of the run listed as not applicable); ${unexpected} unexpected`);
process.exit(unexpected ? 1 : 0);
