import { toMeshError, type MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { Hooks } from '../hooks/hooks.js';
import { consumerHook } from './consumer.js';
import { loadOtelApi, TRACER_NAME, type OtelApi, type Tracer } from './otel-api.js';
import { producerHook } from './producer.js';
import type { TracingMode } from './tracing-options.js';

/**
 * Turns tracing on for a mesh being started, as `mode` says: attaches the producer
 * (`onPublish`) and consumer (`wrapDelivery`) hooks, or nothing at all. Returns the
 * producer step when on (undefined when off), for events that are not published on the
 * spot: an outbox row is stamped in its caller's context, long before a relay routes it.
 * Automatic mode (the option left out) is on only if `@opentelemetry/api` is installed
 * and a global tracer provider is registered now; it never fails `start()` (a broken
 * install is reported, tracing stays off). Asked for explicitly, a missing package
 * rejects with `ERR_MESH_ADAPTER_MISSING_DEP`.
 */
export async function startTracing(hooks: Hooks, mode: TracingMode, report: (error: MeshError) => void): Promise<((event: MeshEvent) => void) | undefined> {
  if (mode.mode === 'off') return undefined;
  let api: OtelApi | undefined;
  try {
    api = await loadOtelApi(mode.mode === 'on');
  } catch (err) {
    if (mode.mode === 'on') throw err;
    report(toMeshError('ERR_MESH_ADAPTER_MISSING_DEP', err, { package: '@opentelemetry/api', neededBy: 'tracing' }));
    return undefined;
  }
  if (api === undefined) return undefined;
  const tracer = mode.mode === 'auto' ? registeredTracer(api) : (mode.provider ?? api.trace.getTracerProvider()).getTracer(TRACER_NAME) as Tracer;
  if (tracer === undefined) return undefined;
  const producer = producerHook(api, tracer);
  hooks.add('onPublish', producer);
  hooks.add('wrapDelivery', consumerHook(api, tracer));
  return producer;
}

/**
 * The global provider's tracer if an application registered one, else undefined: the
 * API's global is a ProxyTracerProvider, whose delegate tracer is undefined while no
 * provider is set (asked without making a probe span).
 */
function registeredTracer(api: OtelApi): Tracer | undefined {
  const provider = api.trace.getTracerProvider() as ReturnType<OtelApi['trace']['getTracerProvider']> & {
    getDelegateTracer?: (name: string) => Tracer | undefined;
  };
  if (typeof provider.getDelegateTracer !== 'function') return provider.getTracer(TRACER_NAME);
  return provider.getDelegateTracer(TRACER_NAME);
}
