import { randomBytes } from 'node:crypto';
import type { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { createMesh, type Mesh } from '../mesh/mesh.js';
import type { MeshOptions } from '../mesh/options.js';
import type { MeshStore } from '../store/store.js';

/**
 * One conformance test's world: store instances on the shared backend, meshes on
 * them, unique names, and a teardown that closes everything the test opened.
 * A "process" is simulated by a new store instance where the store is persistent
 * (restart) or distributed (another machine); otherwise the one instance is reused,
 * which is how such a store is shared.
 */
export class ConformanceRig {
  /** Unique per test, so tests sharing one backend (a Redis, a file) never see each other's events. */
  readonly id = randomBytes(5).toString('hex');
  readonly errors: MeshError[] = [];
  private readonly meshes: Mesh[] = [];
  private readonly stores: MeshStore[] = [];

  constructor(private readonly factory: () => MeshStore) {}

  topic(rest: string): string {
    return `conf${this.id}.${rest}`;
  }

  durable(rest: string): string {
    return `conf-${this.id}-${rest}`;
  }

  /** The first store instance of this test. */
  store(): MeshStore {
    return this.stores[0] ?? this.fresh();
  }

  /** The store a restarted process would open: a new instance where the store is persistent. */
  restarted(): MeshStore {
    return this.store().capabilities.persistent ? this.fresh() : this.store();
  }

  /** The store another machine would open: a new instance where the store is distributed. */
  elsewhere(): MeshStore {
    return this.store().capabilities.distributed ? this.fresh() : this.store();
  }

  mesh(store: MeshStore, options: MeshOptions = {}): Mesh {
    const mesh = createMesh({ ...options, store });
    mesh.on('error', (error) => void this.errors.push(error));
    this.meshes.push(mesh);
    return mesh;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.meshes.splice(0).map((m) => m.close()));
  }

  private fresh(): MeshStore {
    const store = this.factory();
    this.stores.push(store);
    return store;
  }
}

/**
 * Polls `condition` until it holds; fails with `what` after `timeout` ms. An async
 * condition (a question to the store) is awaited before the next poll.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`conformance: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Data of received events, for order-sensitive comparisons. */
export function dataOf(events: readonly MeshEvent[]): unknown[] {
  return events.map((e) => e.data);
}

/** Resolves with what `promise` rejected with; fails if it resolves or takes longer than `timeout`. */
export async function rejection(promise: Promise<unknown>, timeout: number, what: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`conformance: ${what} neither resolved nor rejected within ${timeout} ms`)), timeout);
  });
  try {
    await Promise.race([promise, late]);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('conformance:')) throw err;
    return err;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`conformance: ${what} resolved, expected a rejection`);
}
