import { MeshError } from '../errors.js';

/** What `limits` resolves to (MeshOptions.limits documents each one and its default). */
export interface ResolvedLimits {
  readonly helloTimeout: number;
  readonly maxConnections: number;
  readonly maxPeers: number;
  readonly maxStockSessions: number;
  readonly maxOutboundBytes: number;
  readonly publishRate: { readonly rate: number; readonly burst: number } | undefined;
}

/** The limit a connection was refused or closed by. */
export type RefusalReason = 'maxConnections' | 'maxPeers' | 'maxStockSessions' | 'helloTimeout';

/** One report per burst: the first refusal opens a window of this many ms, its end reports the count. */
const WINDOW = 1000;

/**
 * Counts connections refused (or closed) by a limit and reports them as one
 * `ERR_MESH_CONNECTION_REFUSED` per burst, at most once a second: a flood of
 * connections must not become a flood of reports.
 */
export class Refusals {
  private reasons: Partial<Record<RefusalReason, number>> = {};
  private total = 0;
  /** Every refusal since the mesh was made, by limit (`mesh.inspect()`, metrics). */
  readonly totals: Record<RefusalReason, number> = { maxConnections: 0, maxPeers: 0, maxStockSessions: 0, helloTimeout: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly report: (error: MeshError) => void) {}

  count(reason: RefusalReason): void {
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    this.totals[reason]++;
    this.total++;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), WINDOW);
    this.timer.unref();
  }

  /** Reports what was counted since the last report, if anything (also on close). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.total === 0) return;
    const details = { refused: this.total, reasons: this.reasons };
    this.reasons = {};
    this.total = 0;
    this.report(new MeshError('ERR_MESH_CONNECTION_REFUSED', `${String(details.refused)} connection(s) refused or closed by limits`, { details }));
  }
}
