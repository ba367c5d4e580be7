/**
 * The one measuring loop every suite goes through, so that evmesh and its competitors are
 * timed by exactly the same code in the same run (style rule 16).
 *
 * Method (mirrors the reference harness in shared/design/perf-anchors.md, scaled down to fit
 * a full run in ~8 minutes on 2 cores): grow a batch until it takes >= 20 ms, size it so one
 * timed run lasts ~200 ms, warm up for >= 300 ms, then time 5 runs with process.hrtime.bigint().
 * Every case runs in its own fresh process (see run.ts), so JIT feedback and heap state
 * from one library never leak into another's numbers. The exception is a `paired` case
 * (benchmarks/paired.ts): ours and a raw client in one process, taking turns, where the
 * load shared with other work would otherwise move more than the libraries do.
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';

/** What a suite hands the harness once a case is set up. */
export interface Workload {
  /**
   * Performs `n` operations. Sync cases return nothing, so the harness never awaits per
   * batch where the library itself is synchronous; async cases return a promise that settles
   * only when all `n` operations are fully delivered.
   */
  run(n: number): void | Promise<void>;
  /** Deliveries observed so far (handler calls, or objects created for creation-only cases). */
  delivered(): number;
  /** Deliveries a correct implementation must have made after the first `ops` operations. */
  expected(ops: number): number;
  /** Case-specific figures (fan-out, bytes per subscription, ...) shown as extra columns. */
  extras?(stats: RunStats): Record<string, number | string>;
  close?(): void | Promise<void>;
}

export interface CaseDef {
  /** Library / variant, e.g. `qlobber-amqp`; the table row label. */
  lib: string;
  /** Row group inside the table, e.g. `10 subs` or `N=10k`; ratios compare within a group. */
  group: string;
  /** Sets up a workload for the shared measuring loop below. Omitted by `timed` and `paired` cases. */
  setup?(): Workload | Promise<Workload>;
  /**
   * Instead of `setup`: a case that times itself, for cross-process cases whose clock
   * starts in one process and stops in another (benchmarks/xproc/driver.ts).
   */
  timed?(cfg: HarnessConfig): Promise<TimedRuns>;
  /** Overrides run.ts's per-case limit (120 s) for a case known to take longer. */
  timeoutMs?: number;
  /**
   * A round-trip case: its `runsNs` are each run's p50 latency (and `p99Ns` its p99). The
   * report puts such rows in a latency table whose ratio is latency / reference latency.
   */
  latency?: boolean;
  /**
   * Instead of `setup`: ours (this case's `lib`) against a raw client, both set up in one
   * process and timed in alternating rounds (benchmarks/paired.ts), so both see the same
   * load. Yields two rows, this `lib` and `paired.raw`.
   */
  paired?: PairedDef;
}

/** A paired comparison: the same workload through evmesh and through the raw client. */
export interface PairedDef {
  /** The raw client's row label, e.g. `better-sqlite3`. */
  raw: string;
  ours(): Promise<Workload>;
  rawClient(): Promise<Workload> | Workload;
  /** A local service the pair needs; when it does not answer, both rows are "not run". */
  service?: { name: string; port: number };
  /** Events per warm-up run of each side, and the least per timed round (broker windows). */
  warmupEvents: number;
  minEvents: number;
}

/** What a `timed` case measured; `skipped` (e.g. a broker that is down) is reported, not failed. */
export interface TimedRuns {
  /** ns per operation of each timed run; for latency cases, each run's p50 round trip. */
  runsNs: number[];
  /** Latency cases: each run's p99 round trip, ns. */
  p99Ns?: number[];
  totalOps: number;
  delivered: number;
  expected: number;
  extras: Record<string, number | string>;
  skipped?: string;
}

/** A target from the design docs, checked against this run's figures in RESULTS.md. */
export interface Target {
  label: string;
  lib: string;
  group: string;
  /** `ratio` = throughput relative to the reference in the same group; else an extras key. */
  metric: string;
  min?: number;
  max?: number;
}

export interface SuiteDef {
  name: string;
  title: string;
  /** `lib` of the reference row; the ratio column is ops/s divided by the reference's ops/s. */
  reference: string;
  notes: string[];
  cases: CaseDef[];
  targets?: Target[];
  /** Adds a "Δ ns/op vs reference" column, for suites that report a cost over a baseline. */
  showDelta?: boolean;
}

export interface RunStats {
  medianNs: number;
  totalOps: number;
}

export interface CaseResult {
  suite: string;
  lib: string;
  group: string;
  ok: boolean;
  error?: string;
  /** ns/op of each timed run, in run order. */
  runsNs: number[];
  batch: number;
  totalOps: number;
  delivered: number;
  expected: number;
  /** NaN (null once through JSON) when not measured, as for cross-process cases. */
  gcPer1M: number;
  extras: Record<string, number | string>;
  /** Latency cases: each run's p99 round trip, ns. */
  p99Ns?: number[];
  /** Why the case did not run (a service it needs is down); not counted as a failure. */
  skipped?: string;
  /** Paired cases, ours row: per round, our throughput / the raw client's in that round. */
  pairRatios?: number[];
}

