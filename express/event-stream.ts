import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeshEvent } from '../src/index.js';
import { eventJson } from '../src/internal.js';
import type { StreamSource } from './resume.js';

/** How a stream is fed; decided by the router from the request and the mesh's store. */
export interface StreamSpec {
  /** Where the events come from (live, or a durable replaying after Last-Event-ID). */
  readonly source: StreamSource;
  /** A comment sent before the first event (e.g. that resuming is not possible). */
  readonly notice: string | undefined;
  /** Reconnection delay advised to the client, if any. */
  readonly reconnect: number | undefined;
  /** Comment interval in ms; 0 sends none. */
  readonly heartbeat: number;
  /** Bytes the client may fall behind before the stream is cut (it may resume). */
  readonly maxBuffered: number;
}

/**
 * One Server-Sent Events response fed by one mesh subscription. Every CloudEvent
 * is sent as the default `message` event (so `EventSource.onmessage` gets them
 * all: with wildcards, a client cannot know every type to add listeners for);
 * the SSE `id` is the CloudEvent id and `data` its structured JSON form.
 */
export class EventStream {
  private stop: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    req: IncomingMessage, private readonly res: ServerResponse, spec: StreamSpec,
    private readonly open: Set<EventStream>,
  ) {
    // Registered first, so that a source ending at once still leaves the set as it found it.
    open.add(this);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) otherwise buffer the stream until it ends.
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    // Sent at once so the client sees the stream open before any event arrives.
    const retry = spec.reconnect === undefined ? '' : `retry: ${spec.reconnect}\n\n`;
    res.write(`${spec.notice === undefined ? ': stream open' : `: ${spec.notice}`}\n\n${retry}`);
    // The source ends by itself when the mesh closes: the response then ends too.
    this.stop = spec.source.start((event) => this.send(event, spec.maxBuffered), () => this.close());
    if (this.closed) {
      this.stop();
      return;
    }
    if (spec.heartbeat > 0) {
      this.timer = setInterval(() => this.res.write(': heartbeat\n\n'), spec.heartbeat);
      this.timer.unref();
    }
    res.on('close', () => this.close());
  }

  /** Ends the response and the subscription; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.stop?.();
    if (!this.res.writableEnded) this.res.end();
    this.open.delete(this);
  }

  private send(event: MeshEvent, maxBuffered: number): void {
    if (this.closed) return;
    // An id with a line break or NUL would break the framing or be ignored by the client.
    const id = /[\r\n\0]/.test(event.id) ? '' : `id: ${event.id}\n`;
    let json: string;
    try {
      json = eventJson(event); // the structured-mode JSON, as JSON.stringify(event) writes it
    } catch {
      // In-process data is never serialised on the way here (a BigInt, a cycle):
      // thrown from this subscriber it would be an uncaught error and end the process.
      this.res.write(`: event ${id === '' ? '(unprintable id)' : event.id} skipped: no JSON form\n\n`);
      return;
    }
    this.res.write(`${id}data: ${json}\n\n`);
    if (this.res.writableLength > maxBuffered) {
      // A client that stopped reading must not hold the server's memory: cut it;
      // it reconnects with Last-Event-ID.
      this.res.destroy();
      this.close();
    }
  }
}
