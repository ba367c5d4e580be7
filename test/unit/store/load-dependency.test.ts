import { describe, expect, it } from 'vitest';
import { loadDependency } from '../../../src/store/load-dependency.js';
import { MeshError } from '../../../src/index.js';
import { expectRejectCode } from '../../support/expect-code.js';

describe('loadDependency', () => {
  it('loads an installed package', async () => {
    const mod = await loadDependency<{ default?: unknown }>('eventemitter3', 'a test');
    expect(typeof (mod.default ?? mod)).toBe('function');
  });

  it('names a package that is not installed with ERR_MESH_ADAPTER_MISSING_DEP', async () => {
    const loading = loadDependency('evmesh-no-such-package', 'redisStore');
    await expectRejectCode(loading, 'ERR_MESH_ADAPTER_MISSING_DEP');
    const err = await loading.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeshError);
    expect((err as MeshError).details).toEqual({ package: 'evmesh-no-such-package', neededBy: 'redisStore' });
  });
});
