'use strict';
// The API catalogue and the one request path both transports use, so a call gives the same R over
// HTTP (POST /v1/<module>/<method>) and over the socket (event topic.<module>, field method).
//
// Each entry names who may call it:
//   none        no credentials (login)
//   user        a logged-in user: the JWT (field `jwt`, Authorization: Bearer, or the socket's login)
//   admin       the app credentials {appKey, secret}
//   user|admin  either; a user acts on themselves, the app credentials act on `auid`
// and the request fields that name the acting user (`acting`): when present they must be the caller.

const { Code, ApiError, ok, fromError, forbidden } = require('../errors');
const connection = require('./connection');
const user = require('./user');
const friend = require('./friend');
const blacklist = require('./blacklist');
const room = require('./room');
const message = require('./message');
const conversation = require('./conversation');
const client = require('./client');
const file = require('./file');

const CATALOGUE = {
  'connection/authority/request': { auth: 'none', run: connection.authorityRequest },
  'connection/logout': { auth: 'user', run: connection.logout },

  'user/add': { auth: 'admin', run: user.add },
  'user/update': { auth: 'user|admin', acting: ['auid'], run: user.update },
  'user/get': { auth: 'user|admin', run: user.get },
  'user/list': { auth: 'user|admin', run: user.list },
  'user/update_token': { auth: 'user|admin', acting: ['auid'], run: user.updateToken },
  'user/refresh_token': { auth: 'user|admin', acting: ['auid'], run: user.refreshToken },

  'friend/add': { auth: 'user', acting: ['auid'], run: friend.add },
  'friend/del': { auth: 'user', acting: ['auid'], run: friend.del },
  'friend/list': { auth: 'user', acting: ['auid'], run: friend.list },
  'friend/update_alias': { auth: 'user', acting: ['auid'], run: friend.updateAlias },

  'blacklist/add': { auth: 'user', acting: ['auid'], run: blacklist.add },
  'blacklist/del': { auth: 'user', acting: ['auid'], run: blacklist.del },
  'blacklist/list': { auth: 'user', acting: ['auid'], run: blacklist.list },

  'room/add': { auth: 'user', acting: ['auid', 'owner'], run: room.add },
  'room/update': { auth: 'user', acting: ['auid'], run: room.update },
  'room/del': { auth: 'user', acting: ['auid'], run: room.del },
  'room/list': { auth: 'user', acting: ['auid'], run: room.list },
  'room/list_member': { auth: 'user', acting: ['auid'], run: room.listMember },
  'room/add_user': { auth: 'user', acting: ['auid'], run: room.addUser },
  'room/del_user': { auth: 'user', acting: ['auid'], run: room.delUser },

  'message/send': { auth: 'user', acting: ['auid', 'formUser'], run: message.send },
  'message/sync': { auth: 'user', acting: ['auid'], run: message.sync },
  'message/history': { auth: 'user', acting: ['auid'], run: message.history },
  'message/recall': { auth: 'user', acting: ['auid'], run: message.recall },
  'message/read': { auth: 'user', acting: ['auid'], run: message.read },

  'conversation/list': { auth: 'user', acting: ['auid'], run: conversation.list },
  'conversation/read': { auth: 'user', acting: ['auid'], run: conversation.read },
  'conversation/del': { auth: 'user', acting: ['auid'], run: conversation.del },

  'client/list': { auth: 'user', run: client.list },

  'file/upload': { auth: 'user', acting: ['auid'], run: file.upload },
};

/** Other names for the same methods: the HTTP login name, and E聊's name for message history. */
const ALIASES = {
  'auth/login': 'connection/authority/request',
  'auth/logout': 'connection/logout',
  'message/list': 'message/history',
};

/** The canonical `module/method` name, or undefined if there is no such method. */
function resolve(module, method) {
  const name = `${module}/${method}`;
  const canonical = Object.hasOwn(ALIASES, name) ? ALIASES[name] : name;
  return Object.hasOwn(CATALOGUE, canonical) ? canonical : undefined;
}

/** The request id to echo: a string of up to 128 characters or a number; anything else is null. */
function requestIdOf(input) {
  const id = input && input.requestId;
  if ((typeof id === 'string' && id.length <= 128) || (typeof id === 'number' && Number.isFinite(id))) return id;
  return null;
}

class Api {
  /** @param {object} ctx {store, auth, hub, config, now, log} */
  constructor(ctx) {
    this.ctx = ctx;
    this.inflight = 0;
    this.closing = false;
    this.drained = null; // resolves when inflight drops to 0 after close began
  }

  /**
   * Run one request and answer R. Never throws.
   * @param {{module: string, method: string, input: object, address?: string,
   *          transport: {bearer?, session?, baseUrl}}} req address: the client's IP address
   */
  async handle({ module, method, input, transport, address }) {
    const now = this.ctx.now();
    const { limits } = this.ctx;
    if (this.closing) return fromError(new ApiError(Code.UNAVAILABLE, 'server is shutting down'));
    if (address !== undefined && !await limits.address.take(address, now)) {
      return fromError(new ApiError(Code.RATE_LIMITED, `rate limit exceeded (${limits.address.limit.rate} requests/s per client address)`));
    }
    const name = resolve(module, method);
    if (!name) return fromError(new ApiError(Code.UNKNOWN_METHOD, `unknown method '${module}/${method}'`));
    const entry = CATALOGUE[name];
    const login = name === 'connection/authority/request';
    const account = login && `${String(input.appKey)}\n${String(input.auid)}`;
    if (login && (!await limits.login.peek(account, now) || (address !== undefined && !await limits.login.peek(address, now)))) {
      return fromError(new ApiError(Code.RATE_LIMITED,
        `too many failed logins (${limits.login.limit.rate}/s per account and per client address): retry later`));
    }
    this.inflight += 1;
    try {
      const caller = await this.ctx.auth.caller(entry.auth, input, transport, now);
      if (caller) transport.caller = caller; // the transport may lift its pre-authentication limits
      if (caller && !await limits.user.take(`${caller.appKey}\n${caller.admin ? '' : caller.auid}`, now)) {
        throw new ApiError(Code.RATE_LIMITED, `rate limit exceeded (${limits.user.limit.rate} requests/s per ${caller.admin ? 'app admin' : 'user'})`);
      }
      if (caller && !caller.admin) {
        for (const field of entry.acting || []) {
          if (input[field] !== undefined && input[field] !== null && input[field] !== caller.auid) {
            throw forbidden(`'${field}' must be the logged-in user '${caller.auid}'`);
          }
        }
      }
      return ok(await entry.run(this.ctx, caller, input, transport));
    } catch (err) {
      if (!(err instanceof ApiError)) this.ctx.log(`internal error in ${name}: ${err && err.stack}`);
      if (login && err instanceof ApiError && err.code === Code.UNAUTHENTICATED) {
        await limits.login.take(account, now);
        if (address !== undefined) await limits.login.take(address, now);
      }
      return fromError(err);
    } finally {
      this.inflight -= 1;
      if (this.closing && this.inflight === 0 && this.drained) this.drained.resolve();
    }
  }

  /** Refuse new requests (UNAVAILABLE) and wait for the ones running to finish. */
  close() {
    this.closing = true;
    if (this.inflight === 0) return Promise.resolve();
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    this.drained = { resolve };
    return promise;
  }
}

module.exports = { Api, resolve, requestIdOf };
