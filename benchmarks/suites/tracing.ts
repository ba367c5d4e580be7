/**
 * The cost of OpenTelemetry tracing on the emit path (issue 12): `mesh.emit(type, data)`
 * to one synchronous handler, with tracing off (the default with no provider registered)
 * and on (a real SDK BasicTracerProvider whose exporter drops what it is given, the
 * AsyncLocalStorage context manager registered): a PRODUCER span per emit, a CONSUMER span
 * per delivery, the handler run inside its context.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { defineSuite, type CaseDef, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE, TOPIC } from '../fixtures.js';

const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

async function evmesh(traced: boolean): Promise<Workload> {
  const { createMesh } = await loadKernel();
  let provider: BasicTracerProvider | undefined;
  if (traced) {
    // Each case runs in its own process: registering the global context manager touches no other case.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropping)] });
  }
  const mesh = createMesh({ source: SOURCE, tracing: provider === undefined ? undefined : { tracerProvider: provider } });
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
  { lib: 'evmesh', group: '1 sub', setup: () => evmesh(false) },
  { lib: 'evmesh traced', group: '1 sub', setup: () => evmesh(true) },
];

export default defineSuite({
  name: 'tracing',
  title: 'emit(type, data) to one synchronous handler, tracing off and on',
  reference: 'evmesh',
  showDelta: true,
  cases,
  notes: [
    `Topic \`${TOPIC}\`; a new event per emit. \`evmesh\`: no tracing option and no provider registered (tracing stays off, nothing attached).`,
    '`evmesh traced`: `tracing: { tracerProvider }`, a BasicTracerProvider with a SimpleSpanProcessor and an exporter that drops spans; AsyncLocalStorageContextManager registered.',
  ],
});
