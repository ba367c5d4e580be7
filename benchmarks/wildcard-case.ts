/**
 * One wildcard case: N seeded subscriptions of a workload shape in one library, and a loop
 * publishing its topics in a fixed cycle. One publish = match + call every matched handler.
 * Memory per subscription and the subscribe rate are measured in setup, once per case, in
 * the case's fresh process. Shared by the `wildcard` and `wildcard-heavy` suites.
 */
import { fullGc, type Workload } from './harness.js';
import type { Handler, WildcardLib } from './wildcard-libs.js';
import { fanOuts, generateWorkload, type WorkloadShape } from './workload.js';

export async function wildcardCase(lib: WildcardLib, n: number, shape: WorkloadShape): Promise<Workload> {
  const wl = generateWorkload(n, shape);
  const topicCount = wl.topics.length;
  // Oracle first: expected deliveries per topic, computed without any library under test,
  // under the library's own semantics where it documents (or we measured) a difference.
  const semantics = lib.semantics;
  const fan = fanOuts(semantics ? { ...wl, patterns: wl.patterns.map(semantics) } : wl);
  const prefix = new Float64Array(topicCount + 1);
  for (let i = 0; i < topicCount; i++) prefix[i + 1] = prefix[i]! + fan[i]!;
  const perCycle = prefix[topicCount]!;
  const workloadFanOut = semantics ? fanOuts(wl).reduce((a, b) => a + b, 0) / topicCount : perCycle / topicCount;

  let count = 0;
  // Inputs are built before the heap is sampled and held by `pinned`, which close() uses,
  // so none of them can die between the two samples: bytes/sub counts only what the library
  // itself allocates (its index, its listener records, any wrapper closures).
  const patterns = wl.patterns.map(lib.syntax);
  const handlers: Handler[] = patterns.map(() => () => {
    count++;
  });
  const pinned = { wl, patterns, handlers, handles: new Array<unknown>(n).fill(null) };
  const bound = await lib.create();
  const publish = bound.publisher(wl.topics);

  fullGc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) pinned.handles[i] = bound.subscribe(patterns[i]!, handlers[i]!);
  const subscribeNs = Number(process.hrtime.bigint() - t0);
  fullGc();
  const bytesPerSub = (process.memoryUsage().heapUsed - heapBefore) / n;

  return {
    run: publish,
    delivered: () => count,
    expected: (ops) => Math.floor(ops / topicCount) * perCycle + prefix[ops % topicCount]!,
    extras: ({ medianNs }) => {
      // Exact, not estimated: an ok delivery check proves the library delivered this many.
      const fanOut = perCycle / topicCount;
      return {
        'avg fan-out': fanOut,
        'workload fan-out': workloadFanOut,
        'deliveries/s': Math.round((1e9 / medianNs) * fanOut),
        'subscribe/s': Math.round((n * 1e9) / subscribeNs),
        'bytes/sub': Math.round(bytesPerSub),
      };
    },
    close: () => {
      pinned.handles.fill(null);
      return bound.close?.();
    },
  };
}
