/**
 * The cost of observability on the emit path (issue 12): `mesh.emit(type, data)` to one
 * synchronous handler with nothing on (the default), with Prometheus metrics on (a real
 * prom-client registry), and with OpenTelemetry tracing on (a real SDK BasicTracerProvider
 * with a batch processor whose exporter drops what it is given, the AsyncLocalStorage
 * context manager registered): a PRODUCER span per emit, a CONSUMER span per delivery, the
 * handler run inside its context.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { defineSuite, type CaseDef, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE, TOPIC } from '../fixtures.js';

const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

type Mode = 'off' | 'metrics' | 'traced';

async function evmesh(mode: Mode): Promise<Workload> {
  const traced = mode === 'traced';
  const { createMesh } = await loadKernel();
  let provider: BasicTracerProvider | undefined;
  if (traced) {
    // Each case runs in its own process: registering the global context manager touches no other case.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // What production uses: spans are batched (and past the queue's bound, dropped) off the emit path.
    provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
  }
  const mesh = createMesh({
    source: SOURCE,
    tracing: provider === undefined ? undefined : { tracerProvider: provider },
    metrics: mode === 'metrics' ? { registry: new Registry() } : undefined,
  });
  await mesh.start();
  let count = 0;
  mesh.subscribe(TOPIC, () => {
    count++;
  });
  return {
    // A new event each time: an event that already carries a traceparent would skip its producer span.
    run: (n) => {
      for (let k = 0; k < n; k++) mesh.emit(TOPIC, DATA);
    },
    delivered: () => count,
    expected: (ops) => ops,
    close: async () => {
      await mesh.close();
      await provider?.shutdown();
    },
  };
}

const cases: CaseDef[] = [
  { lib: 'evmesh', group: '1 sub', setup: () => evmesh('off') },
  { lib: 'evmesh metrics', group: '1 sub', setup: () => evmesh('metrics') },
  { lib: 'evmesh traced', group: '1 sub', setup: () => evmesh('traced') },
];

export default defineSuite({
  name: 'observability',
  title: 'emit(type, data) to one synchronous handler: metrics and tracing off, then each on',
  reference: 'evmesh',
  showDelta: true,
  cases,
  notes: [
    `Topic \`${TOPIC}\`; a new event per emit. \`evmesh\`: no tracing option and no provider registered (tracing stays off, nothing attached).`,
    '`evmesh metrics`: `metrics: { registry }` with a prom-client Registry: a publish counter, a delivery counter and a histogram observation per emit (and the handler moves to the scheduled path, where `onSettle` runs).',
    '`evmesh traced`: `tracing: { tracerProvider }`, a BasicTracerProvider with a BatchSpanProcessor and an exporter that drops spans; AsyncLocalStorageContextManager registered.',
  ],
});
