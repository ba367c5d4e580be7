import { MeshError } from '../errors.js';
import { loadDependency } from '../store/load-dependency.js';
import type * as Otel from '@opentelemetry/api';

// Types only: nothing of `@opentelemetry/api` is loaded unless tracing is asked for and
// the package is installed (an optional peer dependency).
export type OtelApi = typeof Otel;
export type { Attributes, Context, Span, SpanContext, Tracer } from '@opentelemetry/api';

/** The instrumentation scope the mesh's spans are made under. */
export const TRACER_NAME = 'evmesh';

/**
 * `@opentelemetry/api`, loaded on first use. When it is not installed: undefined, or,
 * when `required`, `ERR_MESH_ADAPTER_MISSING_DEP` naming it. Its
 * globals live on `globalThis` under a versioned symbol, so the copy loaded here sees
 * the provider an application registered through its own import, ESM or CommonJS.
 */
export async function loadOtelApi(required: boolean): Promise<OtelApi | undefined> {
  let loaded: OtelApi & { default?: OtelApi };
  try {
    loaded = await loadDependency<OtelApi & { default?: OtelApi }>('@opentelemetry/api', 'tracing');
  } catch (err) {
    if (!required && err instanceof MeshError && err.code === 'ERR_MESH_ADAPTER_MISSING_DEP') return undefined;
    throw err;
  }
  // ESM namespace or CommonJS exports, see loadDependency.
  return typeof loaded.trace === 'object' ? loaded : loaded.default;
}
