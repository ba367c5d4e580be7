/**
 * Scenario 5: async handlers behind concurrency lanes. A timed run emits n events and
 * stops the clock only when the handler has run n times, so queueing and draining are
 * both inside the measurement. The reference is the same emit to a synchronous handler.
 */
import { defineSuite, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE, TOPIC } from '../fixtures.js';

const GROUP = '1 subscription';
const SUBJECTS = 64;
/** A run that has not drained after this long has lost events; fail it with the count. */
const DRAIN_TIMEOUT_MS = 30_000;

interface LaneOpts {
  concurrency?: number;
  orderingKey?: string;
}

/**
 * A timed run emits its whole batch (far more than the default `maxQueued` of 10,000)
 * before any handler runs: unbounded, so the run measures queueing, not refusals.
 */
const UNBOUNDED = { maxQueued: Infinity };

async function setup(asyncHandler: boolean, opts: LaneOpts): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  // Prebuilt so that the timed loop allocates only what the mesh allocates.
  const attrs = Array.from({ length: SUBJECTS }, (_, i) => ({ subject: `s${i}` }));
  let count = 0;
  let target = 0;
  let wake: (() => void) | undefined;
  if (asyncHandler) {
    mesh.subscribe(TOPIC, async () => {
      // An async function runs synchronously up to its first await, so the kernel may
      // already have counted some (or all) events before run() starts waiting.
      if (++count === target && wake) wake();
    }, { ...UNBOUNDED, ...opts });
  } else {
    mesh.subscribe(TOPIC, () => {
      count++;
    }, { ...UNBOUNDED, ...opts });
  }
  let i = 0;
  const emitAll = (n: number): void => {
    for (let k = 0; k < n; k++) mesh.emit(TOPIC, DATA, attrs[i++ & (SUBJECTS - 1)]!);
  };
  const run = async (n: number): Promise<void> => {
    target += n;
    emitAll(n);
    if (count >= target) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`drained ${count} of ${target} events`)), DRAIN_TIMEOUT_MS);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  };
  return {
    // The synchronous reference keeps a synchronous run(), so it pays no promise per batch.
    run: asyncHandler ? run : emitAll,
    delivered: () => count,
    expected: (ops) => ops,
    close: () => mesh.close(),
  };
}

export default defineSuite({
  name: 'async-lanes',
  title: 'Async handlers through concurrency lanes (emit + full drain)',
  reference: 'sync handler',
  showDelta: true,
  cases: [
    { lib: 'sync handler', group: GROUP, setup: () => setup(false, {}) },
    { lib: 'async, concurrency 1', group: GROUP, setup: () => setup(true, { concurrency: 1 }) },
    { lib: 'async, concurrency 8', group: GROUP, setup: () => setup(true, { concurrency: 8 }) },
    {
      lib: "async, concurrency 8, orderingKey 'subject'",
      group: GROUP,
      setup: () => setup(true, { concurrency: 8, orderingKey: 'subject' }),
    },
  ],
  notes: [
    `\`mesh.emit(topic, data, { subject })\` with ${SUBJECTS} distinct subjects cycled; the handler is \`async (e) => { count++ }\`.`,
    'A timed run emits the whole batch, then waits until every event has been handled before the clock stops.',
    'No competitor: the ratio is throughput against the same emit to a synchronous handler.',
    'Subscribed with `maxQueued: Infinity`: a batch is queued whole before the handlers drain it, past the default bound of 10,000.',
  ],
});
