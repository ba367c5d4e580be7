import { describe, expect, it } from 'vitest';
import { EventIds } from '../../src/event/event-ids.js';
import { eventJson } from '../../src/event/event-json.js';
import { createEvent } from '../../src/event/normalize.js';
import { PeerEvents } from '../../src/federation/peer-event.js';
import { expectThrowCode } from '../support/expect-code.js';

const factory = { ids: new EventIds(), source: '/test' };
const json = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const VALID = { specversion: '1.0', id: 'x-1', source: '/s', type: 'o.created', time: '2026-01-01T00:00:00.000Z', data: { n: 1 } };

describe('PeerEvents', () => {
  const reader = new PeerEvents();
  const peerEvent = (body: Buffer | undefined): ReturnType<PeerEvents['read']> => reader.read(body);

  it.each([
    ['a plain event', createEvent(factory, 'o.created', { n: 1, s: 'é' })],
    ['an event with every attribute and extensions', createEvent(factory, 'o.created', [1, 2], {
      subject: 'sub', datacontenttype: 'application/json', dataschema: 'https://x/s', time: '2026-01-02T03:04:05.678+01:00',
      traceparent: '00-abc', count: 7, flag: false,
    })],
    ['binary data', createEvent(factory, 'o.created', Buffer.from([0, 1, 2, 255]))],
    ['no data', createEvent(factory, 'o.created', undefined)],
    ['a reply', createEvent(factory, 'o.created.reply', 'ok', { inreplyto: 'abc-1' })],
  ])('reads back %s as sent', (_name, sent) => {
    const got = peerEvent(Buffer.from(eventJson(sent)));
    expect(JSON.stringify(got)).toBe(JSON.stringify(sent));
    expect(got.timeMs).toBe(sent.timeMs);
    if (sent.data instanceof Uint8Array) expect(Buffer.from(got.data as Uint8Array)).toEqual(Buffer.from(sent.data));
  });

  it('reads a stream of events sharing type and time, and still checks each one that differs', () => {
    const events = new PeerEvents();
    expect(events.read(json(VALID)).timeMs).toBe(Date.parse(VALID.time));
    expect(events.read(json({ ...VALID, id: 'x-2' })).id).toBe('x-2');
    expectThrowCode(() => events.read(json({ ...VALID, type: 'o.#' })), 'ERR_MESH_WIRE_BAD_BODY');
    expectThrowCode(() => events.read(json({ ...VALID, time: '2026-13-01' })), 'ERR_MESH_WIRE_BAD_BODY');
    const later = events.read(json({ ...VALID, time: '2026-01-01T00:00:01.000Z' }));
    expect(later.timeMs).toBe(Date.parse('2026-01-01T00:00:01.000Z'));
    expect(later.type).toBe(VALID.type);
  });

  it('leaves out null extensions and takes an event without time as made now', () => {
    const { time: _time, ...untimed } = VALID;
    const before = Date.now();
    const got = peerEvent(json({ ...untimed, gone: null }));
    expect(Object.keys(got)).not.toContain('gone');
    expect(got.timeMs).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['no body', undefined],
    ['a body that is not JSON', json('{"specversion":"1.0",')],
    ['a body that is not UTF-8 JSON at all', Buffer.from([0xff, 0xfe, 0x00])],
    ['an array', json([VALID])],
    ['a string', json('"event"')],
    ['null', json('null')],
    ['no id', json({ ...VALID, id: undefined })],
    ['an empty id', json({ ...VALID, id: '' })],
    ['a numeric id', json({ ...VALID, id: 7 })],
    ['a type with a wildcard', json({ ...VALID, type: 'o.*' })],
    ['no type', json({ ...VALID, type: undefined })],
    ['no source', json({ ...VALID, source: undefined })],
    ['another specversion', json({ ...VALID, specversion: '0.3' })],
    ['no specversion', json({ ...VALID, specversion: undefined })],
    ['a time that is no timestamp', json({ ...VALID, time: 'yesterday' })],
    ['a numeric time', json({ ...VALID, time: 1 })],
    ['a numeric data_base64', json({ ...VALID, data: undefined, data_base64: 5 })],
    ['a numeric subject', json({ ...VALID, subject: 5 })],
    ['an object datacontenttype', json({ ...VALID, datacontenttype: {} })],
    ['an extension with an upper-case name', json({ ...VALID, Bad: 'x' })],
    ['an object extension', json({ ...VALID, ext: { a: 1 } })],
    ['a __proto__ extension', json(`{"specversion":"1.0","id":"x","source":"/s","type":"o.x","__proto__":{"polluted":true}}`)],
  ])('refuses %s with ERR_MESH_WIRE_BAD_BODY', (_name, body) => {
    expectThrowCode(() => peerEvent(body), 'ERR_MESH_WIRE_BAD_BODY');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
