'use strict';
// Resource caps against clients that have not proven who they are (docs/security.md):
//   - open TCP connections per client address, on each port (--max-connections-per-address);
//   - request bytes buffered in memory per client address (HTTP bodies before they are parsed);
//   - on the socket port (see socket.js): Engine.IO sessions per address, the frame size and the bytes
//     a connection may send before it logs in, the binary attachments of one packet, a login deadline.

/** Counts per key; `add` answers false (and counts nothing) when the key is at `max`. */
class Counter {
  constructor(max) {
    this.max = max;
    this.counts = new Map();
  }

  add(key, n = 1) {
    const now = this.counts.get(key) || 0;
    if (now + n > this.max) return false;
    this.counts.set(key, now + n);
    return true;
  }

  remove(key, n = 1) {
    const left = (this.counts.get(key) || 0) - n;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }

  get(key) { return this.counts.get(key) || 0; }
}

/** Close connections beyond `max` open ones per client address at once (before any byte is read). */
function capConnections(server, max, debug) {
  const open = new Counter(max);
  server.on('connection', (socket) => {
    const address = socket.remoteAddress;
    if (!open.add(address)) {
      debug(`refused a connection from ${address}: ${max} already open`);
      socket.destroy();
      return;
    }
    socket.once('close', () => open.remove(address));
  });
  return open;
}

module.exports = { Counter, capConnections };
