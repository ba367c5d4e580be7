import { MeshError } from '../../errors.js';
import { int32Field, isInt32, optionalString, parseJsonObject, type JsonObject } from '../json.js';

/**
 * PROTOCOL §11.5: the HELLO_REQUEST / RECOMMEND_REQUEST body. This is the wire shape
 * only: whether `version`, `group` and `purpose` are present and valid is the HELLO
 * handler's call (Java answers a bad one with code 1 instead of closing).
 */
export interface UserAgent {
  readonly env?: string;
  readonly subsystem?: string;
  readonly path?: string;
  readonly pid: number;
  /** Overwritten by a Java server with the socket's remote host. */
  readonly host?: string;
  readonly port: number;
  readonly version?: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly idc?: string;
  /** The producer/consumer group the session belongs to. */
  readonly group?: string;
  /** `pub` or `sub`. */
  readonly purpose?: string;
  /** Always written, never read by the Java runtime. */
  readonly unack: number;
}

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';
const WHAT = 'UserAgent';

/** Java field order (PROTOCOL §11.5), which Jackson follows when it writes the bean. */
const ORDER = ['env', 'subsystem', 'path', 'pid', 'host', 'port', 'version', 'username', 'password', 'token', 'idc', 'group', 'purpose', 'unack'] as const;
const INT_KEYS: ReadonlySet<string> = new Set(['pid', 'port', 'unack']);

/** Null strings are left out and ints always written (PROTOCOL §11.5), as Jackson does. */
export function encodeUserAgent(agent: UserAgent): Buffer {
  const out: Record<string, string | number> = {};
  for (const key of ORDER) {
    const value = agent[key];
    if (INT_KEYS.has(key)) {
      if (value !== undefined && !isInt32(value)) throw new MeshError(BAD_BODY, `${WHAT}.${key} must be a 32-bit integer`);
      out[key] = value ?? 0;
    } else if (value !== undefined) {
      if (typeof value !== 'string') throw new MeshError(BAD_BODY, `${WHAT}.${key} must be a string`);
      out[key] = value;
    }
  }
  return Buffer.from(JSON.stringify(out), 'utf8');
}

export function decodeUserAgent(body: Uint8Array | undefined): UserAgent {
  if (body === undefined || body.length === 0) throw new MeshError(BAD_BODY, `${WHAT} body is missing`);
  let obj: JsonObject;
  try {
    obj = parseJsonObject(body, BAD_BODY, WHAT);
  } catch {
    // A JSON parser's message quotes the text around the fault, which may be the password
    // or token: the error keeps neither that message nor that cause (README "Limits").
    throw new MeshError(BAD_BODY, `${WHAT} is not a valid JSON object`, { details: { bytes: body.length } });
  }
  // Unknown keys are ignored, as Java's mapper ignores them (PROTOCOL §11.2).
  const agent: Record<string, string | number> = {};
  for (const key of ORDER) {
    if (INT_KEYS.has(key)) {
      agent[key] = int32Field(obj, key, BAD_BODY, WHAT);
    } else {
      const value = optionalString(obj, key, BAD_BODY, WHAT);
      if (value !== undefined) agent[key] = value;
    }
  }
  return agent as unknown as UserAgent;
}
