'use strict';
// js-shim/utf8.js: the shim's own UTF-8 decoder for batches (the mini-program has no TextDecoder).
const test = require('node:test');
const assert = require('node:assert');
const { decodeUtf8 } = require('../../js-shim/utf8.js');

const bytesOf = (s) => new Uint8Array(Buffer.from(s, 'utf8'));

test('decodes what Buffer encodes: ASCII runs longer than a chunk, 2-, 3- and 4-byte sequences', () => {
  const samples = [
    '', 'hello', '你好，世界', 'мир', '🎉 e\u0301 \u0000 \u007f \u0080 \u07ff \u0800 \uffff', '\ud83d\ude00',
    'a'.repeat(10000) + 'é' + 'b'.repeat(5000) + '中',
    '{"o":[{"k":"s.event","nsp":"/","args":["消息",{"text":"hi 👋"}],"ackId":-1,"bin":[]}],"r":null,"x":null,"t":25000}',
  ];
  for (const s of samples) assert.strictEqual(decodeUtf8(bytesOf(s)), s);
});

test('decodes random valid strings like Buffer does', () => {
  let seed = 12345;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let k = 0; k < 200; k++) {
    let s = '';
    for (let i = rand(300); i > 0; i--) {
      const kind = rand(4);
      const cp = kind === 0 ? rand(0x80) : kind === 1 ? 0x80 + rand(0x780) : kind === 2 ? 0x800 + rand(0xd000) : 0x10000 + rand(0x100000);
      s += String.fromCodePoint(cp);
    }
    assert.strictEqual(decodeUtf8(bytesOf(s)), s);
  }
});

test('malformed input becomes U+FFFD, one per byte it could not use, and never throws', () => {
  assert.strictEqual(decodeUtf8(new Uint8Array([0x61, 0xff, 0x62])), 'a\ufffdb');
  assert.strictEqual(decodeUtf8(new Uint8Array([0xc0, 0xaf])), '\ufffd\ufffd');            // overlong
  assert.strictEqual(decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80])), '\ufffd\ufffd\ufffd'); // surrogate
  assert.strictEqual(decodeUtf8(new Uint8Array([0xe4, 0xbd])), '\ufffd\ufffd');             // truncated
  assert.strictEqual(decodeUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), '\ufffd\ufffd\ufffd\ufffd'); // > U+10FFFF
});
