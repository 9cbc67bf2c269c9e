'use strict';
// Module `file`: uploads. The bytes arrive as a multipart part (HTTP), a socket.io binary attachment,
// or a base64 string; all three end here. A file is stored under a random 128-bit id and served
// without authentication at /files/<fid>/<name> (the id is the capability: mini-program <image>
// tags cannot send credentials).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const v = require('../validate');
const { invalid, tooLarge } = require('../errors');

/** A file name safe to store and to put in a URL path segment: no directories, no control characters. */
function safeName(name) {
  const base = name.split(/[\\/]/).pop().replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return base === '' || base === '.' || base === '..' ? 'file' : base;
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
  const mime = v.string(input, 'mime', { def: 'application/octet-stream', min: 1, max: 128, id: true });
  const bytes = bytesOf(input, ctx.config.maxUploadBytes);
  const fid = crypto.randomBytes(16).toString('hex');
  await fs.promises.writeFile(path.join(ctx.config.filesDir, fid), bytes);
  ctx.store.run('INSERT INTO files (fid, app_key, owner, name, mime, size, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    fid, caller.appKey, caller.auid, name, mime, bytes.length, ctx.now());
  const urlPath = `/files/${fid}/${encodeURIComponent(name)}`;
  return { fid, url: (ctx.config.publicUrl || transport.baseUrl) + urlPath, path: urlPath, name, size: bytes.length, mime };
}

/** The stored file with this id, as {file (absolute path), name, mime, size}, or null. */
function lookup(ctx, fid) {
  if (!/^[0-9a-f]{32}$/.test(fid)) return null;
  const row = ctx.store.get('SELECT * FROM files WHERE fid = ?', fid);
  return row && { file: path.join(ctx.config.filesDir, fid), name: row.name, mime: row.mime, size: row.size };
}

module.exports = { upload, lookup };
