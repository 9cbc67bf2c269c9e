'use strict';
// Who is calling. Users log in with {appKey, auid, token} and get a JWT (HS256, claims
// {appKey, auid, jti, iat, exp}) signed with a key kept in the database, so JWTs survive a restart.
// Every JWT issued is a row of the sessions table (by its random jti): a token change revokes the
// user's JWTs, a logout revokes its own, and a revoked or unknown jti is refused.
// Administrative calls (user/add, ...) authenticate with the app's {appKey, secret} instead.

const crypto = require('node:crypto');
const jwt = require('jsonwebtoken');
const v = require('./validate');
const { ApiError, Code, invalid, unauthenticated } = require('./errors');

/** Constant-time string comparison (compares digests, so lengths do not leak either). */
function sameSecret(a, b) {
  const digest = (s) => crypto.createHash('sha256').update(String(s)).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

/**
 * The JWT signing key as a KeyObject, made once: given the text, jsonwebtoken 9 tries it as a PEM public
 * key first (an exception) and then makes a secret key, on every sign and verify: that was half of the
 * server's CPU per message sent (bench/im/run.js). The same bytes (the text's UTF-8), the same signatures.
 */
const keyOf = (text) => (text === null ? null : crypto.createSecretKey(Buffer.from(text, 'utf8')));

class Auth {
  /**
   * @param {import('./db').Store} store
   * @param {{jwtTtl: number, jwtSecret?: string}} config jwtTtl in seconds
   */
  constructor(store, config) {
    this.store = store;
    this.ttl = config.jwtTtl;
    this.key = keyOf(config.jwtSecret || null);
  }

  /** Load the JWT signing key kept in the database (created by the first node to start). */
  async init() {
    if (!this.key) this.key = keyOf(await this.store.secretValue('jwt-signing-key'));
  }

  /** Check login credentials; answers {jwt, exp} (exp in seconds since the epoch). */
  async login(input) {
    const appKey = v.string(input, 'appKey', { required: true, min: 1, max: 64 });
    const auid = v.auid(input, 'auid');
    const token = v.string(input, 'token', { required: true, min: 1, max: 256 });
    await this.app(appKey);
    const user = await this.store.get('SELECT token FROM users WHERE app_key = ? AND auid = ?', appKey, auid);
    // Same answer for an unknown auid and a wrong token: the check is on the pair.
    if (!user || !sameSecret(user.token, token)) throw unauthenticated('invalid auid or token');
    const jti = crypto.randomBytes(16).toString('hex');
    const signed = jwt.sign({ appKey, auid, jti }, this.key, { algorithm: 'HS256', expiresIn: this.ttl });
    const { exp } = jwt.decode(signed);
    await this.store.tx(async (db) => {
      await db.run('DELETE FROM sessions WHERE app_key = ? AND auid = ? AND exp < ?', appKey, auid, Math.floor(Date.now() / 1000));
      await db.run('INSERT INTO sessions (jti, app_key, auid, exp) VALUES (?, ?, ?, ?)', jti, appKey, auid, exp);
    });
    return { jwt: signed, exp, appKey, auid, jti };
  }

  /** UNAUTHENTICATED unless the JWT `jti` of (appKey, auid) was issued and is not revoked. */
  async checkLive(appKey, auid, jti) {
    const row = typeof jti === 'string' && await this.store.get('SELECT revoked FROM sessions WHERE jti = ? AND app_key = ? AND auid = ?', jti, appKey, auid);
    if (!row) throw unauthenticated('invalid jwt: log in again');
    if (row.revoked) throw unauthenticated('jwt revoked (token changed or logged out): log in again');
  }

  /**
   * Revoke the user's JWTs: all of them, or only `jti`, or all but `keepJti`. Answers the revoked jtis.
   */
  async revoke(appKey, auid, { jti, keepJti } = {}, db = this.store) {
    const rows = (await db.all('SELECT jti FROM sessions WHERE app_key = ? AND auid = ? AND revoked = 0', appKey, auid))
      .map((r) => r.jti).filter((j) => (jti ? j === jti : j !== keepJti));
    for (const j of rows) await db.run('UPDATE sessions SET revoked = 1 WHERE jti = ?', j);
    return rows;
  }

  async app(appKey) {
    const app = await this.store.get('SELECT app_key, secret FROM apps WHERE app_key = ?', appKey);
    if (!app) throw unauthenticated(`unknown appKey '${appKey}'`);
    return app;
  }

  /**
   * Decode and check a JWT: UNAUTHENTICATED if invalid, TOKEN_EXPIRED if only its time is up. `issued`
   * (a JWT this server has just signed, to bind the socket that logged in) skips the time check: exp is
   * whole seconds (iat rounded down plus the TTL), so with a short TTL a login late in a second may sign
   * a JWT that expires before it is bound; the login still succeeded, the session's calls then answer
   * 419 and the client renews.
   */
  async verify(token, { issued = false } = {}) {
    let claims;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], ignoreExpiration: issued });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new ApiError(Code.TOKEN_EXPIRED, 'jwt expired, log in again');
      throw unauthenticated('invalid jwt');
    }
    if (typeof claims.appKey !== 'string' || typeof claims.auid !== 'string') throw unauthenticated('invalid jwt');
    await this.checkLive(claims.appKey, claims.auid, claims.jti);
    return { appKey: claims.appKey, auid: claims.auid, exp: claims.exp, jti: claims.jti };
  }

  /**
   * Resolve the caller of a request.
   * @param {'none'|'user'|'admin'|'user|admin'} mode what the method accepts
   * @param {object} input the request fields (jwt, appKey, secret live here)
   * @param {{bearer?: string, session?: {appKey, auid, exp}}} transport credentials outside the body:
   *   the HTTP Authorization header, or the identity a socket logged in with
   * @returns {{appKey: string, auid: string|null, admin: boolean}|null}
   */
  async caller(mode, input, transport, now) {
    if (mode === 'none') return null;
    if (input.jwt !== undefined && input.jwt !== null && typeof input.jwt !== 'string') throw invalid('jwt', 'must be a string');
    const token = input.jwt || transport.bearer;
    const userAllowed = mode === 'user' || mode === 'user|admin';
    if (userAllowed && token) {
      const { appKey, auid, jti } = await this.verify(token);
      return { appKey, auid, jti, admin: false };
    }
    if (userAllowed && transport.session) {
      const { appKey, auid, exp, jti } = transport.session;
      if (exp * 1000 <= now) throw new ApiError(Code.TOKEN_EXPIRED, 'session jwt expired, log in again');
      await this.checkLive(appKey, auid, jti);
      return { appKey, auid, jti, admin: false };
    }
    if (mode === 'user') throw unauthenticated('missing jwt: log in first');
    if (input.appKey === undefined || input.appKey === null) {
      throw unauthenticated(mode === 'admin' ? 'this method needs the app credentials {appKey, secret}' : 'missing jwt or app credentials');
    }
    const appKey = v.string(input, 'appKey', { required: true, min: 1, max: 64 });
    const secret = v.string(input, 'secret', { def: '', max: 256 });
    const app = await this.app(appKey);
    if (!sameSecret(app.secret, secret)) throw unauthenticated(`invalid secret for appKey '${appKey}'`);
    return { appKey, auid: null, admin: true };
  }
}

module.exports = { Auth };
