/**
 * A cross-check for the `durable-brokers` suite on a loaded machine: the suite runs each
 * case in its own process one after the other, so load from other work shifts the ratio
 * between rows. Here the raw client and evmesh share one process and alternate run by
 * run on the same broker, so both see the same load; the printed ratio is per pair.
 *   npx tsx benchmarks/brokers-interleaved.ts nats|amqp|nats-msgid [events per run] [pairs]
 */
import type { Workload } from './harness.js';
import { evmeshAmqp, evmeshNats, rawAmqp, rawNats } from './brokers.js';

const which = process.argv[2] ?? 'nats';
const events = Number(process.argv[3] ?? 3000);
const pairs = Number(process.argv[4] ?? 5);
// `nats-msgid`: what `Nats-Msg-Id` costs the raw client (first: without, second: with).
const setups: Record<string, () => Promise<[Workload, Workload]>> = {
  nats: async () => [await rawNats(), await evmeshNats()],
  amqp: async () => [await rawAmqp(), await evmeshAmqp()],
  'nats-msgid': async () => [await rawNats(), await rawNats(true)],
};
const setup = setups[which];
if (setup === undefined) throw new Error(`usage: brokers-interleaved.ts ${Object.keys(setups).join('|')} [events] [pairs]`);
const [raw, mesh] = await setup();
await raw.run(events / 4);
await mesh.run(events / 4);
const ratios: number[] = [];
for (let p = 0; p < pairs; p++) {
  const cpu = { raw: 0, mesh: 0 };
  const rate = async (w: typeof raw): Promise<number> => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await w.run(events);
    const used = process.cpuUsage(c0);
    cpu[w === raw ? 'raw' : 'mesh'] = (used.user + used.system) / events;
    return events / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  // Alternate which goes first, so neither always runs on a warmer broker.
  let r: number;
  let m: number;
  if (p % 2 === 0) {
    r = await rate(raw);
    m = await rate(mesh);
  } else {
    m = await rate(mesh);
    r = await rate(raw);
  }
  ratios.push(m / r);
  console.log(`${which} pair ${p + 1}: raw ${Math.round(r)} ev/s, evmesh ${Math.round(m)} ev/s, ratio ${(m / r).toFixed(2)}; client CPU per event raw ${cpu.raw.toFixed(0)} µs, evmesh ${cpu.mesh.toFixed(0)} µs`);
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`${which}: median ratio ${sorted[sorted.length >> 1]?.toFixed(2)}, range ${sorted[0]?.toFixed(2)}-${sorted.at(-1)?.toFixed(2)}`);
await raw.close?.();
await mesh.close?.();
process.exit(0);
