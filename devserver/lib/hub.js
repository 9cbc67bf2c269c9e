'use strict';
// Online sessions and everything the server pushes to them.
// One socket per (appKey, auid): a newer login kicks the older socket (topic.notify session.kicked,
// then a server-side disconnect). Downstream traffic:
//   topic.message  a delivery (the full message with the recipient's seq), asks for a socket.io ack
//   topic.notify   {type, data, createTime}, fire-and-forget, only to sessions online at that moment

// With --redis (lib/cluster.js) the sessions of the other nodes are reached through socket.io's Redis
// adapter: each logged-in socket is in the room `user:<appKey>\n<auid>`, deliveries and notifications
// are emitted to that room, and a login or a revocation on one node is told to the others
// (serverSideEmit 'echat:kick' / 'echat:revoked').

// How long a delivery emitted to another node waits for the client's ack before it counts as not
// acknowledged (it is then pushed again at the next login, as usual).
const REMOTE_ACK_TIMEOUT_MS = 30000;

class Hub {
  /**
   * @param {object} store lib/db.js or lib/db-postgres.js
   * @param {(line: string) => void} debug verbose log
   * @param {{cluster?: import('./cluster').Cluster, log?: (line: string) => void}} [options]
   */
  constructor(store, debug, { cluster = null, log = debug } = {}) {
    this.store = store;
    this.debug = debug;
    this.log = log;
    this.cluster = cluster;
    this.io = null;
    /** `${appKey}\n${auid}` -> socket (this node's sessions) */
    this.sessions = new Map();
  }

  static key(appKey, auid) {
    return `${appKey}\n${auid}`;
  }

  static room(appKey, auid) {
    return `user:${Hub.key(appKey, auid)}`;
  }

  /** The socket.io server, once created; with a cluster, listen to the other nodes. */
  attach(io) {
    this.io = io;
    if (!this.cluster) return;
    io.on('echat:kick', ({ appKey, auid, keep }) => {
      this.kickIfSuperseded(appKey, auid, keep).catch((err) => this.log(`kick: ${err && err.stack}`));
    });
    io.on('echat:revoked', ({ appKey, auid, jtis, reason }) => this.endRevokedHere(appKey, auid, jtis, reason));
  }

  socketOf(appKey, auid) {
    return this.sessions.get(Hub.key(appKey, auid));
  }

  /**
   * Make `socket` the session of session.auid. Kicks another socket of the same user (on any node);
   * if the socket was logged in as someone else before, that identity is unbound first.
   */
  async bind(socket, session) {
    const current = socket.data.session;
    if (current && (current.appKey !== session.appKey || current.auid !== session.auid)) this.unbind(socket);
    const key = Hub.key(session.appKey, session.auid);
    const previous = this.sessions.get(key);
    socket.data.session = { ...session, eio: socket.conn.protocol };
    this.sessions.set(key, socket);
    if (previous && previous !== socket) this.kick(previous, session.appKey, session.auid);
    if (this.cluster) {
      socket.join(Hub.room(session.appKey, session.auid));
      await this.cluster.pub.set(Hub.sessionKey(session.appKey, session.auid), socket.id, 'EX', Math.max(1, session.exp - Math.floor(Date.now() / 1000)));
      this.io.serverSideEmit('echat:kick', { appKey: session.appKey, auid: session.auid, keep: socket.id });
    }
    if (!previous) this.announcePresence(session.appKey, session.auid, true);
  }

  static sessionKey(appKey, auid) {
    return `echat:session:${Hub.key(appKey, auid)}`;
  }

  kick(previous, appKey, auid) {
    previous.data.session = null;
    if (this.cluster) previous.leave(Hub.room(appKey, auid));
    this.emitNotify(previous, 'session.kicked', { auid, reason: 'logged in elsewhere' });
    previous.disconnect(true);
    this.debug(`kicked the older session of ${appKey}/${auid}`);
  }

  /** Another node logged (appKey, auid) in on socket `keep`: end this node's session unless newer still. */
  async kickIfSuperseded(appKey, auid, keep) {
    const socket = this.socketOf(appKey, auid);
    if (!socket || socket.id === keep) return;
    const newest = await this.cluster.pub.get(Hub.sessionKey(appKey, auid));
    if (newest !== keep || this.socketOf(appKey, auid) !== socket) return; // a newer login since: it decides
    this.sessions.delete(Hub.key(appKey, auid));
    this.kick(socket, appKey, auid);
  }

