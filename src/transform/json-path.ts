import { MeshError } from '../errors.js';

/** A compiled path: the keys to follow from the event, one value at the end. */
export type JsonPath = readonly (string | number)[];

/** What `readPath` gives when the path leads nowhere. */
export const NOT_FOUND: unique symbol = Symbol('not found');

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;
const INDEX = /^\[(\d{1,9})\]/;
const QUOTED = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/**
 * Compiles the subset of JSONPath (RFC 9535) that names one value: `$`, then members
 * `.name` or `['name']` / `["name"]`, and array indexes `[0]`. Wildcards, slices,
 * descendants and filter expressions are refused: a transformation extracts values, and
 * its paths may come from HTTP clients (the Subscriptions API), so nothing in one can run.
 * @example compileJsonPath('$.data.order.id') // ['data', 'order', 'id']
 */
export function compileJsonPath(path: string): JsonPath {
  if (typeof path !== 'string' || !path.startsWith('$')) throw invalid(path, 0, 'must start with $');
  const keys: (string | number)[] = [];
  let at = 1;
  while (at < path.length) {
    const rest = path.slice(at);
    let m: RegExpExecArray | null;
    if (rest.startsWith('.') && (m = NAME.exec(rest.slice(1))) !== null) {
      keys.push(m[0]);
      at += 1 + m[0].length;
    } else if ((m = INDEX.exec(rest)) !== null) {
      keys.push(Number(m[1]));
      at += m[0].length;
    } else if ((m = QUOTED.exec(rest)) !== null) {
      keys.push(unescape(m[1] ?? m[2] ?? ''));
      at += m[0].length;
    } else {
      throw invalid(path, at, 'expected .name, [\'name\'] or [index] (wildcards, slices, .. and filters are not supported)');
    }
  }
  return keys;
}

/** Follows `path` from `root`; NOT_FOUND when a step is missing or `undefined`. */
export function readPath(root: unknown, path: JsonPath): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return NOT_FOUND;
    if (typeof key === 'number' ? !Array.isArray(value) : Array.isArray(value) || !Object.hasOwn(value, key)) return NOT_FOUND;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === undefined ? NOT_FOUND : value;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function invalid(path: unknown, at: number, why: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', `transform: JSONPath ${JSON.stringify(path)} ${why} (at ${String(at)})`, {
    details: { option: 'transform.extract', path, position: at },
  });
}
