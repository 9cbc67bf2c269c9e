'use strict';
// Local storage of one mini-program, independent of any realm: values are kept serialised, so one
// Storage can outlive a sandbox and be handed to the next ("app restart"), or be saved to a file.
//
// Size accounting: UTF-8 bytes of the key plus UTF-8 bytes of the serialised value. WeChat's limits are
// 1 MB per key and 10 MB in all; both are configurable here.

const fs = require('node:fs');

const MB = 1024 * 1024;

class Storage {
  constructor({ perKeyLimit = MB, totalLimit = 10 * MB } = {}) {
    this.perKeyLimit = perKeyLimit;
    this.totalLimit = totalLimit;
    this._map = new Map(); // key -> serialised record (string)
  }

  static entrySize(key, record) {
    return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(record, 'utf8');
  }

  get keys() { return [...this._map.keys()]; }
  get usedBytes() {
    let n = 0;
    for (const [k, v] of this._map) n += Storage.entrySize(k, v);
    return n;
  }

  has(key) { return this._map.has(key); }
  getRecord(key) { return this._map.get(key); }

  // Returns null on success, or a reason: 'item' (too large) / 'total' (storage full).
  setRecord(key, record) {
    const size = Storage.entrySize(key, record);
    if (size > this.perKeyLimit) return 'item';
    const old = this._map.has(key) ? Storage.entrySize(key, this._map.get(key)) : 0;
    if (this.usedBytes - old + size > this.totalLimit) return 'total';
    this._map.set(key, record);
    return null;
  }

  remove(key) { this._map.delete(key); }
  clear() { this._map.clear(); }

  // Host-side convenience for tests: the decoded value (host realm) of a key.
  peek(key) {
    const rec = this._map.get(key);
    return rec === undefined ? undefined : decode(rec, JSON, (ms) => new Date(ms));
  }

  toJSON() {
    return { version: 1, perKeyLimit: this.perKeyLimit, totalLimit: this.totalLimit, entries: [...this._map] };
  }
  static fromJSON(obj) {
    const s = new Storage({ perKeyLimit: obj.perKeyLimit, totalLimit: obj.totalLimit });
    for (const [k, v] of obj.entries || []) s._map.set(k, v);
    return s;
  }
  saveToFile(file) { fs.writeFileSync(file, JSON.stringify(this.toJSON())); }
  static loadFromFile(file) { return Storage.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8'))); }
  clone() { return Storage.fromJSON(JSON.parse(JSON.stringify(this.toJSON()))); }
}

// Records: "j:<json>" for JSON values, "d:<ms>" for Date, "u:" for undefined.
function encode(value) {
  if (value === undefined) return 'u:';
  if (Object.prototype.toString.call(value) === '[object Date]') return 'd:' + value.getTime();
  const json = JSON.stringify(value); // may throw on cycles / BigInt
  if (json === undefined) return 'u:'; // functions, symbols
  return 'j:' + json;
}

function decode(record, JSONImpl, makeDate) {
  const tag = record.slice(0, 2);
  const body = record.slice(2);
  if (tag === 'u:') return undefined;
  if (tag === 'd:') return makeDate(Number(body));
  return JSONImpl.parse(body);
}

module.exports = { Storage, encode, decode, MB };