  /**
   * End the live session of (appKey, auid) if its JWT is among `jtis` (just revoked), on every node:
   * the socket receives topic.notify session.kicked {auid, reason} and is disconnected by the server,
   * after the answer of the request running now has been written.
   */
  endRevoked(appKey, auid, jtis, reason) {
    if (this.cluster && this.io && jtis.length) this.io.serverSideEmit('echat:revoked', { appKey, auid, jtis, reason });
    this.endRevokedHere(appKey, auid, jtis, reason);
  }

  endRevokedHere(appKey, auid, jtis, reason) {
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
    if (this.cluster) socket.leave(Hub.room(session.appKey, session.auid));
    const key = Hub.key(session.appKey, session.auid);
    if (this.sessions.get(key) !== socket) return;
    this.sessions.delete(key);
    this.announcePresence(session.appKey, session.auid, false);
  }

  /** The online users of an app (on every node): [{auid, loginTime, eio}], ordered by auid. */
  async online(appKey) {
    const sessions = this.cluster
      ? (await this.io.fetchSockets()).map((s) => s.data && s.data.session)
      : [...this.sessions.values()].map((s) => s.data.session);
    const list = sessions.filter((s) => s && s.appKey === appKey).map((s) => ({ auid: s.auid, loginTime: s.loginTime, eio: s.eio }));
    return list.sort((a, b) => (a.auid < b.auid ? -1 : a.auid > b.auid ? 1 : 0));
  }

  /** Tell the user's online friends that the user came online / went offline. */
  announcePresence(appKey, auid, online) {
    if (!this.store.isOpen) return; // sockets closing after the database, during shutdown
    this.store.all('SELECT friend_auid FROM friends WHERE app_key = ? AND auid = ?', appKey, auid)
      .then((friends) => this.notify(appKey, friends.map((f) => f.friend_auid), online ? 'user.online' : 'user.offline', { auid }))
      .catch((err) => { if (this.store.isOpen) this.log(`presence: ${err && err.stack}`); });
  }

  /** Send topic.notify {type, data, createTime} to each listed user that is online (on any node). */
  notify(appKey, auids, type, data) {
    for (const auid of new Set(auids)) {
      if (this.cluster) this.io.to(Hub.room(appKey, auid)).emit('topic.notify', { type, data, createTime: Date.now() });
      else {
        const socket = this.socketOf(appKey, auid);
        if (socket) this.emitNotify(socket, type, data);
      }
    }
  }

  emitNotify(socket, type, data) {
    socket.emit('topic.notify', { type, data, createTime: Date.now() });
  }

  /**
   * Push one delivery to its recipient if online (on any node). The socket.io ack (any arguments)
   * marks the delivery acknowledged; unacknowledged deliveries are pushed again at the next login.
   */
  pushMessage(appKey, auid, message) {
    const onAck = () => this.ack(appKey, auid, { seq: message.seq }).catch((err) => {
      if (this.store.isOpen) this.log(`ack: ${err && err.stack}`);
    });
    const socket = this.socketOf(appKey, auid);
    if (socket) {
      socket.emit('topic.message', message, onAck);
    } else if (this.cluster) {
      this.io.to(Hub.room(appKey, auid)).timeout(REMOTE_ACK_TIMEOUT_MS).emit('topic.message', message, (err, responses) => {
        if (responses && responses.length) onAck();
      });
    }
  }

  /** Mark one delivery acknowledged, by the recipient's seq or by mid. Answers the number marked. */
  async ack(appKey, auid, { seq, mid }) {
    if (!this.store.isOpen) return 0; // an ack arriving during shutdown
    const column = seq !== undefined ? 'seq' : 'mid';
    return (await this.store.run(`UPDATE deliveries SET acked = 1 WHERE app_key = ? AND auid = ? AND ${column} = ? AND acked = 0`,
      appKey, auid, seq !== undefined ? seq : mid)).changes;
  }
}

module.exports = { Hub };
