/**
 * A cross-check for the `durable-stores` suite on a loaded machine, not a source of
 * RESULTS.md: the harness runs each case in its own process one after the other, so
 * when the machine's load drifts between cases the ratio drifts with it. Here the
 * evmesh and raw-client workloads of one engine live in one process and alternate
 * rounds, so both see the same load; it prints the median events/s of each and the
 * client CPU time per event (process.cpuUsage), which load does not inflate.
 *
 * `npx tsx benchmarks/durable-interleaved.ts sqlite|redis [rounds] [events]`
 */
import { evmeshWorkload, rawRedisWorkload, rawSqliteWorkload } from './durable.js';
import { median, type Workload } from './harness.js';

const [engine = 'sqlite', roundsArg = '8', eventsArg = '4000'] = process.argv.slice(2);
if (engine !== 'sqlite' && engine !== 'redis') throw new Error('engine must be sqlite or redis');
const rounds = Number(roundsArg);
const n = Number(eventsArg);
const workloads: Record<string, Workload> = {
  evmesh: await evmeshWorkload(engine),
  'raw client': engine === 'sqlite' ? rawSqliteWorkload() : await rawRedisWorkload(),
};
const rates: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
for (let r = 0; r <= rounds; r++) {
  for (const [name, w] of Object.entries(workloads)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await w.run(n);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    // Round 0 warms both up and is not counted.
    if (r === 0) continue;
    (rates[name] ??= []).push(n / (ms / 1000));
    (cpu[name] ??= []).push((c.user + c.system) / n);
  }
}
for (const w of Object.values(workloads)) await w.close?.();
const ref = median(rates['raw client']!);
for (const name of Object.keys(workloads)) {
  const rate = median(rates[name]!);
  console.log(`${engine} ${name.padEnd(10)} ${Math.round(rate).toLocaleString('en-US').padStart(8)} events/s (median of ${rounds})  ` +
    `${(rate / ref).toFixed(2)}x raw  ${median(cpu[name]!).toFixed(1)} µs CPU/event`);
}
