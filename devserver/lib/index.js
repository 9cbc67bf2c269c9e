'use strict';
// start(options) -> {host, httpPort, socketPort, close()}: the whole server in this process.
// Options are those of lib/config.js (camelCase of the command-line flags) plus, for tests only:
//   jwtSecret  fixed JWT signing key (default: a random key kept in the database)
//   log        function(line) for errors (default: stderr)
// The result also has `filesDir` (where uploads are) and `apps: [{appKey, secret}]`, with the secrets generated for apps given without one.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { openStore, isPostgresUrl } = require('./db');
const { Cluster } = require('./cluster');
const { Auth } = require('./auth');
const { Hub } = require('./hub');
const { Api } = require('./api');
const { createHttpServer } = require('./http');
const { createSocketServer } = require('./socket');
const { resolveConfig } = require('./config');
const { resolveSecrets } = require('./secrets');
const { createLimits } = require('./ratelimit');

// How long close() waits for running requests before closing anyway.
const DRAIN_TIMEOUT_MS = 10000;

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

async function start(options = {}) {
  const config = resolveConfig(options);
  const stderr = (line) => process.stderr.write(`[echat-devserver] ${line}\n`);
  const log = config.log || stderr;
  const store = await openStore(config.db);
  let cluster = null;
  let tempFilesDir = null;
  let ctx, api, httpServer, io, socketHttpServer;
  try {
    config.apps = resolveSecrets(config, (line) => process.stderr.write(`[echat-devserver] ${line}\n`));
    if (config.redis) {
      cluster = new Cluster(config.redis, log);
      await cluster.connect();
    }
    if (!config.filesDir) {
      if (config.db === ':memory:') tempFilesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'echat-devserver-files-'));
      else if (isPostgresUrl(config.db)) config.filesDir = path.join(process.cwd(), '.echat-devserver', 'files');
      else config.filesDir = path.join(path.dirname(path.resolve(config.db)), 'files');
      if (tempFilesDir) config.filesDir = tempFilesDir;
    }
    fs.mkdirSync(config.filesDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(config.filesDir, 0o700); // uploads are capabilities: readable by this server only
    await store.seed(config.apps, config.users, Date.now());

    ctx = {
      config, store, log, debug: config.verbose ? stderr : () => {}, now: Date.now, ports: {}, cluster,
      nodeId: `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`, closing: false,
    };
    ctx.auth = new Auth(store, config);
    await ctx.auth.init();
    const localLimits = createLimits(config.rateLimit);
    ctx.limits = cluster ? cluster.limits(localLimits) : localLimits;
    ctx.hub = new Hub(store, ctx.debug, { cluster, log });
    api = new Api(ctx);
    httpServer = createHttpServer({ api, ctx });
    ({ io, httpServer: socketHttpServer } = createSocketServer({ api, ctx }));
    if (cluster) cluster.attach(io);
    ctx.hub.attach(io);
  } catch (err) {
    // Nothing listens yet: undo what was made (the temporary upload directory too), then fail.
    try {
      if (cluster) await cluster.close();
      await store.close();
    } finally {
      if (tempFilesDir) fs.rmSync(tempFilesDir, { recursive: true, force: true });
    }
    throw err;
  }

  let closing = null;
  async function close() {
    if (!closing) {
      ctx.closing = true;
      closing = (async () => {
        if (httpServer.listening) httpServer.close(); // stop accepting; idle keep-alive connections close
        let timer;
        await Promise.race([api.close(), new Promise((r) => { timer = setTimeout(r, DRAIN_TIMEOUT_MS); })]);
        clearTimeout(timer);
        await new Promise((resolve) => io.close(() => resolve())); // disconnects every socket
        httpServer.closeAllConnections();
        await closeServer(socketHttpServer);
        try {
          if (cluster) await cluster.close();
          await store.close();
        } finally {
          if (tempFilesDir) fs.rmSync(tempFilesDir, { recursive: true, force: true });
        }
      })();
    }
    return closing;
  }

  try {
    ctx.ports.http = await listen(httpServer, config.httpPort, config.host);
    ctx.ports.socket = await listen(socketHttpServer, config.socketPort, config.host);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    host: config.host, httpPort: ctx.ports.http, socketPort: ctx.ports.socket, filesDir: config.filesDir, close,
    apps: config.apps.map(({ appKey, secret }) => ({ appKey, secret })),
  };
}

module.exports = { start };
