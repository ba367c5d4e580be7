import { Subject, isObservable } from 'rxjs';
import { MeshError, toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { accept } from '../delivery/dispatcher.js';
import { refuseFull } from '../delivery/slow-consumer.js';
import { hostOf, type EventPipe, type MeshSubscription } from '../delivery/subscription.js';

/**
 * Puts a subscription's RxJS chain between routing and its handler. The chain sees
 * only events already matched to this subscription (route first, operators after).
 * A chain that errors is reported and rebuilt, so one bad event does not end the
 * subscription; one that cannot be built (it throws, or errors as soon as it is
 * subscribed) is refused at subscribe(), or ends the subscription on a rebuild.
 */
export function attachPipe(sub: MeshSubscription, pipe: EventPipe): void {
  const input = new Subject<MeshEvent>();
  let building = true;
  let buildFailure: { error: unknown } | undefined;
  try {
    const output = pipe(input.asObservable());
    if (!isObservable(output)) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'subscribe({ pipe }) must return an Observable');
    output.subscribe({
      // An async operator may emit after the subscription or the mesh ended. What comes
      // out of the pipe is tied to no publish that could wait: a full queue refuses it
      // (deliver checked for room before the pipe, so only an operator that emits more,
      // or later, than it was given gets here).
      next: (event) => {
        if (sub.live && !hostOf(sub).halted && !accept(sub, event)) refuseFull(sub, event);
      },
      error: (err: unknown) => {
        if (building) buildFailure = { error: err };
        else rebuild(sub, pipe, err);
      },
    });
  } catch (err) {
    buildFailure = { error: err };
  } finally {
    building = false;
  }
  if (buildFailure !== undefined) {
    const err = buildFailure.error;
    throw err instanceof MeshError ? err : toMeshError('ERR_MESH_INVALID_OPTIONS', err, { pattern: sub.pattern, stage: 'pipe' });
  }
  sub.pipeIn = input;
}

function rebuild(sub: MeshSubscription, pipe: EventPipe, err: unknown): void {
  hostOf(sub).report(toMeshError('ERR_MESH_PIPELINE_FAILED', err, { subscription: sub.name, pattern: sub.pattern }));
  if (!sub.live) return;
  try {
    attachPipe(sub, pipe);
  } catch (rebuildError) {
    hostOf(sub).report(toMeshError('ERR_MESH_PIPELINE_FAILED', rebuildError, { subscription: sub.name, pattern: sub.pattern, stage: 'rebuild' }));
    void sub.unsubscribe();
  }
}
