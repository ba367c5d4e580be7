import { MeshError, asMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { compileFilter, type EventPredicate } from '../filter/dialects.js';
import { NO_RETRY, resolveRetry } from '../delivery/retry.js';
import { Scheduler } from '../delivery/scheduler.js';
import { MeshSubscription, type DeliveryPolicy, type EventHandler, type ReplayFrom, type SubscribeOptions } from '../delivery/subscription.js';
import { attachPipe } from '../pipeline/subscription-pipe.js';
import { parsePattern, type ParsedPattern } from '../topic/pattern.js';
import { assertTopic } from '../topic/topic.js';
import type { ConsumerSpec, MeshStore, StoreConsumer, StoreReplayFrom } from '../store/store.js';
import type { Kernel } from './kernel.js';

/** The answer to every delivery that was handled before the store's callback returned. */
const ACKED: Promise<void> = Promise.resolve();

export const DEFAULT_POLICY: DeliveryPolicy = Object.freeze({ concurrency: 1, keyOf: undefined, retry: NO_RETRY, deadLetter: undefined });

interface Checked {
  readonly parsed: ParsedPattern;
  readonly filter: EventPredicate | undefined;
  readonly policy: DeliveryPolicy;
}

/** Every check `subscribe` makes, with no side effect (also used by `observe` to fail early). */
export function checkSubscription(pattern: string, handler: unknown, options: SubscribeOptions | undefined): Checked {
  const parsed = parsePattern(pattern);
  if (typeof handler !== 'function') throw invalid('the handler must be a function');
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalid('subscribe options must be an object');
  checkNames(options);
  const filter = options?.filter === undefined ? undefined : compileFilter(options.filter);
  if (options?.pipe !== undefined && typeof options.pipe !== 'function') throw invalid('pipe must be a function');
  if (options?.pipe !== undefined && options.durable !== undefined) {
    throw invalid('a durable subscription cannot have a pipe: its events are acknowledged per handler run; use a filter');
  }
  return { parsed, filter, policy: resolvePolicy(options) };
}

/** Validates everything first, then registers: a subscribe that throws leaves nothing behind. */
export function subscribe(kernel: Kernel, pattern: string, handler: EventHandler, options?: SubscribeOptions): MeshSubscription {
  kernel.assertOpen();
  const { parsed, filter, policy } = checkSubscription(pattern, handler, options);
  const from = checkFrom(options, kernel.store);
  const sub = new MeshSubscription(parsed.text, handler, filter, policy, kernel, options);
  // Ordering keys only exist with concurrency > 1 (see resolvePolicy).
  if (policy.concurrency > 1 || options?.durable !== undefined) {
    sub.sched = new Scheduler(sub);
  }
  if (options?.pipe !== undefined) {
    attachPipe(sub, options.pipe);
    kernel.closables.add(sub);
  }
  if (options?.durable === undefined) {
    kernel.table.add(sub, parsed);
    kernel.federation?.localAdded(sub);
  } else {
    attachDurable(kernel, sub, options.durable, from);
  }
  return sub;
}

function attachDurable(kernel: Kernel, sub: MeshSubscription, name: string, from: StoreReplayFrom | undefined): void {
  const sched = sub.sched as Scheduler;
  kernel.closables.add(sub);
  // Deliveries the store handed over and the handler has not finished. close()
  // gives them back (rejects) when its deadline passes, so the store keeps them.
  const unacked = new Set<(acked: boolean) => void>();
  kernel.unacked.set(sub, unacked);
  const spec: ConsumerSpec = { name, pattern: sub.pattern, prefetch: Math.max(16, sub.policy.concurrency * 2), ...(from === undefined ? {} : { from }) };
  // Acknowledged once the handler is done with it, retries and dead-lettering
  // included; events the filter rejects are acknowledged at once; events offered
  // after unsubscribe are refused, so the store keeps them.
  const tracked = (event: MeshEvent, start: (settle: (acked: boolean) => void) => void): Promise<void> => new Promise<void>((resolve, reject) => {
    const settle = (acked: boolean): void => {
      if (!unacked.delete(settle)) return;
      if (acked) resolve();
      else reject(new MeshError('ERR_MESH_CLOSED', `Delivery of ${event.id} did not finish`, { details: { eventId: event.id } }));
    };
    unacked.add(settle);
    start(settle);
  });
  const onEvent = (event: MeshEvent): Promise<void> => {
    if (!sub.live || kernel.halted) {
      return Promise.reject(new MeshError('ERR_MESH_CLOSED', `Durable ${name} is not consuming`, { details: { eventId: event.id } }));
    }
    if (sub.filter !== undefined && !sub.filter(event)) return ACKED;
    if (sched.idle) {
      // The common case, a synchronous handler with a slot free, is over before this
      // returns: acknowledged with one shared settled promise, nothing to track.
      let pending: Promise<void> | undefined;
      const ran = sched.runNow(event, () => {
        let done!: (acked: boolean) => void;
        pending = tracked(event, (settle) => (done = settle));
        return done;
      });
      return ran ? ACKED : pending as Promise<void>;
    }
    return tracked(event, (settle) => sched.push(event, settle));
  };
  // With the store open, attach now: an event published right after subscribe()
  // must find the durable queue. Before that, the attach is queued on the open,
  // ahead of any append published later (see Publisher).
  const attach = (): Promise<StoreConsumer> => kernel.store.consume(spec, onEvent);
  // Registered before attaching: the store may hand over its backlog inside
  // consume(), and a handler that unsubscribes right there must find it to stop.
  let attached!: (consumer: StoreConsumer | undefined) => void;
  kernel.consumers.set(sub, new Promise((resolve) => (attached = resolve)));
  const consumer = kernel.storeOpen ? attempt(attach) : kernel.storeReady().then(attach);
  consumer.then((c) => {
    attached(c);
    if (!sub.live || kernel.halted) void c.stop();
  }, () => attached(undefined));
  sub.ready = consumer.then(() => undefined);
  // The caller may never await `ready`; the failure still reaches 'error'.
  sub.ready.catch((err: unknown) => kernel.report(asMeshError(err, 'ERR_MESH_STORE_FAILED', { durable: name })));
}

function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Replay is a store capability: asked of a store without it, subscribe fails at once, not later in `ready`. */
function checkFrom(options: SubscribeOptions | undefined, store: MeshStore): StoreReplayFrom | undefined {
  const from: ReplayFrom | undefined = options?.from;
  if (from === undefined) return undefined;
  if (options?.durable === undefined) throw invalid('from needs durable: only a durable subscription is fed by the store');
  if (typeof from !== 'object' || from === null) throw invalid('from must be { afterId } or { time }');
  let normalized: StoreReplayFrom;
  if ('afterId' in from) {
    if (typeof from.afterId !== 'string' || from.afterId.length === 0) throw invalid('from.afterId must be a non-empty event id');
    normalized = { afterId: from.afterId };
  } else if ('time' in from) {
    const time = from.time instanceof Date ? from.time.getTime() : from.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw invalid('from.time must be a valid Date or epoch milliseconds');
    normalized = { time };
  } else {
    throw invalid('from must be { afterId } or { time }');
  }
  if (!store.capabilities.replay) {
    throw new MeshError('ERR_MESH_STORE_UNSUPPORTED', `The ${store.name} store cannot replay: from is not available`, {
      details: { store: store.name, durable: options.durable },
    });
  }
  return normalized;
}

function resolvePolicy(options: SubscribeOptions | undefined): DeliveryPolicy {
  if (options === undefined) return DEFAULT_POLICY;
  const { concurrency = 1, orderingKey, retry, deadLetter } = options;
  if (concurrency === 1 && orderingKey === undefined && retry === undefined && deadLetter === undefined) return DEFAULT_POLICY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid('concurrency must be an integer >= 1');
  if (deadLetter !== undefined) assertTopic(deadLetter);
  const keyOf = keyFunction(orderingKey);
  // With one handler at a time everything is already in order: a key would only cost.
  return { concurrency, keyOf: concurrency > 1 ? keyOf : undefined, retry: resolveRetry(retry), deadLetter };
}

function keyFunction(orderingKey: SubscribeOptions['orderingKey']): DeliveryPolicy['keyOf'] {
  if (orderingKey === undefined) return undefined;
  if (typeof orderingKey === 'function') return (event) => String(orderingKey(event));
  if (typeof orderingKey !== 'string' || orderingKey.length === 0) throw invalid('orderingKey must be an attribute name or a function');
  return (event) => {
    const value = event[orderingKey];
    return value === undefined ? '' : String(value);
  };
}

function checkNames(options: SubscribeOptions | undefined): void {
  if (options === undefined) return;
  for (const key of ['group', 'durable', 'name'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw invalid(`${key} must be a non-empty string`);
  }
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
