'use strict';
// Request rate limits: token buckets holding up to `burst` tokens, refilled at `rate` tokens per
// second. Each request takes one token; a request finding its bucket empty is answered RATE_LIMITED
// (the connection stays open). Buckets are keyed by who asks, not by TCP connection (a new connection
// does not get a new bucket):
//   user     every request of a logged-in user (or of an app's admin credentials), all connections
//            and both ports together: --rate-limit (default 100/s, bursts of 200)
//   address  every request from one client address: 10 times the user limit
//   login    failed logins, per client address and per account (appKey, auid): 1/10 of the user limit

class TokenBucket {
  /** @param {{rate: number, burst: number}} limit rate 0 disables the limit */
  constructor(limit, now) {
    this.rate = limit.rate;
    this.burst = limit.burst;
    this.tokens = limit.burst;
    this.last = now;
  }

  refill(now) {
    this.tokens = Math.min(this.burst, this.tokens + ((Math.max(now, this.last) - this.last) / 1000) * this.rate);
    this.last = Math.max(now, this.last);
  }

  /** Take one token if there is one. */
  take(now) {
    if (this.rate === 0) return true;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True if a token is available (without taking it). */
  peek(now) {
    if (this.rate === 0) return true;
    this.refill(now);
    return this.tokens >= 1;
  }
}

/** Token buckets by key. Buckets back to full are forgotten, so the map stays the size of the busy keys. */
class KeyedLimiter {
  constructor(limit) {
    this.limit = limit;
    this.buckets = new Map();
    this.lastSweep = 0;
  }

  bucket(key, now) {
    if (now - this.lastSweep > 10000) this.sweep(now);
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.limit, now);
      this.buckets.set(key, b);
    }
    return b;
  }

  take(key, now) { return this.limit.rate === 0 || this.bucket(key, now).take(now); }
  peek(key, now) { return this.limit.rate === 0 || this.bucket(key, now).peek(now); }

  sweep(now) {
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      b.refill(now);
      if (b.tokens >= b.burst) this.buckets.delete(key);
    }
  }
}

/** The three limiters of a server, from its --rate-limit {rate, burst}. */
function createLimits({ rate, burst }) {
  const scaled = (f) => ({ rate: rate * f, burst: Math.max(1, Math.round(burst * f)) });
  return {
    rate,
    user: new KeyedLimiter({ rate, burst }),
    address: new KeyedLimiter(scaled(10)),
    login: new KeyedLimiter({ rate: rate / 10, burst: Math.max(2, Math.round(burst / 10)) }),
  };
}

module.exports = { TokenBucket, KeyedLimiter, createLimits };