/** The row for a case that produced no measurement (setup threw, child crashed or hung). */
export function failedResult(suite: string, lib: string, group: string, error: string): CaseResult {
  return { suite, lib, group, ok: false, error, runsNs: [], batch: 0, totalOps: 0, delivered: 0, expected: 0, gcPer1M: 0, extras: {} };
}

export interface HarnessConfig {
  runs: number;
  targetMs: number;
  warmupMs: number;
  calibrateMs: number;
}

/** BENCH_QUICK=1 trades precision for a ~4x shorter run while iterating on the kernel. */
export function harnessConfig(): HarnessConfig {
  const quick = process.env.BENCH_QUICK === '1';
  return quick
    ? { runs: 3, targetMs: 50, warmupMs: 100, calibrateMs: 10 }
    : { runs: 5, targetMs: 200, warmupMs: 300, calibrateMs: 20 };
}

export function defineSuite(suite: SuiteDef): SuiteDef {
  return suite;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Forces full collections; needs `--expose-gc`, which run.ts always passes to children. */
export function fullGc(): void {
  const gc = globalThis.gc;
  if (!gc) throw new Error('benchmarks need node --expose-gc');
  // Twice: the first pass can leave weakly-held and finalizable garbage for the second.
  gc();
  gc();
}

async function timeBatch(w: Workload, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const p = w.run(n);
  if (p) await p;
  return Number(process.hrtime.bigint() - t0);
}

/**
 * Counts GC events as a cheap allocation proxy. Entries arrive asynchronously (a sync
 * workload only yields after its last run), so they are attributed by their start time,
 * not by when the observer happens to be called.
 */
function gcCounter(): { start(): void; stop(): Promise<number> } {
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) starts.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  let from = Infinity;
  return {
    start() {
      from = performance.now();
    },
    async stop() {
      const to = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      obs.disconnect();
      return starts.filter((t) => t >= from && t <= to).length;
    },
  };
}

/**
 * Grows a batch until it is long enough for the clock to be meaningful, sizes it to the
 * target run length, then warms up with that size so the optimised code is what gets timed.
 * Returns the batch size and how many operations were spent getting there.
 */
async function calibrate(w: Workload, cfg: HarnessConfig): Promise<{ batch: number; ops: number }> {
  const started = process.hrtime.bigint();
  let ops = 0;
  let n = 1;
  let ns = 0;
  for (;;) {
    ns = await timeBatch(w, n);
    ops += n;
    if (ns >= cfg.calibrateMs * 1e6) break;
    n = ns < 1e6 ? n * 10 : Math.ceil((n * cfg.calibrateMs * 1.2e6) / ns);
  }
  const batch = Math.max(1, Math.round((n * cfg.targetMs * 1e6) / ns));
  do {
    await timeBatch(w, batch);
    ops += batch;
  } while (Number(process.hrtime.bigint() - started) < cfg.warmupMs * 1e6);
  return { batch, ops };
}

/** A `timed` case: the case measured itself; GCs are not counted (they happen in two processes). */
async function measureTimed(suite: string, def: CaseDef, cfg: HarnessConfig, timed: NonNullable<CaseDef['timed']>): Promise<CaseResult> {
  const t = await timed(cfg);
  return {
    suite, lib: def.lib, group: def.group,
    ok: t.skipped === undefined && t.expected > 0 && t.delivered === t.expected,
    runsNs: t.runsNs, batch: 0, totalOps: t.totalOps, delivered: t.delivered, expected: t.expected,
    gcPer1M: NaN, extras: t.extras,
    ...(t.p99Ns ? { p99Ns: t.p99Ns } : {}), ...(t.skipped !== undefined ? { skipped: t.skipped } : {}),
  };
}

export async function measure(suite: string, def: CaseDef, cfg: HarnessConfig): Promise<CaseResult> {
  if (def.timed) return measureTimed(suite, def, cfg, def.timed.bind(def));
  if (!def.setup) throw new Error(`case ${suite}/${def.lib}/${def.group} has no setup, timed or paired`);
  const w = await def.setup();
  const { batch, ops } = await calibrate(w, cfg);
  let totalOps = ops;
  const gcs = gcCounter();
  gcs.start();
  const runsNs: number[] = [];
  for (let r = 0; r < cfg.runs; r++) {
    runsNs.push((await timeBatch(w, batch)) / batch);
    totalOps += batch;
  }
  const gcCount = await gcs.stop();

  const delivered = w.delivered();
  const expected = w.expected(totalOps);
  const extras = w.extras ? w.extras({ medianNs: median(runsNs), totalOps }) : {};
  if (w.close) await w.close();
  return {
    suite,
    lib: def.lib,
    group: def.group,
    // expected > 0: a case whose oracle expects nothing proves nothing.
    ok: expected > 0 && delivered === expected,
    runsNs,
    batch,
    totalOps,
    delivered,
    expected,
    gcPer1M: (gcCount * 1e6) / (batch * cfg.runs),
    extras,
  };
}
