import { connect, type Socket } from 'node:net';

/**
 * A minimal stock EventMesh TCP client written straight from the stock protocol (PROTOCOL §11.1–§11.14),
 * with its own framing on Buffer ops: it shares no code with src/wire, so a bug in
 * the node's codec cannot hide behind the same bug here.
 */

export interface Header {
  cmd: string;
  code: number;
  desc?: string;
  seq?: string;
  properties: Record<string, unknown>;
  command?: string;
}

export interface Frame {
  header: Header;
  body: Buffer;
}

const MAGIC_AND_VERSION = Buffer.from('EventMesh0000', 'latin1');

/** PROTOCOL §11.1: prefix, length = 13 + header + body, headerLength, header JSON, body. */
export function encode(header: Header, body?: Buffer | string): Buffer {
  const h = Buffer.from(JSON.stringify({ ...header, command: header.cmd }), 'utf8');
  const b = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const out = Buffer.alloc(21 + h.length + b.length);
  MAGIC_AND_VERSION.copy(out, 0);
  out.writeUInt32BE(13 + h.length + b.length, 13);
  out.writeUInt32BE(h.length, 17);
  h.copy(out, 21);
  b.copy(out, 21 + h.length);
  return out;
}

/** PROTOCOL §11.7 message header properties. */
export const CE_PROPS = { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp' };

/** PROTOCOL §11.7: a CloudEvent as the Java SDK builds one (`subject` = topic). */
export function cloudEvent(subject: string, data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0', id: `ce-${Math.random().toString(36).slice(2)}`, source: '/', type: 'cloudevents',
    datacontenttype: 'application/cloudevents+json', subject, ...extra, data,
  };
}

export class StockClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private buffer = Buffer.alloc(0);
  private seq = 0;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      resolve();
    }));
  }

  static connect(port: number): Promise<StockClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new StockClient(socket)));
      socket.once('error', reject);
    });
  }

  /** A HELLO'd session: pub, or sub with its topics subscribed and LISTEN done. */
  static async session(port: number, purpose: 'pub' | 'sub', group = 'TestGroup', topics: [string, string?, string?][] = []): Promise<StockClient> {
    const client = await StockClient.connect(port);
    const hello = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify(userAgent(purpose, group)));
    if (hello.header.code !== 0) throw new Error(`HELLO refused: ${String(hello.header.desc)}`);
    for (const [topic, mode = 'CLUSTERING', type = 'ASYNC'] of topics) {
      const r = await client.call('SUBSCRIBE_REQUEST', 'SUBSCRIBE_RESPONSE', {}, JSON.stringify({ topicList: [{ topic, mode, type }] }));
      if (r.header.code !== 0) throw new Error(`SUBSCRIBE refused: ${String(r.header.desc)}`);
    }
    if (purpose === 'sub') await client.call('LISTEN_REQUEST', 'LISTEN_RESPONSE');
    return client;
  }

  /** PROTOCOL §11.2: the Java SDK's seq is 10 digits; ours just has to be unique per connection. */
  nextSeq(): string {
    return String(1_000_000_000 + ++this.seq);
  }

  send(cmd: string, options: { seq?: string; properties?: Record<string, unknown>; body?: Buffer | string; code?: number } = {}): string {
    const seq = options.seq ?? this.nextSeq();
    this.socket.write(encode({ cmd, code: options.code ?? 0, seq, properties: options.properties ?? {} }, options.body));
    return seq;
  }

  /** Sends a request and waits for the reply command with the same seq (PROTOCOL §11.2: match seq and command). */
  call(cmd: string, reply: string, properties: Record<string, unknown> = {}, body?: Buffer | string, timeout = 5000): Promise<Frame> {
    const seq = this.send(cmd, { properties, body });
    return this.next((f) => f.header.cmd === reply && f.header.seq === seq, timeout);
  }

  publish(event: Record<string, unknown>, cmd = 'ASYNC_MESSAGE_TO_SERVER'): Promise<Frame> {
    const ack = cmd === 'REQUEST_TO_SERVER' ? 'RESPONSE_TO_CLIENT' : `${cmd}_ACK`;
    return this.call(cmd, ack, CE_PROPS, JSON.stringify(event), 10_000);
  }

  /** PROTOCOL §11.12: ACK a push with the same seq, no body. */
  ack(push: Frame): void {
    this.send(`${push.header.cmd}_ACK`, { seq: push.header.seq });
  }

  /** Resolves with the first received frame (already here or still to come) that `match` accepts, removing it. */
  next(match: (f: Frame) => boolean, timeout = 5000): Promise<Frame> {
    const at = this.frames.findIndex(match);
    if (at >= 0) return Promise.resolve(this.frames.splice(at, 1)[0] as Frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeout} ms`)), timeout);
      this.waiters.push({ match, resolve: (f) => {
        clearTimeout(timer);
        resolve(f);
      } });
    });
  }

  pushes(cmd = 'ASYNC_MESSAGE_TO_CLIENT'): Frame[] {
    return this.frames.filter((f) => f.header.cmd === cmd);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 21) {
      if (!this.buffer.subarray(0, 13).equals(MAGIC_AND_VERSION)) throw new Error('server sent a frame with bad magic');
      const total = this.buffer.readUInt32BE(13) + 8;
      if (this.buffer.length < total) return;
      const headerLength = this.buffer.readUInt32BE(17);
      const header = JSON.parse(this.buffer.subarray(21, 21 + headerLength).toString('utf8')) as Header;
      const frame = { header, body: Buffer.from(this.buffer.subarray(21 + headerLength, total)) };
      this.buffer = this.buffer.subarray(total);
      const waiter = this.waiters.findIndex((w) => w.match(frame));
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]?.resolve(frame);
      else this.frames.push(frame);
    }
  }
}

/** PROTOCOL §11.5, Java field order. */
export function userAgent(purpose: string, group: string): Record<string, unknown> {
  return { env: 'test', subsystem: '5023', path: '/data/app', pid: 1, host: 'localhost', port: 0, version: '2.0.11', idc: 'FT', group, purpose, unack: 0 };
}

export function bodyJson(frame: Frame): Record<string, unknown> {
  return JSON.parse(frame.body.toString('utf8')) as Record<string, unknown>;
}
