import type { BinaryOperator } from './ast.js';
import { attributeReader } from './attributes.js';
import { castLike, int32, toBoolean, toInteger, toText } from './casts.js';
import { MISSING, type Compiled } from './compiled.js';
import { fail, type Run } from './types.js';

/*
 * Every operator follows one rule for errors: an operand whose evaluation added an
 * error makes the operator return its type's zero value without computing (spec §3.2:
 * `1 / missing` is 0 with a MissingAttributeError, not a MathError; the conformance
 * suite: `true AND (1 != 1 / 0)` is false). A cast the operator itself makes may fail:
 * the cast gives the zero value of its target type, recorded, and the operator goes on
 * (`NOT 10` is `true` with a CastError). The counts are compared, not the error lists,
 * so a filter that never reads the messages never builds them.
 */

export function compileUnary(op: 'NOT' | '-', operand: Compiled): Compiled {
  const X = operand.run;
  if (op === 'NOT') {
    return { type: 'boolean', run: (e, s) => {
      const n = s.count;
      const a = X(e, s);
      if (s.count !== n) return false;
      return !(typeof a === 'boolean' ? a : toBoolean(a, s));
    } };
  }
  return { type: 'integer', run: (e, s) => {
    const n = s.count;
    const a = X(e, s);
    if (s.count !== n) return 0;
    return int32(-(typeof a === 'number' ? a : toInteger(a, s)), s);
  } };
}

export function compileBinary(op: BinaryOperator, left: Compiled, right: Compiled): Compiled {
  switch (op) {
    case 'AND': case 'OR': case 'XOR': return { type: 'boolean', run: logic(op, left.run, right.run) };
    case '=': return { type: 'boolean', run: equality(left, right, false) };
    case '!=': case '<>': return { type: 'boolean', run: equality(left, right, true) };
    case '<': case '<=': case '>': case '>=': return { type: 'boolean', run: integers(left.run, right.run, COMPARE[op], false) };
    default: return { type: 'integer', run: integers(left.run, right.run, ARITHMETIC[op], 0) };
  }
}

/** spec §3.4.2: AND and OR short-circuit; the three are Boolean x Boolean -> Boolean. */
function logic(op: 'AND' | 'OR' | 'XOR', L: Run, R: Run): Run {
  return (e, s) => {
    const n = s.count;
    const a = L(e, s);
    if (s.count !== n) return false;
    const x = typeof a === 'boolean' ? a : toBoolean(a, s);
    if (op === 'AND' ? !x : op === 'OR' && x) return x;
    const m = s.count;
    const b = R(e, s);
    if (s.count !== m) return false;
    const y = typeof b === 'boolean' ? b : toBoolean(b, s);
    return op === 'XOR' ? x !== y : y;
  };
}

/**
 * `=` is defined for three pairs of types, so the right operand's type picks the one
 * used and the left operand is cast to it (spec §3.7, rule 2.2). An attribute compared
 * with a string literal, the usual filter, reads the attribute directly.
 */
function equality(left: Compiled, right: Compiled, negated: boolean): Run {
  const name = left.attribute;
  const literal = right.constant;
  if (name !== undefined && typeof literal === 'string') {
    const read = attributeReader(name);
    return (e, s) => {
      const v = read(e);
      if (v === undefined) {
        fail(s, 'missingAttribute', MISSING, name);
        return false;
      }
      return ((typeof v === 'string' ? v : toText(v)) === literal) !== negated;
    };
  }
  const L = left.run;
  const R = right.run;
  return (e, s) => {
    const n = s.count;
    const a = L(e, s);
    if (s.count !== n) return false;
    const b = R(e, s);
    if (s.count !== n) return false;
    return (castLike(a, b, s) === b) !== negated;
  };
}

type IntegerOp<T> = (a: number, b: number, s: Parameters<Run>[1]) => T;

const COMPARE: Readonly<Record<'<' | '<=' | '>' | '>=', IntegerOp<boolean>>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** spec §3.4.2: truncated division, remainder with the dividend's sign; by zero: 0 and a MathError. */
const ARITHMETIC: Readonly<Record<'+' | '-' | '*' | '/' | '%', IntegerOp<number>>> = {
  '+': (a, b, s) => int32(a + b, s),
  '-': (a, b, s) => int32(a - b, s),
  '*': (a, b, s) => int32(a * b, s),
  '/': (a, b, s) => (b === 0 ? divideByZero(s) : int32(Math.trunc(a / b), s)),
  '%': (a, b, s) => (b === 0 ? divideByZero(s) : int32(a % b, s)),
};

function divideByZero(s: Parameters<Run>[1]): number {
  fail(s, 'math', 'division by zero');
  return 0;
}

/** Operators on two Integers: both operands are cast to Integer (they are not ambiguous). */
function integers<T extends boolean | number>(L: Run, R: Run, op: IntegerOp<T>, zero: T): Run {
  return (e, s) => {
    const n = s.count;
    const a = L(e, s);
    if (s.count !== n) return zero;
    const b = R(e, s);
    if (s.count !== n) return zero;
    return op(typeof a === 'number' ? a : toInteger(a, s), typeof b === 'number' ? b : toInteger(b, s), s);
  };
}
