import { MeshError, type MeshErrorCode } from '../errors.js';

/** A value JSON can carry, as header properties and opaque bodies hold them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };

/**
 * Parses UTF-8 JSON from a view without copying the bytes. Invalid UTF-8 becomes
 * U+FFFD, as Java's `new String(bytes, UTF_8)` does (PROTOCOL §11.1: charset is UTF-8).
 */
export function parseJson(bytes: Uint8Array, code: MeshErrorCode, what: string): JsonValue {
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = view.toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new MeshError(code, `${what} is not valid JSON`, { cause: err });
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(bytes: Uint8Array, code: MeshErrorCode, what: string): JsonObject {
  const value = parseJson(bytes, code, what);
  if (!isJsonObject(value)) throw new MeshError(code, `${what} is not a JSON object`);
  return value;
}

/**
 * Reads an optional string field. JSON `null` counts as absent, because Java's
 * mapper writes nulls as absent and reads absent as null (PROTOCOL §11.2).
 */
export function optionalString(obj: JsonObject, key: string, code: MeshErrorCode, what: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MeshError(code, `${what}.${key} must be a string`);
  return value;
}

export function requiredString(obj: JsonObject, key: string, code: MeshErrorCode, what: string): string {
  const value = optionalString(obj, key, code, what);
  if (value === undefined) throw new MeshError(code, `${what}.${key} is required`);
  return value;
}

/** Java `int` fields: absent reads as 0; anything outside int32 fails Jackson too. */
export function int32Field(obj: JsonObject, key: string, code: MeshErrorCode, what: string): number {
  const value = obj[key];
  if (value === undefined || value === null) return 0;
  if (!isInt32(value)) throw new MeshError(code, `${what}.${key} must be a 32-bit integer`);
  return value;
}

export function isInt32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647;
}

/** A string → string map such as EventMeshMessage `properties` (PROTOCOL §11.7). */
export function stringMapField(
  obj: JsonObject, key: string, code: MeshErrorCode, what: string,
): Record<string, string> | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new MeshError(code, `${what}.${key} must be an object`);
  const out: [string, string][] = [];
  for (const [name, entry] of Object.entries(value)) {
    if (entry === null) continue;
    if (typeof entry !== 'string') throw new MeshError(code, `${what}.${key}.${name} must be a string`);
    out.push([name, entry]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays data, not a prototype.
  return Object.fromEntries(out);
}

export function toJsonBytes(value: JsonValue): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
