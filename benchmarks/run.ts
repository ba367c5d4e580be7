/**
 * `npm run bench [-- <substring>...] [--quick] [--list] [--out <file>]`
 *
 * Runs every case (or those whose `suite/lib/group` name contains one of the substrings)
 * in a fresh child process, one at a time so cases never compete for the 2 cores, and
 * renders the results. A full run writes benchmarks/RESULTS.md; a filtered or quick run
 * prints the report instead, so a partial run never overwrites the full one (unless --out).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { failedResult, harnessConfig, median, type CaseResult } from './harness.js';
import { caseName, loadSuites, RESULT_MARK } from './registry.js';
import { renderReport } from './report.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CASE_ENTRY = fileURLToPath(new URL('./case.ts', import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
/** Generous: the slowest case (100k subscriptions) needs ~5 s; a hang must not stall the run. */
const CASE_TIMEOUT_MS = 120_000;

interface Args {
  filters: string[];
  quick: boolean;
  list: boolean;
  out?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { filters: [], quick: process.env.BENCH_QUICK === '1', list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--list') args.list = true;
    else if (a === '--out' && i + 1 < argv.length) args.out = argv[++i]!;
    else if (a.startsWith('--out=')) args.out = a.slice('--out='.length);
    else args.filters.push(a);
  }
  return args;
}

/** Runs one case in its own process; never rejects, a broken case becomes a failed row. */
function runCase(suite: string, lib: string, group: string, quick: boolean, timeoutMs = CASE_TIMEOUT_MS): Promise<CaseResult[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CASE_ENTRY, suite, lib, group], {
      cwd: ROOT,
      env: { ...process.env, BENCH_QUICK: quick ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l.startsWith(RESULT_MARK));
      if (lines.length > 0) return resolve(lines.map((l) => JSON.parse(l.slice(RESULT_MARK.length)) as CaseResult));
      const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000} s` : `exited ${code ?? signal}`;
      const tail = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
      resolve([failedResult(suite, lib, group, `${why}${tail ? `: ${tail}` : ''}`)]);
    });
  });
}

function progress(i: number, total: number, name: string, r: CaseResult, secs: number, latency: boolean, pairRatios?: number[]): string {
  const head = `[${String(i).padStart(2)}/${total}] ${name.padEnd(58)}`;
  if (r.runsNs.length === 0) return `${head} ${r.skipped ?? r.error ?? 'no result'}`;
  const mid = median(r.runsNs);
  if (latency) {
    const p99 = median(r.p99Ns ?? []);
    return `${head} p50 ${(mid / 1000).toFixed(1)} µs  p99 ${(p99 / 1000).toFixed(1)} µs  ${r.ok ? 'ok' : 'FAIL'}  (${secs.toFixed(1)} s)`;
  }
  const rate = Math.round(1e9 / mid).toLocaleString('en-US').padStart(13);
  const ratio = pairRatios ? `  ${median(pairRatios).toFixed(2)}x raw (${Math.min(...pairRatios).toFixed(2)}–${Math.max(...pairRatios).toFixed(2)})` : '';
  return `${head} ${rate} ops/s ${mid.toFixed(1).padStart(9)} ns/op${ratio}  ${r.ok ? 'ok' : 'FAIL'}  (${secs.toFixed(1)} s)`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.quick) process.env.BENCH_QUICK = '1';
  const suites = await loadSuites();
  const selected = suites.flatMap((s) =>
    s.cases
      .filter((c) => args.filters.length === 0 || args.filters.some((f) => caseName(s, c).includes(f)))
      .map((c) => ({ suite: s, c })),
  );
  if (args.list || selected.length === 0) {
    for (const s of suites) for (const c of s.cases) console.log(caseName(s, c));
    if (selected.length === 0) console.error(`no case matches ${args.filters.join(', ')}`);
    return;
  }

  const started = Date.now();
  const load = os.loadavg();
  if (load[0]! > 0.5 * os.cpus().length) {
    console.log(`note: load average ${load[0]!.toFixed(2)} on ${os.cpus().length} cores; other work will make these figures noisy`);
  }
  const results: CaseResult[] = [];
  for (const [i, { suite, c }] of selected.entries()) {
    const t0 = Date.now();
    const rows = await runCase(suite.name, c.lib, c.group, args.quick, c.timeoutMs);
    results.push(...rows);
    const secs = (Date.now() - t0) / 1000;
    // A paired case's two rows come from one process: name each by its own lib.
    for (const r of rows) console.log(progress(i + 1, selected.length, `${suite.name}/${r.lib}/${r.group}`, r, secs, c.latency === true, r.pairRatios));
  }

  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const md = renderReport({ load, suites, results, cfg: harnessConfig(), command, wallSeconds: (Date.now() - started) / 1000 });
  const out = args.out ?? (args.filters.length === 0 && !args.quick ? DEFAULT_OUT : undefined);
  if (out) {
    writeFileSync(out, md);
    console.log(`\nwrote ${out}`);
  } else {
    console.log(`\n${md}`);
  }
  const bad = results.filter((r) => !r.ok && !r.skipped).length;
  if (bad > 0) console.log(`${bad} case(s) not ok`);
  process.exitCode = bad > 0 ? 1 : 0;
}

await main();
