'use strict';
// Server options: defaults, the command line, and checks. start(options) and the command line share
// these defaults, so the programmatic and the command-line server behave the same.

const path = require('node:path');
const { parseArgs } = require('node:util');

const MiB = 1024 * 1024;

/** The default database: $ECHAT_DEVSERVER_DB, else ./.echat-devserver/echat.sqlite (created). */
const defaultDb = () => process.env.ECHAT_DEVSERVER_DB || path.join(process.cwd(), '.echat-devserver', 'echat.sqlite');

const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  httpPort: 58082,
  socketPort: 59092,
  apps: [{ appKey: 'TSDKTEST00001' }], // no secret given: one is generated (see lib/secrets.js)
  insecureDemoSecret: false,
  users: [{ auid: 'admin', token: 'admin', name: 'admin' }],
  jwtTtl: 86400,
  maxBodyBytes: 1 * MiB,
  maxUploadBytes: 10 * MiB,
  rateLimit: { rate: 100, burst: 200 },
  maxConnectionsPerAddress: 64,
  loginTimeout: 30000,
  recallWindow: 120,
  offlinePushLimit: 100,
  pingInterval: 25000,
  pingTimeout: 20000,
});

const HELP = `Usage: node devserver/bin/echat-devserver.js [options]

The E聊-compatible reference server: socket.io (EIO4 and EIO3) on the socket port, the HTTP API
(POST /v1/<module>/<method>) on the HTTP port, SQLite storage. Wire contract: docs/protocol.md.
When ready it prints one JSON line to stdout:
  {"event":"listening","host":"127.0.0.1","httpPort":58082,"socketPort":59092}
SIGTERM (or SIGINT) finishes running requests, closes the sockets and exits 0.

Options:
  --host HOST               address to listen on (default 127.0.0.1)
  --http-port N             HTTP API port; 0 picks a free port (default 58082)
  --socket-port N           socket.io port; 0 picks a free port (default 59092)
  --db PATH|:memory:|postgres://USER[:PASSWORD]@HOST:PORT/DBNAME
                            SQLite database file, created if missing (default $ECHAT_DEVSERVER_DB or
                            ./.echat-devserver/echat.sqlite); :memory: keeps nothing after exit;
                            a postgres:// URL uses that PostgreSQL database (tables created at
                            start), which several nodes may share: then give every --app its
                            SECRET, the same on every node (docs/deploy.md)
  --redis redis://HOST:PORT what several nodes share besides the database: delivery to sockets on
                            other nodes (socket.io Redis adapter), the single-login kick, revoked
                            sessions, online lists, rate limits (default: none, one node)
  --files DIR               where uploads are stored (default: "files" beside the database; a
                            temporary directory, removed at exit, with --db :memory:;
                            ./.echat-devserver/files with PostgreSQL)
  --app KEY[:SECRET]        an app key and its admin secret; repeatable. Without SECRET a random
                            secret is generated at first start, printed once to stderr and kept
                            in app-secrets.json (mode 0600) beside the database. An empty SECRET
                            needs --insecure-demo-secret. Default: TSDKTEST00001, generated secret
  --insecure-demo-secret    apps without a secret get the EMPTY secret (anyone may administer
                            them: throwaway demos and tests only)
  --user AUID:TOKEN[:NAME]  a user created (or whose token is reset) in every --app; repeatable.
                            Default: admin:admin
  --jwt-ttl SECONDS         lifetime of the JWT a login answers (default 86400)
  --max-body-bytes N        largest request (JSON body or socket payload) (default 1048576)
  --max-upload-bytes N      largest uploaded file (default 10485760)
  --rate-limit RPS[:BURST]  requests per second per user (all their connections together), token
                            bucket of BURST (default 100:200, BURST defaults to 2*RPS); each client
                            address gets 10 times that, failed logins 1/10 of it (per address and
                            per account); 0 disables every rate limit
  --max-connections-per-address N
                            open connections one client address may hold, per port (default 64)
  --login-timeout MS        a socket that has not logged in by then is disconnected (default 30000)
  --recall-window SECONDS   how long after sending a message may be recalled; 0 = always (default 120)
  --offline-push-limit N    unacknowledged deliveries pushed at login (default 100)
  --ping-interval MS        Engine.IO pingInterval (default 25000)
  --ping-timeout MS         Engine.IO pingTimeout (default 20000)
  --public-url URL          base of the URLs given for uploads (default: the host the client used
                            to reach the HTTP port)
  --verbose                 log connections and logins to stderr
  --help                    print this help and exit
`;

class UsageError extends Error {}

function intOption(value, name, min, max) {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} needs a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}

function rateLimitOption(value) {
  const [rate, burst] = value.split(':');
  const r = intOption(rate, 'rate-limit', 0, 1e6);
  const b = burst === undefined ? Math.max(1, 2 * r) : intOption(burst, 'rate-limit burst', 1, 1e7);
  return { rate: r, burst: b };
}

