import { equal } from 'node:assert/strict';
import type { MeshStore, StoreCapabilities } from '../store/store.js';
import { ConformanceRig, rejection } from './conformance-rig.js';
import { seesWhatItsMeshPublishesRightAfterSubscribe } from './conformance-attach.js';
import { backlogFollowsTheDurable, pingAnswers } from './conformance-observe.js';
import { acceptsAContext, sharedInstanceCountsOpens } from './conformance-open.js';
import * as s from './conformance-scenarios.js';

type TestBody = () => Promise<void>;

/**
 * The test functions the suite registers through: vitest's, jest's or mocha's
 * `describe` and `it` fit as they are. Passed in rather than imported, so that
 * `evmesh/testing` loads with no test runner installed.
 */
export interface ConformanceTestApi {
  describe(name: string, body: () => void): void;
  it: {
    (name: string, body: TestBody, timeout?: number): void;
    skip(name: string, body: TestBody): void;
  };
}

export interface StoreConformanceOptions {
  /**
   * Returns a store whose engine cannot be reached (a closed port, a path that
   * cannot be created); `open` must reject with `ERR_MESH_STORE_UNAVAILABLE`.
   * Omitted: that test is skipped, with the reason shown.
   */
  readonly unreachable?: () => MeshStore;
  /**
   * Longest wait for one condition (a redelivery, a batch of events), in ms. A store
   * that hands a dead consumer's events over after an idle time needs that time plus
   * a margin here.
   * @default 15000
   */
  readonly wait?: number;
  /** Why a capability the store declares is still not to be tested here, per capability (rare). */
  readonly skip?: Partial<Record<keyof StoreCapabilities, string>>;
}

interface Case {
  readonly title: string;
  readonly run: s.Scenario;
  /** The capability the behaviour needs; absent: every store must pass. */
  readonly needs?: keyof StoreCapabilities;
}

const REASONS: Record<keyof StoreCapabilities, string> = {
  persistent: 'the store is not persistent (nothing survives a restart)',
  distributed: 'the store is not distributed (one process only)',
  replay: 'the store cannot replay (capabilities.replay is false)',
  ordered: 'the store does not promise order (capabilities.ordered is false)',
  nativeWildcards: 'the store does not match patterns itself',
};

const CASES: readonly Case[] = [
  { title: 'publish resolves once stored: events published while the durable is offline reach it when it is back', run: s.offlineEventsReachTheDurable },
  { title: 'events its mesh publishes or emits right after subscribe() returned reach the durable, without waiting for ready', run: seesWhatItsMeshPublishesRightAfterSubscribe },
  { title: 'a durable resumes after its consumer restarts, with acknowledged events not delivered again', run: s.resumesWhereItStopped },
  { title: 'an event a consumer stopped without acknowledging is delivered to another consumer (at-least-once)', run: s.unackedGoesToAnotherConsumer },
  { title: 'the kernel retry policy applies to store deliveries; the event is acknowledged after success', run: s.retriesThenAcknowledges },
  { title: 'after the last attempt the event is dead-lettered and acknowledged', run: s.deadLettersThenAcknowledges },
  { title: 'a durable shared by two meshes splits the work, each event handled once', run: s.durableSharedAcrossMeshes },
  { title: 'selects events by pattern: * is one level, # zero or more', run: s.selectsByPattern },
  { title: 'one store instance shared by two meshes: closing one leaves it working for the other; it opens again after the last close', run: sharedInstanceCountsOpens },
  { title: 'open accepts a StoreContext outside a mesh, counted with the meshes\' opens; a close without an open does nothing', run: acceptsAContext },
  { title: 'delivers one durable\'s events in the order they were stored', run: s.deliversInOrder, needs: 'ordered' },
  { title: 'replays from after a given event id', run: s.replaysAfterId, needs: 'replay' },
  { title: 'replays from a time (Date or epoch ms)', run: s.replaysFromTime, needs: 'replay' },
  { title: 'rejects ready with ERR_MESH_INVALID_OPTIONS for an afterId the store does not hold', run: s.refusesUnknownReplayId, needs: 'replay' },
];

/**
 * Registers the store conformance suite: every behaviour the kernel relies on,
 * driven through real meshes (`createMesh({ store })` and durable subscriptions),
 * not raw store calls. `factory` is called once per simulated process and must
 * return a new store instance on the same backend (same file, same server), so
 * a new instance sees what an earlier one stored; tests keep apart by unique
 * topics and durable names. A behaviour needing a capability the store lacks is
 * registered as a skipped test whose title says why.
 * @example
 * import { describe, it } from 'vitest';
 * storeConformance({ describe, it }, 'redis', () => redisStore({ url }), { unreachable: () => redisStore({ url: 'redis://127.0.0.1:1' }) });
 */
export function storeConformance(t: ConformanceTestApi, name: string, factory: () => MeshStore, options: StoreConformanceOptions = {}): void {
  const wait = options.wait ?? 15_000;
  const timeout = wait * 3 + 10_000;
  const probe = factory();
  const caps = probe.capabilities;
  const why = (cap: keyof StoreCapabilities | undefined): string | undefined => {
    if (cap === undefined) return undefined;
    return caps[cap] ? options.skip?.[cap] : REASONS[cap];
  };
  const register = (title: string, reason: string | undefined, run: s.Scenario): void => {
    if (reason !== undefined) {
      t.it.skip(`${title} — skipped: ${reason}`, () => Promise.resolve());
      return;
    }
    t.it(title, async () => {
      const rig = new ConformanceRig(factory);
      try {
        await run(rig, wait);
      } finally {
        await rig.close();
      }
    }, timeout);
  };
  t.describe(`store conformance: ${name} (${describeCaps(caps)})`, () => {
    for (const c of CASES) register(c.title, why(c.needs), c.run);
    register('subscribe with from throws ERR_MESH_STORE_UNSUPPORTED', caps.replay ? 'the store replays, so from is accepted' : undefined,
      s.refusesReplayWithoutCapability);
    register('deleteDurable forgets a durable, which then starts afresh',
      typeof probe.deleteDurable === 'function' ? undefined : 'the store has no deleteDurable', s.deletedDurableStartsAfresh);
    register('backlog counts a durable\'s unacknowledged events, delivered or not, also with no consumer; undefined for an unknown name',
      typeof probe.backlog === 'function' ? undefined : 'the store has no backlog', backlogFollowsTheDurable);
    register('ping resolves while the engine is there', typeof probe.ping === 'function' ? undefined : 'the store has no ping', pingAnswers);
    const unreachable = options.unreachable;
    register('open fails fast with ERR_MESH_STORE_UNAVAILABLE when the engine cannot be reached',
      unreachable === undefined ? 'no unreachable store given (options.unreachable)' : undefined,
      async (rig) => {
        const mesh = rig.mesh((unreachable as () => MeshStore)());
        const err = await rejection(mesh.start(), wait, 'start() against an unreachable engine');
        equal((err as { code?: unknown }).code, 'ERR_MESH_STORE_UNAVAILABLE');
      });
  });
}

function describeCaps(caps: StoreCapabilities): string {
  const on = (Object.keys(caps) as (keyof StoreCapabilities)[]).filter((k) => caps[k]);
  return on.length === 0 ? 'no capabilities' : on.join(', ');
}
