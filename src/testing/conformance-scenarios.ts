import { deepStrictEqual, equal, ok } from 'node:assert/strict';
import type { Subscription } from '../delivery/subscription.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { Mesh } from '../mesh/mesh.js';
import { type ConformanceRig, dataOf, rejection, sleep, until } from './conformance-rig.js';

/** One behaviour every store must show, driven through real meshes. `wait` bounds each condition. */
export type Scenario = (rig: ConformanceRig, wait: number) => Promise<void>;

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/** Attaches, goes offline, lets another mesh publish, then returns in a restarted process. */
export const offlineEventsReachTheDurable: Scenario = async (rig, wait) => {
  const pattern = rig.topic('order.*');
  const durable = rig.durable('offline');
  const first = rig.mesh(rig.store());
  await first.subscribe(pattern, () => undefined, { durable }).ready;
  await first.close();
  const publisher = rig.mesh(rig.elsewhere());
  // Resolved publishes are the claim under test: the store holds them now.
  await publisher.publish(rig.topic('order.created'), 1);
  await publisher.publish(rig.topic('order.paid'), 2);
  await publisher.close();
  const got: MeshEvent[] = [];
  const back = rig.mesh(rig.restarted());
  await back.subscribe(pattern, (e) => void got.push(e), { durable }).ready;
  await until(() => got.length >= 2, wait, 'the two events published while the durable was offline');
  deepStrictEqual(dataOf(got).sort(), [1, 2]);
};

/** Acknowledged events stay acknowledged across a restart; only what came after is delivered. */
export const resumesWhereItStopped: Scenario = async (rig, wait) => {
  const pattern = rig.topic('#');
  const durable = rig.durable('resume');
  const seen: unknown[] = [];
  const first = rig.mesh(rig.store());
  await first.subscribe(pattern, (e) => void seen.push(e.data), { durable }).ready;
  await first.publish(rig.topic('a'), 1);
  await first.publish(rig.topic('a'), 2);
  await until(() => seen.length === 2, wait, 'the first two events');
  await first.close();
  const publisher = rig.mesh(rig.elsewhere());
  await publisher.publish(rig.topic('a'), 3);
  await publisher.publish(rig.topic('a'), 4);
  const after: unknown[] = [];
  const back = rig.mesh(rig.restarted());
  await back.subscribe(pattern, (e) => void after.push(e.data), { durable }).ready;
  await until(() => after.length >= 2, wait, 'the events published after the restart');
  await back.publish(rig.topic('a'), 'marker');
  await until(() => after.includes('marker'), wait, 'the marker');
  deepStrictEqual(after.sort(), [3, 4, 'marker'].sort());
};

/** A consumer that goes away holding an unacknowledged event: another consumer of the durable gets it. */
export const unackedGoesToAnotherConsumer: Scenario = async (rig, wait) => {
  const pattern = rig.topic('job');
  const durable = rig.durable('handoff');
  let started = 0;
  const stuck = rig.mesh(rig.store(), { closeTimeout: 100 });
  await stuck.subscribe(pattern, () => {
    started++;
    return new Promise(() => undefined);
  }, { durable }).ready;
  await stuck.publish(pattern, 'x');
  await until(() => started === 1, wait, 'the first consumer to start on the event');
  await stuck.close();
  const got: unknown[] = [];
  const other = rig.mesh(rig.elsewhere());
  await other.subscribe(pattern, (e) => void got.push(e.data), { durable }).ready;
  await until(() => got.length >= 1, wait, 'redelivery to the other consumer');
  deepStrictEqual(got, ['x']);
};

/** The kernel's retry runs unchanged on store deliveries, and the event is acknowledged after success. */
export const retriesThenAcknowledges: Scenario = async (rig, wait) => {
  const pattern = rig.topic('flaky');
  const durable = rig.durable('retry');
  const attempts: number[] = [];
  const mesh = rig.mesh(rig.store());
  const sub = mesh.subscribe(pattern, (_e, ctx) => {
    attempts.push(ctx.attempt);
    if (ctx.attempt < 3) throw new Error('not yet');
  }, { durable, retry: { attempts: 3, backoff: 0 } });
  await sub.ready;
  await mesh.publish(pattern, 'x');
  await until(() => attempts.length === 3, wait, 'three attempts');
  await nothingComesBack(mesh, sub, pattern, durable, wait);
  deepStrictEqual(attempts, [1, 2, 3]);
};

