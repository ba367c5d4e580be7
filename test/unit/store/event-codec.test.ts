import { describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { decodeStoredEvent, encodeStoredEvent } from '../../../src/internal.js';

describe('stored event codec', () => {
  it('round-trips an event as structured-mode JSON, binary data as data_base64, extensions kept', async () => {
    const mesh = createMesh({ source: '/codec' });
    const event = await mesh.publish('com.x.bin', new Uint8Array([0, 1, 254]), { subject: 's', traceparent: 't-1' });
    await mesh.close();
    const text = encodeStoredEvent(event);
    expect(JSON.parse(text)).toMatchObject({ specversion: '1.0', id: event.id, type: 'com.x.bin', data_base64: 'AAH+', traceparent: 't-1' });
    const back = decodeStoredEvent(Buffer.from(text));
    expect([back.id, back.type, back.source, back.subject, back.time, back['traceparent']])
      .toEqual([event.id, event.type, '/codec', 's', event.time, 't-1']);
    expect(Buffer.from(back.data as Uint8Array)).toEqual(Buffer.from([0, 1, 254]));
  });

  it('validates what it reads: a stored event with a wildcard type is ERR_MESH_INVALID_TOPIC', () => {
    const text = JSON.stringify({ specversion: '1.0', id: '1', source: '/x', type: 'a.*' });
    expect(() => decodeStoredEvent(text)).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_TOPIC' }));
  });

  it('writes exactly what JSON.stringify(event) writes', async () => {
    const mesh = createMesh({ source: '/codec' });
    const event = await mesh.publish('com.x.json', { a: [1, 'two'], b: null }, { subject: 's', dataschema: 'urn:s', ext1: true, n: 7 });
    await mesh.close();
    expect(encodeStoredEvent(event)).toBe(JSON.stringify(event));
  });

  it('rejects a stored row without the shape of an event with ERR_MESH_INVALID_EVENT, whatever came before it', () => {
    const good = { specversion: '1.0', id: '1', source: '/x', type: 'a.b', time: '2026-01-02T03:04:05.678Z' };
    // Decoded first, so the remembered type and time are the ones the bad rows repeat.
    expect(decodeStoredEvent(JSON.stringify(good)).timeMs).toBe(Date.parse(good.time));
    const rows: unknown[] = [
      '{not json', '[1]', '"text"', 'null',
      { ...good, id: undefined }, { ...good, id: '' }, { ...good, source: 7 }, { ...good, specversion: '0.3' },
      { ...good, time: 'yesterday' }, { ...good, time: 5 }, { ...good, subject: 1 },
      { ...good, data_base64: 12 }, { ...good, Bad: 'x' }, { ...good, ext: { nested: true } },
    ];
    for (const row of rows) {
      const text = typeof row === 'string' ? row : JSON.stringify(row);
      expect(() => decodeStoredEvent(text), text).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_EVENT' }));
    }
    expect(() => decodeStoredEvent(JSON.stringify({ ...good, type: '' }))).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_TOPIC' }));
  });

  it('gives each decoded event its own time, type and attributes, and drops null extensions', () => {
    const a = decodeStoredEvent(JSON.stringify({ specversion: '1.0', id: 'a', source: '/x', type: 'a.b', time: '2026-01-02T03:04:05.000Z', x: null, k: 1 }));
    const b = decodeStoredEvent(JSON.stringify({ specversion: '1.0', id: 'b', source: '/y', type: 'c.d', time: '2026-01-02T03:04:06.000Z', data: 'd' }));
    expect([a.id, a.type, a.source, a.time, a.timeMs, a['k'], 'x' in a]).toEqual(['a', 'a.b', '/x', '2026-01-02T03:04:05.000Z', Date.parse('2026-01-02T03:04:05.000Z'), 1, false]);
    expect([b.id, b.type, b.source, b.time, b.data]).toEqual(['b', 'c.d', '/y', '2026-01-02T03:04:06.000Z', 'd']);
  });
});
