'use strict';
// UTF-8 both ways between JS strings and wasm memory (mini-programs have neither TextDecoder nor
// TextEncoder).
//
// UTF-8 bytes (a view of wasm memory) -> JS string, fast on the ASCII runs a batch is mostly made of.
// Mini-programs have no TextDecoder; Emscripten's fallback appends one character at a time, which was
// half of the CPU spent per received event (docs/benchmarks.md). Malformed sequences become U+FFFD (one per
// byte; the core emits valid UTF-8).

const CHUNK = 4096;  // String.fromCharCode.apply argument count stays far below engine limits

function decodeUtf8(bytes) {
  const n = bytes.length;
  let out = '';
  let i = 0;
  while (i < n) {
    // An ASCII run, converted a chunk at a time.
    let j = i;
    const stop = Math.min(n, i + CHUNK);
    while (j < stop && bytes[j] < 0x80) j++;
    if (j > i) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, j));
      i = j;
      continue;
    }
    // A multi-byte sequence (or a stray byte).
    const b0 = bytes[i];
    let cp = 0xfffd;
    let len = 1;
    if (b0 >= 0xc2 && b0 <= 0xdf && i + 1 < n && (bytes[i + 1] & 0xc0) === 0x80) {
      cp = ((b0 & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      len = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef && i + 2 < n && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
      const c = ((b0 & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) { cp = c; len = 3; }
    } else if (b0 >= 0xf0 && b0 <= 0xf4 && i + 3 < n && (bytes[i + 1] & 0xc0) === 0x80 &&
               (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
      const c = ((b0 & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) { cp = c; len = 4; }
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      out += String.fromCharCode(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      out += String.fromCharCode(cp);
    }
    i += len;
  }
  return out;
}

// The UTF-8 length of a JS string. A lone surrogate counts 3 bytes: it is written as its own code unit,
// as Emscripten's stringToUTF8 did (the core's JSON reader refuses it and says where).
function utf8Length(s) {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;  // a pair: 2 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

// Writes `s` as UTF-8 into `u8` at `at` (room for utf8Length(s) bytes); returns where it ended.
function encodeUtf8(s, u8, at) {
  const n = s.length;
  let o = at;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[o++] = c;
      continue;
    }
    if (c < 0x800) {
      u8[o++] = 0xc0 | (c >> 6);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        u8[o++] = 0xf0 | (c >> 18);
        u8[o++] = 0x80 | ((c >> 12) & 0x3f);
      } else {
        u8[o++] = 0xe0 | (c >> 12);
      }
      u8[o++] = 0x80 | ((c >> 6) & 0x3f);
    }
    u8[o++] = 0x80 | (c & 0x3f);
  }
  return o;
}

module.exports = { decodeUtf8, utf8Length, encodeUtf8 };
