import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeFrame, encodeHeader } from '../../src/wire/index.js';
import { decodeChunks, plain } from './harness.js';
import { BAD_VECTORS, NUMERIC_CMD_VECTOR, VECTORS } from './vectors.js';

describe('the stock vectors (PROTOCOL §11.15)', () => {
  it.each(VECTORS.map((v) => [`${v.section} ${v.name}`, v] as const))('decodes %s to its frame', (_title, vector) => {
    const { frames, errors } = decodeChunks([vector.bytes]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([vector.frame]);
  });

  it.each(VECTORS.map((v) => [`${v.section} ${v.name}`, v] as const))('encodes %s to the exact Java bytes', (_title, vector) => {
    expect(encodeFrame(vector.frame).toString('hex')).toBe(vector.bytes.toString('hex'));
  });

  it('states the sizes the spec tables give (length + 8 = total)', () => {
    for (const vector of VECTORS) {
      expect(vector.bytes.readInt32BE(13) + 8).toBe(vector.bytes.length);
    }
    expect(VECTORS.map((v) => v.bytes.length)).toEqual([346, 122, 205, 440, 116, 133, 133, 328, 615, 706, 766, 353]);
  });

  it('decodes a numeric cmd as the command with that ordinal (PROTOCOL §11.2, §11.15)', () => {
    const { frames, errors } = decodeChunks([NUMERIC_CMD_VECTOR.bytes]);
    expect(errors).toEqual([]);
    expect(frames.map(plain)).toEqual([plain(NUMERIC_CMD_VECTOR.frame)]);
  });

  it('writes a decoded numeric-cmd frame back with the name and the command copy, as Java does', () => {
    const encoded = encodeFrame(NUMERIC_CMD_VECTOR.frame);
    expect(encoded).not.toEqual(NUMERIC_CMD_VECTOR.bytes);
    expect(encoded.subarray(21).toString()).toBe('{"cmd":"HELLO_REQUEST","code":0,"seq":"9","properties":{},"command":"HELLO_REQUEST"}');
  });

  it.each(BAD_VECTORS.map((v) => [`${v.section} (${v.name})`, v] as const))('refuses %s with its code and no frame', (_title, vector) => {
    const { frames, errors } = decodeChunks([vector.bytes]);
    expect(frames).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual([vector.code]);
  });
});

describe('header JSON as Java writes it (PROTOCOL §11.15)', () => {
  // Java's own output for these headers (PROTOCOL §11.2, §11.15), byte for byte.
  it.each([
    '{"cmd":"HEARTBEAT_RESPONSE","code":0,"desc":"success","seq":"1111111111","properties":{},"command":"HEARTBEAT_RESPONSE"}',
    '{"cmd":"ASYNC_MESSAGE_TO_SERVER_ACK","code":1,"desc":"java.lang.Exception: event size exceeds the limit: 1000","seq":"3333333333","properties":{},"command":"ASYNC_MESSAGE_TO_SERVER_ACK"}',
    '{"cmd":"ASYNC_MESSAGE_TO_CLIENT","code":0,"seq":"17","properties":{"protocoltype":"cloudevents"},"command":"ASYNC_MESSAGE_TO_CLIENT"}',
    '{"cmd":"SERVER_GOODBYE_REQUEST","code":0,"desc":"graceful normal quit from eventmesh","properties":{},"command":"SERVER_GOODBYE_REQUEST"}',
    '{"cmd":"REDIRECT_TO_CLIENT","code":0,"properties":{},"command":"REDIRECT_TO_CLIENT"}',
  ])('round-trips %s', (json) => {
    const bytes = Buffer.from(json);
    expect(encodeHeader(decodeHeader(bytes)).toString()).toBe(json);
  });
});
