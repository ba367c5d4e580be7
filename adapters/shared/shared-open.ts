import type { MeshError, StoreContext } from '../../src/index.js';

export interface SharedOpenSetup<E> {
  /** The factory's name, for the console fallback, e.g. "redisStore". */
  readonly store: string;
  /** Connects the engine: at the first open, and at an open after the last close or after a failed connect. */
  readonly connect: () => Promise<E>;
  /** Releases the engine at the last close; `engine` may still be connecting, or have failed. */
  readonly release: (engine: Promise<E>) => Promise<void>;
  /** The store's `onError` option: receives every report as well. */
  readonly onError?: ((error: MeshError) => void) | undefined;
}

/** One `open()` not yet undone by a `close()`. */
interface Opener {
  readonly context: StoreContext | undefined;
}

/**
 * The open/close bookkeeping every adapter shares, because one store instance may
 * be opened by several meshes: each `open` counts and connects the engine once
 * (concurrent opens share the pending connect), a failed open is undone and may be
 * retried, the last `close` releases the engine, a `close` without an open does
 * nothing.
 *
 * It also carries the store's background failures (a consumer that lost its broker,
 * an entry that is not an event: nothing to reject) to every mesh that has the store
 * open, through the `StoreContext` each passed to `open`, and to the `onError`
 * option; with neither, they are logged with console.error (the only place an
 * adapter logs).
 *
 * A mesh closes with the context it opened with, and that one is dropped; a close
 * without one (a store opened by hand) drops the most recent open.
 */
export class SharedOpen<E> {
  private readonly opened: Opener[] = [];
  /** The last opener while its close releases the engine: failures met meanwhile still reach its mesh. */
  private releasing: Opener | undefined;
  private connecting: Promise<E> | undefined;

  constructor(private readonly setup: SharedOpenSetup<E>) {}

  /** The engine while the store is open (perhaps still connecting); undefined before the first open and after the last close. */
  get engine(): Promise<E> | undefined {
    return this.connecting;
  }

  async open(context?: StoreContext): Promise<E> {
    const opener: Opener = { context };
    this.opened.push(opener);
    const attempt = (this.connecting ??= this.setup.connect());
    try {
      return await attempt;
    } catch (err) {
      this.opened.splice(this.opened.indexOf(opener), 1);
      if (this.connecting === attempt) this.connecting = undefined;
      throw err;
    }
  }

  async close(context?: StoreContext): Promise<void> {
    const at = context === undefined ? -1 : this.opened.findLastIndex((o) => o.context === context);
    const opener = at < 0 ? this.opened.pop() : this.opened.splice(at, 1)[0];
    if (opener === undefined || this.opened.length > 0) return;
    const engine = this.connecting as Promise<E>;
    this.connecting = undefined;
    this.releasing = opener;
    try {
      await this.setup.release(engine);
    } finally {
      if (this.releasing === opener) this.releasing = undefined;
    }
  }

  /** Sends a background failure to every open mesh and to `onError`; logs it when there is neither. */
  report(error: MeshError): void {
    let told = false;
    const { onError } = this.setup;
    if (onError !== undefined) told = this.tell(onError, error);
    for (const { context } of this.releasing === undefined ? this.opened : [...this.opened, this.releasing]) {
      if (context !== undefined) told = this.tell((e) => context.report(e), error) || told;
    }
    if (!told) console.error(`[evmesh] ${this.setup.store}: ${error.code}: ${error.message}`, error);
  }

  /** The engine is back after a loss reported as ERR_MESH_STORE_UNAVAILABLE: tells every open mesh (it logs it at info). */
  reconnected(details: Readonly<Record<string, unknown>>): void {
    for (const { context } of this.opened) {
      try {
        context?.reconnected?.(details);
      } catch {
        // A mesh's log must not stop the others hearing it.
      }
    }
  }

  /** One receiver at a time: one that throws must not keep the error from the others. */
  private tell(receiver: (error: MeshError) => void, error: MeshError): boolean {
    try {
      receiver(error);
    } catch (err) {
      console.error(`[evmesh] ${this.setup.store}: a receiver of ${error.code} threw`, err);
    }
    return true;
  }
}