/** Parse the command line into start() options (only the options given); throws UsageError. */
function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        host: { type: 'string' },
        'http-port': { type: 'string' },
        'socket-port': { type: 'string' },
        db: { type: 'string' },
        redis: { type: 'string' },
        files: { type: 'string' },
        app: { type: 'string', multiple: true },
        user: { type: 'string', multiple: true },
        'jwt-ttl': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'max-upload-bytes': { type: 'string' },
        'rate-limit': { type: 'string' },
        'insecure-demo-secret': { type: 'boolean' },
        'max-connections-per-address': { type: 'string' },
        'login-timeout': { type: 'string' },
        'recall-window': { type: 'string' },
        'offline-push-limit': { type: 'string' },
        'ping-interval': { type: 'string' },
        'ping-timeout': { type: 'string' },
        'public-url': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err.message);
  }
  const o = {};
  if (parsed.help) o.help = true;
  if (parsed.verbose) o.verbose = true;
  if (parsed['insecure-demo-secret']) o.insecureDemoSecret = true;
  if (parsed.host !== undefined) o.host = parsed.host;
  if (parsed['http-port'] !== undefined) o.httpPort = intOption(parsed['http-port'], 'http-port', 0, 65535);
  if (parsed['socket-port'] !== undefined) o.socketPort = intOption(parsed['socket-port'], 'socket-port', 0, 65535);
  if (parsed.db !== undefined) o.db = parsed.db;
  if (parsed.redis !== undefined) {
    if (!/^rediss?:\/\/[^\s]+$/i.test(parsed.redis)) throw new UsageError(`--redis needs a redis://HOST:PORT URL, got '${parsed.redis}'`);
    o.redis = parsed.redis;
  }
  if (parsed.files !== undefined) o.filesDir = parsed.files;
  if (parsed.app) {
    o.apps = parsed.app.map((spec) => {
      const i = spec.indexOf(':');
      const appKey = i < 0 ? spec : spec.slice(0, i);
      if (!appKey) throw new UsageError(`--app needs KEY[:SECRET], got '${spec}'`);
      return i < 0 ? { appKey } : { appKey, secret: spec.slice(i + 1) };
    });
  }
  if (parsed.user) {
    o.users = parsed.user.map((spec) => {
      const [auid, token, ...name] = spec.split(':');
      if (!auid || !token) throw new UsageError(`--user needs AUID:TOKEN[:NAME], got '${spec}'`);
      return { auid, token, name: name.join(':') };
    });
  }
  if (parsed['jwt-ttl'] !== undefined) o.jwtTtl = intOption(parsed['jwt-ttl'], 'jwt-ttl', 1, 10 * 365 * 86400);
  if (parsed['max-body-bytes'] !== undefined) o.maxBodyBytes = intOption(parsed['max-body-bytes'], 'max-body-bytes', 1024, 64 * MiB);
  if (parsed['max-upload-bytes'] !== undefined) o.maxUploadBytes = intOption(parsed['max-upload-bytes'], 'max-upload-bytes', 1, 512 * MiB);
  if (parsed['rate-limit'] !== undefined) o.rateLimit = rateLimitOption(parsed['rate-limit']);
  if (parsed['max-connections-per-address'] !== undefined) {
    o.maxConnectionsPerAddress = intOption(parsed['max-connections-per-address'], 'max-connections-per-address', 1, 1e6);
  }
  if (parsed['login-timeout'] !== undefined) o.loginTimeout = intOption(parsed['login-timeout'], 'login-timeout', 100, 3600000);
  if (parsed['recall-window'] !== undefined) o.recallWindow = intOption(parsed['recall-window'], 'recall-window', 0, 1e9);
  if (parsed['offline-push-limit'] !== undefined) o.offlinePushLimit = intOption(parsed['offline-push-limit'], 'offline-push-limit', 0, 10000);
  if (parsed['ping-interval'] !== undefined) o.pingInterval = intOption(parsed['ping-interval'], 'ping-interval', 100, 3600000);
  if (parsed['ping-timeout'] !== undefined) o.pingTimeout = intOption(parsed['ping-timeout'], 'ping-timeout', 100, 3600000);
  if (parsed['public-url'] !== undefined) o.publicUrl = parsed['public-url'].replace(/\/+$/, '');
  return o;
}

/**
 * The largest request a module accepts, in bytes: maxBodyBytes, except for module `file`, whose
 * requests may carry a base64 file (4/3 of its size) besides the other fields.
 */
function requestLimit(config, module) {
  return module === 'file' ? Math.ceil(config.maxUploadBytes * 4 / 3) + config.maxBodyBytes : config.maxBodyBytes;
}

/** Complete start() options with the defaults. */
function resolveConfig(options) {
  const config = { ...DEFAULTS, db: defaultDb(), ...options };
  if (!config.apps.length) throw new UsageError('at least one app is needed');
  if (/^postgres(ql)?:\/\//i.test(String(config.db)) && !config.insecureDemoSecret) {
    const missing = config.apps.find((a) => typeof a.secret !== 'string');
    if (missing) {
      throw new UsageError(`app '${missing.appKey}': with --db postgres://… give the app its secret (--app KEY:SECRET), `
        + 'the same on every node (a generated secret is kept beside a SQLite file only)');
    }
  }
  for (const app of config.apps) {
    if (app.secret === '' && !config.insecureDemoSecret) {
      throw new UsageError(`app '${app.appKey}': an empty secret lets anyone administer the app; give a secret, `
        + 'or none to have one generated, or pass --insecure-demo-secret (throwaway demos only)');
    }
  }
  return config;
}

module.exports = { HELP, UsageError, parseCommandLine, resolveConfig, requestLimit };
