import { deepStrictEqual } from 'node:assert/strict';
import type { MeshError } from '../errors.js';
import type { StoreContext } from '../store/store.js';
import { until } from './conformance-rig.js';
import type { Scenario } from './conformance-scenarios.js';

// How a store is opened and closed: by several meshes on one instance, and by a
// caller that is not a mesh, each with its StoreContext.

/**
 * One store instance opened by two meshes (each open counted): closing one leaves the
 * store working for the other; after the last close a new mesh opens it again.
 */
export const sharedInstanceCountsOpens: Scenario = async (rig, wait) => {
  const store = rig.store();
  const pattern = rig.topic('rc.*');
  const durable = rig.durable('refcount');
  const got: unknown[] = [];
  const a = rig.mesh(store);
  const b = rig.mesh(store);
  await a.start();
  await b.subscribe(pattern, (e) => void got.push(e.data), { durable }).ready;
  await a.close();
  await b.publish(rig.topic('rc.x'), 'after the first close');
  await until(() => got.length === 1, wait, 'an event on the mesh still open');
  await b.close();
  const c = rig.mesh(store);
  await c.subscribe(pattern, (e) => void got.push(e.data), { durable }).ready;
  await c.publish(rig.topic('rc.x'), 'reopened');
  await until(() => got.length === 2, wait, 'an event after the store was opened again');
  deepStrictEqual(got, ['after the first close', 'reopened']);
};

/**
 * `open` takes a `StoreContext` from a caller that is not a mesh too, and counts that
 * open with the meshes' own: after a mesh's close the store is still open for that
 * caller (an append goes through, with nobody opening it again). A close without an
 * open does nothing; a healthy store reports nothing.
 */
export const acceptsAContext: Scenario = async (rig, wait) => {
  const store = rig.store();
  const reported: MeshError[] = [];
  const context: StoreContext = { meshId: `conformance-${rig.id}`, report: (error) => void reported.push(error) };
  await store.close();
  await store.open(context);
  try {
    const got: unknown[] = [];
    const mesh = rig.mesh(store);
    await mesh.subscribe(rig.topic('ctx.*'), (e) => void got.push(e.data), { durable: rig.durable('context') }).ready;
    const event = await mesh.publish(rig.topic('ctx.x'), 'through the mesh');
    await until(() => got.length === 1, wait, 'the event published through the mesh');
    await mesh.close();
    await store.append(event);
  } finally {
    await store.close();
  }
  deepStrictEqual(reported.map((e) => e.code), [], 'nothing reported on a healthy run');
};
