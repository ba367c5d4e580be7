import { Observable, type Subscriber } from 'rxjs';
import type { Mesh, MeshEvent } from '../src/index.js';

/** Opens a gate installed by `holdUntilReleased`; idempotent. */
export type ReleaseGate = () => void;

/**
 * Holds every event published on `mesh` until the returned function is called,
 * then routes them in publish order and removes itself (the mesh's publish path is
 * then as it was: no chain left). It is the first `use` chain of the mesh, so the
 * app's own chains still see every event, after it.
 *
 * Why a gate and not only early binding: Nest runs a global module's `onModuleInit`
 * before the others', which is where the loader binds, but events can be published
 * earlier still (provider constructors and factories, another global module's hooks)
 * and Nest's hook order among global modules is insertion order. Holding makes
 * "published before the listeners were bound" a non-event whatever that order is.
 * A held publish resolves at once (as with any asynchronous `use` chain).
 */
export function holdUntilReleased(mesh: Mesh): ReleaseGate {
  let open = false;
  // Outside the operator: the mesh rebuilds its chain when another `use` is added,
  // subscribing this operator afresh, and what was held must survive that.
  const held: MeshEvent[] = [];
  let downstream: Subscriber<MeshEvent> | undefined;
  const remove = mesh.use((events$) => new Observable<MeshEvent>((out) => {
    downstream = out;
    const sub = events$.subscribe({
      next: (event) => (open ? out.next(event) : held.push(event)),
      error: (err: unknown) => out.error(err),
      complete: () => out.complete(),
    });
    return () => {
      sub.unsubscribe();
      if (downstream === out) downstream = undefined;
    };
  }));
  return () => {
    if (open) return;
    open = true;
    for (let event = held.shift(); event !== undefined; event = held.shift()) downstream?.next(event);
    remove();
  };
}
