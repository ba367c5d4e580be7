import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/util/rate-limiter.js';

describe('RateLimiter (a token bucket per key)', () => {
  it('lets a burst through, then `rate` a second, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now = 499;
    expect(limiter.take('a')).toBe(false);
    now = 500; // one token back at 2 a second
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
    now = 60_000; // never more than the burst saved up
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
  });

  it('forgets idle keys once many are known, and treats them as new (full)', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now);
    for (let i = 0; i < 10_001; i++) limiter.take(`k${String(i)}`);
    now = 10_000;
    expect(limiter.take('k0')).toBe(true);
    expect(limiter.take('k0')).toBe(false);
  });
});
