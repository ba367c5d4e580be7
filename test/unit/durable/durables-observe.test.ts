import { describe, expect, it } from 'vitest';
import { MeshError, memoryStore, type MeshStore } from '../../../src/index.js';
import { kernelOf } from '../../../src/mesh/mesh.js';
import { deferred, expectRejectCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

/** The memory store's members, with `backlog` and `ping` replaced (or left out when given undefined). */
function storeWith(overrides: { backlog?: MeshStore['backlog']; ping?: MeshStore['ping'] }): MeshStore {
  const inner = memoryStore();
  const store: MeshStore = {
    name: 'custom', capabilities: inner.capabilities,
    open: () => inner.open(), append: (e) => inner.append(e), consume: (s, h) => inner.consume(s, h), close: () => inner.close(),
    accepts: (type) => inner.accepts?.(type) ?? true,
  };
  return Object.assign(store, overrides);
}

describe('Durables.backlogs', () => {
  it('gives one entry per durable name attached here, with the store\'s figure; plain subscriptions are not in it', async () => {
    const m = mesh({ store: memoryStore() });
    const hold = deferred();
    m.subscribe('plain.*', () => undefined);
    await m.subscribe('a.*', () => hold.promise, { durable: 'a', group: 'g' }).ready;
    await m.subscribe('a.*', () => hold.promise, { durable: 'a', group: 'g' }).ready;
    await m.subscribe('b.*', () => undefined, { durable: 'b' }).ready;
    for (let i = 0; i < 3; i++) await m.publish('a.x', i);
    await m.publish('b.x', 'handled at once');
    const durables = kernelOf(m).durables;
    await until(async () => (await durables.backlogs()).find((d) => d.name === 'b')?.backlog === 0);
    expect(await durables.backlogs()).toEqual([{ name: 'a', backlog: 3 }, { name: 'b', backlog: 0 }]);
    hold.resolve();
    await until(async () => (await durables.backlogs())[0]?.backlog === 0);
  });

  it('is empty with no durable subscription', async () => {
    const m = mesh({ store: memoryStore() });
    m.subscribe('plain.*', () => undefined);
    await m.start();
    expect(await kernelOf(m).durables.backlogs()).toEqual([]);
  });

  it('gives undefined, never a rejection, where the store has no backlog, rejects, or throws', async () => {
    const failing = [
      storeWith({}),
      storeWith({ backlog: () => Promise.reject(new Error('engine gone')) }),
      storeWith({ backlog: () => { throw new Error('thrown'); } }),
    ];
    for (const store of failing) {
      const m = mesh({ store });
      await m.subscribe('x.*', () => undefined, { durable: 'x' }).ready;
      expect(await kernelOf(m).durables.backlogs()).toEqual([{ name: 'x', backlog: undefined }]);
    }
  });
});

describe('Durables.ping', () => {
  it('resolves for a healthy store, and for a store without ping', async () => {
    const healthy = mesh({ store: memoryStore() });
    await healthy.start();
    await expect(kernelOf(healthy).durables.ping()).resolves.toBeUndefined();
    const without = mesh({ store: storeWith({}) });
    await without.start();
    await expect(kernelOf(without).durables.ping()).resolves.toBeUndefined();
  });

  it('rejects with ERR_MESH_STORE_UNAVAILABLE whatever the store rejected with, keeping it as cause', async () => {
    const cause = new Error('connection refused');
    const m = mesh({ store: storeWith({ ping: () => Promise.reject(cause) }) });
    await m.start();
    await expectRejectCode(kernelOf(m).durables.ping(), 'ERR_MESH_STORE_UNAVAILABLE');
    await expect(kernelOf(m).durables.ping()).rejects.toMatchObject({ cause });
    const other = new MeshError('ERR_MESH_STORE_FAILED', 'not open');
    const n = mesh({ store: storeWith({ ping: () => Promise.reject(other) }) });
    await n.start();
    await expect(kernelOf(n).durables.ping()).rejects.toMatchObject({ code: 'ERR_MESH_STORE_UNAVAILABLE', cause: other });
  });
});
