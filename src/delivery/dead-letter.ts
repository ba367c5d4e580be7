import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { createEvent, type EventFactory } from '../event/normalize.js';
import type { MeshSubscription } from './subscription.js';

/**
 * The event republished when a subscription gives up on one: same data, subject
 * and content type as the original, with extension attributes saying which event
 * (id, type, source), which subscription, after how many attempts, and why.
 */
export function deadLetterEvent(
  factory: EventFactory, topic: string, sub: MeshSubscription, original: MeshEvent, attempts: number, error: unknown,
): MeshEvent {
  return createEvent(factory, topic, original.data, {
    subject: original.subject,
    datacontenttype: original.datacontenttype,
    dataschema: original.dataschema,
    originalid: original.id,
    originaltype: original.type,
    originalsource: original.source,
    subscription: sub.name,
    deliveryattempts: attempts,
    lasterror: error instanceof Error ? error.message : String(error),
    lasterrorcode: errorCode(error),
  });
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof MeshError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
