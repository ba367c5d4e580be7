/**
 * What both processes of a cross-process case share: the 1 KB payload, the control
 * messages that travel over the fork IPC channel (never on the data path), the interface
 * each library implements for its two sides, and a length-prefixed frame reader.
 */
import { connect } from 'node:net';

export const TOPIC = 'com.shop.order.created';
/** The local servers (already running on this host); a case whose server is down is skipped. */
export const NATS_PORT = 4222;
export const REDIS_PORT = 6379;
export const SOURCE = '/bench';

/** An order with 6 items: 892 bytes of JSON, 1,057 once wrapped in a CloudEvent (perf-anchors part 4: 1,054). */
export const ORDER = {
  orderId: 'ord-2026-000123',
  customerId: 'cust-42-abcdef',
  status: 'created',
  channel: 'web',
  createdAt: '2026-11-25T05:30:00.000Z',
  shipping: { name: 'Ada Lovelace', street: '12 Analytical Engine Lane', city: 'London', zip: 'NW1 6XE', country: 'GB' },
  items: Array.from({ length: 6 }, (_, i) => ({
    sku: `SKU-${10000 + i * 137}`,
    name: `Item number ${i} with a name`,
    qty: i + 1,
    unitPrice: Math.round((9.99 + i * 3.5) * 100) / 100, // 16.99, not 16.990000000000002
    currency: 'EUR',
  })),
  total: 123.45,
  notes: 'leave at the door',
};

/**
 * The CloudEvent-shaped object the non-evmesh cases JSON.stringify per message (with a
 * fresh id each time), so every case pays for one serialization and one parse per event,
 * as evmesh does for the event it builds.
 */
export function cloudEvent(): { specversion: string; id: string; source: string; type: string; time: string; datacontenttype: string; data: unknown } {
  return {
    specversion: '1.0', id: 'bench-0', source: SOURCE, type: TOPIC, time: new Date().toISOString(),
    datacontenttype: 'application/json', data: ORDER,
  };
}

export type Lib = 'evmesh' | 'nats' | 'nats-bytes' | 'redis' | 'net';
export type Mode = 'throughput' | 'rtt';

/** argv of the forked peer, as JSON. Names carry the driver's pid so concurrent runs never cross. */
export interface PeerArgs {
  lib: Lib;
  mode: Mode;
  /** Subject / channel the driver sends on. */
  subject: string;
  /** Where replies go (Redis ping-pong only). */
  replySubject: string;
}

export type ToPeer = { op: 'arm'; n: number } | { op: 'count' } | { op: 'exit' };
export type FromPeer =
  | { op: 'ready'; port?: number }
  | { op: 'armed' }
  /** tEnd: process.hrtime.bigint() at the last receive, as a decimal string. */
  | { op: 'done'; tEnd: string; count: number }
  | { op: 'count'; count: number }
  | { op: 'error'; message: string };

/** The forked process's side: it receives (throughput) or answers (rtt). */
export interface PeerSide {
  /**
   * Subscribes or starts answering; resolves once the driver may start (with the port it
   * listens on, if any). `onFail` reports a failure that would otherwise only show as a stall.
   */
  start(onEvent: () => void, onFail: (message: string) => void): Promise<{ port?: number }>;
  close(): Promise<void>;
}

/** The driver's side: it sends (throughput) or asks (rtt). */
export interface DriverSide {
  /** Connects and resolves once the peer's subscription is known to be in place. */
  connect(peerPort: number | undefined): Promise<void>;
  /** Hands `n` events to the client as fast as it takes them; resolves when all are handed over. */
  send(n: number): Promise<void>;
  /** One sequential round trip: sends one event, resolves when the answer has been parsed. */
  roundTrip(): Promise<void>;
  /** Bytes the sender hands to its client per event (evmesh: whole wire frame), for the table. */
  bytesPerEvent(): number;
  close(): Promise<void>;
}

export interface XprocLib {
  peer(args: PeerArgs): PeerSide;
  driver(args: PeerArgs): DriverSide;
}

/** Resolves true if something accepts TCP connections on 127.0.0.1:port within `ms`. */
export function reachable(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Frames a JSON text with a 4-byte big-endian length prefix (the anchors' raw-net format). */
export function frame(json: string): Buffer {
  const len = Buffer.byteLength(json);
  const b = Buffer.allocUnsafe(4 + len);
  b.writeUInt32BE(len, 0);
  b.write(json, 4, 'utf8');
  return b;
}

/** Incremental reader for `frame()`d data: calls `onText` with each complete frame's JSON text. */
export function frameReader(onText: (text: string) => void): (chunk: Buffer) => void {
  let pending: Buffer | undefined;
  return (chunk) => {
    const buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (buf.length - off - 4 < len) break;
      onText(buf.toString('utf8', off + 4, off + 4 + len));
      off += 4 + len;
    }
    // Copied, so a small remainder never pins a whole 64 KB socket chunk.
    pending = off === buf.length ? undefined : Buffer.from(buf.subarray(off));
  };
}

export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function loadLib(lib: Lib): Promise<XprocLib> {
  switch (lib) {
    case 'evmesh':
      return (await import('./evmesh.js')).default;
    case 'nats':
    case 'nats-bytes':
      return (await import('./nats.js')).default;
    case 'redis':
      return (await import('./redis.js')).default;
    case 'net':
      return (await import('./net.js')).default;
  }
}
