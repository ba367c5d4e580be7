import { castBoolean, INT_MAX, INT_MIN, toInteger, toText } from './casts.js';
import { fail, type CesqlValue, type Scope, type StaticType } from './types.js';

/** A built-in function's signature (spec §3.5); arguments arrive already cast to `params` (and `rest`). */
export interface FunctionDef {
  readonly params: readonly StaticType[];
  /** The type of every argument after `params`, for a variadic function. */
  readonly rest?: StaticType;
  readonly returns: Exclude<StaticType, 'any'>;
  readonly call: (args: readonly CesqlValue[], scope: Scope) => CesqlValue;
}

const s = (args: readonly CesqlValue[], i: number): string => args[i] as string;
const n = (args: readonly CesqlValue[], i: number): number => args[i] as number;

/** Characters are code points (spec §3.1: a String is a sequence of Unicode characters), not UTF-16 units. */
const SURROGATE = /[\uD800-\uDFFF]/;
const chars = (text: string): string[] | string => (SURROGATE.test(text) ? Array.from(text) : text);
const lengthOf = (text: string): number => (SURROGATE.test(text) ? Array.from(text).length : text.length);
const slice = (text: string, start: number, end?: number): string => {
  const c = chars(text);
  return typeof c === 'string' ? c.slice(start, end) : c.slice(start, end).join('');
};
const UNICODE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

function left(args: readonly CesqlValue[], scope: Scope): string {
  const [text, count] = [s(args, 0), n(args, 1)];
  if (count >= 0) return slice(text, 0, count);
  fail(scope, 'functionEvaluation', 'LEFT takes a length of 0 or more', count);
  return text;
}

function right(args: readonly CesqlValue[], scope: Scope): string {
  const [text, count] = [s(args, 0), n(args, 1)];
  if (count < 0) {
    fail(scope, 'functionEvaluation', 'RIGHT takes a length of 0 or more', count);
    return text;
  }
  const length = lengthOf(text);
  return count >= length ? text : slice(text, length - count);
}

/** spec §3.5.1: 1-based, negative from the end, 0 gives ""; a position beyond the string is an error. */
function substring(args: readonly CesqlValue[], scope: Scope): string {
  const [text, pos] = [s(args, 0), n(args, 1)];
  const len = args.length > 2 ? n(args, 2) : undefined;
  const length = lengthOf(text);
  if (pos > length || pos < -length || (len !== undefined && len < 0)) {
    fail(scope, 'functionEvaluation', 'SUBSTRING position or length out of range', `${String(pos)}, ${String(len)}`);
    return '';
  }
  if (pos === 0) return '';
  const start = pos > 0 ? pos - 1 : length + pos;
  return slice(text, start, len === undefined ? undefined : start + len);
}

function abs(args: readonly CesqlValue[], scope: Scope): number {
  const x = n(args, 0);
  if (x !== INT_MIN) return Math.abs(x);
  fail(scope, 'math', 'ABS overflows', x);
  return INT_MAX;
}

/** The built-ins (spec §3.5.1, §3.5.2) and the casting functions INT, BOOL, STRING of the conformance suite. */
const BUILT_INS: ReadonlyMap<string, readonly FunctionDef[]> = new Map<string, FunctionDef[]>([
  ['LENGTH', [{ params: ['string'], returns: 'integer', call: (a) => lengthOf(s(a, 0)) }]],
  ['CONCAT', [{ params: [], rest: 'string', returns: 'string', call: (a) => a.join('') }]],
  ['CONCAT_WS', [{ params: ['string'], rest: 'string', returns: 'string', call: (a) => a.slice(1).join(s(a, 0)) }]],
  ['LOWER', [{ params: ['string'], returns: 'string', call: (a) => s(a, 0).toLowerCase() }]],
  ['UPPER', [{ params: ['string'], returns: 'string', call: (a) => s(a, 0).toUpperCase() }]],
  ['TRIM', [{ params: ['string'], returns: 'string', call: (a) => s(a, 0).replace(UNICODE_SPACE, '') }]],
  ['LEFT', [{ params: ['string', 'integer'], returns: 'string', call: left }]],
  ['RIGHT', [{ params: ['string', 'integer'], returns: 'string', call: right }]],
  ['SUBSTRING', [
    { params: ['string', 'integer'], returns: 'string', call: substring },
    { params: ['string', 'integer', 'integer'], returns: 'string', call: substring },
  ]],
  ['ABS', [{ params: ['integer'], returns: 'integer', call: abs }]],
  ['INT', [{ params: ['any'], returns: 'integer', call: (a, scope) => toInteger(a[0] as CesqlValue, scope) }]],
  ['BOOL', [{ params: ['any'], returns: 'boolean', call: (a, scope) => castBoolean(a[0] as CesqlValue, scope) }]],
  ['STRING', [{ params: ['any'], returns: 'string', call: (a) => toText(a[0] as CesqlValue) }]],
]);

/** The overload of `name` (upper-case) taking `arity` arguments: exact arity first, then a variadic one (spec §3.5). */
export function findFunction(name: string, arity: number): FunctionDef | undefined {
  const overloads = BUILT_INS.get(name);
  if (overloads === undefined) return undefined;
  return overloads.find((f) => f.rest === undefined && f.params.length === arity)
    ?? overloads.find((f) => f.rest !== undefined && arity >= f.params.length);
}
