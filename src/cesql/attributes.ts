import type { CesqlInput, CesqlValue } from './types.js';
import { INT_MAX, INT_MIN } from './casts.js';

/** Required attributes: EXISTS is always true for them, the input being a valid CloudEvent (spec §3.4.4). */
export const REQUIRED_ATTRIBUTES: ReadonlySet<string> = new Set(['specversion', 'id', 'source', 'type']);

/** CESQL reads context attributes only; the payload is out of its reach (spec §1). */
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set(['data', 'data_base64']);

export function isReadable(name: string): boolean {
  return !NOT_ATTRIBUTES.has(name);
}

/**
 * An attribute's CESQL value, or undefined when the event lacks it. Strings, booleans
 * and 32-bit integers keep their type; other values are Strings (spec §3.2): other
 * numbers in base 10, binary as base64, dates in RFC 3339. An object is not an attribute
 * value: it reads as absent, as in the other filter dialects.
 */
type Reader = (event: CesqlInput) => CesqlValue | undefined;

/**
 * One function per context attribute, each with its own property load: a load whose key
 * is a variable shared by every attribute goes through V8's generic keyed lookup, several
 * times the cost of `event.type` (the filters benchmark). Extensions take that path.
 */
const CORE_READERS: ReadonlyMap<string, Reader> = new Map<string, Reader>([
  ['specversion', (e) => normalize(e['specversion'])],
  ['id', (e) => normalize(e['id'])],
  ['source', (e) => normalize(e['source'])],
  ['type', (e) => normalize(e['type'])],
  ['subject', (e) => normalize(e['subject'])],
  ['time', (e) => normalize(e['time'])],
  ['datacontenttype', (e) => normalize(e['datacontenttype'])],
  ['dataschema', (e) => normalize(e['dataschema'])],
]);

/** A reader for one attribute, made once per reference in an expression. */
export function attributeReader(name: string): Reader {
  return CORE_READERS.get(name) ?? ((e) => normalize(e[name]));
}

function normalize(value: unknown): CesqlValue | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
