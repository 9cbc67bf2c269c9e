'use strict';
// A `jsc`-shaped shell on V8 (Node's vm), so the JavaScriptCore bench's harness and scenario run
// unchanged on WeChat's Android engine too: a fresh context with the shell's globals (print, load,
// readFile, preciseTime, quit, setTimeout), the harness, then the scenario.
//   node bench/jsc/v8-shell.js '<P as JSON>' harness.js scenario.js
const fs = require('node:fs');
const vm = require('node:vm');
const { performance } = require('node:perf_hooks');

const [params, ...files] = process.argv.slice(2);
const context = vm.createContext({
  P: JSON.parse(params),
  WebAssembly,
  Promise,
  Set,
  print: (...a) => process.stdout.write(`${a.join(' ')}\n`),
  readFile: (file) => new Uint8Array(fs.readFileSync(file)),
  preciseTime: () => performance.now() / 1000,
  quit: (code) => process.exit(code || 0),
  setTimeout: (fn, ms) => { setTimeout(fn, ms); },
});
context.load = (file) => vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: file });
for (const file of files) context.load(file);
