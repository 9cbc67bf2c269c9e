'use strict';
// The admin secrets of the configured apps. An app given without a secret gets a random one at first
// start: printed once to stderr and kept in app-secrets.json (mode 0600) beside the database, so the
// next start uses it again without printing it. With --db :memory: nothing is kept: every start is a
// first start. --insecure-demo-secret gives such apps the empty secret instead (throwaway demos).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const SECRETS_FILE = 'app-secrets.json';

/** Where the secrets of a database are kept (null for :memory:). */
function secretsFile(db) {
  return db === ':memory:' || /^postgres(ql)?:\/\//i.test(String(db)) ? null : path.join(path.dirname(path.resolve(db)), SECRETS_FILE);
}

function readSecrets(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    throw err;
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it (its apps then get new secrets)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)
    || !Object.values(value).every((s) => typeof s === 'string' && s !== '')) {
    throw new Error(`${file} must be a JSON object {"APPKEY": "secret", ...}: fix or delete it`);
  }
  fs.chmodSync(file, 0o600);
  return value;
}

/** Write the file through a temporary one (mode 0600 from creation) and a rename. */
function writeSecrets(file, secrets) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/**
 * The apps with their secrets: a given secret is kept, a missing one is '' (insecure) or generated.
 * `announce(line)` prints a newly generated secret (once).
 */
function resolveSecrets(config, announce) {
  const missing = config.apps.filter((a) => a.secret === undefined || a.secret === null);
  if (!missing.length || config.insecureDemoSecret) {
    return config.apps.map((a) => ({ ...a, secret: a.secret || '' }));
  }
  const file = secretsFile(config.db);
  const stored = file ? readSecrets(file) : {};
  const created = [];
  const apps = config.apps.map((a) => {
    if (typeof a.secret === 'string') return a;
    if (!Object.hasOwn(stored, a.appKey)) {
      stored[a.appKey] = crypto.randomBytes(24).toString('base64url');
      created.push(a.appKey);
    }
    return { ...a, secret: stored[a.appKey] };
  });
  if (created.length && file) writeSecrets(file, stored);
  for (const appKey of created) {
    announce(`generated the admin secret of app ${appKey}: ${stored[appKey]}`
      + (file ? ` (shown once; kept in ${file}, mode 0600)` : ' (--db :memory:: a new one at every start)'));
  }
  return apps;
}

module.exports = { resolveSecrets, secretsFile, SECRETS_FILE };
