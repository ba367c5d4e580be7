import { MeshError } from '../../src/index.js';

/**
 * The one way the adapters check their options: each check returns the value (or
 * its default when absent) or throws `ERR_MESH_INVALID_OPTIONS` with a message that
 * names the store factory and the option, e.g. "redisStore claimIdle must be an
 * integer >= 10". Tests match the code, never the message.
 * @example const check = new OptionChecks('redisStore'); check.integer('claimIdle', options.claimIdle, 30_000, 10)
 */
export class OptionChecks {
  constructor(private readonly factory: string) {}

  /** The options argument itself: a non-null object (`what` says what it must hold). */
  object<T>(options: T, what = 'an options object'): NonNullable<T> {
    if (typeof options !== 'object' || options === null) throw this.invalid(`needs ${what}`);
    return options;
  }

  /** An integer >= `min` (a size, a count, ms). */
  integer(name: string, value: unknown, fallback: number, min: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw this.must(name, `an integer >= ${min}`);
    return value;
  }

  /** An integer >= `min`, or undefined when absent (no default: "unbounded"). */
  optionalInteger(name: string, value: unknown, min: number): number | undefined {
    return value === undefined ? undefined : this.integer(name, value, 0, min);
  }

  /** A non-empty string; `test` refines it, `expected` says what it must look like. */
  string(name: string, value: unknown, fallback: string | undefined, test?: (s: string) => boolean, expected = 'a non-empty string'): string {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || value.length === 0 || (test !== undefined && !test(value))) throw this.must(name, expected);
    return value;
  }

  /** A string matching `pattern` (which may allow the empty string). */
  matching(name: string, value: unknown, fallback: string, pattern: RegExp, expected: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !pattern.test(value)) throw this.must(name, expected);
    return value;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) throw this.must(name, allowed.map((a) => `"${a}"`).join(' or '));
    return value as T;
  }

  boolean(name: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.must(name, 'true or false');
    return value;
  }

  /** A function, or undefined when absent. */
  callback<F extends (...args: never[]) => unknown>(name: string, value: F | undefined): F | undefined {
    if (value !== undefined && typeof value !== 'function') throw this.must(name, 'a function');
    return value;
  }

  /** The error for a rule the helpers above do not express. */
  invalid(message: string): MeshError {
    return new MeshError('ERR_MESH_INVALID_OPTIONS', `${this.factory} ${message}`);
  }

  private must(name: string, expected: string): MeshError {
    return this.invalid(`${name} must be ${expected}`);
  }
}