/**
 * The event `sub` handled was acknowledged: once `sub` stops, a new subscriber of the
 * durable gets only a marker published after it, not that event again.
 */
async function nothingComesBack(mesh: Mesh, sub: Subscription, pattern: string, durable: string, wait: number): Promise<void> {
  await sub.unsubscribe();
  const again: unknown[] = [];
  await mesh.subscribe(pattern, (e) => void again.push(e.data), { durable }).ready;
  await mesh.publish(pattern, 'marker');
  await until(() => again.includes('marker'), wait, 'the marker');
  deepStrictEqual(again, ['marker']);
}

/** After the last attempt the event is dead-lettered, then acknowledged (not redelivered). */
export const deadLettersThenAcknowledges: Scenario = async (rig, wait) => {
  const pattern = rig.topic('poison');
  const dlq = rig.topic('dlq');
  const durable = rig.durable('dlq');
  let runs = 0;
  const letters: MeshEvent[] = [];
  const mesh = rig.mesh(rig.store());
  mesh.subscribe(dlq, (e) => void letters.push(e));
  const sub = mesh.subscribe(pattern, () => {
    runs++;
    throw new Error('always');
  }, { durable, retry: { attempts: 2, backoff: 0 }, deadLetter: dlq });
  await sub.ready;
  await mesh.publish(pattern, 'x');
  await until(() => letters.length === 1, wait, 'the dead letter');
  await nothingComesBack(mesh, sub, pattern, durable, wait);
  equal(runs, 2);
  ok(rig.errors.some((e) => e.code === 'ERR_MESH_HANDLER_FAILED'), 'handler failures are reported');
};

/** Two meshes (two processes where the store is distributed) on one durable: each event handled once. */
export const durableSharedAcrossMeshes: Scenario = async (rig, wait) => {
  const pattern = rig.topic('work.*');
  const durable = rig.durable('shared');
  const handled = { a: [] as unknown[], b: [] as unknown[] };
  const slow = (into: unknown[]) => async (e: MeshEvent): Promise<void> => {
    into.push(e.data);
    await sleep(5);
  };
  const a = rig.mesh(rig.store());
  const b = rig.mesh(rig.elsewhere());
  await a.subscribe(pattern, slow(handled.a), { durable, group: 'workers' }).ready;
  await b.subscribe(pattern, slow(handled.b), { durable, group: 'workers' }).ready;
  const total = 40;
  for (let i = 0; i < total; i++) await (i % 2 === 0 ? a : b).publish(rig.topic('work.item'), i);
  await until(() => handled.a.length + handled.b.length >= total, wait, `${total} events handled`);
  await sleep(100);
  const all = [...handled.a, ...handled.b] as number[];
  deepStrictEqual(all.sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i), 'each event handled exactly once');
  ok(handled.a.length > 0 && handled.b.length > 0, `both meshes took work (a ${handled.a.length}, b ${handled.b.length})`);
};

/** `*` is one level, `#` zero or more (so `x.#` matches `x`), whatever the engine's own grammar. */
export const selectsByPattern: Scenario = async (rig, wait) => {
  const star: string[] = [];
  const hash: string[] = [];
  const mesh = rig.mesh(rig.store());
  await mesh.subscribe(rig.topic('*.created'), (e) => void star.push(e.type), { durable: rig.durable('star') }).ready;
  await mesh.subscribe(rig.topic('shop.#'), (e) => void hash.push(e.type), { durable: rig.durable('hash') }).ready;
  const types = ['order.created', 'shop', 'shop.order.created', 'order.updated', 'x.y.created', 'shopping.created', 'shop.x'];
  for (const t of types) await mesh.publish(rig.topic(t), t);
  await mesh.publish(rig.topic('end.created'), 'end');
  await mesh.publish(rig.topic('shop.end'), 'end');
  await until(() => star.includes(rig.topic('end.created')) && hash.includes(rig.topic('shop.end')), wait, 'both markers');
  deepStrictEqual(star.sort(), ['order.created', 'shopping.created', 'end.created'].map((t) => rig.topic(t)).sort());
  deepStrictEqual(hash.sort(), ['shop', 'shop.order.created', 'shop.x', 'shop.end'].map((t) => rig.topic(t)).sort());
};

