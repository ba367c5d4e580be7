/**
 * The driver's half of a cross-process case (perf-anchors part 3 method): it runs inside
 * the case process, forks one peer (peer.ts), and talks to it over the fork IPC channel,
 * which never carries data. Throughput is N / (tEnd - t0): t0 is taken here before the
 * first send, tEnd in the peer at the last receive; both are process.hrtime.bigint()
 * (CLOCK_MONOTONIC, comparable across processes on one host). Round trips are timed here.
 */
import { fileURLToPath } from 'node:url';
import { ForkedProcess } from '../forked-process.js';
import { median, type HarnessConfig, type TimedRuns } from '../harness.js';
import { NATS_PORT, REDIS_PORT, loadLib, reachable, type FromPeer, type Lib, type PeerArgs, type ToPeer } from './common.js';

const PEER_ENTRY = fileURLToPath(new URL('./peer.ts', import.meta.url));
/** Events per throughput run; a run that would take > 10 s is shortened after the warm-up. */
const N = 200_000;
const N_QUICK = 50_000;
const MAX_RUN_S = 10;
/** A run not finished by then has lost events (or its peer is stuck): fail it with the count. */
const RUN_DEADLINE_MS = 20_000;
const RTT_WARMUP = 2_000;
const RTT_PER_RUN = 10_000;
const RTT_PER_RUN_QUICK = 2_000;

/** The forked peer: a failure it reports ends the case. */
class Peer extends ForkedProcess<FromPeer, ToPeer> {
  constructor(args: PeerArgs) {
    // execArgv is inherited (`--expose-gc --import tsx`), so the peer runs TypeScript too.
    super(PEER_ENTRY, args, 'the peer');
  }

  protected override accept(msg: FromPeer): boolean {
    if (msg.op === 'error') this.fail(msg.message);
    return true;
  }

  override stop(): Promise<void> {
    return super.stop({ op: 'exit' }, 3000);
  }
}

/** Which server a case needs, if any; a server that is down skips the case instead of failing the run. */
async function serviceDown(lib: Lib): Promise<string | undefined> {
  const port = lib === 'nats' || lib === 'nats-bytes' ? NATS_PORT : lib === 'redis' ? REDIS_PORT : undefined;
  if (port === undefined || (await reachable(port))) return undefined;
  return `skipped: service down (127.0.0.1:${port})`;
}

async function withPeer(lib: Lib, mode: PeerArgs['mode'], body: (peer: Peer, port: number | undefined, args: PeerArgs) => Promise<TimedRuns>): Promise<TimedRuns> {
  const skipped = await serviceDown(lib);
  if (skipped !== undefined) return { runsNs: [], totalOps: 0, delivered: 0, expected: 0, extras: {}, skipped };
  const args: PeerArgs = { lib, mode, subject: `bench.${process.pid}.${mode}`, replySubject: `bench.${process.pid}.${mode}.reply` };
  const peer = new Peer(args);
  try {
    const ready = await peer.next('ready', 30_000);
    return await body(peer, ready.port, args);
  } finally {
    await peer.stop();
  }
}

export function throughput(lib: Lib, cfg: HarnessConfig): Promise<TimedRuns> {
  return withPeer(lib, 'throughput', async (peer, port, args) => {
    const side = (await loadLib(lib)).driver(args);
    await side.connect(port);
    let n = process.env.BENCH_QUICK === '1' ? N_QUICK : N;
    const runsNs: number[] = [];
    const senderRates: number[] = [];
    let delivered = 0;
    let totalOps = 0;
    // r = 0 is the discarded warm-up run.
    for (let r = 0; r <= cfg.runs; r++) {
      peer.send({ op: 'arm', n });
      await peer.next('armed', 5000);
      const t0 = process.hrtime.bigint();
      await side.send(n);
      const tSent = process.hrtime.bigint();
      let done: Extract<FromPeer, { op: 'done' }>;
      try {
        done = await peer.next('done', RUN_DEADLINE_MS);
      } catch (err) {
        peer.send({ op: 'count' });
        const got = await peer.next('count', 2000).then((m) => m.count, () => '?');
        throw new Error(`run ${r}: peer received ${got} of ${n} (${err instanceof Error ? err.message : String(err)})`, { cause: err });
      }
      const ns = Number(BigInt(done.tEnd) - t0);
      totalOps += n;
      if (r === 0) {
        if (ns > MAX_RUN_S * 1e9) n = Math.max(10_000, Math.round((n * MAX_RUN_S * 0.5e9) / ns));
        continue;
      }
      runsNs.push(ns / n);
      senderRates.push((n * 1e9) / Number(tSent - t0));
      delivered += done.count;
    }
    const extras = { 'events/run': n, 'sender ev/s median': Math.round(median(senderRates)), 'B/event sent': side.bytesPerEvent() };
    await side.close();
    return { runsNs, totalOps, delivered, expected: n * cfg.runs, extras };
  });
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

export function latency(lib: Lib, cfg: HarnessConfig): Promise<TimedRuns> {
  return withPeer(lib, 'rtt', async (_peer, port, args) => {
    const side = (await loadLib(lib)).driver(args);
    await side.connect(port);
    const perRun = process.env.BENCH_QUICK === '1' ? RTT_PER_RUN_QUICK : RTT_PER_RUN;
    for (let i = 0; i < RTT_WARMUP; i++) await side.roundTrip();
    const runsNs: number[] = [];
    const p99Ns: number[] = [];
    let done = 0;
    for (let r = 0; r < cfg.runs; r++) {
      const lat = new Float64Array(perRun);
      for (let i = 0; i < perRun; i++) {
        const t = process.hrtime.bigint();
        await side.roundTrip();
        lat[i] = Number(process.hrtime.bigint() - t);
      }
      lat.sort();
      runsNs.push(percentile(lat, 0.5));
      p99Ns.push(percentile(lat, 0.99));
      done += perRun;
    }
    const extras = { 'round trips/run': perRun, 'B/request sent': side.bytesPerEvent() };
    await side.close();
    return { runsNs, p99Ns, totalOps: RTT_WARMUP + done, delivered: done, expected: perRun * cfg.runs, extras };
  });
}
