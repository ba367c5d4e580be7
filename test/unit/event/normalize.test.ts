import { CloudEvent } from 'cloudevents';
import { describe, expect, it, vi } from 'vitest';
import { EventIds } from '../../../src/event/event-ids.js';
import { MeshEvent } from '../../../src/event/mesh-event.js';
import { type EventAttributes, createEvent, toMeshEvent } from '../../../src/event/normalize.js';

const factory = { ids: new EventIds(), source: '/test' };
const INVALID_EVENT = expect.objectContaining({ code: 'ERR_MESH_INVALID_EVENT', name: 'MeshError' });
const INVALID_TOPIC = expect.objectContaining({ code: 'ERR_MESH_INVALID_TOPIC', name: 'MeshError' });
const ISO = '2024-05-01T10:30:15.123Z';

/** Lets a test hand createEvent attributes its type would refuse, as JavaScript callers can. */
const unchecked = (attrs: unknown): EventAttributes => attrs as EventAttributes;

describe('createEvent', () => {
  it('builds a MeshEvent with a fresh id, the factory source and the current time', () => {
    const before = Date.now();
    const ev = createEvent(factory, 'com.shop.order', { n: 1 });
    expect(ev).toBeInstanceOf(MeshEvent);
    expect(ev).toMatchObject({ specversion: '1.0', type: 'com.shop.order', source: '/test', data: { n: 1 } });
    expect(ev.id).toEqual(expect.any(String));
    expect(ev.id.length).toBeGreaterThan(0);
    expect(ev.timeMs).toBeGreaterThanOrEqual(before);
    expect(ev.timeMs).toBeLessThanOrEqual(Date.now());
    expect(ev.subject).toBeUndefined();
  });

  it('gives each event a different id', () => {
    expect(createEvent(factory, 'a', 1).id).not.toBe(createEvent(factory, 'a', 1).id);
  });

  it('takes id, source, subject, datacontenttype and dataschema from the attributes', () => {
    const ev = createEvent(factory, 'a.b', 'x', {
      id: 'my-id', source: '/custom', subject: 'sub', datacontenttype: 'text/plain', dataschema: 'https://x.test/s',
    });
    expect(ev).toMatchObject({
      id: 'my-id', source: '/custom', subject: 'sub', datacontenttype: 'text/plain', dataschema: 'https://x.test/s',
    });
  });

  it.each([
    ['an RFC 3339 string', ISO, ISO, Date.parse(ISO)],
    ['a string with an offset', '2024-05-01T12:30:15+02:00', '2024-05-01T12:30:15+02:00', Date.parse(ISO) - 123],
    ['a Date', new Date(ISO), ISO, Date.parse(ISO)],
  ])('takes time from %s', (_name, time, expected, ms) => {
    const ev = createEvent(factory, 'a', null, { time });
    expect(ev.time).toBe(expected);
    expect(ev.timeMs).toBe(ms);
  });

  it('keeps extension attributes, turning a Date extension into an RFC 3339 string', () => {
    const bin = new Uint8Array([1, 2]);
    const ev = createEvent(factory, 'a', null, { region: 'eu', n1: -5, flag: false, bin, at: new Date(ISO) });
    expect(ev).toMatchObject({ region: 'eu', n1: -5, flag: false, bin, at: ISO });
  });

  it('ignores attributes set to undefined', () => {
    const ev = createEvent(factory, 'a', null, { subject: undefined, region: undefined });
    expect(ev.subject).toBeUndefined();
    expect(Object.keys(ev)).not.toContain('region');
  });

  it.each([
    ['a non-string subject', { subject: 42 }],
    ['a non-string id', { id: 7 }],
    ['an empty id', { id: '' }],
    ['an empty source', { source: '' }],
    ['a source with whitespace (not a URI-reference)', { source: 'not a uri ::' }],
    ['a non-string source', { source: new URL('https://x.test') }],
    ['a non-string datacontenttype', { datacontenttype: {} }],
    ['a time that is not RFC 3339', { time: '2024-05-01' }],
    ['a time in another format', { time: 'May 1, 2024 10:30:15' }],
    ['a time with out-of-range fields', { time: '2024-13-45T99:00:00Z' }],
    ['a time on a calendar day that does not exist', { time: '2024-02-30T10:00:00Z' }],
    ['a numeric time', { time: 1714559415123 }],
    ['an invalid Date', { time: new Date('nope') }],
    ['an extension name with upper case', { traceParent: 'x' }],
    ['an extension name with a dash', { 'trace-parent': 'x' }],
    ['an extension name with an underscore', { trace_parent: 'x' }],
    ['an object extension value', { meta: { a: 1 } }],
    ['an array extension value', { tags: ['a'] }],
    ['a null extension value', { region: null }],
    ['a fractional number extension', { ratio: 0.5 }],
    ['a number extension beyond 32 bits', { big: 2 ** 31 }],
    ['a function extension value', { fn: () => 1 }],
  ])('rejects %s', (_name, attrs) => {
    expect(() => createEvent(factory, 'a', null, unchecked(attrs))).toThrow(INVALID_EVENT);
  });

  it('rejects attributes that are not an object', () => {
    expect(() => createEvent(factory, 'a', null, unchecked('x'))).toThrow(INVALID_EVENT);
  });
});

