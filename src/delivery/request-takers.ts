/**
 * Why a taker of a request gave up: what `request` rejects with, in
 * `details.remote`, and what travels back to the requester's node (PROTOCOL §6.4).
 */
export interface RequestFailure {
  /** The responder's error code: a MeshError's code, an Error's string `code`, else its name. */
  readonly code: string;
  readonly message: string;
  /** The failed subscription's name. */
  readonly subscription: string;
  /** The node it runs on. */
  readonly node: string;
  /** What the handler threw, when it failed on this node. */
  readonly cause?: unknown;
}

/**
 * The takers of one request still working on it (deliveries a scheduler holds; the
 * nodes it was forwarded to) and the first failure among those done. The rule: only
 * the first answer counts, and a failure is final only once no taker is left that
 * could still answer. `idle` runs when the count drops to none, in a microtask: by
 * then the synchronous routing that counts the other takers is over, so a handler
 * that throws at once does not beat one the same publish delivers after it.
 */
export class RequestTakers {
  private count = 0;
  private checking = false;
  failure: RequestFailure | undefined = undefined;

  constructor(private readonly idle: (takers: RequestTakers) => void) {}

  add(n = 1): void {
    this.count += n;
  }

  /** A taker is done without answering; `failure` when it failed. */
  done(failure: RequestFailure | undefined): void {
    this.count--;
    if (failure !== undefined) this.failure ??= failure;
    this.check();
  }

  /** Runs `idle` (in a microtask) if no taker is left. */
  check(): void {
    if (this.count > 0 || this.checking) return;
    this.checking = true;
    queueMicrotask(() => {
      this.checking = false;
      if (this.count <= 0) this.idle(this);
    });
  }
}
