import { equal } from 'node:assert/strict';
import type { MeshStore } from '../store/store.js';
import { until } from './conformance-rig.js';
import type { Scenario } from './conformance-scenarios.js';

// What an operator reads from a store: a durable's backlog, and whether the engine answers.

/** More than the prefetch the kernel asks for (16 at concurrency 1): some delivered, some not yet. */
const HELD = 20;

/**
 * `backlog` counts what the durable holds unacknowledged, delivered or not: it reaches
 * the number of events published while the handler holds them, 0 once they are
 * handled, keeps counting with no consumer attached (what an autoscaler starting
 * from zero reads), and is undefined for a name the store does not know.
 */
export const backlogFollowsTheDurable: Scenario = async (rig, wait) => {
  const store = rig.store();
  const backlog = (name: string): Promise<number | undefined> => (store.backlog as NonNullable<MeshStore['backlog']>).call(store, name);
  const durable = rig.durable('backlog');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let handled = 0;
  const mesh = rig.mesh(store);
  const sub = mesh.subscribe(rig.topic('held.*'), async () => {
    await held;
    handled++;
  }, { durable });
  await sub.ready;
  equal(await backlog(durable), 0, 'nothing published yet');
  for (let i = 0; i < HELD; i++) await mesh.publish(rig.topic('held.x'), i);
  await until(async () => (await backlog(durable)) === HELD, wait, `a backlog of ${HELD} while the handler holds every event`);
  release();
  await until(() => handled === HELD, wait, `${HELD} events handled`);
  await until(async () => (await backlog(durable)) === 0, wait, 'a backlog of 0 once every event is acknowledged');
  await sub.unsubscribe();
  await mesh.publish(rig.topic('held.x'), 'offline 1');
  await mesh.publish(rig.topic('held.x'), 'offline 2');
  await until(async () => (await backlog(durable)) === 2, wait, 'a backlog of 2 for the durable with no consumer');
  equal(await backlog(rig.durable('never-subscribed')), undefined, 'an unknown durable');
};

/** `ping` resolves while the engine is there (the store opened by a mesh). */
export const pingAnswers: Scenario = async (rig) => {
  const store = rig.store();
  await rig.mesh(store).start();
  await (store.ping as NonNullable<MeshStore['ping']>).call(store);
};
