import { CloudEvent } from 'cloudevents';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventIds } from '../../../src/event/event-ids.js';
import { CORE_ATTRIBUTES, MeshEvent, extensionsOf, isCoreAttribute } from '../../../src/event/mesh-event.js';
import { createEvent } from '../../../src/event/normalize.js';

const factory = { ids: new EventIds(), source: '/test' };
const MS = Date.UTC(2024, 4, 1, 10, 30, 15, 123);
const ISO = '2024-05-01T10:30:15.123Z';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MeshEvent', () => {
  it('is a CloudEvent 1.0 with the attributes it was built with', () => {
    const ev = new MeshEvent('id-1', 'com.shop.order', '/shop', { n: 1 }, MS, 'sub', 'application/json', 'https://x.test/s');
    expect(ev).toMatchObject({
      specversion: '1.0', id: 'id-1', type: 'com.shop.order', source: '/shop', data: { n: 1 },
      subject: 'sub', datacontenttype: 'application/json', dataschema: 'https://x.test/s',
    });
  });

  it('formats `time` as RFC 3339 UTC from the epoch milliseconds', () => {
    const ev = new MeshEvent('id', 'a', '/s', null, MS);
    expect(ev.time).toBe(ISO);
    expect(ev.timeMs).toBe(MS);
  });

  it('formats `time` only when first read, and only once', () => {
    const ms = MS + 777; // a millisecond no other test formatted
    const iso = new Date(ms).toISOString();
    const spy = vi.spyOn(Date.prototype, 'toISOString');
    const ev = new MeshEvent('id', 'a', '/s', null, ms);
    expect(spy).not.toHaveBeenCalled();
    expect(ev.time).toBe(iso);
    expect(ev.time).toBe(iso);
    expect(spy).toHaveBeenCalledTimes(1);
    // Another event of the same millisecond reuses that formatting.
    expect(new MeshEvent('id2', 'a', '/s', null, ms).time).toBe(iso);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('keeps a given `time` string as it was given', () => {
    const ev = new MeshEvent('id', 'a', '/s', null, Date.parse('2024-05-01T12:30:15+02:00'), undefined, undefined, undefined, '2024-05-01T12:30:15+02:00');
    expect(ev.time).toBe('2024-05-01T12:30:15+02:00');
    expect(ev.timeMs).toBe(Date.parse('2024-05-01T10:30:15Z'));
  });

  it('does not expose timeMs or private state in its JSON form', () => {
    const json = roundTrip(new MeshEvent('id', 'a', '/s', 1, MS));
    expect(json).toEqual({ specversion: '1.0', id: 'id', source: '/s', type: 'a', time: ISO, data: 1 });
  });

  it('omits data from JSON when there is none', () => {
    const json = roundTrip(new MeshEvent('id', 'a', '/s', undefined, MS));
    expect(json).not.toHaveProperty('data');
  });

  it('serialises with toString exactly as JSON.stringify does', () => {
    const ev = createEvent(factory, 'a.b', { x: 1 }, { region: 'eu' });
    expect(ev.toString()).toBe(JSON.stringify(ev));
    expect(roundTrip(ev)).toMatchObject({ region: 'eu', data: { x: 1 } });
  });
});

describe('MeshEvent JSON form compared with the cloudevents SDK', () => {
  const base = { id: 'evt-1', source: '/shop/orders', type: 'com.shop.order.created', time: ISO };

  it.each([
    ['object data', { data: { orderId: 42, items: ['a', 'b'] } }],
    ['string data', { data: 'hello' }],
    ['numeric data', { data: 0 }],
    ['null data', { data: null }],
    ['no data', {}],
    ['subject, datacontenttype and dataschema', {
      data: { ok: true }, subject: 'order-42', datacontenttype: 'application/json', dataschema: 'https://example.com/order.json',
    }],
    ['extensions of every scalar kind', { data: 1, region: 'eu', priority: 7, urgent: false, traceparent: '00-abc-def-01' }],
  ])('matches the SDK for %s', (_name, attrs) => {
    const { data, ...rest } = attrs as { data?: unknown; [key: string]: unknown };
    const ev = createEvent(factory, base.type, data, { ...rest, id: base.id, source: base.source, time: base.time });
    const sdk = new CloudEvent<unknown>({ ...base, ...attrs });
    expect(roundTrip(ev)).toEqual(roundTrip(sdk.toJSON()));
  });

  it('matches the SDK for an event whose time was filled in by the mesh', () => {
    const ev = createEvent(factory, 'a.b', { v: 1 });
    const sdk = new CloudEvent<unknown>({ id: ev.id, source: ev.source, type: ev.type, time: ev.time, data: { v: 1 } });
    expect(roundTrip(ev)).toEqual(roundTrip(sdk.toJSON()));
  });

  it('writes binary data as data_base64, as the SDK does', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const ev = createEvent(factory, base.type, bytes, { id: base.id, source: base.source, time: base.time });
    const sdk = new CloudEvent<unknown>({ ...base, data: bytes });
    const json = roundTrip(ev);
    expect(json).toEqual(roundTrip(sdk.toJSON()));
    expect(json).toMatchObject({ data_base64: bytes.toString('base64') });
  });
});

describe('MeshEvent extensions', () => {
  it('holds extension attributes as own enumerable properties', () => {
    const ev = createEvent(factory, 'a.b', null, { region: 'eu', priority: 2 });
    expect(Object.hasOwn(ev, 'region')).toBe(true);
    expect(Object.keys(ev)).toEqual(expect.arrayContaining(['region', 'priority']));
    expect(ev['region']).toBe('eu');
    expect(ev['priority']).toBe(2);
  });

  it('lists only extensions, not core attributes, in extensionsOf', () => {
    const ev = createEvent(factory, 'a.b', { d: 1 }, { subject: 's', datacontenttype: 'text/plain', region: 'eu', urgent: true });
    expect(extensionsOf(ev)).toEqual({ region: 'eu', urgent: true });
  });

  it('has no extensions when none were given', () => {
    expect(extensionsOf(new MeshEvent('id', 'a', '/s', 1, MS))).toEqual({});
  });
});

describe('isCoreAttribute', () => {
  it('names exactly the core attributes', () => {
    for (const name of CORE_ATTRIBUTES) expect(isCoreAttribute(name)).toBe(true);
    for (const name of ['region', 'Type', 'ID', 'ids', 'datas', 'data-base64', '', 'traceparent']) expect(isCoreAttribute(name)).toBe(false);
  });
});
