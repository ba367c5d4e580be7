/** What `mesh.health()` checks besides the mesh being started. */
export interface HealthOptions {
  /**
   * Peers that must be linked: `true` for every configured peer (`peers`), or a list of
   * node ids or configured addresses (`tcp://host:port`). @default false
   */
  readonly peers?: boolean | readonly string[];
  /** The store's engine must answer now (a ping, bounded by `timeout`). @default false */
  readonly store?: boolean;
  /** How long the store check may take, in ms. @default 2000 */
  readonly timeout?: number;
}

/** One check of a health report. */
export interface HealthCheck {
  readonly ok: boolean;
  /** Why not, when not ok. */
  readonly reason?: string;
}

/** `mesh.health()`: `ok` when every check is; `reasons` says what is not, for a 503 body or a log line. */
export interface HealthReport {
  readonly ok: boolean;
  readonly id: string;
  readonly checks: {
    readonly started: HealthCheck;
    readonly peers?: HealthCheck & { readonly missing: readonly string[] };
    readonly store?: HealthCheck;
  };
  readonly reasons: readonly string[];
}