/** One consumer, concurrency 1: events arrive in the order they were stored. */
export const deliversInOrder: Scenario = async (rig, wait) => {
  const got: unknown[] = [];
  const mesh = rig.mesh(rig.store());
  const pattern = rig.topic('seq');
  await mesh.subscribe(pattern, (e) => void got.push(e.data), { durable: rig.durable('order') }).ready;
  const total = 50;
  for (let i = 0; i < total; i++) await mesh.publish(pattern, i);
  await until(() => got.length >= total, wait, `${total} events`);
  deepStrictEqual(got, Array.from({ length: total }, (_, i) => i));
};

export const replaysAfterId: Scenario = async (rig, wait) => {
  const pattern = rig.topic('log.*');
  const mesh = rig.mesh(rig.store());
  const first = await mesh.publish(rig.topic('log.a'), 1);
  await mesh.publish(rig.topic('log.b'), 2);
  await mesh.publish(rig.topic('other'), 'not matching');
  await mesh.publish(rig.topic('log.c'), 3);
  const got: unknown[] = [];
  await mesh.subscribe(pattern, (e) => void got.push(e.data), { durable: rig.durable('replay-id'), from: { afterId: first.id } }).ready;
  await until(() => got.length >= 2, wait, 'the replayed events');
  await mesh.publish(rig.topic('log.d'), 4);
  await until(() => got.includes(4), wait, 'a live event after the replay');
  deepStrictEqual(got.sort(), [2, 3, 4]);
};

export const replaysFromTime: Scenario = async (rig, wait) => {
  const pattern = rig.topic('log.*');
  const mesh = rig.mesh(rig.store());
  await mesh.publish(rig.topic('log.a'), 'before');
  // Replay by time is by the store's clock: leave a gap on both sides of the cut.
  await sleep(30);
  const cut = new Date();
  await sleep(30);
  await mesh.publish(rig.topic('log.b'), 'after');
  const got: unknown[] = [];
  const byNumber: unknown[] = [];
  await mesh.subscribe(pattern, (e) => void got.push(e.data), { durable: rig.durable('replay-date'), from: { time: cut } }).ready;
  await mesh.subscribe(pattern, (e) => void byNumber.push(e.data), { durable: rig.durable('replay-ms'), from: { time: cut.getTime() } }).ready;
  await until(() => got.length >= 1 && byNumber.length >= 1, wait, 'the replayed event');
  await sleep(50);
  deepStrictEqual(got, ['after']);
  deepStrictEqual(byNumber, ['after']);
};

export const refusesUnknownReplayId: Scenario = async (rig, wait) => {
  const mesh = rig.mesh(rig.store());
  const sub = mesh.subscribe(rig.topic('x'), () => undefined, { durable: rig.durable('replay-unknown'), from: { afterId: `missing-${rig.id}` } });
  equal(codeOf(await rejection(sub.ready, wait, 'ready')), 'ERR_MESH_INVALID_OPTIONS');
};

export const refusesReplayWithoutCapability: Scenario = (rig) => {
  const mesh = rig.mesh(rig.store());
  let thrown: unknown;
  try {
    mesh.subscribe(rig.topic('x'), () => undefined, { durable: rig.durable('no-replay'), from: { time: 0 } });
  } catch (err) {
    thrown = err;
  }
  equal(codeOf(thrown), 'ERR_MESH_STORE_UNSUPPORTED');
  return Promise.resolve();
};

/** A deleted durable forgets what it kept: subscribing with the name again starts from now. */
export const deletedDurableStartsAfresh: Scenario = async (rig, wait) => {
  const pattern = rig.topic('gone.*');
  const durable = rig.durable('deleted');
  const mesh = rig.mesh(rig.store());
  const sub = mesh.subscribe(pattern, () => undefined, { durable });
  await sub.ready;
  await sub.unsubscribe();
  await mesh.publish(rig.topic('gone.kept'), 'before');
  await mesh.deleteDurable(durable);
  await mesh.deleteDurable(durable);
  const got: unknown[] = [];
  await mesh.subscribe(pattern, (e) => void got.push(e.data), { durable }).ready;
  await mesh.publish(rig.topic('gone.new'), 'after');
  await until(() => got.includes('after'), wait, 'the event published after the delete');
  await sleep(50);
  deepStrictEqual(got, ['after']);
};
