'use strict';
// The HTTP port:
//   POST /v1/<module>/<method>   JSON body = the request fields (+ jwt, or Authorization: Bearer)
//                                -> R with the requestId echoed: {requestId, code, msg, data}
//   POST /v1/file/upload         also multipart/form-data, file in the part named "file"
//   GET|HEAD /files/<fid>/<name> an uploaded file
//   OPTIONS *                    CORS preflight
// The HTTP status mirrors R.code (200 for 0, else the code's HTTP status); the body is always R.
// Routes are the ROUTES table below: a new route is one entry.
//
// Hostile clients (docs/security.md): credentials are checked before an upload's bytes are read
// (Authorization header at once, a `jwt` field when the file part starts: send it first), the file
// part streams to disk under --max-upload-bytes, each client address may buffer at most
// MAX_BUFFERED_PER_ADDRESS bytes of request bodies at once, and any exception while handling a
// request ends as an answer (500), never as a crash.

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const busboy = require('busboy');
const { Code, ApiError, fromError, httpStatus, invalid, tooLarge, unauthenticated } = require('./errors');
const { requestIdOf } = require('./api');
const { lookup, mediaType, SPOOLED } = require('./api/file');
const { requestLimit } = require('./config');
const { Counter, capConnections } = require('./guard');
const { serveWebDemo } = require('./web-demo');

// A body this many times over the limit is not drained politely: the connection is dropped.
const DRAIN_FACTOR = 16;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
};

// Uploaded files are served with the API's origin: they must never run as a page there.
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'cross-origin', // <img>/<audio>/<video> of other origins may embed them
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'private, max-age=31536000, immutable',
};

/** Types served inline (displayed); anything else is a download (Content-Disposition: attachment). */
const isInlineType = (type) => /^(image|audio|video)\//.test(type) && type !== 'image/svg+xml';

