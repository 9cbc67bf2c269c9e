'use strict';
// Online sessions and everything the server pushes to them.
// One socket per (appKey, auid): a newer login kicks the older socket (topic.notify session.kicked,
// then a server-side disconnect). Downstream traffic:
//   topic.message  a delivery (the full message with the recipient's seq), asks for a socket.io ack
//   topic.notify   {type, data, createTime}, fire-and-forget, only to sessions online at that moment

class Hub {
  /**
   * @param {import('./db').Store} store
   * @param {(line: string) => void} debug verbose log
   */
  constructor(store, debug) {
    this.store = store;
    this.debug = debug;
    /** `${appKey}\n${auid}` -> socket */
    this.sessions = new Map();
  }

  static key(appKey, auid) {
    return `${appKey}\n${auid}`;
  }

  socketOf(appKey, auid) {
    return this.sessions.get(Hub.key(appKey, auid));
  }

  /**
   * Make `socket` the session of session.auid. Kicks another socket of the same user; if the socket
   * was logged in as someone else before, that identity is unbound first.
   */
  bind(socket, session) {
    const current = socket.data.session;
    if (current && (current.appKey !== session.appKey || current.auid !== session.auid)) this.unbind(socket);
    const key = Hub.key(session.appKey, session.auid);
    const previous = this.sessions.get(key);
    socket.data.session = session;
    this.sessions.set(key, socket);
    if (previous && previous !== socket) {
      previous.data.session = null;
      this.emitNotify(previous, 'session.kicked', { auid: session.auid, reason: 'logged in elsewhere' });
      previous.disconnect(true);
      this.debug(`kicked the older session of ${session.appKey}/${session.auid}`);
    }
    if (!previous) this.announcePresence(session.appKey, session.auid, true);
  }

  /**
   * End the live session of (appKey, auid) if its JWT is among `jtis` (just revoked): the socket
   * receives topic.notify session.kicked {auid, reason} and is disconnected by the server, after
   * the answer of the request running now has been written.
   */
  endRevoked(appKey, auid, jtis, reason) {
    const socket = this.socketOf(appKey, auid);
    if (!socket || !jtis.includes(socket.data.session.jti)) return;
    this.unbind(socket);
    setImmediate(() => {
      this.emitNotify(socket, 'session.kicked', { auid, reason });
      socket.disconnect(true);
      this.debug(`ended the session of ${appKey}/${auid}: ${reason}`);
    });
  }

  /** Forget the socket's session (disconnect); announces user.offline if it was the user's session. */
  unbind(socket) {
    const session = socket.data.session;
    if (!session) return;
    socket.data.session = null;
    const key = Hub.key(session.appKey, session.auid);
    if (this.sessions.get(key) !== socket) return;
    this.sessions.delete(key);
    this.announcePresence(session.appKey, session.auid, false);
  }

  /** The online users of an app: [{auid, loginTime, eio}], ordered by auid. */
  online(appKey) {
    const list = [];
    for (const socket of this.sessions.values()) {
      const s = socket.data.session;
      if (s.appKey === appKey) list.push({ auid: s.auid, loginTime: s.loginTime, eio: socket.conn.protocol });
    }
    return list.sort((a, b) => (a.auid < b.auid ? -1 : a.auid > b.auid ? 1 : 0));
  }

  /** Tell the user's online friends that the user came online / went offline. */
  announcePresence(appKey, auid, online) {
    if (!this.store.sqlite.open) return; // sockets closing after the database, during shutdown
    const friends = this.store.all('SELECT friend_auid FROM friends WHERE app_key = ? AND auid = ?', appKey, auid);
    this.notify(appKey, friends.map((f) => f.friend_auid), online ? 'user.online' : 'user.offline', { auid });
  }

  /** Send topic.notify {type, data, createTime} to each listed user that is online. */
  notify(appKey, auids, type, data) {
    for (const auid of new Set(auids)) {
      const socket = this.socketOf(appKey, auid);
      if (socket) this.emitNotify(socket, type, data);
    }
  }

  emitNotify(socket, type, data) {
    socket.emit('topic.notify', { type, data, createTime: Date.now() });
  }

  /**
   * Push one delivery to its recipient if online. The socket.io ack (any arguments) marks the
   * delivery acknowledged; unacknowledged deliveries are pushed again at the next login.
   */
  pushMessage(appKey, auid, message) {
    const socket = this.socketOf(appKey, auid);
    if (!socket) return;
    socket.emit('topic.message', message, () => this.ack(appKey, auid, { seq: message.seq }));
  }

  /** Mark one delivery acknowledged, by the recipient's seq or by mid. Answers the number marked. */
  ack(appKey, auid, { seq, mid }) {
    if (!this.store.sqlite.open) return 0; // an ack arriving during shutdown
    const column = seq !== undefined ? 'seq' : 'mid';
    return this.store.run(`UPDATE deliveries SET acked = 1 WHERE app_key = ? AND auid = ? AND ${column} = ? AND acked = 0`,
      appKey, auid, seq !== undefined ? seq : mid).changes;
  }
}

module.exports = { Hub };
