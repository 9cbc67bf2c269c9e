'use strict';
// The HTTP port:
//   POST /v1/<module>/<method>   JSON body = the request fields (+ jwt, or Authorization: Bearer)
//                                -> R with the requestId echoed: {requestId, code, msg, data}
//   POST /v1/file/upload         also multipart/form-data, file in the part named "file"
//   GET|HEAD /files/<fid>/<name> an uploaded file
//   OPTIONS *                    CORS preflight
// The HTTP status mirrors R.code (200 for 0, else the code's HTTP status); the body is always R.

const http = require('node:http');
const fs = require('node:fs');
const busboy = require('busboy');
const { Code, ApiError, fromError, httpStatus, invalid, tooLarge } = require('./errors');
const { requestIdOf } = require('./api');
const { lookup } = require('./api/file');
const { TokenBucket } = require('./ratelimit');
const { requestLimit } = require('./config');
const { serveWebDemo } = require('./web-demo');

// A body this many times over the limit is not drained politely: the connection is dropped.
const DRAIN_FACTOR = 16;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
};

function sendR(res, requestId, r) {
  const body = JSON.stringify({ requestId, code: r.code, msg: r.msg, data: r.data });
  res.writeHead(httpStatus(r.code), { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const sendError = (res, err, requestId = null) => sendR(res, requestId, fromError(err));

/**
 * Read the whole body, up to `limit` bytes. Resolves to the bytes, or null if it was larger (the rest
 * is read and discarded so the client gets the answer instead of a reset).
 */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) req.destroy();
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : null));
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
 * Parse a multipart upload: text fields become request fields; the part named "file" becomes
 * {data, name (its filename unless a "name" field is given), mime}.
 */
function readMultipart(req, maxUploadBytes) {
  return new Promise((resolve, reject) => {
    let bb;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxUploadBytes, fields: 32, fieldSize: 64 * 1024, parts: 40 } });
    } catch {
      reject(new ApiError(Code.INVALID_ARGUMENT, 'malformed multipart/form-data headers'));
      return;
    }
    const fields = Object.create(null);
    let upload = null;
    let truncated = false;
    bb.on('field', (name, value) => { fields[name] = value; });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file') { stream.resume(); return; }
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('limit', () => { truncated = true; });
      stream.on('end', () => { upload = { data: Buffer.concat(chunks), filename: info.filename, mime: info.mimeType }; });
    });
    bb.on('error', () => {
      req.unpipe(bb);
      req.resume();
      reject(new ApiError(Code.INVALID_ARGUMENT, 'malformed multipart/form-data body'));
    });
    bb.on('close', () => {
      if (truncated) return reject(tooLarge(`file exceeds ${maxUploadBytes} bytes`));
      if (!upload) return reject(invalid('file', 'required (a multipart part named "file")'));
      resolve({ ...fields, name: fields.name || upload.filename, mime: fields.mime || upload.mime, data: upload.data });
    });
    req.pipe(bb);
  });
}

function serveFile(ctx, req, res, fid) {
  const found = lookup(ctx, fid);
  if (!found || !fs.existsSync(found.file)) return sendError(res, new ApiError(Code.NOT_FOUND, 'file not found'));
  res.writeHead(200, {
    ...CORS_HEADERS,
    'Content-Type': found.mime,
    'Content-Length': found.size,
    'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(found.name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
}

/** Create (not yet listening) the HTTP server for the API. */
function createHttpServer({ api, ctx }) {
  const { config } = ctx;
  const buckets = new WeakMap(); // net.Socket -> TokenBucket: the rate limit is per connection

  async function handleApi(req, res, module, method) {
    const contentType = req.headers['content-type'] || '';
    let input;
    try {
      if (module === 'file' && method === 'upload' && contentType.startsWith('multipart/form-data')) {
        input = await readMultipart(req, config.maxUploadBytes);
      } else {
        const limit = requestLimit(config, module);
        const buf = await readBody(req, limit);
        if (buf === null) throw tooLarge(`request body exceeds ${limit} bytes`);
        input = parseJsonBody(buf);
      }
    } catch (err) {
      return sendError(res, err);
    }
    if (!buckets.has(req.socket)) buckets.set(req.socket, new TokenBucket(config.rateLimit, ctx.now()));
    const auth = req.headers.authorization || '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    const host = /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host || '') ? req.headers.host : `${config.host}:${req.socket.localPort}`;
    const r = await api.handle({
      module, method, input, bucket: buckets.get(req.socket),
      transport: { bearer: bearer ? bearer[1] : undefined, baseUrl: `http://${host}` },
    });
    sendR(res, requestIdOf(input), r);
  }

  return http.createServer((req, res) => {
    let pathname;
    try {
      pathname = new URL(req.url, 'http://localhost').pathname;
    } catch {
      req.resume();
      return sendError(res, new ApiError(Code.INVALID_ARGUMENT, 'malformed request URL'));
    }
    const apiMatch = /^\/v1\/([^/]+)\/(.+)$/.exec(pathname);
    const fileMatch = /^\/files\/([^/]+)(?:\/[^/]*)?$/.exec(pathname);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      return res.end();
    }
    if (fileMatch && (req.method === 'GET' || req.method === 'HEAD')) return serveFile(ctx, req, res, fileMatch[1]);
    if (serveWebDemo(ctx, req, res, pathname)) return undefined;  // GET /demo/: the web chat page
    if (apiMatch && req.method === 'POST') {
      return handleApi(req, res, apiMatch[1], apiMatch[2]).catch((err) => {
        ctx.log(`http: ${err && err.stack}`);
        if (!res.headersSent) sendError(res, err);
      });
    }
    req.resume();
    if (apiMatch) return sendError(res, new ApiError(Code.UNKNOWN_METHOD, `use POST for ${pathname}`));
    return sendError(res, new ApiError(Code.NOT_FOUND, `no such endpoint: ${req.method} ${pathname}`));
  });
}

module.exports = { createHttpServer };
