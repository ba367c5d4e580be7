import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { EventIds } from '../../../src/event/event-ids.js';
import { MeshEvent } from '../../../src/event/mesh-event.js';
import { createEvent, toMeshEvent } from '../../../src/event/normalize.js';
import { toCloudEvent } from '../../../src/event/to-cloud-event.js';

const factory = { ids: new EventIds(), source: '/test' };
const ISO = '2024-05-01T10:30:15.123Z';

describe('toCloudEvent', () => {
  it('returns a valid SDK CloudEvent with the same core attributes', () => {
    const ev = createEvent(factory, 'com.shop.order.created', { orderId: 1 }, {
      id: 'e1', time: ISO, subject: 'order-1', datacontenttype: 'application/json', dataschema: 'https://example.com/o.json',
    });
    const sdk = toCloudEvent(ev);
    expect(sdk).toBeInstanceOf(CloudEvent);
    expect(sdk.validate()).toBe(true);
    expect(sdk).toMatchObject({
      specversion: '1.0', id: 'e1', source: '/test', type: 'com.shop.order.created', time: ISO,
      subject: 'order-1', datacontenttype: 'application/json', dataschema: 'https://example.com/o.json', data: { orderId: 1 },
    });
  });

  it('carries extension attributes over to the SDK event', () => {
    const sdk = toCloudEvent(createEvent(factory, 'a.b', null, { region: 'eu', priority: 5, urgent: true }));
    expect(sdk.validate()).toBe(true);
    expect(sdk['region']).toBe('eu');
    expect(sdk['priority']).toBe(5);
    expect(sdk['urgent']).toBe(true);
  });

  it('converts an event with a mesh-assigned id and time and no data', () => {
    const ev = createEvent(factory, 'a', undefined);
    const sdk = toCloudEvent(ev);
    expect(sdk.validate()).toBe(true);
    expect(sdk.id).toBe(ev.id);
    expect(sdk.time).toBe(ev.time);
    expect(sdk.data).toBeUndefined();
  });

  it('hands binary data to the SDK, which encodes it as data_base64', () => {
    const bytes = Buffer.from([1, 2, 3, 254]);
    const sdk = toCloudEvent(createEvent(factory, 'a', bytes));
    expect(sdk.validate()).toBe(true);
    expect(JSON.parse(JSON.stringify(sdk))).toMatchObject({ data_base64: bytes.toString('base64') });
  });

  it('round-trips through toMeshEvent with attributes, data and extensions intact', () => {
    const original = createEvent(factory, 'com.shop.x', { a: [1, 2] }, { id: 'r1', time: ISO, subject: 's', region: 'eu' });
    const back = toMeshEvent(factory, toCloudEvent(original));
    expect(back).toBeInstanceOf(MeshEvent);
    expect(back).not.toBe(original);
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(original)));
  });

  it('produces the same JSON as the mesh event', () => {
    const ev = createEvent(factory, 'a.b', { k: 'v' }, { time: ISO, traceparent: '00-1-2-01' });
    expect(JSON.parse(JSON.stringify(toCloudEvent(ev)))).toEqual(JSON.parse(JSON.stringify(ev)));
  });
});
