import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/filter/dialects.js';
import { MeshEvent } from '../../../src/event/mesh-event.js';
import { kernelOf } from '../../../src/mesh/mesh.js';
import { inboundEvent, pushBody } from '../../../src/federation/stock/stock-frames.js';
import { VECTORS } from '../../wire/vectors.js';
import { topicFilter } from '../../../src/federation/stock/topic-filter.js';
import { expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

describe('a stock subscription topic as a filter on type or subject (PROTOCOL §8.2)', () => {
  const cases: [topic: string, matches: (string | undefined)[], misses: (string | undefined)[]][] = [
    ['TEST-TOPIC-TCP-ASYNC', ['TEST-TOPIC-TCP-ASYNC'], ['TEST-TOPIC', 'TEST-TOPIC-TCP-ASYNC.x', undefined]],
    ['shop.#', ['shop', 'shop.order', 'shop.order.created'], ['shopping', 'sho', 'x.shop', undefined]],
  ];
  for (const [topic, matches, misses] of cases) {
    it(`"${topic}" matches the types and subjects it should and no others`, () => {
      const accepts = compileFilter(topicFilter(topic));
      for (const value of matches) {
        expect(accepts({ type: 'elsewhere', subject: value }), `subject ${String(value)}`).toBe(true);
        expect(accepts({ type: value }), `type ${String(value)}`).toBe(true);
      }
      for (const value of misses) expect(accepts({ type: value ?? 'elsewhere', subject: value }), String(value)).toBe(false);
    });
  }

  it('"#" matches every event: no filter at all', () => {
    expect(topicFilter('#')).toBeUndefined();
  });

  it('refuses wildcards it cannot express, and invalid patterns', () => {
    for (const topic of ['a.*', '*', 'a.#.b', '#.a', 'a..b', '']) expectThrowCode(() => topicFilter(topic), 'ERR_MESH_INVALID_PATTERN');
  });
});

describe('the body of a push to a stock client (PROTOCOL §8.3)', () => {
  const event = (data: unknown, datacontenttype?: string): MeshEvent => new MeshEvent('id-1', 'com.x', '/src', data, 0, 'orders.created', datacontenttype);
  const pushed = (e: MeshEvent): Record<string, unknown> => JSON.parse(pushBody(e).toString('utf8')) as Record<string, unknown>;

  it('says application/cloudevents+json where the event has no content type, as a Java runtime push does (PROTOCOL §11.7)', () => {
    expect(pushed(event({ a: 1 }))).toMatchObject({ datacontenttype: 'application/cloudevents+json', subject: 'orders.created', data: { a: 1 } });
    expect(pushed(event(undefined))).toMatchObject({ datacontenttype: 'application/cloudevents+json' });
  });

  it('keeps a content type the event has, and gives binary data none', () => {
    expect(pushed(event('hi', 'text/plain'))).toMatchObject({ datacontenttype: 'text/plain', data: 'hi' });
    const binary = pushed(event(Buffer.from([1, 2, 3])));
    expect(binary).toMatchObject({ data_base64: 'AQID' });
    expect(binary).not.toHaveProperty('datacontenttype');
  });
});

describe('the push of an event published as an EventMeshMessage (PROTOCOL §8.3, §11.7)', () => {
  const createMesh = closedAfterEach();
  const vector = (name: string) => VECTORS.find((v) => v.name === name)!.frame;
  const published = vector('ASYNC_MESSAGE_TO_SERVER carrying an EventMeshMessage');
  const pushed = vector('server ASYNC_MESSAGE_TO_CLIENT push of an EventMeshMessage');

  it('is the EventMeshMessage a Java runtime pushes for it, byte for byte', () => {
    const event = kernelOf(createMesh()).toEvent(inboundEvent(published));
    expect(pushBody(event).toString('utf8')).toBe(Buffer.from(pushed.body!).toString('utf8'));
  });

  it('carries data as text and extensions as strings, and falls back on the type for a topic', () => {
    const event = new MeshEvent('id-1', 'com.x', '/src', { a: 1 }, 0, undefined, undefined);
    Object.assign(event, { protocoltype: 'eventmeshmessage', count: 3 });
    expect(JSON.parse(pushBody(event).toString('utf8'))).toEqual({
      topic: 'com.x', properties: { protocoltype: 'eventmeshmessage', count: '3', protocolversion: '1.0', protocoldesc: 'tcp' }, body: '{"a":1}',
    });
    const binary = new MeshEvent('id-2', 'com.x', '/src', Buffer.from('bytes'), 0, 'topic.t', 'application/octet-stream');
    Object.assign(binary, { protocoltype: 'eventmeshmessage' });
    expect(JSON.parse(pushBody(binary).toString('utf8'))).toMatchObject({ topic: 'topic.t', headers: { datacontenttype: 'application/octet-stream' }, body: 'bytes' });
  });
});
