import { MeshError } from '../errors.js';

/** How a failing handler is retried. */
export interface RetryPolicy {
  /**
   * Runs in total, first try included (5 = first try + 4 retries).
   * @default 1
   */
  readonly attempts?: number;
  /**
   * Delay before a retry, in ms: a number is the first delay, doubled on each
   * further retry; a function gets the attempt that failed (1-based).
   * @default 100
   */
  readonly backoff?: number | ((failedAttempt: number) => number);
  /**
   * Upper bound for a computed delay, in ms.
   * @default 30000
   */
  readonly maxBackoff?: number;
}

export interface ResolvedRetry {
  readonly attempts: number;
  delay(failedAttempt: number): number;
}

export const NO_RETRY: ResolvedRetry = { attempts: 1, delay: () => 0 };

export function resolveRetry(policy: RetryPolicy | undefined): ResolvedRetry {
  if (policy === undefined) return NO_RETRY;
  if (typeof policy !== 'object' || policy === null) throw invalid('retry must be an object');
  const attempts = policy.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1) throw invalid('retry.attempts must be an integer >= 1');
  const max = policy.maxBackoff ?? 30_000;
  if (!(max >= 0)) throw invalid('retry.maxBackoff must be >= 0');
  const backoff = policy.backoff ?? 100;
  if (typeof backoff === 'function') {
    return { attempts, delay: (n) => clamp(Number(backoff(n)), max) };
  }
  if (typeof backoff !== 'number' || !(backoff >= 0)) throw invalid('retry.backoff must be a number >= 0 or a function');
  return { attempts, delay: (n) => clamp(backoff * 2 ** (n - 1), max) };
}

function clamp(ms: number, max: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, max) : 0;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
