import { Observable, type Subscriber } from 'rxjs';
import type { Mesh, MeshEvent } from '../src/index.js';

/**
 * Holds every event published on a mesh until each holder (the module's loader, a
 * MeshServer on that mesh) has bound its handlers, then routes them in publish
 * order and removes itself: the mesh's publish path is then as it was, no chain
 * left. It is the mesh's first `use` chain, so the app's own chains still see every
 * event, after it.
 *
 * Why a gate and not only early binding: Nest runs a global module's `onModuleInit`
 * before the others', which is where the loader binds, but events can be published
 * earlier still (provider constructors and factories, another global module's
 * hooks), and a MeshServer binds only when its microservice listens, which in a
 * plain microservice app is after every init hook. A held publish resolves at once
 * (as with any asynchronous `use` chain).
 */
export interface StartupGate {
  /** Adds a holder; returns its release (idempotent). Once the gate opened, a no-op. */
  hold(holder: string): () => void;
  /** Opens the gate whatever still holds it; returns those holders. */
  force(): string[];
}

// Keyed by the mesh, so a MeshServer given `{ mesh }` finds the gate of the module
// that created it; weak, so it keeps no mesh alive and meshes never share a gate.
const gates = new WeakMap<Mesh, StartupGate>();

export function gateOf(mesh: Mesh): StartupGate | undefined {
  return gates.get(mesh);
}

/** Installs a closed gate on a mesh just created (nothing published on it yet). */
export function installGate(mesh: Mesh): StartupGate {
  let open = false;
  const holders = new Set<symbol>();
  const names = new Map<symbol, string>();
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
  const openNow = (): void => {
    if (open) return;
    open = true;
    gates.delete(mesh);
    for (let event = held.shift(); event !== undefined; event = held.shift()) downstream?.next(event);
    remove();
  };
  const gate: StartupGate = {
    hold(holder) {
      if (open) return noop;
      const token = Symbol(holder);
      holders.add(token);
      names.set(token, holder);
      return () => {
        if (!holders.delete(token)) return;
        if (holders.size === 0) openNow();
      };
    },
    force() {
      const left = [...holders].map((token) => names.get(token) as string);
      holders.clear();
      openNow();
      return left;
    },
  };
  gates.set(mesh, gate);
  return gate;
}

function noop(): void {}
