import { MeshError } from '../errors.js';

/**
 * The little of an OpenTelemetry `TracerProvider` the mesh calls, declared here so
 * that evmesh's types never name `@opentelemetry/api` (an optional peer): any real
 * provider (`BasicTracerProvider`, `NodeTracerProvider`, the global one) fits.
 */
export interface MeshTracerProvider {
  getTracer(name: string, version?: string): object;
}

/** `MeshOptions.tracing` as an object. */
export interface MeshTracingOptions {
  /** The provider whose tracer makes the mesh's spans. @default the global tracer provider */
  readonly tracerProvider?: MeshTracerProvider;
}

/**
 * How tracing was asked for: `auto` (the option left out) turns on at `start()` only
 * if `@opentelemetry/api` loads and a global tracer provider is registered by then;
 * `on` always (with `provider`, else the global one); `off` never.
 */
export type TracingMode =
  | { readonly mode: 'auto' }
  | { readonly mode: 'off' }
  | { readonly mode: 'on'; readonly provider: MeshTracerProvider | undefined };

export function resolveTracing(option: boolean | MeshTracingOptions | undefined): TracingMode {
  if (option === undefined) return { mode: 'auto' };
  if (option === false) return { mode: 'off' };
  if (option === true) return { mode: 'on', provider: undefined };
  if (typeof option !== 'object' || option === null) throw invalid('tracing must be a boolean or { tracerProvider }');
  const provider = option.tracerProvider;
  if (provider !== undefined && (typeof provider !== 'object' || provider === null || typeof provider.getTracer !== 'function')) {
    throw invalid('tracing.tracerProvider must be an OpenTelemetry TracerProvider (with getTracer)');
  }
  return { mode: 'on', provider };
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
