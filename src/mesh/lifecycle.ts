import { MeshError } from '../errors.js';
import { Transport } from '../federation/transport.js';
import type { Kernel } from './kernel.js';
import { timerDelay } from '../delivery/timer-delay.js';
import { startTracing } from '../tracing/start-tracing.js';

/** Opens what the mesh needs (the store now; listeners and peers with federation). Idempotent. */
export async function start(kernel: Kernel): Promise<void> {
  kernel.assertOpen();
  // prom-client loads in the background from createMesh; a missing package fails start().
  await kernel.observability.metrics?.ready;
  // Before the store feeds durable subscriptions: their first deliveries are traced too.
  if (!kernel.tracingAsked) {
    kernel.tracingAsked = true;
    try {
      kernel.traceStamp = await startTracing(kernel.hooks, kernel.options.tracing, (error) => kernel.report(error));
    } catch (err) {
      kernel.tracingAsked = false; // a retried start() asks again
      throw err;
    }
  }
  await kernel.durables.ready();
  const { listen, peers, peerTls, heartbeatInterval } = kernel.options;
  if (listen !== undefined || peers.length > 0) {
    const transport = new Transport(kernel.federate(), (error) => kernel.report(error), kernel.log);
    kernel.transport = transport; // before binding: a close() meanwhile releases the port
    try {
      await transport.start({ listen, peers, peerTls, heartbeatInterval, limits: kernel.options.limits, refusals: kernel.refusals });
    } catch (err) {
      // Could not listen: nothing is left open, and start() may be retried.
      if (kernel.transport === transport) kernel.transport = undefined;
      throw err;
    }
  }
  if (kernel.state === 'idle') {
    kernel.state = 'started';
    kernel.startedAt = Date.now();
    const address = kernel.transport?.address;
    kernel.log.info('mesh started', {
      listen: address === undefined ? undefined : `${address.host}:${String(address.port)}`,
      peers: peers.map((p) => p.url), store: kernel.options.store.name,
    });
  }
}

/**
 * After start(): resolves once every configured peer is linked, or rejects after `ms`
 * with ERR_MESH_PEER_UNREACHABLE; the mesh stays started either way.
 */
export function waitForPeers(kernel: Kernel, ms: number): Promise<void> {
  kernel.assertOpen();
  return kernel.transport?.whenLinked(ms) ?? Promise.resolve();
}

/**
 * Stops accepting, lets in-flight handlers (and their retries) finish within the
 * deadline, then ends every subscription, fails open requests and closes the store.
 */
export async function close(kernel: Kernel): Promise<void> {
  kernel.state = 'closing';
  // The store stops feeding first, so closing drains what is in flight rather
  // than the whole durable backlog; the rest stays in the store.
  const deadline = Date.now() + kernel.options.closeTimeout;
  await within(kernel.durables.stopAll(), deadline);
  const drained = await kernel.drain.idle(Math.max(0, deadline - Date.now()));
  if (!drained) kernel.report(drainTimeout(kernel));
  // From here nothing queued, retried or emitted by an async operator runs.
  kernel.halt();
  // Plain live subscriptions need no teardown: nothing reaches them any more,
  // and their `active` reads false.
  const detaching: Promise<void>[] = [];
  for (const sub of [...kernel.closables]) {
    sub.end();
    detaching.push(kernel.detach(sub).then(() => kernel.durables.abandon(sub)));
  }
  await within(Promise.allSettled(detaching), deadline + 1000);
  kernel.durables.abandonAll();
  kernel.publisher.chain.close();
  // What links were sent is still written (events a publish resolved for), within what is
  // left of closeTimeout (at least 1 s) for a slow reader; then the sockets go.
  const grace = Math.max(1000, deadline - Date.now());
  const stockClosed = kernel.stock?.close(grace) ?? Promise.resolve(); // PROTOCOL §8.6: SERVER_GOODBYE to stock clients
  if (kernel.transport !== undefined) await kernel.transport.close(grace, stockClosed);
  else await within(Promise.all([stockClosed, kernel.federation?.close(grace)]), Date.now() + grace);
  kernel.refusals.flush();
  kernel.observability.metrics?.close();
  await kernel.durables.close();
  kernel.state = 'closed';
  kernel.log.info('mesh closed', { drained });
}

/** How many abandoned deliveries the drain-timeout report lists one by one. */
export const DRAIN_REPORT_LIMIT = 100;

/**
 * ERR_MESH_DRAIN_TIMEOUT, saying what was given up: `pending` (how many), `deliveries`
 * (at most DRAIN_REPORT_LIMIT: event id, subscription, durable, state), `eventIds` (theirs,
 * once each), `omitted` (deliveries not listed) and `durable` (how many listed are
 * durable: their events stay in the store and are delivered again).
 */
function drainTimeout(kernel: Kernel): MeshError {
  const pending = kernel.drain.pending;
  const deliveries = kernel.drain.list(DRAIN_REPORT_LIMIT);
  const eventIds = [...new Set(deliveries.map((d) => d.eventId))];
  const durable = deliveries.filter((d) => d.durable).length;
  const stay = durable === 0 ? '' : `; ${durable} durable, kept in the store for redelivery`;
  const named = `${eventIds.slice(0, 10).join(', ')}${eventIds.length > 10 || pending > deliveries.length ? ', …' : ''}`;
  return new MeshError('ERR_MESH_DRAIN_TIMEOUT',
    `close() abandoned ${pending} deliveries after ${kernel.options.closeTimeout} ms (events ${named})${stay}`, {
      details: { pending, deliveries, eventIds, omitted: pending - deliveries.length, durable },
    });
}

/** Waits for `work`, but not past `deadline` (epoch ms): a store that hangs must not hang close(). */
function within(work: Promise<unknown>, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timerDelay(deadline - Date.now()));
    void work.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
