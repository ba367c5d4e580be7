import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';

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
}

export const DEFAULT_REQUEST_TIMEOUT = 5000;

/**
 * Requests waiting for their first answer, keyed by the request event itself:
 * handlers receive that very object, so no id lookup or extra attribute is needed.
 */
export class RequestTable {
  private readonly pending = new Map<MeshEvent, Pending>();

  get size(): number {
    return this.pending.size;
  }

  open(request: MeshEvent, timeout: number): Promise<MeshEvent> {
    return new Promise<MeshEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request);
        reject(new MeshError('ERR_MESH_TIMEOUT', `No reply to ${request.type} within ${timeout} ms`, {
          details: { eventId: request.id, type: request.type, timeout },
        }));
      }, timeout);
      this.pending.set(request, { resolve, reject, timer });
    });
  }

  /** Settles the request with `reply` if it is still open; later answers are ignored. */
  answer(request: MeshEvent, reply: () => MeshEvent): boolean {
    const entry = this.pending.get(request);
    if (entry === undefined) return false;
    this.pending.delete(request);
    clearTimeout(entry.timer);
    entry.resolve(reply());
    return true;
  }

  /** Forgets a request whose publish failed (the caller gets that failure instead). */
  cancel(request: MeshEvent): void {
    const entry = this.pending.get(request);
    if (entry === undefined) return;
    this.pending.delete(request);
    clearTimeout(entry.timer);
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
