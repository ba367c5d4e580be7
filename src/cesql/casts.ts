import { fail, type CesqlValue, type Scope } from './types.js';

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;
const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** spec §3.7: String → Integer is base 10 with an optional sign; anything else (or overflow) is 0 and a CastError. */
export function toInteger(value: CesqlValue, scope: Scope): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (INTEGER_TEXT.test(value)) {
    const n = Number(value);
    if (n >= INT_MIN && n <= INT_MAX) return n === 0 ? 0 : n;
  }
  fail(scope, 'cast', 'cannot cast to an integer', JSON.stringify(value));
  return 0;
}

/**
 * An implicit cast to Boolean (an operand of NOT, AND, OR, XOR, `=` against a Boolean).
 * Strings "true"/"false" in any case convert; an integer does not: the conformance
 * suite makes `NOT 10` a CastError (evaluated as NOT false), while `BOOL(10)` converts.
 */
export function toBoolean(value: CesqlValue, scope: Scope): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  fail(scope, 'cast', 'cannot cast to a boolean', JSON.stringify(value));
  return false;
}

/** The explicit cast (`BOOL(x)`): like the implicit one, and an integer is `true` unless 0 (spec §3.7). */
export function castBoolean(value: CesqlValue, scope: Scope): boolean {
  return typeof value === 'number' ? value !== 0 : toBoolean(value, scope);
}

/** spec §3.7: every value has a String form (base 10 integers, "true"/"false"). */
export function toText(value: CesqlValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value ? 'true' : 'false';
}

/** Casts `value` to the type of `like` (IN's and `=`'s rule: the other operand gives the target type). */
export function castLike(value: CesqlValue, like: CesqlValue, scope: Scope): CesqlValue {
  if (typeof value === typeof like) return value;
  if (typeof like === 'number') return toInteger(value, scope);
  if (typeof like === 'boolean') return toBoolean(value, scope);
  return toText(value);
}

/**
 * 32-bit result of integer arithmetic. Overflow is a MathError with the nearest
 * representable value, the rule spec §3.5.2 gives for ABS(-2147483648).
 */
export function int32(result: number, scope: Scope): number {
  if (result > INT_MAX) {
    fail(scope, 'math', 'integer overflow', result);
    return INT_MAX;
  }
  if (result < INT_MIN) {
    fail(scope, 'math', 'integer overflow', result);
    return INT_MIN;
  }
  return result === 0 ? 0 : result;
}
