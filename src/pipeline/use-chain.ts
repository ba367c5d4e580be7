import { Subject, isObservable, map, type Observable, type Subscription as RxSubscription } from 'rxjs';
import { MeshError, toMeshError, asMeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';

/**
 * A mesh-wide RxJS chain run on every event published on this mesh, before
 * routing. Synchronous operators decide per publish (drop, pass, map, throw).
 * With asynchronous operators (delay, debounce…) the publish settles at once and
 * the event is routed when it comes out; what is still inside the chain when the
 * mesh closes is not delivered.
 */
export type UseOperator = (events$: Observable<MeshEvent>) => Observable<unknown>;

interface Frame {
  last: MeshEvent | undefined;
  error: unknown;
  failed: boolean;
}

export interface UseChainSink {
  /** Validates what the chain emitted into an event (the chain may map events). */
  toEvent(value: unknown): MeshEvent;
  /** Routes an event that came out of the chain. */
  route(event: MeshEvent): void;
  /** Reports failures that belong to no publish (the chain emitted asynchronously). */
  report(error: MeshError): void;
}

/**
 * Runs published events through the `use` operators, kept as one long-lived stream
 * so stateful operators (throttle, distinct, buffer…) work across events. Each
 * publish pushes its event in and sees synchronously what came out: nothing means
 * dropped, an error rejects that publish (and the chain is rebuilt, since an
 * errored RxJS stream is dead). Emissions after the push returned (async
 * operators) are routed when they arrive.
 */
export class UseChain {
  private readonly operators: UseOperator[] = [];
  private input: Subject<MeshEvent> | undefined;
  private output: RxSubscription | undefined;
  private frame: Frame | undefined;
  /** Set while subscribing to a new chain: an error then is a broken chain, not a failed event. */
  private building = false;
  private buildFailure: { error: unknown } | undefined;
  /** The chain died and could not be rebuilt: publishes are rejected until use() is called again. */
  private broken: MeshError | undefined;

  constructor(private readonly sink: UseChainSink) {}

  get active(): boolean {
    return this.operators.length > 0;
  }

  add(operator: UseOperator): () => void {
    if (typeof operator !== 'function') throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'use() takes a function (events$) => Observable');
    this.operators.push(operator);
    try {
      this.rebuild();
    } catch (err) {
      // An operator that fails while the chain is built is refused; the chain before it stays.
      this.operators.pop();
      this.rebuild();
      throw toMeshError('ERR_MESH_INVALID_OPTIONS', err, { stage: 'use' });
    }
    return () => {
      const at = this.operators.indexOf(operator);
      if (at < 0) return;
      this.operators.splice(at, 1);
      this.rebuild();
    };
  }

  /** Pushes one event through; returns the last event routed, or undefined if dropped. */
  run(event: MeshEvent): MeshEvent | undefined {
    // Failing closed: a broken ACL or validation chain must not let events through.
    if (this.broken !== undefined) throw this.broken;
    const frame: Frame = { last: undefined, error: undefined, failed: false };
    const outer = this.frame;
    this.frame = frame;
    try {
      this.input?.next(event);
    } finally {
      this.frame = outer;
    }
    if (frame.failed) {
      throw asMeshError(frame.error, 'ERR_MESH_PIPELINE_FAILED', { eventId: event.id });
    }
    return frame.last;
  }

  close(): void {
    this.output?.unsubscribe();
    this.input = undefined;
  }

  private rebuild(): void {
    if (this.operators.length === 0) {
      this.output?.unsubscribe();
      this.input = undefined;
      this.broken = undefined;
      return;
    }
    const input = new Subject<MeshEvent>();
    let stream: Observable<MeshEvent> = input;
    for (let i = 0; i < this.operators.length; i++) {
      // Each chain is promised MeshEvents, also when the one before it mapped them to plain objects.
      const out = (this.operators[i] as UseOperator)(stream);
      if (!isObservable(out)) throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'a use() operator must return an Observable');
      stream = i === this.operators.length - 1 ? (out as Observable<MeshEvent>) : out.pipe(map((value) => this.sink.toEvent(value)));
    }
    this.building = true;
    this.buildFailure = undefined;
    let output: RxSubscription;
    try {
      output = stream.subscribe({
        next: (value) => this.emitted(value),
        error: (err: unknown) => {
          if (this.building) this.buildFailure = { error: err };
          else this.recover(err);
        },
      });
    } finally {
      this.building = false;
    }
    // A chain that errors as soon as it is subscribed would error on every rebuild too.
    // (Set by the error callback during subscribe; TS cannot see that.)
    const failure = this.buildFailure as { error: unknown } | undefined;
    if (failure !== undefined) throw failure.error;
    // Swap only once the new chain is built, so a failing build leaves the old one working.
    this.output?.unsubscribe();
    this.input = input;
    this.output = output;
    this.broken = undefined;
  }

  /** An errored RxJS stream is dead: report the failure and start a fresh chain. */
  private recover(err: unknown): void {
    this.failed(err);
    try {
      this.rebuild();
    } catch (rebuildError) {
      this.input = undefined;
      this.broken = asMeshError(rebuildError, 'ERR_MESH_PIPELINE_FAILED');
      this.sink.report(this.broken);
    }
  }

  private emitted(value: unknown): void {
    let event: MeshEvent;
    try {
      event = this.sink.toEvent(value);
    } catch (err) {
      this.failed(err);
      return;
    }
    const frame = this.frame;
    if (frame !== undefined) frame.last = event;
    this.sink.route(event);
  }

  private failed(err: unknown): void {
    const frame = this.frame;
    if (frame !== undefined) {
      frame.failed = true;
      frame.error = err;
    } else {
      this.sink.report(asMeshError(err, 'ERR_MESH_PIPELINE_FAILED'));
    }
  }
}
