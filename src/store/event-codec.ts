import { MeshError } from '../errors.js';
import { eventJson } from '../event/event-json.js';
import { CORE_ATTRIBUTES, MeshEvent } from '../event/mesh-event.js';
import { topicProblem } from '../topic/topic.js';

const EXTENSION_NAME = /^[a-z0-9]+$/;

/**
 * The one form adapters store an event in: CloudEvents structured-mode JSON
 * (binary data as `data_base64`), so any tool reading the engine sees plain
 * CloudEvents. Written by the exact writer the federation uses (the bytes of
 * `JSON.stringify(event)`, without `toJSON`'s intermediate object).
 */
export function encodeStoredEvent(event: MeshEvent): string {
  return eventJson(event);
}

// Rows of one stream mostly share their type and, within a millisecond, their time:
// the last of each checked is remembered. A pure memo, nothing a caller can observe.
let lastType: unknown;
let lastTime: unknown;
let lastMs = 0;

/**
 * Reads back what `encodeStoredEvent` wrote. Every stored event was a valid MeshEvent
 * when it was appended, so it is not validated again in full (the RFC 3339 check of
 * `time` alone cost about as much as the JSON parse): only the shape an event must have
 * to be handled safely is checked, the type against the topic grammar. Anything else
 * (a corrupt row, something another tool wrote) throws `ERR_MESH_INVALID_EVENT` or
 * `ERR_MESH_INVALID_TOPIC`, which the adapter reports and skips.
 */
export function decodeStoredEvent(text: string | Buffer): MeshEvent {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (err) {
    throw new MeshError('ERR_MESH_INVALID_EVENT', 'Stored event is not JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('it is not a JSON object');
  const o = value as Record<string, unknown>;
  const { id, type, source, time } = o;
  if (typeof id !== 'string' || id.length === 0) throw bad('"id" is missing');
  if (type !== lastType) {
    const problem = topicProblem(type);
    if (problem !== undefined) {
      throw new MeshError('ERR_MESH_INVALID_TOPIC', `Stored event type ${JSON.stringify(type)}: ${problem}`, { details: { topic: type } });
    }
    lastType = type;
  }
  if (typeof source !== 'string' || source.length === 0) throw bad('"source" is missing');
  if (o['specversion'] !== undefined && o['specversion'] !== '1.0') throw bad('"specversion" is not "1.0"');
  let data = o['data'];
  if (data === undefined && o['data_base64'] !== undefined) {
    if (typeof o['data_base64'] !== 'string') throw bad('"data_base64" is not a string');
    data = Buffer.from(o['data_base64'], 'base64');
  }
  const event = new MeshEvent(
    id, type as string, source, data, time === undefined ? Date.now() : timeMs(time),
    attr(o, 'subject'), attr(o, 'datacontenttype'), attr(o, 'dataschema'), time as string | undefined,
  );
  const target = event as unknown as Record<string, unknown>;
  for (const key in o) {
    if (CORE_ATTRIBUTES.has(key)) continue;
    const ext = o[key];
    if (ext === null) continue; // JSON format: null is an absent attribute
    if (!EXTENSION_NAME.test(key) || (typeof ext !== 'string' && typeof ext !== 'number' && typeof ext !== 'boolean')) {
      throw bad(`extension attribute "${key}" is malformed`);
    }
    target[key] = ext;
  }
  return event;
}

function timeMs(time: unknown): number {
  if (time === lastTime) return lastMs;
  const ms = typeof time === 'string' ? Date.parse(time) : NaN;
  if (Number.isNaN(ms)) throw bad('"time" is not a timestamp');
  lastTime = time;
  lastMs = ms;
  return ms;
}

function attr(o: Record<string, unknown>, key: string): string | undefined {
  const value = o[key];
  if (value === undefined || typeof value === 'string') return value;
  throw bad(`"${key}" is not a string`);
}

function bad(problem: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_EVENT', `Stored event is malformed: ${problem}`);
}
