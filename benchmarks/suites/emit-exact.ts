/**
 * Scenario 1: publish an event that already exists to an exact topic, synchronous handlers.
 * This is the kernel's hot path (conclusion 2 of perf-anchors): routing cost only.
 */
import { EventEmitter as NodeEmitter } from 'node:events';
import { EventEmitter as EventEmitter3 } from 'eventemitter3';
import { defineSuite, type CaseDef, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, plainEvent, SOURCE, TOPIC } from '../fixtures.js';

/** Each subscriber is its own closure, as distinct application handlers would be. */
function counter(): { handlers: Array<(e: unknown) => void>; count: () => number } {
  let count = 0;
  const make = (): ((e: unknown) => void) => () => {
    count++;
  };
  return { handlers: Array.from({ length: 10 }, make), count: () => count };
}

async function evmesh(subs: number): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  const ev = mesh.emit(TOPIC, DATA); // minted before anyone subscribes: delivered nowhere
  const c = counter();
  for (const h of c.handlers.slice(0, subs)) mesh.subscribe(TOPIC, h);
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) mesh.emit(ev);
    },
    delivered: c.count,
    expected: (ops) => ops * subs,
    close: () => mesh.close(),
  };
}

/** eventemitter3 and node:events share an API; only the constructor differs. */
interface EmitterLike {
  on(topic: string, h: (e: unknown) => void): unknown;
  emit(topic: string, e: unknown): boolean;
}

function emitter(make: () => EmitterLike, subs: number): Workload {
  const ee = make();
  const ev = plainEvent(TOPIC, 0);
  const c = counter();
  for (const h of c.handlers.slice(0, subs)) ee.on(TOPIC, h);
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) ee.emit(TOPIC, ev);
    },
    delivered: c.count,
    expected: (ops) => ops * subs,
  };
}

const cases: CaseDef[] = [];
for (const subs of [1, 10]) {
  const group = `${subs} sub${subs > 1 ? 's' : ''}`;
  cases.push(
    { lib: 'evmesh', group, setup: () => evmesh(subs) },
    { lib: 'eventemitter3', group, setup: () => emitter(() => new EventEmitter3(), subs) },
    { lib: 'node:events', group, setup: () => emitter(() => new NodeEmitter(), subs) },
  );
}

export default defineSuite({
  name: 'emit-exact',
  title: 'Exact-topic publish of an existing event, synchronous handlers',
  reference: 'eventemitter3',
  cases,
  notes: [
    `Topic \`${TOPIC}\`; the event object is built once and published over and over; each subscriber is its own closure doing count++.`,
    'evmesh: `mesh.emit(event)` with an event the mesh minted; emitters: `ee.emit(topic, event)` with a CloudEvent-shaped plain object.',
  ],
  targets: [
    { label: 'evmesh >= 0.5x eventemitter3, 1 sub', lib: 'evmesh', group: '1 sub', metric: 'ratio', min: 0.5 },
    { label: 'evmesh >= 0.5x eventemitter3, 10 subs', lib: 'evmesh', group: '10 subs', metric: 'ratio', min: 0.5 },
  ],
});
