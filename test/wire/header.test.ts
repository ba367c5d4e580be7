import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeFrame, encodeHeader, type WireHeader } from '../../src/wire/index.js';
import { expectThrowCode } from '../support/expect-code.js';

const json = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('encodeHeader', () => {
  it('writes Java key order with desc, seq and the command copy (PROTOCOL §11.2)', () => {
    const header: WireHeader = { properties: { a: '1' }, seq: '7', desc: 'success', code: 0, cmd: 'HELLO_RESPONSE' };
    expect(encodeHeader(header).toString()).toBe(
      '{"cmd":"HELLO_RESPONSE","code":0,"desc":"success","seq":"7","properties":{"a":"1"},"command":"HELLO_RESPONSE"}',
    );
  });

  it('leaves out an absent desc and seq, and null-valued properties', () => {
    const header = { cmd: 'SERVER_GOODBYE_REQUEST', code: 1, properties: { keep: 'x', drop: null } } as const;
    expect(encodeHeader(header).toString()).toBe(
      '{"cmd":"SERVER_GOODBYE_REQUEST","code":1,"properties":{"keep":"x"},"command":"SERVER_GOODBYE_REQUEST"}',
    );
  });

  it('writes non-ASCII text as UTF-8, unescaped, as Jackson does', () => {
    const bytes = encodeHeader({ cmd: 'HELLO_RESPONSE', code: 1, desc: 'échec ✗', properties: {} });
    expect(bytes.toString('utf8')).toContain('"desc":"échec ✗"');
    expect(decodeHeader(bytes).desc).toBe('échec ✗');
  });

  it('refuses a command outside the table', () => {
    const header = { cmd: 'NOPE', code: 0, properties: {} } as unknown as WireHeader;
    expectThrowCode(() => encodeHeader(header), 'ERR_MESH_WIRE_UNKNOWN_COMMAND');
    expectThrowCode(() => encodeFrame({ header, body: undefined }), 'ERR_MESH_WIRE_UNKNOWN_COMMAND');
  });

  it.each([
    ['a fractional code', { cmd: 'HELLO_RESPONSE', code: 0.5, properties: {} }],
    ['a code beyond int32', { cmd: 'HELLO_RESPONSE', code: 2 ** 31, properties: {} }],
    ['a numeric seq', { cmd: 'HELLO_RESPONSE', code: 0, seq: 1, properties: {} }],
    ['a numeric desc', { cmd: 'HELLO_RESPONSE', code: 0, desc: 1, properties: {} }],
    ['properties that are an array', { cmd: 'HELLO_RESPONSE', code: 0, properties: [] }],
    ['null properties', { cmd: 'HELLO_RESPONSE', code: 0, properties: null }],
  ])('refuses %s', (_name, header) => {
    expectThrowCode(() => encodeHeader(header as unknown as WireHeader), 'ERR_MESH_WIRE_BAD_HEADER');
  });
});

describe('decodeHeader', () => {
  it('ignores the command copy and unknown keys, as Java does', () => {
    expect(decodeHeader(json('{"cmd":"LISTEN_REQUEST","code":0,"command":"HELLO_REQUEST","extra":[1],"properties":{}}')))
      .toEqual({ cmd: 'LISTEN_REQUEST', code: 0, properties: {} });
  });

  it('reads an absent code as 0 and absent properties as {} (Java defaults)', () => {
    expect(decodeHeader(json('{"cmd":"HEARTBEAT_REQUEST"}'))).toEqual({ cmd: 'HEARTBEAT_REQUEST', code: 0, properties: {} });
  });

  it('reads null desc, seq and properties as absent', () => {
    const header = decodeHeader(json('{"cmd":"HEARTBEAT_REQUEST","code":0,"desc":null,"seq":null,"properties":null}'));
    expect(header).toEqual({ cmd: 'HEARTBEAT_REQUEST', code: 0, properties: {} });
    expect(Object.keys(header)).toEqual(['cmd', 'code', 'properties']);
  });

  it('reads every numeric ordinal 0–36 as its command', () => {
    expect(decodeHeader(json('{"cmd":0}')).cmd).toBe('HEARTBEAT_REQUEST');
    expect(decodeHeader(json('{"cmd":36}')).cmd).toBe('RECOMMEND_RESPONSE');
  });

  it('keeps JSON property values and drops null-valued entries', () => {
    expect(decodeHeader(json('{"cmd":"HELLO_REQUEST","properties":{"n":1,"o":{"x":true},"z":null}}')).properties)
      .toEqual({ n: 1, o: { x: true } });
  });

  it('keeps a __proto__ property key as plain data', () => {
    const header = decodeHeader(json('{"cmd":"HELLO_REQUEST","properties":{"__proto__":{"polluted":"yes"},"a":null}}'));
    expect(Object.getPrototypeOf(header.properties)).toBe(Object.prototype);
    expect(Object.keys(header.properties)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses empty bytes: a frame without header', () => {
    expectThrowCode(() => decodeHeader(Buffer.alloc(0)), 'ERR_MESH_WIRE_BAD_HEADER');
  });
});
