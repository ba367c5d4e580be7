import { describe, expect, it } from 'vitest';
import { memoryStore, type MeshStore } from '../../../src/index.js';
import { expectRejectCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('mesh.deleteDurable', () => {
  it('rejects ERR_MESH_STORE_UNSUPPORTED on a store without deleteDurable', async () => {
    const inner = memoryStore();
    const store: MeshStore = {
      name: 'no-delete', capabilities: inner.capabilities,
      open: () => inner.open(), append: (e) => inner.append(e), consume: (s, h) => inner.consume(s, h), close: () => inner.close(),
    };
    await expectRejectCode(mesh({ store }).deleteDurable('d'), 'ERR_MESH_STORE_UNSUPPORTED');
  });

  it('rejects ERR_MESH_INVALID_OPTIONS while a subscription of this mesh is attached, and for an empty name', async () => {
    const m = mesh({ store: memoryStore() });
    const sub = m.subscribe('a.*', () => undefined, { durable: 'held' });
    await sub.ready;
    await expectRejectCode(m.deleteDurable('held'), 'ERR_MESH_INVALID_OPTIONS');
    await expectRejectCode(m.deleteDurable(''), 'ERR_MESH_INVALID_OPTIONS');
    await sub.unsubscribe();
    await expect(m.deleteDurable('held')).resolves.toBeUndefined();
  });

  it('rejects ERR_MESH_CLOSED after close', async () => {
    const m = mesh({ store: memoryStore() });
    await m.close();
    await expectRejectCode(m.deleteDurable('d'), 'ERR_MESH_CLOSED');
  });
});
