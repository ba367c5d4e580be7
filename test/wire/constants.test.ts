import { describe, expect, it } from 'vitest';
import { WIRE_COMMANDS, WIRE_COMMAND_NAMES, isWireCommand, replyCommandOf, type WireCommand } from '../../src/wire/index.js';

describe('the command table (PROTOCOL §11.3)', () => {
  it('numbers 37 commands 0–36 in order, so codes equal Java ordinals', () => {
    expect(Object.values(WIRE_COMMANDS)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(WIRE_COMMAND_NAMES.map((name) => WIRE_COMMANDS[name])).toEqual(Object.values(WIRE_COMMANDS));
  });

  it('knows a command only by its own name', () => {
    expect(isWireCommand('HELLO_REQUEST')).toBe(true);
    expect(isWireCommand('constructor')).toBe(false);
    expect(isWireCommand('hello_request')).toBe(false);
  });
});

describe('replyCommandOf (PROTOCOL §11.4 dispatcher rule 5)', () => {
  it.each([
    ['HELLO_REQUEST', 'HELLO_RESPONSE'],
    ['RECOMMEND_REQUEST', 'RECOMMEND_RESPONSE'],
    ['HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE'],
    ['SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE'],
    ['UNSUBSCRIBE_REQUEST', 'UNSUBSCRIBE_RESPONSE'],
    ['LISTEN_REQUEST', 'LISTEN_RESPONSE'],
    ['CLIENT_GOODBYE_REQUEST', 'CLIENT_GOODBYE_RESPONSE'],
    ['REQUEST_TO_SERVER', 'RESPONSE_TO_CLIENT'],
    ['ASYNC_MESSAGE_TO_SERVER', 'ASYNC_MESSAGE_TO_SERVER_ACK'],
    ['BROADCAST_MESSAGE_TO_SERVER', 'BROADCAST_MESSAGE_TO_SERVER_ACK'],
    ['HEARTBEAT_RESPONSE', 'HEARTBEAT_RESPONSE'],
    ['RESPONSE_TO_SERVER', 'RESPONSE_TO_SERVER'],
    ['SYS_LOG_TO_LOGSERVER', 'SYS_LOG_TO_LOGSERVER'],
  ] as [WireCommand, WireCommand][])('answers %s with %s', (request, reply) => {
    expect(replyCommandOf(request)).toBe(reply);
  });
});
