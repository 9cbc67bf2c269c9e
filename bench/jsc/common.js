'use strict';
// What bench/jsc/run.js, startup.js and profile.js share: the two clients' files, a number option, the median.
const path = require('node:path');
const { ROOT } = require('../../tests/jsc/run-jsc.js');

// The scenario parameters naming each client's files; the SDK's from ECHAT_DIST (default: dist/).
function clientFiles(dist = process.env.ECHAT_DIST || path.join(ROOT, 'dist')) {
  return {
    sdk: { client: 'sdk', sdk: path.join(dist, 'echatim-sdk.js'), wasm: path.join(dist, 'echatim-sdk.wasm') },
    weapp: { client: 'weapp', weapp: path.join(ROOT, 'node_modules', 'weapp.socket.io', 'lib', 'weapp.socket.io.js') },
  };
}

// `--name N` among args as a number, else def.
function numberOption(args, name, def) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

module.exports = { clientFiles, numberOption, median };
