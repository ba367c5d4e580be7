import { MeshError } from '../errors.js';
import { WIRE_COMMAND_NAMES, isWireCommand, type WireCommand } from './constants.js';
import { int32Field, isInt32, isJsonObject, optionalString, parseJsonObject, type JsonValue } from './json.js';

/** PROTOCOL §11.2: the frame header. `desc` and `seq` are absent rather than null. */
export interface WireHeader {
  readonly cmd: WireCommand;
  /** 0 success, 1 failure (PROTOCOL §11.2); requests carry 0. */
  readonly code: number;
  readonly desc?: string;
  /** Responses echo the request's seq; server goodbye and redirect have none. */
  readonly seq?: string;
  /** Header properties; every key becomes a CloudEvent extension on Java (PROTOCOL §11.7). */
  readonly properties: Readonly<Record<string, JsonValue>>;
}

const BAD_HEADER = 'ERR_MESH_WIRE_BAD_HEADER';

/**
 * The header as compact JSON in Java's key order `cmd, code, desc, seq, properties,
 * command` (PROTOCOL §11.2), so a frame is byte-identical to what `Codec.Encoder` writes.
 * `command` is the redundant copy Java emits; readers ignore it.
 */
export function headerJson(header: WireHeader): string {
  if (typeof header.cmd !== 'string' || !isWireCommand(header.cmd)) {
    throw new MeshError('ERR_MESH_WIRE_UNKNOWN_COMMAND', `unknown command ${String(header.cmd)}`);
  }
  if (!isInt32(header.code)) throw new MeshError(BAD_HEADER, 'header code must be a 32-bit integer');
  // Concatenated rather than stringified from an object built per frame: the same
  // bytes as JSON.stringify would give (a command name and an int32 need no escaping),
  // at a fraction of the cost on a path every frame takes.
  let out = `{"cmd":"${header.cmd}","code":${header.code}`;
  if (header.desc !== undefined) {
    if (typeof header.desc !== 'string') throw new MeshError(BAD_HEADER, 'header desc must be a string');
    out += `,"desc":${JSON.stringify(header.desc)}`;
  }
  if (header.seq !== undefined) {
    if (typeof header.seq !== 'string') throw new MeshError(BAD_HEADER, 'header seq must be a string');
    out += `,"seq":${JSON.stringify(header.seq)}`;
  }
  return `${out},"properties":${JSON.stringify(withoutNulls(header.properties))},"command":"${header.cmd}"}`;
}

export function encodeHeader(header: WireHeader): Buffer {
  return Buffer.from(headerJson(header), 'utf8');
}

/**
 * Decodes a header as Java's mapper does (PROTOCOL §11.2): unknown keys and `command` are
 * ignored, `cmd` is a name or a numeric ordinal, absent `code` reads as 0, absent
 * `properties` as `{}`. What Java's decoder refuses (and closes on) throws here.
 */
export function decodeHeader(bytes: Uint8Array): WireHeader {
  // PROTOCOL §11.1: headerLength 0 is a package with no header, which the dispatcher rejects.
  if (bytes.length === 0) throw new MeshError(BAD_HEADER, 'frame has no header');
  const obj = parseJsonObject(bytes, BAD_HEADER, 'header');
  const cmd = commandOf(obj['cmd']);
  const code = int32Field(obj, 'code', BAD_HEADER, 'header');
  const desc = optionalString(obj, 'desc', BAD_HEADER, 'header');
  const seq = optionalString(obj, 'seq', BAD_HEADER, 'header');
  const raw = obj['properties'];
  if (raw !== undefined && raw !== null && !isJsonObject(raw)) {
    throw new MeshError(BAD_HEADER, 'header properties must be an object');
  }
  const properties = raw === undefined || raw === null ? {} : withoutNulls(raw);
  if (desc === undefined) return seq === undefined ? { cmd, code, properties } : { cmd, code, seq, properties };
  return seq === undefined ? { cmd, code, desc, properties } : { cmd, code, desc, seq, properties };
}

/** PROTOCOL §11.2: `cmd` is the enum name; Java also reads a number as the enum ordinal. */
function commandOf(value: JsonValue | undefined): WireCommand {
  if (value === undefined || value === null) throw new MeshError(BAD_HEADER, 'header has no cmd');
  if (typeof value === 'string') {
    if (isWireCommand(value)) return value;
    throw new MeshError('ERR_MESH_WIRE_UNKNOWN_COMMAND', `unknown command ${JSON.stringify(value.slice(0, 64))}`);
  }
  if (typeof value === 'number') {
    const name = Number.isInteger(value) ? WIRE_COMMAND_NAMES[value] : undefined;
    if (name !== undefined) return name;
    throw new MeshError('ERR_MESH_WIRE_UNKNOWN_COMMAND', `unknown command ordinal ${value}`);
  }
  throw new MeshError(BAD_HEADER, 'header cmd must be a command name');
}

/** PROTOCOL §11.2: Java's mapper leaves null map entries out, so they never reach the wire. */
function withoutNulls(properties: Readonly<Record<string, JsonValue>>): Readonly<Record<string, JsonValue>> {
  if (!isJsonObject(properties)) throw new MeshError(BAD_HEADER, 'header properties must be an object');
  for (const key in properties) {
    if (properties[key] === null) {
      // fromEntries keeps a `__proto__` key as data instead of setting the prototype.
      return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== null));
    }
  }
  return properties;
}
