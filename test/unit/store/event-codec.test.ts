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
});
