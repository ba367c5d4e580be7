import { isThenable } from '../delivery/scheduler.js';
import type { MeshEvent } from '../event/mesh-event.js';
import type { HookSignatures } from '../hooks/hook-list.js';
import { processAttributes } from './attributes.js';
import type { Context, OtelApi, Span, Tracer } from './otel-api.js';
import { parseBaggage, parseTraceparent } from './w3c.js';

/**
 * The `wrapDelivery` hook: each attempt of a handler runs inside a CONSUMER span
 * `process <type>` whose parent is the event's `traceparent` (a remote span context,
 * its `tracestate` kept), with the event's `baggage` restored, and that context active
 * while the handler runs, so what it publishes or calls continues the trace. The span
 * ends when the handler's result settles, with status ERROR and the exception recorded
 * when it throws or rejects; a retry is another attempt, another span. Deliveries to a
 * stock client's session run no user code here: the client gets the extensions.
 */
export function consumerHook(api: OtelApi, tracer: Tracer): HookSignatures['wrapDelivery'] {
  const kind = api.SpanKind.CONSUMER;
  return (event, sub, attempt, run) => {
    if (sub.servesClient) return run();
    const parent = parentOf(api, event);
    const span = tracer.startSpan(`process ${event.type}`, { kind, attributes: processAttributes(event, sub, attempt) }, parent);
    let result: unknown;
    try {
      result = api.context.with(api.trace.setSpan(parent, span), run);
    } catch (err) {
      failed(api, span, err);
      throw err;
    }
    if (!isThenable(result)) {
      span.end();
      return result;
    }
    try {
      result.then(() => span.end(), (err: unknown) => failed(api, span, err));
    } catch (err) {
      // A thenable whose then() throws fails the delivery in the scheduler too.
      failed(api, span, err);
    }
    return result;
  };
}

/**
 * The context a delivery runs in: built from the event alone (not from whatever context
 * the store client's or socket's callback happens to carry), a new root when the event
 * has no valid `traceparent`.
 */
function parentOf(api: OtelApi, event: MeshEvent): Context {
  let ctx = api.ROOT_CONTEXT;
  const parent = parseTraceparent(event['traceparent']);
  if (parent !== undefined) {
    const state = event['tracestate'];
    ctx = api.trace.setSpanContext(ctx, {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.traceFlags,
      isRemote: true,
      traceState: typeof state === 'string' && state !== '' ? api.createTraceState(state) : undefined,
    });
  }
  if (event['baggage'] === undefined) return ctx;
  const members = parseBaggage(event['baggage']);
  if (members.size === 0) return ctx;
  const entries: Record<string, { value: string; metadata?: ReturnType<OtelApi['baggageEntryMetadataFromString']> }> = {};
  for (const [key, member] of members) {
    entries[key] = member.metadata === undefined ? { value: member.value } : { value: member.value, metadata: api.baggageEntryMetadataFromString(member.metadata) };
  }
  return api.propagation.setBaggage(ctx, api.propagation.createBaggage(entries));
}

function failed(api: OtelApi, span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.end();
}