function sendR(res, requestId, r, extraHeaders = {}) {
  const body = JSON.stringify({ requestId, code: r.code, msg: r.msg, data: r.data });
  res.writeHead(httpStatus(r.code), { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

const sendError = (res, err, requestId = null) => sendR(res, requestId, fromError(err));

/**
 * Answer and close the connection without reading the rest of the request body (a refused upload:
 * its bytes are not worth receiving).
 */
function refuse(req, res, err, requestId = null) {
  req.unpipe();
  req.pause(); // the rest of the body stays in the kernel until the connection is destroyed
  if (!res.headersSent) sendR(res, requestId, fromError(err), { Connection: 'close' });
  res.once('finish', () => setImmediate(() => req.destroy()));
}

/**
 * Read the whole body, up to `limit` bytes, counting what is buffered in `budget` (per address) until
 * the request is answered (`res` closes: the parsed body lives as long as that). Resolves to the
 * bytes, or null if it was larger (the rest is read and discarded so the client gets the answer
 * instead of a reset). Rejects with RATE_LIMITED if the address buffers too much at once.
 *
 * A body with a Content-Length within the limit reserves its whole length before a byte is read, so a
 * flood of bodies from one address is refused without reading them, and is read into one buffer of
 * that length (no chunk list, no concatenated copy). A refused request is paused: the rest of its
 * bytes stay in the kernel (TCP pushes back on the sender) instead of becoming garbage here.
 */
function readBody(req, res, limit, budget, address) {
  return new Promise((resolve, reject) => {
    const declared = /^\d{1,15}$/.test(req.headers['content-length'] || '') ? Number(req.headers['content-length']) : -1;
    let held = 0;
    const release = () => { budget.remove(address, held); held = 0; };
    const overBudget = () => {
      release();
      req.pause();
      reject(new ApiError(Code.RATE_LIMITED, `too many request bytes in flight from ${address} (at most ${budget.max})`));
    };
    res.once('close', release);
    if (declared >= 0 && declared <= limit) {
      if (!budget.add(address, declared)) { overBudget(); return; }
      held = declared;
      const buf = Buffer.allocUnsafe(declared);
      let size = 0;
      req.on('data', (chunk) => { chunk.copy(buf, size); size += chunk.length; }); // Node stops at the declared length
      req.on('end', () => resolve(size === declared ? buf : buf.subarray(0, size)));
      req.on('error', reject);
      return;
    }
    const chunks = [];
    let size = 0;
    let stopped = false;
    req.on('data', (chunk) => {
      if (stopped) return;
      size += chunk.length;
      if (size <= limit) {
        if (!budget.add(address, chunk.length)) {
          stopped = true;
          chunks.length = 0;
          overBudget();
          return;
        }
        held += chunk.length;
        chunks.push(chunk);
      } else if (size > limit * DRAIN_FACTOR) req.destroy();
    });
    req.on('end', () => { if (!stopped) resolve(size <= limit ? Buffer.concat(chunks) : null); });
    req.on('error', reject);
  });
}

/** Parse a JSON body into the request fields; an empty body is {}. */
function parseJsonBody(buf) {
  if (buf.length === 0) return {};
  let value;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new ApiError(Code.INVALID_ARGUMENT, 'malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(Code.INVALID_ARGUMENT, 'the body must be a JSON object');
  return value;
}

/**
 * Parse a multipart upload: text fields become request fields; the part named "file" streams to a
 * temporary file in filesDir (mode 0600) once `authenticate(fields)` accepted the fields received so
 * far. Resolves to the fields with name, mime and [SPOOLED] = {path, size}; on any failure the
 * temporary file is removed and the promise rejects (err.refuse: answer and close the connection).
 */
function readMultipart(req, { maxUploadBytes, filesDir }, authenticate) {
  return new Promise((resolve, reject) => {
    let bb;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxUploadBytes, fields: 16, fieldSize: 8 * 1024, parts: 20 } });
    } catch {
      reject(new ApiError(Code.INVALID_ARGUMENT, 'malformed multipart/form-data headers'));
      return;
    }
    const fields = Object.create(null);
    let spool = null; // {path, size, done: Promise}
    let failed = null;
    const fail = (err) => {
      if (failed) return;
      failed = err;
      req.unpipe(bb);
      if (spool) {
        spool.out.destroy();
        fs.rm(spool.path, { force: true }, () => {});
      }
      reject(err);
    };
    bb.on('field', (name, value) => { fields[name] = value; });
    bb.on('file', async (name, stream, info) => {
      if (name !== 'file' || failed) { stream.resume(); return; }
      try {
        await authenticate(fields); // the file stream waits (paused) meanwhile
      } catch (err) {
        err.refuse = true;
        stream.resume();
        fail(err);
        return;
      }
      if (failed) { stream.resume(); return; }
      const tmp = path.join(filesDir, `.upload-${crypto.randomBytes(12).toString('hex')}`);
      const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      spool = { path: tmp, out, size: 0, mime: info.mimeType, filename: info.filename };
      spool.done = new Promise((ok, ko) => { out.on('finish', ok); out.on('error', ko); });
      spool.done.catch(() => {}); // awaited at the end unless the upload failed before
      stream.on('data', (c) => { spool.size += c.length; });
      stream.on('limit', () => {
        const err = tooLarge(`file exceeds ${maxUploadBytes} bytes`);
        err.refuse = true;
        stream.unpipe(out);
        fail(err);
      });
      stream.pipe(out);
    });
    bb.on('error', () => fail(new ApiError(Code.INVALID_ARGUMENT, 'malformed multipart/form-data body')));
    bb.on('close', async () => {
      if (failed) return;
      if (!spool) {
        try {
          await authenticate(fields); // no file: a credentials failure still reads as such
        } catch (err) {
          fail(err);
          return;
        }
        fail(invalid('file', 'required (a multipart part named "file")'));
        return;
      }
      try {
        await spool.done;
      } catch (err) {
        fail(err);
        return;
      }
      resolve({
        ...fields,
        name: fields.name || spool.filename,
        mime: fields.mime || mediaType(spool.mime) || 'application/octet-stream',
        [SPOOLED]: { path: spool.path, size: spool.size },
      });
    });
    req.on('close', () => { if (!req.complete) fail(new ApiError(Code.INVALID_ARGUMENT, 'upload interrupted')); });
    req.pipe(bb);
  });
}

/** Content-Disposition with the stored name (a name stored before names were sanitised still works). */
function disposition(kind, name) {
  let encoded;
  try {
    encoded = encodeURIComponent(name);
  } catch {
    encoded = 'file';
  }
  return `${kind}; filename*=UTF-8''${encoded}`;
}

