/** Node fires a timer set past 2^31-1 ms at once (TimeoutOverflowWarning). */
const LONGEST_TIMER = 2_147_483_647;

/**
 * A delay a timer can keep: never negative, and past the timer range the longest
 * one. A deadline further out is then waited for in steps (or simply long enough:
 * nearly 25 days), never taken as "now".
 */
export function timerDelay(ms: number): number {
  return ms <= 0 ? 0 : Math.min(ms, LONGEST_TIMER);
}
