import type { MeshError } from '../errors.js';
import { topicProblem } from '../topic/topic.js';
import { MeshEvent, isCoreAttribute } from './mesh-event.js';

const EXTENSION_NAME = /^[a-z0-9]+$/;

/** How a reader names what is wrong: each caller has its own error code for it. */
export interface EventReaderErrors {
  /** Not JSON, not an object, a missing or mistyped attribute. */
  malformed(problem: string, cause?: unknown): MeshError;
  /** The type breaks the topic grammar. */
  badTopic(type: unknown, problem: string): MeshError;
}

/**
 * Reads CloudEvents JSON that a mesh wrote itself: events from peers (PROTOCOL §5.2)
 * and events a store kept. Each was a valid MeshEvent when it was published, so it
 * is not validated again in full (the RFC 3339 check of `time` alone cost about as
 * much as the JSON parse); only the shape an event must have to be handled safely is
 * checked, the type against the topic grammar. Events of one stream mostly share
 * their type and, within a millisecond, their time: the last of each is remembered.
 */
export class EventReader {
  private lastType: unknown;
  private lastTime: unknown;
  private lastMs = 0;

  /** `specversion: true` when the attribute must be present (peers always send it). */
  constructor(private readonly errors: EventReaderErrors, private readonly specversionRequired: boolean) {}

  read(json: string): MeshEvent {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw this.errors.malformed('it is not JSON', err);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.errors.malformed('it is not a JSON object');
    const o = value as Record<string, unknown>;
    const { id, type, source, time } = o;
    if (typeof id !== 'string' || id.length === 0) throw this.errors.malformed('"id" is missing');
    if (type !== this.lastType) {
      const problem = topicProblem(type);
      if (problem !== undefined) throw this.errors.badTopic(type, problem);
      this.lastType = type;
    }
    if (typeof source !== 'string' || source.length === 0) throw this.errors.malformed('"source" is missing');
    const specversion = o['specversion'];
    if (specversion !== '1.0' && (this.specversionRequired || specversion !== undefined)) throw this.errors.malformed('"specversion" is not "1.0"');
    let data = o['data'];
    if (data === undefined && o['data_base64'] !== undefined) {
      if (typeof o['data_base64'] !== 'string') throw this.errors.malformed('"data_base64" is not a string');
      data = Buffer.from(o['data_base64'], 'base64');
    }
    const event = new MeshEvent(
      id, type as string, source, data, time === undefined ? Date.now() : this.timeMs(time),
      this.text(o, 'subject'), this.text(o, 'datacontenttype'), this.text(o, 'dataschema'), time as string | undefined,
    );
    const target = event as unknown as Record<string, unknown>;
    for (const key in o) {
      if (isCoreAttribute(key)) continue;
      const ext = o[key];
      if (ext === null) continue; // JSON format: null is an absent attribute
      // CloudEvents JSON format: extensions are JSON strings, numbers or booleans.
      if (!EXTENSION_NAME.test(key) || (typeof ext !== 'string' && typeof ext !== 'number' && typeof ext !== 'boolean')) {
        throw this.errors.malformed(`extension attribute "${key}" is malformed`);
      }
      target[key] = ext;
    }
    return event;
  }

  private timeMs(time: unknown): number {
    if (time === this.lastTime) return this.lastMs;
    const ms = typeof time === 'string' ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) throw this.errors.malformed('"time" is not a timestamp');
    this.lastTime = time;
    this.lastMs = ms;
    return ms;
  }

  private text(o: Record<string, unknown>, key: string): string | undefined {
    const value = o[key];
    if (value === undefined || typeof value === 'string') return value;
    throw this.errors.malformed(`"${key}" is not a string`);
  }
}
