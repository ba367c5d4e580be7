/**
 * Turns the children's results into RESULTS.md: machine, versions, method, targets, then
 * one table per suite with ratios against that suite's reference row in the same group.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ROUND_TARGETS } from './paired.js';
import { median, type CaseResult, type HarnessConfig, type SuiteDef, type Target } from './harness.js';

const ROOT = new URL('../', import.meta.url);
/** The libraries the suites import, plus the TypeScript runner that executes them. */
const PACKAGES = ['eventemitter3', 'eventemitter2', 'qlobber', 'mqemitter', 'cloudevents', 'nats', 'ioredis', 'better-sqlite3', 'amqplib', 'tsx'];

function version(pkgJson: URL): string {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
  }
}

function commit(): string {
  try {
    // Read-only query; a repository without commits yet simply has no id to show.
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString().trim();
  } catch {
    return 'no commit yet';
  }
}

function readAnalysis(): string | undefined {
  try {
    return readFileSync(new URL('benchmarks/analysis.md', ROOT), 'utf8');
  } catch {
    return undefined;
  }
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const ns = (x: number): string => (x >= 100 ? int(x) : x.toFixed(1));
const cell = (v: number | string): string =>
  typeof v === 'string' ? v : Number.isInteger(v) ? int(v) : v.toFixed(2);

/** Whether the suite declares this row a round-trip case (its runsNs are p50 latencies). */
const isLatency = (suite: SuiteDef, r: CaseResult): boolean =>
  suite.cases.some((c) => c.lib === r.lib && c.group === r.group && c.latency === true);

/**
 * Against the reference in the same group: ops/s ratio (>1 = faster than the reference),
 * or for latency rows p50 latency / reference p50 latency (<1 = quicker than the reference).
 */
function ratioOf(r: CaseResult, all: readonly CaseResult[], suite: SuiteDef): number | undefined {
  // Paired rows carry their own ratio, round by round against the raw client beside them.
  if (r.pairRatios && r.pairRatios.length > 0) return median(r.pairRatios);
  const ref = all.find((x) => x.suite === suite.name && x.group === r.group && x.lib === suite.reference);
  if (!ref || ref.runsNs.length === 0 || r.runsNs.length === 0) return undefined;
  return isLatency(suite, r) ? median(r.runsNs) / median(ref.runsNs) : median(ref.runsNs) / median(r.runsNs);
}

function check(r: CaseResult): string {
  if (r.skipped) return r.skipped;
  if (r.error) return `ERROR: ${r.error.replace(/\|/g, '\\|')}`;
  return r.ok ? 'ok' : `FAIL (delivered ${int(r.delivered)}, expected ${int(r.expected)})`;
}

const us = (nsValue: number): string => (nsValue / 1000).toFixed(1);

/** Round-trip rows: p50 / p99 in µs over the runs, and p50 relative to the reference's p50. */
function latencyTable(suite: SuiteDef, rows: readonly CaseResult[], all: readonly CaseResult[]): string[] {
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extras)))];
  const head = ['case', 'group', 'p50 µs median', 'p50 µs min–max', 'p99 µs median', 'p99 µs min–max',
    `× ${suite.reference} (p50 latency, <1 = quicker)`, ...extraKeys, 'check'];
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const ratio = ratioOf(r, all, suite);
    const p99 = r.p99Ns ?? [];
    const cells = r.runsNs.length > 0 && p99.length > 0
      ? [us(median(r.runsNs)), `${us(Math.min(...r.runsNs))}–${us(Math.max(...r.runsNs))}`,
          us(median(p99)), `${us(Math.min(...p99))}–${us(Math.max(...p99))}`, ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`]
      : Array<string>(5).fill('—');
    out.push(`| ${[r.lib, r.group, ...cells, ...extraKeys.map((k) => cell(r.extras[k] ?? 'n/a')), check(r)].join(' | ')} |`);
  }
  return out;
}

const range = (xs: readonly number[], f: (x: number) => string): string => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;

/** Paired suites: per group the raw client's row, then ours with the per-round ratio. */
function pairedTable(rows: readonly CaseResult[]): string[] {
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extras)))];
  const head = ['store', 'client', 'events/s median', 'events/s min–max', '× raw client (median of rounds)',
    '× raw client min–max', ...extraKeys, 'delivery check'];
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const ratios = r.pairRatios ?? [];
    const cells = r.runsNs.length === 0
      ? Array<string>(4).fill('—')
      : [int(1e9 / median(r.runsNs)), range(r.runsNs.map((x) => 1e9 / x), int),
          ratios.length > 0 ? `${median(ratios).toFixed(2)}x` : 'reference', ratios.length > 0 ? range(ratios, (x) => `${x.toFixed(2)}x`) : '—'];
    out.push(`| ${[r.group, r.lib, ...cells, ...extraKeys.map((k) => cell(r.extras[k] ?? 'n/a')), check(r)].join(' | ')} |`);
  }
  return out;
}

function table(suite: SuiteDef, all: readonly CaseResult[]): string[] {
  const mine = all.filter((r) => r.suite === suite.name);
  if (suite.cases.some((c) => c.paired)) return pairedTable(mine);
  const rows = mine.filter((r) => !isLatency(suite, r));
  const latencyRows = mine.filter((r) => isLatency(suite, r));
  if (rows.length === 0) return latencyTable(suite, latencyRows, all);
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extras)))];
  const head = ['case', 'group', 'ops/s median', 'ops/s min', 'ops/s max', 'ns/op median', 'ns/op min–max',
    `× ${suite.reference} (ops/s)`, ...(suite.showDelta ? ['Δ ns/op vs ref'] : []), 'GCs per 1M ops',
    ...extraKeys, 'delivery check'];
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const ref = rows.find((x) => x.group === r.group && x.lib === suite.reference);
    const ratio = ratioOf(r, all, suite);
    const timed = r.runsNs.length > 0;
    const [lo, mid, hi] = timed ? [Math.min(...r.runsNs), median(r.runsNs), Math.max(...r.runsNs)] : [0, 0, 0];
    const delta = ref && ref.runsNs.length > 0 && timed ? ns(mid - median(ref.runsNs)) : 'n/a';
    const cells = timed
      ? [int(1e9 / mid), int(1e9 / hi), int(1e9 / lo), ns(mid), `${ns(lo)}–${ns(hi)}`,
          ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`, ...(suite.showDelta ? [delta] : []),
          Number.isFinite(r.gcPer1M) ? r.gcPer1M.toFixed(1) : 'n/a']
      : Array<string>(suite.showDelta ? 8 : 7).fill('—');
    out.push(`| ${[r.lib, r.group, ...cells, ...extraKeys.map((k) => cell(r.extras[k] ?? 'n/a')), check(r)].join(' | ')} |`);
  }
  return latencyRows.length === 0 ? out : [...out, '', ...latencyTable(suite, latencyRows, all)];
}

