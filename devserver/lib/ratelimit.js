'use strict';
// Per-connection request rate limit: a token bucket holding up to `burst` tokens, refilled at `rate`
// tokens per second. Each request takes one token; a request finding the bucket empty is answered
// RATE_LIMITED (the connection stays open).

class TokenBucket {
  /** @param {{rate: number, burst: number}} limit rate 0 disables the limit */
  constructor(limit, now) {
    this.rate = limit.rate;
    this.burst = limit.burst;
    this.tokens = limit.burst;
    this.last = now;
  }

  take(now) {
    if (this.rate === 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

module.exports = { TokenBucket };
