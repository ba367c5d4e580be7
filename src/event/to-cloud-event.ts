import { CloudEvent } from 'cloudevents';
import type { MeshEvent } from './mesh-event.js';

/**
 * Converts a mesh event into the cloudevents SDK's `CloudEvent` (validated by the
 * SDK), for the edges that need the SDK: its HTTP binding, or a library that
 * checks `instanceof CloudEvent`. Costs microseconds; keep it off hot paths.
 */
export function toCloudEvent<T>(event: MeshEvent<T>): CloudEvent<T> {
  return new CloudEvent<T>(event.toJSON() as ConstructorParameters<typeof CloudEvent<T>>[0]);
}
