'use strict';
// The SDK's console output, filtered by `logLevel` ('debug' | 'info' | 'warn' | 'error' | 'silent';
// default 'warn'), set with sdk.configure({logLevel}), sdk.im.init({logLevel}) or io(url, {logLevel}).
// Secrets never reach the console: objects are copied with every field named like a token, secret,
// jwt, password, auth or the app key replaced by '***'.
const { isObject } = require('./is.js');

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];
const SECRET = /token|secret|jwt|passw|auth|^key$/i;
let min = 2;

function setLevel(level) {
  min = LEVELS.indexOf(level);
  if (min < 0) {
    min = 2;
    throw Object.assign(new TypeError(`invalid argument 'logLevel': one of ${LEVELS.join(', ')}`), { field: 'logLevel' });
  }
}

// A copy with the secrets replaced (Errors as they are).
function redact(v, depth = 0) {
  if (!isObject(v) || v instanceof Error) return v;
  if (depth > 5) return '…';
  const out = Array.isArray(v) ? [] : {};
  for (const k in v) out[k] = SECRET.test(k) && v[k] ? '***' : redact(v[k], depth + 1);
  return out;
}

const at = (i) => (...args) => {
  if (i >= min) console[LEVELS[i]]('[echatim]', ...args.map((a) => redact(a)));
};

const debug = at(0);
const info = at(1);
const warn = at(2);
const error = at(3);
module.exports = { setLevel, redact, debug, info, warn, error };
