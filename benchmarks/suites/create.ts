/**
 * Scenario 2: building the event, plus delivering it to one synchronous subscriber.
 * perf-anchors conclusion 1: creation, not delivery, dominates a naive CloudEvents bus.
 */
import { CloudEvent } from 'cloudevents';
import { EventEmitter as EventEmitter3 } from 'eventemitter3';
import { defineSuite, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE, TOPIC } from '../fixtures.js';

const GROUP = '1 sub';

/**
 * Every created object is stored into a 1024-slot ring: a live reference per object stops
 * the JIT from proving the allocation dead, and 1024 slots keep the live heap small.
 */
function ring(): { put(x: unknown): void } {
  const slots: unknown[] = new Array<unknown>(1024).fill(null);
  let i = 0;
  return {
    put(x) {
      slots[i++ & 1023] = x;
    },
  };
}

async function evmesh(): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  let count = 0;
  mesh.subscribe(TOPIC, () => {
    count++;
  });
  const r = ring();
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) r.put(mesh.emit(TOPIC, DATA));
    },
    delivered: () => count,
    expected: (ops) => ops,
    close: () => mesh.close(),
  };
}

function cloudEventOnly(): Workload {
  // Nothing is delivered here, so "delivered" counts constructed objects instead.
  let made = 0;
  const r = ring();
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) {
        r.put(new CloudEvent({ type: TOPIC, source: SOURCE, data: DATA }));
        made++;
      }
    },
    delivered: () => made,
    expected: (ops) => ops,
  };
}

function cloudEventEe3(): Workload {
  const ee = new EventEmitter3();
  let count = 0;
  ee.on(TOPIC, () => {
    count++;
  });
  const r = ring();
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) {
        const ce = new CloudEvent({ type: TOPIC, source: SOURCE, data: DATA });
        r.put(ce);
        ee.emit(TOPIC, ce);
      }
    },
    delivered: () => count,
    expected: (ops) => ops,
  };
}

export default defineSuite({
  name: 'create',
  title: 'Event creation (+ delivery to 1 synchronous subscriber)',
  reference: 'new CloudEvent()',
  cases: [
    { lib: 'evmesh', group: GROUP, setup: evmesh },
    { lib: 'new CloudEvent()', group: GROUP, setup: cloudEventOnly },
    { lib: 'new CloudEvent() + eventemitter3', group: GROUP, setup: cloudEventEe3 },
  ],
  notes: [
    '`evmesh` = `mesh.emit(topic, data)`: the kernel builds the CloudEvent (id, time, specversion, source) and delivers it to 1 subscriber.',
    '`new CloudEvent()` = cloudevents 10 `new CloudEvent({ type, source, data })` (strict validation, its default), creation only; its check counts objects built.',
    'Every created event is stored into a 1024-slot ring so the allocation cannot be optimised away.',
  ],
  targets: [{ label: 'evmesh >= 20x new CloudEvent()', lib: 'evmesh', group: GROUP, metric: 'ratio', min: 20 }],
});
