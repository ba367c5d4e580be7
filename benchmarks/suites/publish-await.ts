/**
 * Scenario 3: what the promise twin costs. `await mesh.publish()` per event vs the
 * synchronous `mesh.emit()`, both creating the event and delivering it to 1 sync subscriber.
 */
import { defineSuite, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE, TOPIC } from '../fixtures.js';

const GROUP = '1 sub';

async function setup(awaited: boolean): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  let count = 0;
  mesh.subscribe(TOPIC, () => {
    count++;
  });
  // Two separate loops rather than one with a flag, so the timed code has no branch.
  const run = awaited
    ? async (n: number): Promise<void> => {
        for (let k = 0; k < n; k++) await mesh.publish(TOPIC, DATA);
      }
    : (n: number): void => {
        for (let k = 0; k < n; k++) mesh.emit(TOPIC, DATA);
      };
  return {
    run,
    delivered: () => count,
    expected: (ops) => ops,
    close: () => mesh.close(),
  };
}

export default defineSuite({
  name: 'publish-await',
  title: 'await mesh.publish() vs mesh.emit() (creation + delivery to 1 sync subscriber)',
  reference: 'mesh.emit',
  showDelta: true,
  cases: [
    { lib: 'mesh.emit', group: GROUP, setup: () => setup(false) },
    { lib: 'await mesh.publish', group: GROUP, setup: () => setup(true) },
  ],
  notes: [
    'Sequential: each publish is awaited before the next starts, as `for (...) await mesh.publish(topic, data)` in application code.',
    '"Δ ns/op" is the cost of the promise (and the await) per event over the synchronous twin.',
  ],
});
