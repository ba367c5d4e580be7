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
export function readAttribute(event: CesqlInput, name: string): CesqlValue | undefined {
  const value = event[name];
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