async function serveFile(ctx, req, res, fid) {
  const found = await lookup(ctx, fid);
  if (!found || !fs.existsSync(found.file)) return sendError(res, new ApiError(Code.NOT_FOUND, 'file not found'));
  // A row stored before types were checked may hold anything: such a type is served as bytes.
  const type = mediaType(found.mime) || 'application/octet-stream';
  res.writeHead(200, {
    ...FILE_HEADERS,
    'Content-Type': type,
    'Content-Length': found.size,
    'Content-Disposition': disposition(isInlineType(type) ? 'inline' : 'attachment', found.name),
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
  return undefined;
}

/**
 * GET /healthz: 200 {ok: true, node, store, redis} when this node can reach its database (and Redis,
 * if configured) and is not shutting down; 503 with the same fields otherwise. For load balancers.
 */
async function healthz(ctx, res) {
  const probe = async (fn) => {
    try {
      await fn();
      return 'ok';
    } catch (err) {
      return String((err && err.message) || err);
    }
  };
  const store = await probe(() => ctx.store.get('SELECT 1 AS one'));
  const redis = ctx.cluster ? await probe(() => ctx.cluster.ping()) : 'not configured';
  const healthy = store === 'ok' && (redis === 'ok' || !ctx.cluster) && !ctx.closing;
  const body = JSON.stringify({ ok: healthy, node: ctx.nodeId, store, redis });
  res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Create (not yet listening) the HTTP server for the API. */
function createHttpServer({ api, ctx }) {
  const { config } = ctx;
  // Request bodies are read before they can be authenticated: bound what one address holds at once.
  const buffered = new Counter(requestLimit(config, 'file') + config.maxBodyBytes);

  function transportOf(req) {
    const auth = req.headers.authorization || '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    const host = /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host || '') ? req.headers.host : `${config.host}:${req.socket.localPort}`;
    return { bearer: bearer ? bearer[1] : undefined, baseUrl: `http://${host}` };
  }

  async function handleApi(req, res, module, method) {
    const contentType = req.headers['content-type'] || '';
    const transport = transportOf(req);
    const address = req.socket.remoteAddress;
    const upload = module === 'file' && method === 'upload';
    // An upload with a bad Authorization header is refused before its body is read.
    if (upload && transport.bearer) {
      try {
        await ctx.auth.caller('user', {}, transport, ctx.now());
      } catch (err) {
        return refuse(req, res, err);
      }
    }
    let input;
    try {
      if (upload && contentType.startsWith('multipart/form-data')) {
        input = await readMultipart(req, config, async (fields) => {
          if (fields.jwt === undefined && !transport.bearer) {
            throw unauthenticated('missing jwt: send the jwt field (or Authorization: Bearer) before the file part');
          }
          await ctx.auth.caller('user', fields, transport, ctx.now());
        });
      } else {
        const limit = requestLimit(config, module);
        const buf = await readBody(req, res, limit, buffered, address);
        if (buf === null) throw tooLarge(`request body exceeds ${limit} bytes`);
        input = parseJsonBody(buf);
      }
    } catch (err) {
      if (err.refuse || err.code === Code.RATE_LIMITED) return refuse(req, res, err);
      return sendError(res, err);
    }
    try {
      const r = await api.handle({ module, method, input, address, transport });
      sendR(res, requestIdOf(input), r);
    } finally {
      if (input[SPOOLED]) fs.rm(input[SPOOLED].path, { force: true }, () => {}); // unless upload() moved it
    }
    return undefined;
  }

  // [method test, path pattern, handler(req, res, match)]: the first match answers.
  const ROUTES = [
    [(m) => m === 'OPTIONS', /^/, (req, res) => { req.resume(); res.writeHead(204, CORS_HEADERS); res.end(); }],
    [(m) => m === 'GET' || m === 'HEAD', /^\/files\/([^/]+)(?:\/[^/]*)?$/, (req, res, match) => { req.resume(); return serveFile(ctx, req, res, match[1]); }],
    [(m) => m === 'GET' || m === 'HEAD', /^\/healthz$/, (req, res) => { req.resume(); return healthz(ctx, res); }],
    // GET /demo/: the web chat page (devserver/lib/web-demo.js serves a fixed list of files).
    [(m) => m === 'GET' || m === 'HEAD', /^\/demo(?:\/|$)/, (req, res, match) => { serveWebDemo(ctx, req, res, match.input); }],
    [(m) => m === 'POST', /^\/v1\/([^/]+)\/(.+)$/, (req, res, match) => handleApi(req, res, match[1], match[2])],
    [() => true, /^\/v1\/([^/]+)\/(.+)$/, (req, res, match) => {
      req.resume();
      sendError(res, new ApiError(Code.UNKNOWN_METHOD, `use POST for ${match[0]}`));
    }],
  ];

  // Whatever goes wrong while answering a request ends as 500 (or a closed connection if the answer
  // had begun), never as an uncaught exception.
  const failed = (req, res, err) => {
    ctx.log(`http: ${req.method} ${String(req.url).slice(0, 200)}: ${err && err.stack}`);
    if (!res.headersSent) {
      try {
        sendError(res, err);
        return;
      } catch { /* fall through */ }
    }
    res.destroy();
  };

  const server = http.createServer((req, res) => {
    try {
      let pathname;
      try {
        pathname = new URL(req.url, 'http://localhost').pathname;
      } catch {
        req.resume();
        return sendError(res, new ApiError(Code.INVALID_ARGUMENT, 'malformed request URL'));
      }
      for (const [methodOk, pattern, handler] of ROUTES) {
        const match = methodOk(req.method) && pattern.exec(pathname);
        if (match) {
          const done = handler(req, res, match);
          if (done && typeof done.catch === 'function') done.catch((err) => failed(req, res, err));
          return undefined;
        }
      }
      req.resume();
      return sendError(res, new ApiError(Code.NOT_FOUND, `no such endpoint: ${req.method} ${pathname}`));
    } catch (err) {
      failed(req, res, err);
      return undefined;
    }
  });
  capConnections(server, config.maxConnectionsPerAddress, ctx.debug);
  return server;
}

module.exports = { createHttpServer };
