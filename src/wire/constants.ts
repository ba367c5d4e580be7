/**
 * Fixed facts of the Apache EventMesh TCP protocol (v1.9+ framing), as PROTOCOL §11
 * states them.
 */

/** PROTOCOL §11.1: ASCII `EventMesh`, compared byte-for-byte. */
export const WIRE_MAGIC: Buffer = Buffer.from('EventMesh', 'latin1');

/** PROTOCOL §11.1: ASCII `0000`, the only version the Java codec accepts. */
export const WIRE_VERSION: Buffer = Buffer.from('0000', 'latin1');

/** PROTOCOL §11.1: magic + version, the bytes `length` counts besides header and body. */
export const PREFIX_LENGTH = 13;

/** PROTOCOL §11.1: the two 32-bit fields `length` and `headerLength` that `length` does not count. */
export const LENGTH_FIELDS_SIZE = 8;

/** Everything before the header: magic, version, `length`, `headerLength`. */
export const FIXED_PREFIX_SIZE = PREFIX_LENGTH + LENGTH_FIELDS_SIZE;

/**
 * PROTOCOL §11.1: Java's decoder refuses a frame whose total size (`length + 8`) exceeds
 * 4 MiB, while its encoder checks `length` alone. Both sides here use the total, the
 * stricter of the two, so every frame evmesh sends is one a Java peer accepts.
 */
export const DEFAULT_MAX_FRAME = 4_194_304;

/**
 * PROTOCOL §11.3: command name → code. The code equals the Java enum ordinal, which is
 * what a peer sending a numeric `cmd` means (PROTOCOL §11.2). Names go on the wire, never codes.
 */
export const WIRE_COMMANDS = {
  HEARTBEAT_REQUEST: 0,
  HEARTBEAT_RESPONSE: 1,
  HELLO_REQUEST: 2,
  HELLO_RESPONSE: 3,
  CLIENT_GOODBYE_REQUEST: 4,
  CLIENT_GOODBYE_RESPONSE: 5,
  SERVER_GOODBYE_REQUEST: 6,
  SERVER_GOODBYE_RESPONSE: 7,
  SUBSCRIBE_REQUEST: 8,
  SUBSCRIBE_RESPONSE: 9,
  UNSUBSCRIBE_REQUEST: 10,
  UNSUBSCRIBE_RESPONSE: 11,
  LISTEN_REQUEST: 12,
  LISTEN_RESPONSE: 13,
  REQUEST_TO_SERVER: 14,
  REQUEST_TO_CLIENT: 15,
  REQUEST_TO_CLIENT_ACK: 16,
  RESPONSE_TO_SERVER: 17,
  RESPONSE_TO_CLIENT: 18,
  RESPONSE_TO_CLIENT_ACK: 19,
  ASYNC_MESSAGE_TO_SERVER: 20,
  ASYNC_MESSAGE_TO_SERVER_ACK: 21,
  ASYNC_MESSAGE_TO_CLIENT: 22,
  ASYNC_MESSAGE_TO_CLIENT_ACK: 23,
  BROADCAST_MESSAGE_TO_SERVER: 24,
  BROADCAST_MESSAGE_TO_SERVER_ACK: 25,
  BROADCAST_MESSAGE_TO_CLIENT: 26,
  BROADCAST_MESSAGE_TO_CLIENT_ACK: 27,
  SYS_LOG_TO_LOGSERVER: 28,
  TRACE_LOG_TO_LOGSERVER: 29,
  REDIRECT_TO_CLIENT: 30,
  REGISTER_REQUEST: 31,
  REGISTER_RESPONSE: 32,
  UNREGISTER_REQUEST: 33,
  UNREGISTER_RESPONSE: 34,
  RECOMMEND_REQUEST: 35,
  RECOMMEND_RESPONSE: 36,
} as const;

export type WireCommand = keyof typeof WIRE_COMMANDS;

/** Code → name; the index is the code because codes run 0–36 in declaration order (PROTOCOL §11.3). */
export const WIRE_COMMAND_NAMES: readonly WireCommand[] = Object.freeze(
  (Object.keys(WIRE_COMMANDS) as WireCommand[]).sort((a, b) => WIRE_COMMANDS[a] - WIRE_COMMANDS[b]),
);

/** Own-property check, so `toString` or `__proto__` in a peer's header is not a command. */
export function isWireCommand(name: string): name is WireCommand {
  return Object.hasOwn(WIRE_COMMANDS, name);
}

/**
 * PROTOCOL §11.4 dispatcher rule 5: the command a reply (and an error reply) to `cmd`
 * carries. Commands not listed are answered with the same command (rule 4/5).
 */
const REPLY_COMMANDS: Readonly<Partial<Record<WireCommand, WireCommand>>> = {
  HELLO_REQUEST: 'HELLO_RESPONSE',
  RECOMMEND_REQUEST: 'RECOMMEND_RESPONSE',
  HEARTBEAT_REQUEST: 'HEARTBEAT_RESPONSE',
  SUBSCRIBE_REQUEST: 'SUBSCRIBE_RESPONSE',
  UNSUBSCRIBE_REQUEST: 'UNSUBSCRIBE_RESPONSE',
  LISTEN_REQUEST: 'LISTEN_RESPONSE',
  CLIENT_GOODBYE_REQUEST: 'CLIENT_GOODBYE_RESPONSE',
  REQUEST_TO_SERVER: 'RESPONSE_TO_CLIENT',
  ASYNC_MESSAGE_TO_SERVER: 'ASYNC_MESSAGE_TO_SERVER_ACK',
  BROADCAST_MESSAGE_TO_SERVER: 'BROADCAST_MESSAGE_TO_SERVER_ACK',
};

export function replyCommandOf(cmd: WireCommand): WireCommand {
  return REPLY_COMMANDS[cmd] ?? cmd;
}
