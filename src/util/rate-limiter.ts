/** Buckets kept before idle ones (full again) are forgotten. */
const PRUNE_AT = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: `rate` tokens a second, at most `burst` saved up; each
 * `take` spends one. A key seen for the first time starts with a full bucket.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Takes refused since it was made (`mesh.inspect()`, metrics). */
  refused = 0;

  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number = Date.now) {}

  /** Spends `n` tokens of `key`; false when it has fewer left (nothing spent). */
  take(key: string, n = 1): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= PRUNE_AT) this.prune(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = this.refilled(bucket, now);
      bucket.at = now;
    }
    if (bucket.tokens < n) {
      this.refused++;
      return false;
    }
    bucket.tokens -= n;
    return true;
  }

  /** Whole seconds until `n` tokens can have come back, from empty (a Retry-After). */
  secondsFor(n: number): number {
    return Math.max(1, Math.ceil(n / this.rate));
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.rate) / 1000);
  }

  /** A full bucket is the same as none: forgetting it changes nothing. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(key);
  }
}
