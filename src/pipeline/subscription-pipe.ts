import { Subject, isObservable } from 'rxjs';
import { MeshError, toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { accept } from '../delivery/dispatcher.js';
import type { EventPipe, MeshSubscription } from '../delivery/subscription.js';

/**
 * Puts a subscription's RxJS chain between routing and its handler. The chain sees
 * only events already matched to this subscription (route first, operators after).
 * A chain that errors is reported and rebuilt, so one bad event does not end the
 * subscription.
 */
export function attachPipe(sub: MeshSubscription, pipe: EventPipe): void {
  const input = new Subject<MeshEvent>();
  const output = pipe(input.asObservable());
  if (!isObservable(output)) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'subscribe({ pipe }) must return an Observable', { details: { pattern: sub.pattern } });
  }
  sub.pipeIn = input;
  output.subscribe({
    // An async operator may emit after the subscription or the mesh ended.
    next: (event) => {
      if (sub.live && !sub.host.halted) accept(sub, event);
    },
    error: (err: unknown) => {
      sub.host.report(toMeshError('ERR_MESH_PIPELINE_FAILED', err, { subscription: sub.name, pattern: sub.pattern }));
      if (sub.live) attachPipe(sub, pipe);
    },
  });
}
