import { MeshError } from '../errors.js';
import { topicProblem } from '../topic/topic.js';
import type { EventIds } from './event-ids.js';
import { MeshEvent, isCoreAttribute, isMeshEvent } from './mesh-event.js';

/**
 * Attributes a caller may set besides type and data: the optional CloudEvents
 * attributes and any extensions (lower-case alphanumeric names).
 */
export interface EventAttributes {
  readonly id?: string;
  readonly source?: string;
  readonly time?: string | Date;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly [extension: string]: unknown;
}

/** Anything publishable as an event: a CloudEvent (SDK class or plain object). */
export interface CloudEventInput<T = unknown> {
  readonly type: string;
  readonly source: string;
  readonly id?: string;
  readonly specversion?: string;
  readonly time?: string | Date;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: T;
  readonly data_base64?: string;
  readonly [extension: string]: unknown;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
// URI-references never contain whitespace or control characters (RFC 3986 §2).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_IN_URI = /[\s\u0000-\u001f\u007f]/;
const EXTENSION_NAME = /^[a-z0-9]+$/;

/** What a mesh needs to build events: its id source and default `source`. */
export interface EventFactory {
  readonly ids: EventIds;
  readonly source: string;
}

/** Builds an event for `publish(type, data, attrs)`; `type` is already validated. */
export function createEvent<T>(factory: EventFactory, type: string, data: T, attrs?: EventAttributes): MeshEvent<T> {
  if (attrs === undefined) {
    return new MeshEvent(factory.ids.next(), type, factory.source, data, Date.now());
  }
  if (typeof attrs !== 'object' || attrs === null) throw invalid('attributes must be an object', attrs);
  return build(factory, type, data, attrs, undefined);
}

/**
 * Accepts a CloudEvent given by the caller (SDK instance or plain object),
 * validates it and fills in id, time and specversion. Events built by a mesh are
 * returned as they are: they were valid when made.
 */
export function toMeshEvent<T = unknown>(factory: EventFactory, input: unknown): MeshEvent<T> {
  if (isMeshEvent(input)) return input as MeshEvent<T>;
  if (typeof input !== 'object' || input === null) throw invalid('an event must be an object', input);
  const ev = input as CloudEventInput<T>;
  const type = ev.type;
  if (type !== lastType) {
    const problem = topicProblem(type);
    if (problem !== undefined) {
      if (typeof type !== 'string') throw invalid('"type" is required and must be a string', type);
      throw new MeshError('ERR_MESH_INVALID_TOPIC', `Invalid event type ${JSON.stringify(type)}: ${problem}`, {
        details: { topic: type },
      });
    }
    lastType = type;
  }
  if (typeof ev.source !== 'string' || ev.source.length === 0) throw invalid('"source" is required and must be a non-empty string', ev.source);
  if (ev.specversion !== undefined && ev.specversion !== '1.0') throw invalid('"specversion" must be "1.0"', ev.specversion);
  let data = ev.data;
  if (data === undefined && ev.data_base64 !== undefined) {
    if (typeof ev.data_base64 !== 'string') throw invalid('"data_base64" must be a string', ev.data_base64);
    data = Buffer.from(ev.data_base64, 'base64') as T;
  }
  return build(factory, type, data as T, ev, ev.source);
}

// Pure memos of the last type and source found valid: events of a burst share them, and
// their checks (a pass over every character, a regular expression) cost more than the
// rest of the event. Validity depends on the string alone, so nothing is shared that a
// mesh could observe. `NONE` is no caller's value.
const NONE = Symbol('none');
let lastType: unknown = NONE;
let lastSource: string | undefined;
const hasOwn = Object.prototype.hasOwnProperty;

function build<T>(factory: EventFactory, type: string, data: T, attrs: EventAttributes, source: string | undefined): MeshEvent<T> {
  const id = optionalString(attrs.id, 'id') ?? factory.ids.next();
  if (id.length === 0) throw invalid('"id" must be a non-empty string', id);
  const src = source ?? optionalString(attrs.source, 'source') ?? factory.source;
  if (src !== lastSource) {
    if (src.length === 0 || NOT_IN_URI.test(src)) throw invalid('"source" must be a non-empty URI-reference', src);
    lastSource = src;
  }
  const time = timeOf(attrs.time);
  const event = new MeshEvent<T>(
    id, type, src, data, time === undefined ? Date.now() : Date.parse(time),
    optionalString(attrs.subject, 'subject'), optionalString(attrs.datacontenttype, 'datacontenttype'), optionalString(attrs.dataschema, 'dataschema'), time,
  );
  const target = event as unknown as Record<string, unknown>;
  // for-in with an own-property check visits what Object.keys lists, in its order,
  // without making the array (and the own-property check inside for-in is a map check).
  for (const key in attrs) {
    if (!hasOwn.call(attrs, key) || isCoreAttribute(key)) continue;
    const value = attrs[key];
    if (value === undefined) continue;
    target[key] = extensionValue(key, value);
  }
  return event;
}

// Takes the value, not the attributes and a name: a load by a name that varies is a
// megamorphic lookup at every call, where each named load above stays monomorphic.
function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw invalid(`"${name}" must be a string`, value);
}

function timeOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid('"time" is an invalid Date', value);
    return value.toISOString();
  }
  if (typeof value !== 'string' || !isRfc3339(value)) throw invalid('"time" must be an RFC 3339 timestamp', value);
  return value;
}

/** Checks the fields too: `Date.parse` silently rolls 2024-02-30 over to March 1. */
function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

/** Extension values must be CloudEvents types: string, boolean, integer, binary, timestamp. */
function extensionValue(name: string, value: unknown): unknown {
  if (!EXTENSION_NAME.test(name)) {
    throw invalid(`extension attribute name "${name}" must be lower-case letters and digits`, name);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2147483647) return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  throw invalid(`extension attribute "${name}" must be a string, boolean, 32-bit integer, binary or timestamp`, value);
}

function invalid(problem: string, value: unknown): MeshError {
  return new MeshError('ERR_MESH_INVALID_EVENT', `Invalid CloudEvent: ${problem}`, { details: { value } });
}
