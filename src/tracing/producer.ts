import type { MeshEvent } from '../event/mesh-event.js';
import { eventAttributes } from './attributes.js';
import type { OtelApi, Tracer } from './otel-api.js';
import { formatBaggage, formatTraceparent } from './w3c.js';

/**
 * The `onPublish` hook: an event published here without a `traceparent` gets a
 * PRODUCER span `send <type>`, child of the active context, and carries that span's
 * context as the CloudEvents distributed-tracing extension (`traceparent`, and
 * `tracestate` when there is one), plus the active baggage as `baggage`. It runs
 * before routing, so every subscriber, peer and store sees the extensions. An event
 * that already has a `traceparent` (forwarded, from HTTP, from a stock client that
 * set it) keeps it: it belongs to the trace that made the event.
 */
export function producerHook(api: OtelApi, tracer: Tracer): (event: MeshEvent) => void {
  const kind = api.SpanKind.PRODUCER;
  return (event) => {
    if (event['traceparent'] !== undefined) return;
    const active = api.context.active();
    const span = tracer.startSpan(`send ${event.type}`, { kind, attributes: eventAttributes(event, 'send') }, active);
    // Sending is the publish itself, over once routing starts: nothing to wait for.
    span.end();
    const sc = span.spanContext();
    if (!api.isSpanContextValid(sc)) return;
    // Extensions are own properties of the event (MeshEvent), set before anyone sees it.
    const target = event as unknown as Record<string, unknown>;
    target['traceparent'] = formatTraceparent(sc);
    const state = sc.traceState?.serialize();
    if (state !== undefined && state !== '') target['tracestate'] = state;
    if (event['baggage'] !== undefined) return;
    const baggage = api.propagation.getBaggage(active);
    if (baggage === undefined) return;
    const text = formatBaggage(baggage.getAllEntries().map(([key, entry]) => [key, { value: entry.value, metadata: entry.metadata?.toString() }]));
    if (text !== '') target['baggage'] = text;
  };
}
