import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { RequestTakers, type RequestFailure } from './request-takers.js';
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
  readonly type: string;
  /** Who may still answer; rejects the request once none is left and one failed. */
  readonly takers: RequestTakers;
}

export const DEFAULT_REQUEST_TIMEOUT = 5000;

/**
 * Requests waiting for their first answer, keyed by the request's event id: a
 * `use` chain may hand handlers an enriched copy, which keeps the id. Each counts
 * its takers (RequestTakers): a request whose last taker gave up, one of them
 * failing, rejects at once with ERR_MESH_HANDLER_FAILED rather than at its timeout.
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
      const takers = new RequestTakers((t) => this.failed(request.id, entry, t.failure));
      const entry: Pending = { resolve, reject, timer, deadline: Date.now() + timeout, type: request.type, takers };
      this.pending.set(request.id, entry);
    });
  }

  /** A delivery of request `id` is held: true when that request is open here (it counts the taker). */
  took(id: string): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    entry.takers.add();
    return true;
  }

  /** A taker of request `id` is done without answering (`failure` when it failed); false when `id` is not open here. */
  settled(id: string, failure: RequestFailure | undefined): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    entry.takers.done(failure);
    return true;
  }

  /** The request went to `nodes` other nodes, each of which says when its takers are done (PROTOCOL §6.4). */
  awaitRemote(id: string, nodes: number): void {
    this.pending.get(id)?.takers.add(nodes);
  }

  private failed(id: string, entry: Pending, failure: RequestFailure | undefined): void {
    if (failure === undefined || this.pending.get(id) !== entry) return;
    this.take(id);
    entry.reject(new MeshError('ERR_MESH_HANDLER_FAILED',
      `The responder ${failure.subscription} on ${failure.node} failed on ${entry.type}: ${failure.code}: ${failure.message}`, {
        cause: failure.cause,
        details: {
          eventId: id, type: entry.type, subscription: failure.subscription, node: failure.node,
          remote: { code: failure.code, message: failure.message },
        },
      }));
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
