import { attributeReader, isReadable, REQUIRED_ATTRIBUTES } from './attributes.js';
import { castLike, toBoolean, toInteger, toText } from './casts.js';
import { MISSING, type Compiled } from './compiled.js';
import { findFunction } from './functions.js';
import { compileLike } from './like.js';
import { fail, zeroOf, type CesqlValue, type Run, type Scope, type StaticType } from './types.js';

/** An attribute reference; a missing one is `false` (its type unknown, spec §3.2) and a MissingAttributeError. */
export function compileAttribute(name: string): Compiled {
  if (!isReadable(name)) return { type: 'any', run: (_e, s) => missing(s, name) };
  const read = attributeReader(name);
  return { type: 'any', attribute: name, run: (e, s) => read(e) ?? missing(s, name) };
}

function missing(s: Scope, name: string): false {
  fail(s, 'missingAttribute', MISSING, name);
  return false;
}

/** spec §3.4.4: always true for the required attributes, the input being a valid CloudEvent. */
export function compileExists(name: string): Compiled {
  if (REQUIRED_ATTRIBUTES.has(name)) return { type: 'boolean', constant: true, run: () => true };
  if (!isReadable(name)) return { type: 'boolean', constant: false, run: () => false };
  const read = attributeReader(name);
  return { type: 'boolean', run: (e) => read(e) !== undefined };
}

/** spec §3.4.3: the operand is cast to String; the pattern was compiled once. */
export function compileLikeOperator(operand: Compiled, pattern: string, negated: boolean): Compiled {
  const matches = compileLike(pattern);
  const name = operand.attribute;
  const X = operand.run;
  const read = name === undefined ? undefined : attributeReader(name);
  const run: Run = name !== undefined && read !== undefined
    ? (e, s) => {
      const v = read(e);
      if (v === undefined) return missing(s, name);
      return matches(typeof v === 'string' ? v : toText(v)) !== negated;
    }
    : (e, s) => {
      const n = s.count;
      const a = X(e, s);
      if (s.count !== n) return false;
      return matches(typeof a === 'string' ? a : toText(a)) !== negated;
    };
  return { type: 'boolean', run };
}

/** spec §3.4.5: each element is cast to the operand's type and compared as `=` does. A set of string literals is a Set. */
export function compileIn(operand: Compiled, set: readonly Compiled[], negated: boolean): Compiled {
  const X = operand.run;
  const runs = set.map((c) => c.run);
  const strings = set.every((c) => typeof c.constant === 'string') ? new Set(set.map((c) => c.constant as string)) : undefined;
  return { type: 'boolean', run: (e, s) => {
    const n = s.count;
    const a = X(e, s);
    if (s.count !== n) return false;
    if (strings !== undefined && typeof a === 'string') return strings.has(a) !== negated;
    for (const R of runs) {
      const m = s.count;
      const b = R(e, s);
      if (s.count !== m) return false;
      if (castLike(b, a, s) === a) return !negated;
    }
    return negated;
  } };
}

/**
 * A function call, dispatched once by name and arity (spec §3.5). Arguments are cast to
 * the parameter types (spec §3.7, rule 3) into an array owned by this call site: the
 * evaluation never re-enters it, so no array is made per event.
 */
export function compileCall(name: string, args: readonly Compiled[]): Compiled {
  const def = findFunction(name, args.length);
  if (def === undefined) {
    return { type: 'boolean', run: (_e, s) => {
      fail(s, 'missingFunction', 'no such function', `${name}/${String(args.length)}`);
      return false;
    } };
  }
  const runs = args.map((a) => a.run);
  const types = args.map((_a, i) => def.params[i] ?? def.rest ?? 'any');
  const values: CesqlValue[] = new Array<CesqlValue>(args.length).fill(false);
  const zero = zeroOf(def.returns);
  return { type: def.returns, run: (e, s) => {
    const n = s.count;
    for (let i = 0; i < runs.length; i++) {
      values[i] = (runs[i] as Run)(e, s);
      if (s.count !== n) return zero;
    }
    for (let i = 0; i < values.length; i++) values[i] = castTo(types[i] as StaticType, values[i] as CesqlValue, s);
    return def.call(values, s);
  } };
}

function castTo(type: StaticType, value: CesqlValue, s: Scope): CesqlValue {
  switch (type) {
    case 'string': return typeof value === 'string' ? value : toText(value);
    case 'integer': return typeof value === 'number' ? value : toInteger(value, s);
    case 'boolean': return typeof value === 'boolean' ? value : toBoolean(value, s);
    default: return value;
  }
}
