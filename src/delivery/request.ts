import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { timerDelay } from './timer-delay.js';

/** Options for `mesh.request`. */
export interface RequestOptions {
  /**
   * How long to wait for a reply, in ms.
   * @default 5000
   */
  readonly timeout?: number;
}

interface Pending {
  resolve(reply: MeshEvent): void;
  reject(error: MeshError): void;
  timer: NodeJS.Timeout;
  /** Epoch ms: carried to other nodes so no hop works past it. */
  deadline: number;
}

export const DEFAULT_REQUEST_TIMEOUT = 5000;

/**
 * Requests waiting for their first answer, keyed by the request's event id: a
 * `use` chain may hand handlers an enriched copy, which keeps the id.
 */
export class RequestTable {
  private readonly pending = new Map<string, Pending>();

  get size(): number {
    return this.pending.size;
  }

  open(request: MeshEvent, timeout: number): Promise<MeshEvent> {
    return new Promise<MeshEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        reject(new MeshError('ERR_MESH_TIMEOUT', `No reply to ${request.type} within ${timeout} ms`, {
          details: { eventId: request.id, type: request.type, timeout },
        }));
      }, timerDelay(timeout));
      this.pending.set(request.id, { resolve, reject, timer, deadline: Date.now() + timeout });
    });
  }

  isOpen(id: string): boolean {
    return this.pending.has(id);
  }

  deadlineOf(id: string): number | undefined {
    return this.pending.get(id)?.deadline;
  }

  /** Settles the request with `reply` if it is still open; later answers are ignored. */
  answer(id: string, reply: MeshEvent): void {
    this.take(id)?.resolve(reply);
  }

  /** Forgets a request whose publish failed (the caller gets that failure instead). */
  cancel(request: MeshEvent): void {
    this.take(request.id);
  }

  private take(id: string): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }

  rejectAll(error: MeshError): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
  }
}

export function requestTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_REQUEST_TIMEOUT;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'request timeout must be a positive number of ms');
  }
  return value;
}
