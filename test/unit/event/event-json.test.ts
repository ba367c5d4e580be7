import { describe, expect, it } from 'vitest';
import { EventIds } from '../../../src/event/event-ids.js';
import { eventJson } from '../../../src/event/event-json.js';
import { MeshEvent } from '../../../src/event/mesh-event.js';
import { createEvent, toMeshEvent } from '../../../src/event/normalize.js';

const factory = { ids: new EventIds(), source: '/test' };

describe('eventJson', () => {
  it.each([
    ['a minimal event', createEvent(factory, 'o.created', { n: 1 })],
    ['no data', createEvent(factory, 'o.created', undefined)],
    ['null data', createEvent(factory, 'o.created', null)],
    ['string data with quotes, unicode and control characters', createEvent(factory, 'o.created', 'a "b" \\ é ✓ \n\u0001 \ud83d\ude00')],
    ['binary data (data_base64)', createEvent(factory, 'o.created', Buffer.from([0, 1, 2, 250]))],
    ['a Uint8Array view into a larger buffer', createEvent(factory, 'o.created', new Uint8Array(Buffer.from('xxhello').buffer, 2, 5))],
    ['data without a JSON form', createEvent(factory, 'o.created', () => 1)],
    ['all optional attributes and extensions', createEvent(factory, 'o.created', [1, { a: 'b' }], {
      id: 'id "quoted"', source: '/src/ü', time: '2026-01-02T03:04:05.678+01:00', subject: 'sub', datacontenttype: 'application/json',
      dataschema: 'https://example.com/s', traceparent: '00-abc', count: 7, flag: false, bin: Buffer.from([1, 2]), when: new Date(0),
    })],
    ['an event read from a plain CloudEvent', toMeshEvent(factory, { type: 'o.x', source: '/p', id: '1', specversion: '1.0', data_base64: 'AAEC', ext: 'v' })],
    ['a reply (inreplyto extension)', createEvent(factory, 'o.created.reply', 42, { inreplyto: 'abc-1' })],
    ['a hand-built MeshEvent', new MeshEvent('i', 't.x', '/s', { deep: { er: [null, true] } }, 1_700_000_000_123)],
  ])('writes %s byte for byte as JSON.stringify does', (_name, event) => {
    expect(eventJson(event)).toBe(JSON.stringify(event));
    expect(JSON.parse(eventJson(event))).toEqual(JSON.parse(JSON.stringify(event.toJSON())));
  });

  it('formats each event time of its own millisecond, also when events alternate between two', () => {
    const a = new MeshEvent('a', 't.x', '/s', 1, Date.UTC(2026, 0, 1));
    const b = new MeshEvent('b', 't.x', '/s', 1, Date.UTC(2026, 0, 1, 0, 0, 0, 1));
    const c = new MeshEvent('c', 't.x', '/s', 1, Date.UTC(2026, 0, 1));
    expect([a.time, b.time, c.time]).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-01-01T00:00:00.000Z']);
  });

  it('throws as JSON.stringify does for data it cannot serialize', () => {
    const event = createEvent(factory, 'o.created', { big: 1n });
    expect(() => eventJson(event)).toThrow(TypeError);
  });
});
