import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach } from 'vitest';

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  readonly provider: BasicTracerProvider;
  /** A tracer of the test's own, for the spans a test starts around its publishes. */
  readonly tracer: Tracer;
  /** Finished spans named `name`, in the order they ended. */
  spans(name?: string): ReadableSpan[];
}

/**
 * A real OpenTelemetry SDK (in-memory exporter, AsyncLocalStorage context, W3C
 * propagators) registered globally for each test of the file, and every global
 * taken down again after it, so the next test starts with no provider.
 */
export function globalTracingPerTest(): () => TestTracing {
  const started: TestTracing[] = [];
  afterEach(async () => {
    for (const t of started.splice(0)) await t.provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  return () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    trace.setGlobalTracerProvider(provider);
    const t: TestTracing = {
      exporter, provider, tracer: provider.getTracer('test'),
      spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name),
    };
    started.push(t);
    return t;
  };
}
