import { MeshError } from '../errors.js';
import { CORE_ATTRIBUTES, MeshEvent } from '../event/mesh-event.js';
import { topicProblem } from '../topic/topic.js';

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';
const EXTENSION_NAME = /^[a-z0-9]+$/;

/**
 * Reads the CloudEvents peers send (PROTOCOL §5.2, §6.3). The origin validated each
 * event when it was published, so it is not validated again (the RFC 3339 check of
 * `time` alone cost more than the rest of building the event); only the shape an event
 * must have to be handled safely here is checked. Anything else is
 * `ERR_MESH_WIRE_BAD_BODY`, which costs the sender its link (PROTOCOL §1.3).
 * Events of a stream mostly share their type and (within a millisecond) their time,
 * so the last type checked and the last time parsed are remembered.
 */
export class PeerEvents {
  private lastType: string | undefined;
  private lastTime: string | undefined;
  private lastMs = 0;

  read(body: Buffer | undefined): MeshEvent {
    if (body === undefined) throw bad('the event has no body');
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new MeshError(BAD_BODY, 'the event body is not JSON', { cause: err });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('the event is not a JSON object');
    const o = value as Record<string, unknown>;
    const { id, type, source, time } = o;
    if (typeof id !== 'string' || id.length === 0) throw bad('the event has no id');
    if (type !== this.lastType) {
      if (topicProblem(type) !== undefined) throw bad('the event type is not a topic');
      this.lastType = type as string;
    }
    if (typeof source !== 'string' || source.length === 0) throw bad('the event has no source');
    if (o['specversion'] !== '1.0') throw bad('the event is not CloudEvents 1.0');
    const ms = time === undefined ? Date.now() : this.timeMs(time);
    let data = o['data'];
    if (data === undefined && o['data_base64'] !== undefined) {
      if (typeof o['data_base64'] !== 'string') throw bad('the event data_base64 is not a string');
      data = Buffer.from(o['data_base64'], 'base64');
    }
    const event = new MeshEvent(
      id, type as string, source, data, ms,
      text(o, 'subject'), text(o, 'datacontenttype'), text(o, 'dataschema'), time as string | undefined,
    );
    const target = event as unknown as Record<string, unknown>;
    for (const key in o) {
      if (CORE_ATTRIBUTES.has(key)) continue;
      const ext = o[key];
      if (ext === null) continue; // JSON format: null is an absent attribute
      // CloudEvents JSON format: extensions are JSON strings, numbers or booleans.
      if (!EXTENSION_NAME.test(key) || (typeof ext !== 'string' && typeof ext !== 'number' && typeof ext !== 'boolean')) {
        throw bad('the event has a malformed extension attribute');
      }
      target[key] = ext;
    }
    return event;
  }

  private timeMs(time: unknown): number {
    if (time === this.lastTime) return this.lastMs;
    const ms = typeof time === 'string' ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) throw bad('the event time is not a timestamp');
    this.lastTime = time as string;
    this.lastMs = ms;
    return ms;
  }
}

function text(o: Record<string, unknown>, key: string): string | undefined {
  const value = o[key];
  if (value === undefined || typeof value === 'string') return value;
  throw bad(`the event ${key} is not a string`);
}

function bad(problem: string): MeshError {
  return new MeshError(BAD_BODY, problem);
}
