import { randomUUID } from 'node:crypto';
import { MeshError, type Mesh, type Subscription } from '../src/index.js';
import { planOf } from './subscription-plan.js';
import type { SubscriptionRecord } from './subscription-record.js';
import { bad, parseSubscription, sinkUrl, type SubscriptionInput } from './subscription-request.js';
import type { ResolvedSubscriptionsOptions } from './subscriptions-options.js';
import { webhookSink } from './webhook-sink.js';

interface Entry {
  readonly record: SubscriptionRecord;
  readonly sink: Subscription;
}

/** The durable name of a subscription in the store. */
export function durableOf(id: string): string {
  return `subscription:${id}`;
}

/**
 * The subscriptions a router holds, each a durable webhook sink, and their catalogue.
 * The catalogue is written before a sink is made and forgotten after its durable is
 * deleted, so a crash in between leaves a definition to restore (or delete again),
 * never a durable in the store that nothing knows of.
 */
export class SubscriptionSet {
  private readonly entries = new Map<string, Entry>();
  private creating = 0;

  constructor(private readonly mesh: Mesh, private readonly opts: ResolvedSubscriptionsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  list(): SubscriptionRecord[] {
    return [...this.entries.values()].map((e) => e.record);
  }

  get(id: string): SubscriptionRecord | undefined {
    return this.entries.get(id)?.record;
  }

  /** Restores every catalogued subscription; one that no longer passes the checks fails them all. */
  async restore(): Promise<void> {
    const records = await this.opts.catalogue.load();
    const started = await Promise.allSettled(records.map(async (record) => {
      try {
        this.check(parseSubscription({ ...record, id: undefined }));
      } catch (err) {
        throw new MeshError('ERR_MESH_CATALOGUE_FAILED', `Catalogued subscription ${record.id} is refused now: ${(err as Error).message}`, {
          cause: err, details: { id: record.id, field: (err as MeshError).details?.['field'] },
        });
      }
      this.entries.set(record.id, { record, sink: await this.start(record) });
    }));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await this.close();
      throw failure.reason;
    }
  }

  /** Checks, catalogues and starts a new subscription; resolves once its durable is attached. */
  async create(input: SubscriptionInput): Promise<SubscriptionRecord> {
    this.check(input);
    if (this.entries.size + this.creating >= this.opts.maxSubscriptions) {
      throw new MeshError('ERR_MESH_TOO_MANY_SUBSCRIPTIONS', `This node already holds ${this.opts.maxSubscriptions} subscriptions; delete one first`, {
        details: { maxSubscriptions: this.opts.maxSubscriptions },
      });
    }
    this.creating++;
    try {
      const record: SubscriptionRecord = { id: randomUUID(), ...input };
      await this.opts.catalogue.put(record);
      let sink: Subscription;
      try {
        sink = await this.start(record);
      } catch (err) {
        // The store may have made the durable before the failure: leave nothing behind.
        await this.mesh.deleteDurable(durableOf(record.id)).catch(() => undefined);
        await this.opts.catalogue.remove(record.id).catch(() => undefined);
        throw err;
      }
      this.entries.set(record.id, { record, sink });
      return record;
    } finally {
      this.creating--;
    }
  }

  /**
   * Stops the sink, deletes its durable (nothing more is kept for it) and forgets it.
   * Undefined for an unknown id. If the store cannot delete now, it stays listed (not
   * delivering) so a later DELETE finishes the job.
   */
  async remove(id: string): Promise<SubscriptionRecord | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    // Gone at once, so a second DELETE meanwhile is a 404, not a second teardown.
    this.entries.delete(id);
    try {
      await entry.sink.unsubscribe();
      await this.mesh.deleteDurable(durableOf(id)).catch((err: unknown) => {
        // A store that cannot delete keeps nothing it would have to forget.
        if (!(err instanceof MeshError && err.code === 'ERR_MESH_STORE_UNSUPPORTED')) throw err;
      });
      await this.opts.catalogue.remove(id);
    } catch (err) {
      this.entries.set(id, entry);
      throw err;
    }
    return entry.record;
  }

  /** Stops every sink; the definitions and the events kept for them stay for the next start. */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.sink.unsubscribe()));
  }

  /** What the router's options add to the request's own checks. */
  private check(input: SubscriptionInput): void {
    if (!this.opts.allowsSink(sinkUrl(input.sink))) {
      throw bad('sink', `sink ${input.sink} is not among the sinks this node delivers to (allowedSinks)`, undefined, undefined, 'ERR_MESH_FORBIDDEN');
    }
    const { deadLetter } = this.opts;
    const index = deadLetter === undefined ? -1 : (input.types ?? []).indexOf(deadLetter);
    if (index >= 0) throw bad(`types[${index}]`, `${deadLetter} is this node's dead-letter topic: a failing sink would get its own failures back`);
  }

  private async start(record: SubscriptionRecord): Promise<Subscription> {
    const { pattern, filter } = planOf(record, this.opts.deadLetter);
    const durable = durableOf(record.id);
    const settings = record.protocolsettings;
    const sink = webhookSink(this.mesh, pattern, {
      url: record.sink, durable, name: durable, filter, retry: this.opts.retry, deadLetter: this.opts.deadLetter,
      timeout: this.opts.timeout, headers: settings?.headers, method: settings?.method, transform: record.transform,
    });
    try {
      await sink.ready;
    } catch (err) {
      await sink.unsubscribe().catch(() => undefined);
      throw err;
    }
    return sink;
  }
}