describe('toMeshEvent', () => {
  it('accepts an SDK CloudEvent, keeping its attributes, data and extensions', () => {
    const sdk = new CloudEvent({
      id: 'sdk-1', source: '/sdk', type: 'com.shop.order', time: ISO, subject: 's', data: { total: 9 }, region: 'eu', priority: 3,
    });
    const ev = toMeshEvent(factory, sdk);
    expect(ev).toBeInstanceOf(MeshEvent);
    expect(ev).toMatchObject({ id: 'sdk-1', source: '/sdk', type: 'com.shop.order', time: ISO, subject: 's', data: { total: 9 } });
    expect(ev['region']).toBe('eu');
    expect(ev['priority']).toBe(3);
    expect(Object.keys(ev)).not.toContain('schemaurl');
  });

  it('accepts a plain object and fills in id and time when missing', () => {
    const before = Date.now();
    const ev = toMeshEvent(factory, { type: 'a.b', source: '/plain', data: [1, 2] });
    expect(ev).toMatchObject({ type: 'a.b', source: '/plain', data: [1, 2], specversion: '1.0' });
    expect(ev.id.length).toBeGreaterThan(0);
    expect(ev.timeMs).toBeGreaterThanOrEqual(before);
    expect(ev.time).toBe(new Date(ev.timeMs).toISOString());
  });

  it('keeps the id and time of a plain object', () => {
    const ev = toMeshEvent(factory, { id: 'x1', time: ISO, type: 'a', source: '/s', specversion: '1.0' });
    expect(ev).toMatchObject({ id: 'x1', time: ISO });
  });

  it('returns an event built by a mesh unchanged', () => {
    const ev = createEvent(factory, 'a.b', 1, { region: 'eu' });
    expect(toMeshEvent(factory, ev)).toBe(ev);
  });

  it('decodes data_base64 into bytes', () => {
    const ev = toMeshEvent(factory, { type: 'a', source: '/s', data_base64: Buffer.from('héllo').toString('base64') });
    expect(Buffer.isBuffer(ev.data)).toBe(true);
    expect((ev.data as Buffer).toString()).toBe('héllo');
    expect(Object.keys(ev)).not.toContain('data_base64');
  });

  it('keeps the binary data of an SDK CloudEvent', () => {
    const bytes = Buffer.from([9, 8, 7]);
    const ev = toMeshEvent(factory, new CloudEvent({ type: 'a', source: '/s', data: bytes }));
    expect(Buffer.from(ev.data as Uint8Array)).toEqual(bytes);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'a.b'],
    ['a number', 1],
  ])('rejects %s', (_name, input) => {
    expect(() => toMeshEvent(factory, input)).toThrow(INVALID_EVENT);
  });

  it.each([
    ['a missing type', { source: '/s' }],
    ['a numeric type', { type: 1, source: '/s' }],
    ['a missing source', { type: 'a' }],
    ['an empty source', { type: 'a', source: '' }],
    ['a non-string source', { type: 'a', source: 5 }],
    ['specversion 0.3', { type: 'a', source: '/s', specversion: '0.3' }],
    ['a bad time', { type: 'a', source: '/s', time: 'yesterday' }],
    ['an empty id', { type: 'a', source: '/s', id: '' }],
    ['a non-string data_base64', { type: 'a', source: '/s', data_base64: 12 }],
    ['an invalid extension name', { type: 'a', source: '/s', Region: 'eu' }],
    ['an object extension value', { type: 'a', source: '/s', meta: { x: 1 } }],
  ])('rejects an event with %s as invalid', (_name, input) => {
    expect(() => toMeshEvent(factory, input)).toThrow(INVALID_EVENT);
  });

  it.each([
    ['an empty type', ''],
    ['a wildcard type', 'com.shop.#'],
    ['a type with an empty level', 'com..shop'],
    ['a type with whitespace', 'com.shop order'],
  ])('rejects %s as an invalid topic', (_name, type) => {
    expect(() => toMeshEvent(factory, { type, source: '/s' })).toThrow(INVALID_TOPIC);
  });

  it('checks the type of the first event it sees, even a missing one', async () => {
    vi.resetModules();
    const fresh = await import('../../../src/event/normalize.js');
    expect(() => fresh.toMeshEvent(factory, { source: '/s' })).toThrow(INVALID_EVENT);
  });

  it('checks every event in full after valid ones with the same type and source', () => {
    const good = { type: 'a.b', source: '/s' };
    toMeshEvent(factory, good);
    // Each bad one twice in a row: the first must not make the second look checked.
    for (const [bad, code] of [[{ type: 'a.b.#', source: '/s' }, INVALID_TOPIC], [{ type: 'a.b', source: '/s x' }, INVALID_EVENT]] as const) {
      expect(() => toMeshEvent(factory, bad)).toThrow(code);
      expect(() => toMeshEvent(factory, bad)).toThrow(code);
    }
    expect(toMeshEvent(factory, good)).toMatchObject(good);
  });
});

describe('attributes and extensions', () => {
  it('takes extensions from own properties only, as Object.keys lists them', () => {
    const attrs = Object.create({ inherited: 'x' }, { region: { value: 'eu', enumerable: true } }) as EventAttributes;
    const ev = createEvent(factory, 'a', null, attrs);
    expect(Object.keys(ev)).toEqual(['id', 'type', 'source', 'data', 'subject', 'datacontenttype', 'dataschema', 'region']);
  });

  it('adds extensions in the order they were given, after the core attributes', () => {
    const ev = toMeshEvent(factory, { zone: 'z', type: 'a', tenant: 't', source: '/s', subject: 's', priority: 1 });
    expect(Object.keys(ev)).toEqual(['id', 'type', 'source', 'data', 'subject', 'datacontenttype', 'dataschema', 'zone', 'tenant', 'priority']);
  });
});

