import type { MeshEvent } from '../event/mesh-event.js';
import type { HookSubscription } from '../hooks/hook-list.js';
import type { Attributes } from './otel-api.js';

/**
 * Span attributes after the OpenTelemetry semantic conventions for messaging spans
 * (`messaging.*`, operation types `send` and `process`) and for CloudEvents
 * (`cloudevents.*`). The topic of an event is its type, so that is the destination.
 * The conventions have no system-neutral attribute for a delivery attempt (only
 * per-system ones such as `messaging.gcp_pubsub.message.delivery_attempt`), so the
 * attempt goes under `messaging.evmesh.*` by the same pattern.
 */
export function eventAttributes(event: MeshEvent, operation: 'send' | 'process'): Attributes {
  const attributes: Attributes = {
    'messaging.system': 'evmesh',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': event.type,
    'messaging.message.id': event.id,
    'cloudevents.event_id': event.id,
    'cloudevents.event_type': event.type,
    'cloudevents.event_source': event.source,
    'cloudevents.event_spec_version': '1.0',
  };
  if (event.subject !== undefined) attributes['cloudevents.event_subject'] = event.subject;
  return attributes;
}

/** A delivery's attributes: the event's, the subscription (its store consumer group for a durable), the attempt. */
export function processAttributes(event: MeshEvent, sub: HookSubscription, attempt: number): Attributes {
  const attributes = eventAttributes(event, 'process');
  attributes['messaging.destination.subscription.name'] = sub.name;
  const group = sub.durable ?? sub.group;
  if (group !== undefined) attributes['messaging.consumer.group.name'] = group;
  attributes['messaging.evmesh.message.delivery_attempt'] = attempt;
  return attributes;
}
