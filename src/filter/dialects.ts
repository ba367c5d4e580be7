import { compileCesqlPredicate } from '../cesql/compile-cesql.js';
import { MeshError } from '../errors.js';

type AttributeMap = Readonly<Record<string, string>>;

/**
 * A CloudEvents Subscriptions API filter as plain JSON. Being data (not code), a
 * filter can travel to peers with its subscription and be evaluated at the sender.
 */
export type EventFilter =
  | { readonly exact: AttributeMap }
  | { readonly prefix: AttributeMap }
  | { readonly suffix: AttributeMap }
  | { readonly all: readonly EventFilter[] }
  | { readonly any: readonly EventFilter[] }
  | { readonly not: EventFilter }
  | { readonly sql: string };

/** Anything with CloudEvents attributes readable by name. */
export type AttributeSource = { readonly [attribute: string]: unknown };

export type EventPredicate = (event: AttributeSource) => boolean;

const ATTRIBUTE_NAME = /^[a-z0-9_]+$/;
const MAX_DEPTH = 32;

/** Validates a filter and compiles it into a predicate (evaluated once per routed event). */
export function compileFilter(filter: unknown): EventPredicate {
  return compile(filter, 0);
}

function compile(filter: unknown, depth: number): EventPredicate {
  if (depth > MAX_DEPTH) throw invalid(`filters nest deeper than ${MAX_DEPTH}`, filter);
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw invalid('a filter must be an object', filter);
  const keys = Object.keys(filter);
  if (keys.length !== 1) throw invalid('a filter must have exactly one dialect key', filter);
  const dialect = keys[0] as string;
  const value = (filter as Record<string, unknown>)[dialect];
  switch (dialect) {
    case 'exact': return attributes(value, filter, (actual, expected) => actual === expected);
    case 'prefix': return attributes(value, filter, (actual, expected) => actual.startsWith(expected));
    case 'suffix': return attributes(value, filter, (actual, expected) => actual.endsWith(expected));
    case 'all': return every(list(value, filter).map((f) => compile(f, depth + 1)));
    case 'any': return some(list(value, filter).map((f) => compile(f, depth + 1)));
    case 'not': {
      const inner = compile(value, depth + 1);
      return (event) => !inner(event);
    }
    // CESQL (spec §1.2): passes only a `true` with no error; a parse error throws ERR_MESH_INVALID_FILTER.
    case 'sql': return compileCesqlPredicate(value);
    default:
      throw invalid(`unknown filter dialect "${dialect}"`, filter);
  }
}

function attributes(value: unknown, filter: unknown, test: (actual: string, expected: string) => boolean): EventPredicate {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('attribute filters take an object of attribute: string', filter);
  const pairs = Object.entries(value);
  if (pairs.length === 0) throw invalid('an attribute filter must name at least one attribute', filter);
  for (const [name, expected] of pairs) {
    if (!ATTRIBUTE_NAME.test(name)) throw invalid(`"${name}" is not a CloudEvents attribute name`, filter);
    if (typeof expected !== 'string') throw invalid(`the value for "${name}" must be a string`, filter);
    // Subscriptions API §3.2.4: the value must not be empty (an empty prefix would match everything).
    if (expected === '') throw invalid(`the value for "${name}" must not be empty`, filter);
  }
  const names = pairs.map(([name]) => name);
  const values = pairs.map(([, expected]) => expected as string);
  // Several attributes in one dialect object must all match (the spec allows one;
  // accepting more is a convenience, with AND semantics).
  return (event) => {
    for (let i = 0; i < names.length; i++) {
      const actual = attributeString(event[names[i] as string]);
      if (actual === undefined || !test(actual, values[i] as string)) return false;
    }
    return true;
  };
}

function attributeString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return undefined;
}

function list(value: unknown, filter: unknown): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('"all" and "any" take a non-empty array of filters', filter);
  return value;
}

function every(predicates: EventPredicate[]): EventPredicate {
  return (event) => {
    for (const p of predicates) if (!p(event)) return false;
    return true;
  };
}

function some(predicates: EventPredicate[]): EventPredicate {
  return (event) => {
    for (const p of predicates) if (p(event)) return true;
    return false;
  };
}

function invalid(problem: string, filter: unknown): MeshError {
  return new MeshError('ERR_MESH_INVALID_FILTER', `Invalid filter: ${problem}`, { details: { filter } });
}
