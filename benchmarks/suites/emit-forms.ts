/**
 * Scenario: the publish forms users write, each against a bare emitter (issue 16, target 1).
 * `emit-exact` times the most favourable form (re-emitting an event the mesh minted); this
 * suite puts every form beside the same emitter rows, so users see what each one costs.
 */
import { EventEmitter as EventEmitter3 } from 'eventemitter3';
import EventEmitter2Module from 'eventemitter2';
import { defineSuite, type CaseDef, type Workload } from '../harness.js';
import { loadKernel, type Mesh } from '../evmesh.js';
import { DATA, plainEvent, SOURCE, TOPIC } from '../fixtures.js';

// eventemitter2 is CommonJS: its default export carries the class as `.EventEmitter2`.
const { EventEmitter2 } = EventEmitter2Module;

const SUBJECT = 'order-1';

type MintedEvent = ReturnType<Mesh['emit']>;

/** One form: its group label and the loop doing `n` of it on a mesh with 1 subscriber. */
interface Form {
  readonly group: string;
  readonly target: number;
  /** Emitter rows emit the minted-event form's CloudEvent-shaped object, or just the payload. */
  readonly emitterPayload: 'event' | 'data';
  run(mesh: Mesh, minted: MintedEvent, n: number): void | Promise<void>;
}

const FORMS: readonly Form[] = [
  {
    group: 'emit(minted event)', target: 0.5, emitterPayload: 'event',
    run: (mesh, minted, n) => {
      for (let k = 0; k < n; k++) mesh.emit(minted);
    },
  },
  {
    group: 'emit(topic, data)', target: 0.3, emitterPayload: 'data',
    run: (mesh, _minted, n) => {
      for (let k = 0; k < n; k++) mesh.emit(TOPIC, DATA);
    },
  },
  {
    group: 'emit(topic, data, { subject })', target: 0.2, emitterPayload: 'data',
    run: (mesh, _minted, n) => {
      for (let k = 0; k < n; k++) mesh.emit(TOPIC, DATA, { subject: SUBJECT });
    },
  },
  {
    group: 'emit(plain CloudEvent object)', target: 0.15, emitterPayload: 'data',
    run: (mesh, _minted, n) => {
      for (let k = 0; k < n; k++) mesh.emit({ specversion: '1.0', type: TOPIC, source: SOURCE, data: DATA });
    },
  },
  {
    group: 'await publish(topic, data)', target: 0.1, emitterPayload: 'data',
    run: async (mesh, _minted, n) => {
      for (let k = 0; k < n; k++) await mesh.publish(TOPIC, DATA);
    },
  },
];

async function evmesh(form: Form): Promise<Workload> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  const minted = mesh.emit(TOPIC, DATA); // before anyone subscribes: delivered nowhere
  let count = 0;
  mesh.subscribe(TOPIC, () => {
    count++;
  });
  return {
    run: (n) => form.run(mesh, minted, n),
    delivered: () => count,
    expected: (ops) => ops,
    close: () => mesh.close(),
  };
}

interface EmitterLike {
  on(topic: string, h: (e: unknown) => void): unknown;
  emit(topic: string, e: unknown): boolean;
}

function emitter(ee: EmitterLike, form: Form): Workload {
  const payload = form.emitterPayload === 'event' ? plainEvent(TOPIC, 0) : DATA;
  let count = 0;
  ee.on(TOPIC, () => {
    count++;
  });
  return {
    run: (n) => {
      for (let k = 0; k < n; k++) ee.emit(TOPIC, payload);
    },
    delivered: () => count,
    expected: (ops) => ops,
  };
}

const cases: CaseDef[] = FORMS.flatMap((form): CaseDef[] => [
  { lib: 'evmesh', group: form.group, setup: () => evmesh(form) },
  { lib: 'eventemitter3', group: form.group, setup: () => emitter(new EventEmitter3(), form) },
  { lib: 'EventEmitter2', group: form.group, setup: () => emitter(new EventEmitter2(), form) },
]);

export default defineSuite({
  name: 'emit-forms',
  title: 'Every publish form, 1 synchronous subscriber, exact topic, against bare emitters',
  reference: 'eventemitter3',
  cases,
  notes: [
    `Topic \`${TOPIC}\`, payload a 4-field object built once; one subscriber doing count++ in every row.`,
    'evmesh rows, one form each: `mesh.emit(ev)` with an event the mesh minted once before the loop; `mesh.emit(topic, data)`; `mesh.emit(topic, data, { subject })` with a fresh attributes literal per call; `mesh.emit({ specversion, type, source, data })` with a fresh plain object per call (validated, id and time filled in); `await mesh.publish(topic, data)`, each awaited before the next.',
    'Every form but the first builds a CloudEvent per call (id, time, source, specversion); a bare emitter builds nothing and has no promise form to await.',
    'eventemitter3 5 and EventEmitter2 6 (default options: no wildcards, as @nestjs/event-emitter sets it up by default) rows are the same in every group: `ee.emit(topic, payload)`, synchronous; the payload is a CloudEvent-shaped plain object in the minted-event group and the bare data object in the others. The table shows what each form costs over delivering a ready payload.',
  ],
  targets: FORMS.map((form) => ({
    label: `evmesh ${form.group} >= ${form.target}x eventemitter3`, lib: 'evmesh', group: form.group, metric: 'ratio', min: form.target,
  })),
});
