import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { Fifo } from '../util/fifo.js';
import { patternMatcher } from '../topic/pattern.js';
import { ConsumerRing, type RingConsumer } from './consumer-ring.js';
import type { ConsumerSpec, MeshStore, StoreConsumer, StoreHandler } from './store.js';

export interface MemoryStoreOptions {
  /**
   * Most events one durable subscription may hold unconsumed; past it `append` is
   * refused with `ERR_MESH_STORE_FULL` rather than dropping what was accepted.
   * @default 100000
   */
  readonly maxQueued?: number;
}

class DurableQueue {
  readonly events = new Fifo<MeshEvent>();
  /** Events handed back unacknowledged, in append order; delivered before `events`. */
  private readonly returned: { seq: number; event: MeshEvent }[] = [];
  private readonly seqs = new WeakMap<MeshEvent, number>();
  private appended = 0;
  readonly consumers = new ConsumerRing();

  constructor(readonly pattern: string, readonly matches: (type: string) => boolean) {}

  get size(): number {
    return this.events.length + this.returned.length;
  }

  push(event: MeshEvent): void {
    this.seqs.set(event, ++this.appended);
    this.events.push(event);
  }

  pump(): void {
    while (this.size > 0) {
      const consumer = this.consumers.pick();
      if (consumer === undefined) return;
      const event = this.returned.length > 0 ? (this.returned.shift() as { event: MeshEvent }).event : (this.events.shift() as MeshEvent);
      consumer.inflight++;
      consumer.handler(event).then(
        () => this.settled(consumer),
        () => {
          // Not acknowledged: keep it for the next delivery, like a broker would,
          // and offer it again on a later turn of the event loop, so a consumer
          // that keeps refusing cannot spin the microtask queue.
          this.requeue(event);
          consumer.inflight--;
          setImmediate(() => this.pump());
        },
      );
    }
  }

  private settled(consumer: RingConsumer): void {
    consumer.inflight--;
    // Also when this consumer stopped: a returned event must reach the others.
    this.pump();
  }

  /** Puts an unacknowledged event back in its append position, so order survives redelivery. */
  private requeue(event: MeshEvent): void {
    const seq = this.seqs.get(event) ?? 0;
    let at = this.returned.length;
    while (at > 0 && (this.returned[at - 1] as { seq: number }).seq > seq) at--;
    this.returned.splice(at, 0, { seq, event });
  }
}

/**
 * The default store: durable subscriptions are in-memory queues, so they resume
 * where they stopped within the process (not across restarts). Meshes given the
 * same instance share its queues. With no durable subscription it keeps nothing,
 * and `accepts` (asked on every publish) answers false with one field read.
 */
class MemoryStore implements MeshStore {
  readonly name = 'memory';
  readonly capabilities = { persistent: false, distributed: false, replay: false, ordered: true, nativeWildcards: true };
  private readonly queues = new Map<string, DurableQueue>();
  private readonly wanted = new Map<string, boolean>();

  constructor(private readonly maxQueued: number) {}

  open(): Promise<void> {
    return Promise.resolve();
  }

  accepts(type: string): boolean {
    if (this.queues.size === 0) return false;
    // Asked on every publish: remember the answer per type until the queues change.
    let wanted = this.wanted.get(type);
    if (wanted === undefined) {
      if (this.wanted.size >= 10_000) this.wanted.clear();
      this.wanted.set(type, (wanted = this.anyQueueMatches(type)));
    }
    return wanted;
  }

  append(event: MeshEvent): Promise<void> {
    const targets: DurableQueue[] = [];
    for (const q of this.queues.values()) {
      if (!q.matches(event.type)) continue;
      if (q.size >= this.maxQueued) {
        return Promise.reject(new MeshError('ERR_MESH_STORE_FULL', `Durable queue for ${q.pattern} holds ${this.maxQueued} events`, {
          details: { eventId: event.id, pattern: q.pattern },
        }));
      }
      targets.push(q);
    }
    for (const q of targets) {
      q.push(event);
      q.pump();
    }
    return Promise.resolve();
  }

  consume(spec: ConsumerSpec, handler: StoreHandler): Promise<StoreConsumer> {
    let queue = this.queues.get(spec.name);
    if (queue === undefined) {
      this.queues.set(spec.name, (queue = new DurableQueue(spec.pattern, patternMatcher(spec.pattern))));
      this.wanted.clear();
    } else if (queue.pattern !== spec.pattern) {
      return Promise.reject(new MeshError('ERR_MESH_INVALID_OPTIONS',
        `Durable "${spec.name}" already exists with pattern ${queue.pattern}`, { details: { durable: spec.name } }));
    }
    const q = queue;
    const detach = q.consumers.add(handler, spec.prefetch);
    // The queue is registered now (events appended from here on are kept); the
    // backlog is handed over after consume() returned, never inside the caller.
    queueMicrotask(() => q.pump());
    return Promise.resolve({
      stop() {
        detach();
        return Promise.resolve();
      },
    });
  }

  /** Queued (never delivered, or handed back) plus delivered to a consumer of this store and not settled. */
  backlog(name: string): Promise<number | undefined> {
    const queue = this.queues.get(name);
    return Promise.resolve(queue === undefined ? undefined : queue.size + queue.consumers.inflight);
  }

  /** In process: always there. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  deleteDurable(name: string): Promise<void> {
    const queue = this.queues.get(name);
    if (queue === undefined) return Promise.resolve();
    if (queue.consumers.size > 0) {
      return Promise.reject(new MeshError('ERR_MESH_INVALID_OPTIONS', `Durable "${name}" still has consumers`, { details: { durable: name } }));
    }
    this.queues.delete(name);
    this.wanted.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private anyQueueMatches(type: string): boolean {
    for (const q of this.queues.values()) if (q.matches(type)) return true;
    return false;
  }
}

export function memoryStore(options: MemoryStoreOptions = {}): MeshStore {
  const maxQueued = options.maxQueued ?? 100_000;
  if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'maxQueued must be an integer >= 1');
  return new MemoryStore(maxQueued);
}
