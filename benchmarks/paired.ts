/**
 * Paired cases: evmesh and the raw client it is compared with, set up side by side in one
 * child process and timed in alternating rounds of the same size. On a shared machine the
 * load changes within seconds; rows measured one after the other in separate processes
 * then differ by more than the libraries do, while two workloads that take turns every
 * few hundred milliseconds see the same load, so the per-round ratio holds.
 *
 * Method: two warm-up runs on each side (the first of `warmupEvents`), each sizing the
 * next so that the slower side's run lasts ~ROUND_TARGETS x targetMs (never below
 * `minEvents`), then cfg.runs + 1 rounds (an even number, so each side goes first
 * equally often). Each round times both
 * sides on the same n events with process.hrtime.bigint(), and their client CPU per event
 * with process.cpuUsage() (load inflates wall time, not CPU).
 */
import { portOpen } from '../test/support/services.js';
import { median, type CaseDef, type CaseResult, type HarnessConfig, type PairedDef, type Workload } from './harness.js';

/** A broker round takes seconds at the top; this keeps a fast engine's rounds bounded too. */
const MAX_EVENTS = 100_000;
/** A round lasts ~this many harness run targets (500 ms; 125 ms with --quick). */
export const ROUND_TARGETS = 2.5;

interface Side {
  lib: string;
  w: Workload;
  runsNs: number[];
  cpuUs: number[];
  ops: number;
}

async function timeRun(side: Side, n: number): Promise<{ ns: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const p = side.w.run(n);
  if (p) await p;
  const ns = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  side.ops += n;
  return { ns, cpuUs: c.user + c.system };
}

async function timedRound(side: Side, n: number): Promise<void> {
  const { ns, cpuUs } = await timeRun(side, n);
  side.runsNs.push(ns / n);
  side.cpuUs.push(cpuUs / n);
}

function row(suite: string, group: string, side: Side, n: number, pairRatios?: number[]): CaseResult {
  const delivered = side.w.delivered();
  const expected = side.w.expected(side.ops);
  return {
    suite, lib: side.lib, group,
    ok: expected > 0 && delivered === expected,
    runsNs: side.runsNs, batch: n, totalOps: side.ops, delivered, expected,
    // Two libraries share the heap, so GC counts could not be attributed to either.
    gcPer1M: NaN,
    extras: { 'events/round': n, 'client CPU µs/event': median(side.cpuUs).toFixed(1) },
    ...(pairRatios ? { pairRatios } : {}),
  };
}

function notRun(suite: string, def: CaseDef, p: PairedDef, why: string): CaseResult[] {
  return [p.raw, def.lib].map((lib) => ({
    suite, lib, group: def.group, ok: false, skipped: why,
    runsNs: [], batch: 0, totalOps: 0, delivered: 0, expected: 0, gcPer1M: NaN, extras: {},
  }));
}

async function closeAll(sides: readonly Side[]): Promise<void> {
  for (const s of sides) await s.w.close?.();
}

/** Runs one paired case; returns the raw client's row, then ours (with the per-round ratios). */
export async function measurePaired(suite: string, def: CaseDef, p: PairedDef, cfg: HarnessConfig): Promise<CaseResult[]> {
  if (p.service && !(await portOpen(p.service.port))) {
    return notRun(suite, def, p, `not run: ${p.service.name} unreachable (127.0.0.1:${p.service.port})`);
  }
  const raw: Side = { lib: p.raw, w: await p.rawClient(), runsNs: [], cpuUs: [], ops: 0 };
  let ours: Side;
  try {
    ours = { lib: def.lib, w: await p.ours(), runsNs: [], cpuUs: [], ops: 0 };
  } catch (err) {
    await closeAll([raw]);
    throw err;
  }
  try {
    // Two warm-ups: the first (cold code) gives a size, the second, at that size, the rate
    // the rounds are sized from, so a round lasts about as long as planned once optimised.
    let n = p.warmupEvents;
    for (let w = 0; w < 2; w++) {
      let slowest = 0;
      for (const side of [raw, ours]) slowest = Math.max(slowest, (await timeRun(side, n)).ns / n);
      n = Math.min(MAX_EVENTS, Math.max(p.minEvents, Math.round((ROUND_TARGETS * cfg.targetMs * 1e6) / slowest)));
    }
    const ratios: number[] = [];
    for (let r = 0; r < cfg.runs + 1; r++) {
      // Alternate who goes first, so neither always meets the broker right after the other's burst.
      for (const side of r % 2 === 0 ? [raw, ours] : [ours, raw]) await timedRound(side, n);
      ratios.push(raw.runsNs[r]! / ours.runsNs[r]!);
    }
    return [row(suite, def.group, raw, n), row(suite, def.group, ours, n, ratios)];
  } finally {
    await closeAll([ours, raw]);
  }
}
