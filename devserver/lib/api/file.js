'use strict';
// Module `file`: uploads. The bytes arrive as a multipart part (HTTP, streamed to a temporary file by
// ../http.js), a socket.io binary attachment, or a base64 string; all three end here. A file is
// stored under a random 128-bit id and served without authentication at /files/<fid>/<name> (the id
// is the capability: mini-program <image> tags cannot send credentials).
//
// The write is all or nothing: the name, type and URL are checked before anything is written, the
// bytes go to the final path only through a rename, and a failure after that removes the file again,
// so no failure leaves a file without its row or a row without its file.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const v = require('../validate');
const { invalid, tooLarge } = require('../errors');

/** Key of the request field holding {path, size} of a multipart file already on disk (not JSON-settable). */
const SPOOLED = Symbol('spooled upload');

const MAX_NAME_CHARS = 200;

/**
 * A file name safe to store, to put in a URL path segment and in a header: no directories, no control
 * characters, no lone surrogates (a name cut inside a surrogate pair), at most 200 code points.
 */
function safeName(name) {
  const base = name.toWellFormed().split(/[\\/]/).pop().replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '').trim();
  const cut = Array.from(base).slice(0, MAX_NAME_CHARS).join('').trim();
  return cut === '' || cut === '.' || cut === '..' ? 'file' : cut;
}

// A media type as RFC 9110 allows in a header: type "/" subtype, each a token. Parameters are dropped.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** The normalised media type (lower case, no parameters), or null if `value` is not one. */
function mediaType(value) {
  if (typeof value !== 'string') return null;
  const type = value.split(';')[0].trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : null;
}

/** The `mime` field, normalised; INVALID_ARGUMENT naming 'mime' unless it is a media type. */
function mimeOf(input) {
  const given = v.string(input, 'mime', { def: 'application/octet-stream', min: 1, max: 128 });
  const type = mediaType(given);
  if (!type) throw invalid('mime', 'must be a media type such as image/png (ASCII type/subtype)');
  return type;
}

function bytesOf(input, limit) {
  const data = input.data;
  if (data === undefined || data === null) throw invalid('data', 'required (the file content)');
  let bytes;
  if (Buffer.isBuffer(data)) bytes = data;
  else if (typeof data === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(data)) bytes = Buffer.from(data, 'base64');
  else throw invalid('data', 'must be binary or a base64 string');
  if (bytes.length > limit) throw tooLarge(`file exceeds ${limit} bytes`);
  return bytes;
}

async function upload(ctx, caller, input, transport) {
  const name = safeName(v.string(input, 'name', { def: 'file', max: 1024 }));
  const mime = mimeOf(input);
  const spooled = input[SPOOLED];
  const bytes = spooled ? null : bytesOf(input, ctx.config.maxUploadBytes);
  const size = spooled ? spooled.size : bytes.length;
  const fid = crypto.randomBytes(16).toString('hex');
  const urlPath = `/files/${fid}/${encodeURIComponent(name)}`;
  const file = path.join(ctx.config.filesDir, fid);
  const tmp = spooled ? spooled.path : `${file}.part`;
  try {
    if (!spooled) await fs.promises.writeFile(tmp, bytes, { mode: 0o600, flag: 'wx' });
    await fs.promises.rename(tmp, file);
    await ctx.store.run('INSERT INTO files (fid, app_key, owner, name, mime, size, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
      fid, caller.appKey, caller.auid, name, mime, size, ctx.now());
  } catch (err) {
    await Promise.all([tmp, file].map((f) => fs.promises.rm(f, { force: true })));
    throw err;
  }
  return { fid, url: (ctx.config.publicUrl || transport.baseUrl) + urlPath, path: urlPath, name, size, mime };
}

/** The stored file with this id, as {file (absolute path), name, mime, size}, or null. */
async function lookup(ctx, fid) {
  if (!/^[0-9a-f]{32}$/.test(fid)) return null;
  const row = await ctx.store.get('SELECT * FROM files WHERE fid = ?', fid);
  return row && { file: path.join(ctx.config.filesDir, fid), name: row.name, mime: row.mime, size: row.size };
}

module.exports = { upload, lookup, mediaType, safeName, SPOOLED };
