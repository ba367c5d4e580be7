import { checkSubscription } from '../delivery/check-subscription.js';
import { Scheduler } from '../delivery/scheduler.js';
import { MeshSubscription, type EventHandler, type SubscribeOptions } from '../delivery/subscription.js';
import { checkFrom } from '../durable/replay-from.js';
import { attachPipe } from '../pipeline/subscription-pipe.js';
import type { Kernel } from './kernel.js';

/** Validates everything first, then registers: a subscribe that throws leaves nothing behind. */
export function subscribe(kernel: Kernel, pattern: string, handler: EventHandler, options?: SubscribeOptions): MeshSubscription {
  kernel.assertOpen();
  const checked = checkSubscription(pattern, handler, options);
  const { parsed, filter, policy, transform } = checked;
  // Only a subscription with a transform pays for it: its handler is wrapped, others are not.
  if (transform !== undefined) {
    const inner = handler;
    handler = (event, ctx) => inner(transform(event), ctx);
  }
  const durables = kernel.durables;
  const from = checkFrom(options, durables.store);
  const sub = new MeshSubscription(parsed.text, handler, filter, policy, kernel, options);
  // Ordering keys only exist with concurrency > 1 (see resolvePolicy); delivery hooks run on the scheduled path.
  if (policy.concurrency > 1 || options?.durable !== undefined || kernel.hooks.watchesDeliveries) {
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
    kernel.closables.add(sub);
    durables.attach(sub, options.durable, from);
  }
  return sub;
}
