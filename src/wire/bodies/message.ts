import { MeshError } from '../../errors.js';
import {
  isJsonObject, optionalString, parseJsonObject, requiredString, stringMapField, toJsonBytes,
  type JsonObject, type JsonValue,
} from '../json.js';

/** PROTOCOL §11.7: `protocoltype` picks the body format; `openmessage` is not functional. */
export type WireProtocolType = 'cloudevents' | 'eventmeshmessage';

/** A CloudEvent in the JSON event format, as the `cloudevents` body carries it. */
export interface CloudEventJson {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly [attribute: string]: JsonValue | undefined;
}

/** PROTOCOL §11.7 (`eventmeshmessage`): `body` is required, a null one throws on Java. */
export interface EventMeshMessage {
  readonly topic: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Only `datacontenttype` is used by the Java runtime. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export type WireMessage =
  | { readonly protocol: 'cloudevents'; readonly event: CloudEventJson }
  | { readonly protocol: 'eventmeshmessage'; readonly message: EventMeshMessage };

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';

/**
 * PROTOCOL §11.7: the three header properties a message frame needs, in the order a
 * Java HashMap iterates them (so frames match the Java SDK byte for byte).
 */
export function messageProperties(protocol: WireProtocolType): Readonly<Record<string, string>> {
  return { protocolversion: '1.0', protocoldesc: 'tcp', protocoltype: protocol };
}

/** PROTOCOL §11.7: a missing `protocoltype` means `eventmeshmessage`. */
export function protocolTypeOf(properties: Readonly<Record<string, JsonValue>>): WireProtocolType {
  const value = properties['protocoltype'];
  if (value === undefined || value === null) return 'eventmeshmessage';
  if (value === 'cloudevents' || value === 'eventmeshmessage') return value;
  throw new MeshError(BAD_BODY, `protocoltype ${JSON.stringify(value)} is not supported`);
}

/** Decodes a message body by the frame's `protocoltype`; pushes follow the publisher's (PROTOCOL §11.7). */
export function decodeMessage(properties: Readonly<Record<string, JsonValue>>, body: Uint8Array | undefined): WireMessage {
  return protocolTypeOf(properties) === 'cloudevents'
    ? { protocol: 'cloudevents', event: decodeCloudEventBody(body) }
    : { protocol: 'eventmeshmessage', message: decodeEventMeshMessage(body) };
}

export function encodeMessage(message: WireMessage): Buffer {
  return message.protocol === 'cloudevents' ? encodeCloudEventBody(message.event) : encodeEventMeshMessage(message.message);
}

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const OPTIONAL = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;
const FIXED: ReadonlySet<string> = new Set([...REQUIRED, ...OPTIONAL, 'data', 'data_base64']);

/**
 * PROTOCOL §11.7: the raw JSON event format, not a quoted string. Keys go in sdk-java
 * JsonFormat order (core attributes, extensions, then data) so the bytes match Java's.
 */
export function encodeCloudEventBody(event: CloudEventJson): Buffer {
  checkCloudEvent(event as JsonObject);
  const out: Record<string, JsonValue> = {};
  for (const key of REQUIRED) out[key] = event[key];
  for (const key of OPTIONAL) copyPresent(event, key, out);
  for (const key of Object.keys(event)) {
    if (!FIXED.has(key)) copyPresent(event, key, out);
  }
  copyPresent(event, 'data', out);
  copyPresent(event, 'data_base64', out);
  return toJsonBytes(out);
}

export function decodeCloudEventBody(body: Uint8Array | undefined): CloudEventJson {
  if (body === undefined || body.length === 0) throw new MeshError(BAD_BODY, 'CloudEvent body is missing');
  const event = parseJsonObject(body, BAD_BODY, 'CloudEvent');
  checkCloudEvent(event);
  return event as unknown as CloudEventJson;
}

function checkCloudEvent(event: JsonObject): void {
  if (!isJsonObject(event)) throw new MeshError(BAD_BODY, 'CloudEvent must be an object');
  for (const key of REQUIRED) {
    if (requiredString(event, key, BAD_BODY, 'CloudEvent').length === 0) {
      throw new MeshError(BAD_BODY, `CloudEvent.${key} must not be empty`);
    }
  }
  for (const key of OPTIONAL) optionalString(event, key, BAD_BODY, 'CloudEvent');
  optionalString(event, 'data_base64', BAD_BODY, 'CloudEvent');
  if (event['data'] !== undefined && event['data_base64'] !== undefined) {
    throw new MeshError(BAD_BODY, 'CloudEvent has both data and data_base64');
  }
}

// JsonFormat writes no null or absent attribute.
function copyPresent(from: CloudEventJson, key: string, to: Record<string, JsonValue>): void {
  const value = from[key];
  if (value !== undefined && value !== null) to[key] = value;
}

/** Java field order `topic, properties, headers, body`; `properties` is never null in Java. */
export function encodeEventMeshMessage(message: EventMeshMessage): Buffer {
  const checked = checkEventMeshMessage(message as unknown as JsonObject);
  const out: Record<string, JsonValue> = { topic: checked.topic, properties: checked.properties };
  if (checked.headers !== undefined) out['headers'] = checked.headers;
  out['body'] = checked.body;
  return toJsonBytes(out);
}

export function decodeEventMeshMessage(body: Uint8Array | undefined): EventMeshMessage {
  if (body === undefined || body.length === 0) throw new MeshError(BAD_BODY, 'EventMeshMessage body is missing');
  return checkEventMeshMessage(parseJsonObject(body, BAD_BODY, 'EventMeshMessage'));
}

function checkEventMeshMessage(obj: JsonObject): EventMeshMessage {
  if (!isJsonObject(obj)) throw new MeshError(BAD_BODY, 'EventMeshMessage must be an object');
  const what = 'EventMeshMessage';
  const topic = requiredString(obj, 'topic', BAD_BODY, what);
  const properties = stringMapField(obj, 'properties', BAD_BODY, what) ?? {};
  const headers = stringMapField(obj, 'headers', BAD_BODY, what);
  const body = requiredString(obj, 'body', BAD_BODY, what);
  return headers === undefined ? { topic, properties, body } : { topic, properties, headers, body };
}
