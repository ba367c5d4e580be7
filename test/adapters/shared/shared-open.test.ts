import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedOpen } from '../../../adapters/shared/shared-open.js';
import { MeshError, type StoreContext } from '../../../src/index.js';

/** An engine that counts its connects and releases; `failNext` makes the next connect reject. */
function engine(onError?: (error: MeshError) => void) {
  const counts = { connects: 0, releases: 0 };
  let failNext = false;
  const shared = new SharedOpen<number>({
    store: 'testStore',
    connect: () => {
      counts.connects++;
      if (!failNext) return Promise.resolve(counts.connects);
      failNext = false;
      return Promise.reject(new MeshError('ERR_MESH_STORE_UNAVAILABLE', 'down'));
    },
    release: async (e) => {
      await e;
      counts.releases++;
    },
    onError,
  });
  return { shared, counts, failConnect: () => void (failNext = true) };
}

function context(meshId: string): StoreContext & { got: string[] } {
  const got: string[] = [];
  return { meshId, got, report: (e) => void got.push(e.code) };
}

const failure = (): MeshError => new MeshError('ERR_MESH_STORE_FAILED', 'background');

afterEach(() => vi.restoreAllMocks());

describe('SharedOpen (the adapters\' reference-counted open/close)', () => {
  it('connects once for every concurrent open and releases at the last close only', async () => {
    const { shared, counts } = engine();
    expect(await Promise.all([shared.open(), shared.open(), shared.open()])).toEqual([1, 1, 1]);
    await shared.close();
    await shared.close();
    expect(counts).toEqual({ connects: 1, releases: 0 });
    expect(shared.engine).toBeDefined();
    await shared.close();
    expect(counts).toEqual({ connects: 1, releases: 1 });
    expect(shared.engine).toBeUndefined();
  });

  it('does nothing on a close without an open, and connects again on an open after the last close', async () => {
    const { shared, counts } = engine();
    await shared.close();
    expect(counts).toEqual({ connects: 0, releases: 0 });
    await shared.open();
    await shared.close();
    await shared.close();
    expect(await shared.open()).toBe(2);
    expect(counts).toEqual({ connects: 2, releases: 1 });
  });

  it('undoes a failed open (each of the concurrent ones): a close then does nothing, and a retry connects anew', async () => {
    const { shared, counts, failConnect } = engine();
    failConnect();
    const results = await Promise.allSettled([shared.open(), shared.open()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await shared.close();
    expect(counts.releases).toBe(0);
    expect(await shared.open()).toBe(2);
    await shared.close();
    expect(counts).toEqual({ connects: 2, releases: 1 });
  });

  it('reports to every open mesh\'s context and to onError; a closed mesh\'s context no longer', async () => {
    const onError: string[] = [];
    const { shared } = engine((e) => void onError.push(e.code));
    const a = context('a');
    const b = context('b');
    await shared.open(a);
    await shared.open(b);
    shared.report(failure());
    expect([a.got, b.got, onError]).toEqual([['ERR_MESH_STORE_FAILED'], ['ERR_MESH_STORE_FAILED'], ['ERR_MESH_STORE_FAILED']]);
    // The mesh opened last closes first: its context goes.
    await shared.close();
    shared.report(failure());
    expect([a.got.length, b.got.length, onError.length]).toEqual([2, 1, 2]);
    await shared.close();
    shared.report(failure());
    expect([a.got.length, b.got.length, onError.length]).toEqual([2, 1, 3]);
  });

  it('drops the context a mesh closes with, whichever mesh closes first', async () => {
    const { shared } = engine();
    const a = context('a');
    const b = context('b');
    await shared.open(a);
    await shared.open(b);
    await shared.close(a);
    shared.report(failure());
    expect([a.got, b.got]).toEqual([[], ['ERR_MESH_STORE_FAILED']]);
  });

  it('still reports to the last mesh while its close releases the engine', async () => {
    const a = context('a');
    const shared: SharedOpen<number> = new SharedOpen<number>({
      store: 'testStore',
      connect: () => Promise.resolve(1),
      release: () => {
        shared.report(failure());
        return Promise.resolve();
      },
    });
    await shared.open(a);
    await shared.close();
    expect(a.got).toEqual(['ERR_MESH_STORE_FAILED']);
  });

  it('logs with console.error only when there is neither a mesh context nor onError', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const bare = engine();
    await bare.shared.open();
    bare.shared.report(failure());
    expect(logged).toHaveBeenCalledTimes(1);
    await bare.shared.open(context('a'));
    bare.shared.report(failure());
    const withOnError = engine(() => undefined);
    withOnError.shared.report(failure());
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('keeps giving the error to the other receivers when one throws', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { shared } = engine(() => {
      throw new Error('onError broke');
    });
    const a = context('a');
    await shared.open({ meshId: 'thrower', report: () => { throw new Error('listener broke'); } });
    await shared.open(a);
    shared.report(failure());
    expect(a.got).toEqual(['ERR_MESH_STORE_FAILED']);
  });
});
