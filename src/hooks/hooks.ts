import { MeshError, toMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { HOOK_NAMES, type CheckHookName, type HookName, type HookSignatures, type HookSubscription, type NotifyHookName } from './hook-list.js';

type Fn = (...args: never[]) => unknown;
type WrapFn = HookSignatures['wrapDelivery'];

/**
 * The hooks registered on one mesh, and the one runner for them. Each hook is a field
 * that stays `undefined` while nothing is registered for it, so a call site pays one
 * field read when hooks are off: `if (hooks.onPublish !== undefined) hooks.run(…)`.
 * A hook that throws is reported (`ERR_MESH_HOOK_FAILED`) and never breaks the event;
 * an inbound check that throws refuses, as a check that cannot decide must.
 */
export class Hooks {
  onPublish: HookSignatures['onPublish'][] | undefined = undefined;
  onDeliver: HookSignatures['onDeliver'][] | undefined = undefined;
  wrapDelivery: WrapFn[] | undefined = undefined;
  onSettle: HookSignatures['onSettle'][] | undefined = undefined;
  onLinkUp: HookSignatures['onLinkUp'][] | undefined = undefined;
  onLinkDown: HookSignatures['onLinkDown'][] | undefined = undefined;
  onRemoteFrame: HookSignatures['onRemoteFrame'][] | undefined = undefined;
  onRemoteEvent: HookSignatures['onRemoteEvent'][] | undefined = undefined;
  onRemoteSubscribe: HookSignatures['onRemoteSubscribe'][] | undefined = undefined;
  onRemoteSend: HookSignatures['onRemoteSend'][] | undefined = undefined;
  onRequestDone: HookSignatures['onRequestDone'][] | undefined = undefined;
  onReport: HookSignatures['onReport'][] | undefined = undefined;

  /**
   * @param report where a throwing hook is reported
   * @param watched called when delivery hooks are first registered (deliveries must then go
   *   through the path that runs them)
   */
  constructor(private readonly report: (error: MeshError) => void, private readonly watched: () => void) {}

  /** True while an `onDeliver`, `wrapDelivery` or `onSettle` hook is registered. */
  get watchesDeliveries(): boolean {
    return this.onDeliver !== undefined || this.onSettle !== undefined || this.wrapDelivery !== undefined;
  }

  /** Registers `fn` under `name` (one of HOOK_NAMES); returns its remover. */
  add<K extends HookName>(name: K, fn: HookSignatures[K]): () => void {
    if (!HOOK_NAMES.includes(name)) throw new MeshError('ERR_MESH_INVALID_OPTIONS', `${String(name)} is not a hook`, { details: { hook: name } });
    if (typeof fn !== 'function') throw new MeshError('ERR_MESH_INVALID_OPTIONS', `the ${name} hook must be a function`);
    const watching = this.watchesDeliveries;
    // A new array each time: a runner iterating the old one is not disturbed.
    this.set(name, [...(this.get(name) ?? []), fn]);
    if (!watching && this.watchesDeliveries) this.watched();
    return () => {
      const left = (this.get(name) ?? []).filter((f) => f !== fn);
      this.set(name, left.length === 0 ? undefined : left);
    };
  }

  /** Runs every `name` hook with `args`, each on its own. */
  run<K extends NotifyHookName>(name: K, ...args: Parameters<HookSignatures[K]>): void {
    const list = this.get(name);
    if (list === undefined) return;
    for (const fn of list) {
      try {
        (fn as (...a: Parameters<HookSignatures[K]>) => unknown)(...args);
      } catch (err) {
        this.report(toMeshError('ERR_MESH_HOOK_FAILED', err, { hook: name }));
      }
    }
  }

  /**
   * Runs `run` (a handler) inside every `wrapDelivery` hook, the first registered
   * outermost, and returns what `run` returned or throws what it threw: a wrapper
   * observes the handler, it cannot change its outcome. A wrapper that throws on its own,
   * or returns without calling `run`, is reported and the handler runs without it.
   */
  wrap(event: MeshEvent, sub: HookSubscription, attempt: number, run: () => unknown): unknown {
    const list = this.wrapDelivery;
    return list === undefined ? run() : this.wrapFrom(list, 0, event, sub, attempt, run);
  }

  /** Runs the `name` checks in order: false as soon as one refuses (or throws). */
  allows<K extends CheckHookName>(name: K, ...args: Parameters<HookSignatures[K]>): boolean {
    const list = this.get(name);
    if (list === undefined) return true;
    for (const fn of list) {
      try {
        if ((fn as (...a: Parameters<HookSignatures[K]>) => unknown)(...args) === false) return false;
      } catch (err) {
        this.report(toMeshError('ERR_MESH_HOOK_FAILED', err, { hook: name }));
        return false;
      }
    }
    return true;
  }

  private wrapFrom(list: readonly WrapFn[], i: number, event: MeshEvent, sub: HookSubscription, attempt: number, run: () => unknown): unknown {
    if (i === list.length) return run();
    // 0: not run yet, 1: returned `outcome`, 2: threw `outcome`. Run once, whatever the wrapper does.
    let state = 0;
    let outcome: unknown;
    const inner = (): unknown => {
      if (state === 0) {
        try {
          outcome = this.wrapFrom(list, i + 1, event, sub, attempt, run);
          state = 1;
        } catch (err) {
          outcome = err;
          state = 2;
        }
      }
      if (state === 2) throw outcome;
      return outcome;
    };
    try {
      (list[i] as WrapFn)(event, sub, attempt, inner);
    } catch (err) {
      if (state !== 2 || err !== outcome) this.report(toMeshError('ERR_MESH_HOOK_FAILED', err, { hook: 'wrapDelivery' }));
      return inner();
    }
    if (state === 0) {
      this.report(new MeshError('ERR_MESH_HOOK_FAILED', 'A wrapDelivery hook returned without running the handler', { details: { hook: 'wrapDelivery' } }));
    }
    return inner();
  }

  private get(name: HookName): Fn[] | undefined {
    return this[name] as Fn[] | undefined;
  }

  private set(name: HookName, list: Fn[] | undefined): void {
    (this as unknown as Record<HookName, Fn[] | undefined>)[name] = list;
  }
}
