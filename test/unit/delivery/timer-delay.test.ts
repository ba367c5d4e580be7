import { describe, expect, it } from 'vitest';
import { timerDelay } from '../../../src/delivery/timer-delay.js';

describe('timerDelay', () => {
  it('keeps delays a timer can hold, floors past ones at 0 and caps the rest at the longest timer', () => {
    expect([timerDelay(-5), timerDelay(0), timerDelay(1500), timerDelay(2 ** 31 - 1), timerDelay(1e12)]).toEqual([0, 0, 1500, 2 ** 31 - 1, 2 ** 31 - 1]);
  });
});