function targetRow(t: Target, suite: SuiteDef, all: readonly CaseResult[]): string {
  const r = all.find((x) => x.suite === suite.name && x.lib === t.lib && x.group === t.group);
  const value = !r || !r.ok ? undefined : t.metric === 'ratio' ? ratioOf(r, all, suite) : r.extras[t.metric];
  if (typeof value !== 'number') {
    const why = !r ? 'not run' : !r.ok ? check(r) : `no ${suite.reference} figure in this run`;
    return `| ${t.label} | ${why} | n/a |`;
  }
  const met = (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max);
  const rounds = t.metric === 'ratio' ? r?.pairRatios ?? [] : [];
  const spread = rounds.length > 0 ? ` (${range(rounds, (x) => x.toFixed(2))} over ${rounds.length} rounds)` : '';
  const shown = t.metric === 'ratio' ? `${value.toFixed(2)}x${spread}` : cell(value);
  return `| ${t.label} | ${shown} | ${met ? 'met' : '**missed**'} |`;
}

export interface ReportInput {
  /** os.loadavg() taken before the first case started. */
  load: readonly number[];
  suites: readonly SuiteDef[];
  results: readonly CaseResult[];
  cfg: HarnessConfig;
  command: string;
  wallSeconds: number;
}

export function renderReport({ load, suites, results, cfg, command, wallSeconds }: ReportInput): string {
  const cpus = os.cpus();
  const ran = suites.filter((s) => results.some((r) => r.suite === s.name));
  const failed = results.filter((r) => !r.ok && !r.skipped).length;
  const skipped = results.filter((r) => r.skipped).length;
  const lines = [
    '# evmesh benchmark results', '',
    `Generated ${new Date().toISOString()} by \`${command}\` in ${wallSeconds.toFixed(0)} s; ${results.length} cases, ${failed} not ok${skipped > 0 ? `, ${skipped} skipped` : ''}.`,
    'Regenerate with `npm run bench` (writes this file); `npm run bench -- <substring>` runs only matching cases and',
    '`npm run bench -- --quick` (or `BENCH_QUICK=1`) makes shorter runs; both print instead of overwriting this file.', '',
    '## Machine', '', '| | |', '|---|---|',
    `| CPU | ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores |`,
    `| RAM | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${os.type()} ${os.release()} ${os.arch()} |`,
    `| Node | ${process.version} |`,
    // Other work on a 2-core VM moves the figures more than anything else; record it.
    `| load average at start | ${load.map((x) => x.toFixed(2)).join(' / ')} (1 / 5 / 15 min) |`,
    `| evmesh | ${version(new URL('package.json', ROOT))} (${commit()}) |`,
    `| packages | ${PACKAGES.map((p) => `${p} ${version(new URL(`node_modules/${p}/package.json`, ROOT))}`).join(', ')} |`,
    '', '## Method', '',
    '- Every case runs in a fresh `node --expose-gc --import tsx benchmarks/case.ts <suite> <lib> <group>` process, one after the other.',
    `- A batch is grown until it takes ≥${cfg.calibrateMs} ms, then sized so one timed run lasts ~${cfg.targetMs} ms; warm-up ≥${cfg.warmupMs} ms; ${cfg.runs} timed runs with \`process.hrtime.bigint()\`.`,
    '- ns/op median, min and max are over the timed runs; ops/s = 1e9 / (ns/op), so the ops/s min comes from the slowest run.',
    '- The ratio column is ops/s divided by the ops/s of the table\'s reference in the same group (>1 = faster than the reference).',
    '- "GCs per 1M ops" counts GC events during the timed runs (an allocation proxy).',
    '- Delivery check: after all runs, handler calls must equal publishes × expected fan-out, or the case is not ok.',
    '- Cross-process cases (suite `federation`) time themselves across two processes instead; their suite notes give the method.',
    `- Paired cases (suites \`durable-stores\`, \`durable-brokers\`): evmesh and the raw client are set up in one process and alternate rounds of the same n events (two warm-up runs each; n sized so the slower side's round lasts ~${ROUND_TARGETS * cfg.targetMs} ms; ${cfg.runs + 1} rounds, each side first in half of them). The ratio is the median over rounds of evmesh events/s / raw events/s in that round, min–max beside it; GCs are not counted (two libraries share the heap), client CPU per event (\`process.cpuUsage\`) is.`,
    '- This is a shared 2-core VM: absolute figures drift 10–50% between runs (see shared/design/perf-anchors.md); compare ratios within one run.',
  ];
  const targets = ran.flatMap((s) => (s.targets ?? []).map((t) => targetRow(t, s, results)));
  if (targets.length > 0) lines.push('', '## Targets', '', '| target | measured | status |', '|---|---:|---|', ...targets);
  // Hand-written reading of the figures (why a target is missed, what a number
  // includes): kept in its own file so regenerating the tables keeps it.
  const analysis = readAnalysis();
  if (analysis !== undefined) lines.push('', analysis.trimEnd());
  ran.forEach((s, i) => {
    lines.push('', `## ${i + 1}. ${s.title} (\`${s.name}\`)`, '', ...s.notes.map((n) => `- ${n}`), '', ...table(s, results));
  });
  return `${lines.join('\n')}\n`;
}
