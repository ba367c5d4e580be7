import { deepStrictEqual } from 'node:assert/strict';
import { until } from './conformance-rig.js';
import type { Scenario } from './conformance-scenarios.js';

// When a durable starts to see events: from the moment subscribe() returned, for
// what its own mesh publishes, however long the store takes to attach it.

/**
 * Events a mesh publishes (with `emit` or `publish`) right after subscribing durably,
 * with no wait for `ready`, reach that durable: once while the store is still
 * opening (the mesh not started), once with the store open (the durable attaching).
 */
export const seesWhatItsMeshPublishesRightAfterSubscribe: Scenario = async (rig, wait) => {
  const ordered = rig.store().capabilities.ordered;
  const got = { opening: [] as unknown[], open: [] as unknown[] };
  const mesh = rig.mesh(rig.store());
  mesh.subscribe(rig.topic('opening.*'), (e) => void got.opening.push(e.data), { durable: rig.durable('opening') });
  mesh.emit(rig.topic('opening.a'), 1);
  await mesh.publish(rig.topic('opening.b'), 2);
  mesh.emit(rig.topic('opening.c'), 3);
  // The store is open now: this durable attaches while the events below are published.
  mesh.subscribe(rig.topic('open.*'), (e) => void got.open.push(e.data), { durable: rig.durable('open') });
  mesh.emit(rig.topic('open.a'), 1);
  const last = mesh.publish(rig.topic('open.b'), 2);
  mesh.emit(rig.topic('open.c'), 3);
  await last;
  await until(() => got.opening.length >= 3 && got.open.length >= 3, wait, 'the events published right after each subscribe');
  const expected = { opening: [1, 2, 3], open: [1, 2, 3] };
  deepStrictEqual(ordered ? got : { opening: got.opening.sort(), open: got.open.sort() }, expected);
  deepStrictEqual(rig.errors.map((e) => e.code), [], 'nothing reported');
};
