'use strict';
// --redis redis://host:port: what several devserver nodes share besides the database.
//   - socket.io's Redis adapter (@socket.io/redis-adapter over ioredis): every logged-in socket joins
//     the room of its user, so a delivery or a notification emitted to that room on any node reaches
//     the socket on whichever node holds it; io.fetchSockets() lists the online users of every node;
//     io.serverSideEmit() carries the single-login kick and the end of revoked sessions.
//   - the session key echat:session:<appKey>:<auid> = the socket id of the user's newest login (the
//     newest login wins when two nodes take a login of the same user at once).
//   - the rate limits (token buckets in Redis hashes, updated by one Lua script, so every node takes
//     from the same bucket). If Redis cannot be reached a limit lets the request through (logged).
// Token revocation itself needs no Redis: the sessions table is in the shared database.

const Redis = require('ioredis');
const { createAdapter } = require('@socket.io/redis-adapter');

const PREFIX = 'echat:';

// KEYS[1] bucket; ARGV rate (tokens/s), burst, now (ms), take (1) or peek (0). Answers 1 if a token was there.
const TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'l')
local tokens = tonumber(b[1]) or burst
local last = tonumber(b[2]) or now
if now > last then
  tokens = math.min(burst, tokens + (now - last) / 1000 * rate)
  last = now
end
local ok = 0
if tokens >= 1 then
  ok = 1
  if ARGV[4] == '1' then tokens = tokens - 1 end
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'l', tostring(last))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
`;

/** A limiter with KeyedLimiter's interface (lib/ratelimit.js) whose buckets live in Redis; take/peek answer promises. */
class RedisLimiter {
  constructor(redis, name, limit, log) {
    this.redis = redis;
    this.name = name;
    this.limit = limit;
    this.log = log;
  }

  async bucket(key, now, take) {
    if (this.limit.rate === 0) return true;
    try {
      return (await this.redis.echatBucket(`${PREFIX}rl:${this.name}:${key}`, this.limit.rate, this.limit.burst, now, take ? 1 : 0)) === 1;
    } catch (err) {
      this.log(`rate limit ${this.name}: Redis unavailable, request let through: ${err.message}`);
      return true;
    }
  }

  take(key, now) { return this.bucket(key, now, true); }
  peek(key, now) { return this.bucket(key, now, false); }
}

class Cluster {
  /**
   * @param {string} url redis://…
   * @param {(line: string) => void} log
   */
  constructor(url, log) {
    this.url = url;
    this.log = log;
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true };
    this.pub = new Redis(url, options);
    this.sub = this.pub.duplicate();
    this.pub.defineCommand('echatBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
    for (const client of [this.pub, this.sub]) {
      client.on('error', (err) => this.log(`redis: ${err.message}`));
    }
  }

  async connect() {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
  }

  /** Attach the Redis adapter to a socket.io server. */
  attach(io) {
    io.adapter(createAdapter(this.pub, this.sub, { key: `${PREFIX}socket.io`, requestsTimeout: 3000 }));
  }

  /** Replace the in-process limiters by Redis ones (same rates). */
  limits(local) {
    const wrap = (name) => new RedisLimiter(this.pub, name, local[name].limit, this.log);
    return { rate: local.rate, user: wrap('user'), address: wrap('address'), login: wrap('login') };
  }

  static sessionKey(appKey, auid) {
    return `${PREFIX}session:${appKey}:${auid}`;
  }

  ping() {
    return this.pub.ping();
  }

  async close() {
    await Promise.all([this.pub, this.sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}

RedisLimiter.SCRIPT = TOKEN_BUCKET;

module.exports = { Cluster, RedisLimiter };
