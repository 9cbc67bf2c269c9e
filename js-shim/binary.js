'use strict';
// Binary arguments for socket.io: split them out of the JSON (placeholders) on the way out, and put
// them back on the way in. Buffers are recognised by Object.prototype.toString / ArrayBuffer.isView,
// never by instanceof: in a mini-program (and in our sandbox) values can come from another realm.
const { isFunction, isObject, isNumber } = require('./is.js');

const toStr = Object.prototype.toString;

function isBinary(v) {
  if (!isObject(v)) return false;
  return toStr.call(v) === '[object ArrayBuffer]' || ArrayBuffer.isView(v);
}

function toBytes(v) {
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(v);
}

// -> {json, attachments: Uint8Array[]}. The JSON text has {"_placeholder":true,"num":N} where the
// buffers were; toJSON hooks are honoured as JSON.stringify would.
function deconstruct(args) {
  const attachments = [];
  function walk(v) {
    if (isBinary(v)) {
      attachments.push(toBytes(v));
      return { _placeholder: true, num: attachments.length - 1 };
    }
    if (!isObject(v)) return v;
    if (isFunction(v.toJSON) && !Array.isArray(v)) return walk(v.toJSON());
    if (Array.isArray(v)) return v.map(walk);
    const out = {};
    for (const k of Object.keys(v)) out[k] = walk(v[k]);
    return out;
  }
  const hasBin = containsBinary(args);
  const json = JSON.stringify(hasBin ? walk(args) : args);
  return { json, attachments };
}

function containsBinary(v, depth = 0) {
  if (isBinary(v)) return true;
  if (!isObject(v) || depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => containsBinary(x, depth + 1));
  for (const k of Object.keys(v)) if (containsBinary(v[k], depth + 1)) return true;
  return false;
}

// Replaces placeholders in parsed arguments by the attachments (ArrayBuffers). The core has already
// checked that every placeholder number is in range.
function reconstruct(value, attachments) {
  if (!attachments || attachments.length === 0) return value;
  function walk(v) {
    if (!isObject(v)) return v;
    if (v._placeholder === true && isNumber(v.num)) return attachments[v.num];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = walk(v[i]);
    } else {
      for (const k of Object.keys(v)) v[k] = walk(v[k]);
    }
    return v;
  }
  return walk(value);
}

// Attachments travel to the core in one blob: for each, a 4-byte little-endian length then the bytes.
function packBlob(attachments) {
  let size = 0;
  for (const a of attachments) size += 4 + a.byteLength;
  const blob = new Uint8Array(size);
  let at = 0;
  for (const a of attachments) {
    const n = a.byteLength;
    blob[at] = n & 0xff; blob[at + 1] = (n >>> 8) & 0xff; blob[at + 2] = (n >>> 16) & 0xff; blob[at + 3] = (n >>> 24) & 0xff;
    blob.set(a, at + 4);
    at += 4 + n;
  }
  return blob;
}

module.exports = { isBinary, deconstruct, reconstruct, packBlob, containsBinary };
