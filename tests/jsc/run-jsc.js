'use strict';
// Runs a scenario in JavaScriptCore's `jsc` shell (Debian libjavascriptcoregtk-4.0-bin) after
// bench/jsc/harness.js, and returns the object it printed as `RESULT {...}`.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const HARNESS = path.join(ROOT, 'bench', 'jsc', 'harness.js');

// engine 'v8': the same files in bench/jsc/v8-shell.js (Node's V8 in a vm context) instead of jsc.
function runJsc(scenario, params, { jit = false, timeoutMs = 120000, engine = 'jsc' } = {}) {
  const env = { ...process.env };
  if (!jit) env.JSC_useJIT = '0';
  const [cmd, argv] = engine === 'v8'
    ? [process.execPath, [path.join(ROOT, 'bench', 'jsc', 'v8-shell.js'), JSON.stringify(params), HARNESS, scenario]]
    : ['jsc', ['-e', `var P = ${JSON.stringify(params)};`, HARNESS, scenario]];
  const out = execFileSync(cmd, argv, {
    env, timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`jsc printed no RESULT line:\n${out}`);
  return JSON.parse(line.slice('RESULT '.length));
}

module.exports = { runJsc, ROOT };
