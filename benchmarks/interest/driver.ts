/**
 * Interest propagation at scale (issue 16, target 4): NODES meshes in a line, each in its
 * own process, each linked to its neighbours over TCP on 127.0.0.1 (n(i+1) dials n(i)).
 * The last node subscribes SUBS distinct patterns; the clock runs from just before its
 * first subscribe (hrtime in that process) to the first poll of n0 that sees every one of
 * them routed through its link (hrtime in n0; CLOCK_MONOTONIC, comparable across
 * processes). Memory: each node's heap after a forced GC, before the subscriptions and
 * once n0 routes them all, divided by SUBS; a plain mesh in a process of its own gives
 * a local subscription's bytes. Then events published on n0 for a sample of the
 * subscriptions must reach exactly the subscriptions of n9 an independent matcher names.
 */
import { fileURLToPath } from 'node:url';
import { ForkedProcess } from '../forked-process.js';
import type { TimedRuns } from '../harness.js';
import { distinctPatterns, fanOuts, toAmqp, topicOf } from '../workload.js';
import type { FromNode, MemorySample, NodeArgs, ToNode } from './common.js';

const NODE_ENTRY = fileURLToPath(new URL('./node.ts', import.meta.url));
export const NODES = 10;
export const SUBS = Number(process.env.INTEREST_SUBS ?? 100_000);
/** Subscriptions whose own topic n0 publishes (every SUBS/SAMPLE-th). */
const SAMPLE = 1_000;
/**
 * n0's poll period: the time to full routing is known to within this. A poll walks the
 * whole interest table (`mesh.peers()`), ~10 ms at 100k: polled every 20 ms it took half
 * of n0's time. The hops between poll every second.
 */
const POLL_MS = 100;
const HOP_POLL_MS = 1000;
const STEP_MS = 120_000;

/** A node process; errors its mesh reports are kept aside, with the figures. */
class NodeProcess extends ForkedProcess<FromNode, ToNode> {
  /** Errors this node reported (its mesh's 'error') since the line was linked (see `linked`). */
  readonly reported: string[] = [];

  constructor(readonly args: NodeArgs) {
    // INTEREST_PROF=n4 profiles that node (a .cpuprofile in /tmp/interest-prof) while it runs.
    super(NODE_ENTRY, args, args.id, ['--expose-gc', '--import', 'tsx', ...(process.env.INTEREST_PROF === args.id ? ['--cpu-prof', '--cpu-prof-dir=/tmp/interest-prof'] : [])]);
  }

  protected override accept(msg: FromNode): boolean {
    if (msg.op !== 'error') return true;
    this.reported.push(`${this.args.id}: ${msg.message}`);
    return false;
  }

  async ask<K extends FromNode['op']>(msg: ToNode, answer: K, ms = STEP_MS): Promise<Extract<FromNode, { op: K }>> {
    this.send(msg);
    return this.next(answer, ms);
  }

  /**
   * Before the line is linked, a dial that fails while ten processes start on two cores
   * is redialed (the mesh's job) and forgotten; later errors are shown with the figures
   * (a link lost and redialed mid-run: the delivery check says whether routing recovered).
   */
  linked(): void {
    this.reported.length = 0;
  }

  override stop(): Promise<void> {
    return super.stop({ op: 'exit' }, 5000);
  }
}

/** What one run of the line measured. */
export interface LineResult {
  /** First subscribe on the last node → n0 routes to every subscription, ns. */
  readonly fullRoutingNs: number;
  /** First subscribe → n0 … n(NODES-2) route to every subscription (the hops polled every HOP_POLL_MS), ns. */
  readonly hopNs: number[];
  /** The last node's subscribe loop alone, ns. */
  readonly subscribeNs: number;
  /** Last unsubscribe → n0 routes to none, ns. */
  readonly withdrawNs: number;
  /** Heap bytes per subscription on n0 … n(NODES-1), the last one holding them as local ones. */
  readonly bytesPerHop: number[];
  /** Heap bytes per subscription of a plain mesh (no federation). */
  readonly localBytes: number;
  readonly delivered: number;
  readonly expected: number;
  /** Errors the nodes reported once the line was linked. */
  readonly errors: string[];
  /** Sampled subscriptions that got their event, of SAMPLE. */
  readonly reached: number;
}

const perSub = (before: MemorySample, after: MemorySample): number => (after.heapUsed - before.heapUsed) / SUBS;

async function startLine(): Promise<NodeProcess[]> {
  const nodes: NodeProcess[] = [];
  let dial: number | undefined;
  for (let i = 0; i < NODES; i++) {
    const last = i === NODES - 1;
    const node = new NodeProcess({ id: `n${i}`, dial, listen: !last, subscriptions: last ? SUBS : 0 });
    nodes.push(node);
    dial = (await node.next('ready', STEP_MS)).port;
  }
  await Promise.all(nodes.map((n, i) => n.ask({ op: 'linked', peers: i === 0 || i === NODES - 1 ? 1 : 2 }, 'linked', 60_000)));
  for (const n of nodes) n.linked();
  return nodes;
}

/** One node at a time: ten forced GCs at once on two cores starved the nodes for seconds. */
async function sampleEach(nodes: readonly NodeProcess[]): Promise<MemorySample[]> {
  const out: MemorySample[] = [];
  for (const n of nodes) out.push(await n.ask({ op: 'sample' }, 'sample'));
  return out;
}

async function localBytes(): Promise<number> {
  const plain = new NodeProcess({ id: 'plain', dial: undefined, listen: false, subscriptions: SUBS });
  try {
    await plain.next('ready', STEP_MS);
    const before = await plain.ask({ op: 'sample' }, 'sample');
    await plain.ask({ op: 'subscribe' }, 'subscribed');
    return perSub(before, await plain.ask({ op: 'sample' }, 'sample'));
  } finally {
    await plain.stop();
  }
}

/** Publishes on n0 one event per sampled subscription and waits for n9 to count what the oracle expects. */
async function checkDelivery(first: NodeProcess, last: NodeProcess): Promise<{ delivered: number; expected: number; reached: number }> {
  const patterns = distinctPatterns(SUBS);
  const sample = Array.from({ length: SAMPLE }, (_, i) => Math.floor((i * SUBS) / SAMPLE));
  const topics = sample.map((i) => topicOf(patterns[i]!));
  const expected = fanOuts({ patterns, topics }).reduce((a, b) => a + b, 0);
  await first.ask({ op: 'publish', topics: topics.map(toAmqp) }, 'published');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const got = await last.ask({ op: 'deliveries', sample }, 'deliveries');
    if (got.total >= expected || Date.now() > deadline) return { delivered: got.total, expected, reached: got.reached };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runLine(): Promise<LineResult> {
  const local = await localBytes();
  const nodes = await startLine();
  const first = nodes[0]!;
  const last = nodes[NODES - 1]!;
  try {
    const before = await sampleEach(nodes);
    // The hops between poll less often: they only say how the time is spread along the line.
    const routed = nodes.slice(0, -1).map((n, i) => n.ask({ op: 'watch', routed: SUBS, everyMs: i === 0 ? POLL_MS : HOP_POLL_MS }, 'routed', STEP_MS * 4));
    const sub = await last.ask({ op: 'subscribe' }, 'subscribed');
    routed.forEach((p, i) => void p.then((r) => process.stderr.write(`n${i} routes all ${SUBS} at ${Math.round(Number(BigInt(r.t) - BigInt(sub.t0)) / 1e6)} ms\n`), () => undefined));
    const arrivals = await Promise.all(routed);
    const full = arrivals[0]!;
    const after = await sampleEach(nodes);
    const delivery = await checkDelivery(first, last);
    const gone = first.ask({ op: 'watch', routed: 0, everyMs: POLL_MS }, 'routed');
    const unsub = await last.ask({ op: 'unsubscribe' }, 'subscribed');
    const none = await gone;
    return {
      fullRoutingNs: Number(BigInt(full.t) - BigInt(sub.t0)),
      hopNs: arrivals.map((a) => Number(BigInt(a.t) - BigInt(sub.t0))),
      subscribeNs: Number(BigInt(sub.t1) - BigInt(sub.t0)),
      withdrawNs: Number(BigInt(none.t) - BigInt(unsub.t0)),
      bytesPerHop: nodes.map((_, i) => perSub(before[i]!, after[i]!)),
      errors: nodes.flatMap((n) => n.reported),
      localBytes: local,
      ...delivery,
    };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

/** The harness form: one timed run, its op being one subscription made routable at n0. */
export async function interestCase(): Promise<TimedRuns> {
  const r = await runLine();
  const remote = r.bytesPerHop.slice(0, -1);
  const worst = Math.max(...remote);
  const extras: Record<string, number | string> = {
    'full routing ms': Math.round(r.fullRoutingNs / 1e6),
    'subscribe ms (n9)': Math.round(r.subscribeNs / 1e6),
    'all routed at n8..n0, ms': r.hopNs.map((ns) => Math.round(ns / 1e6)).reverse().join(' / '),
    'withdraw ms': Math.round(r.withdrawNs / 1e6),
    'B/local sub': Math.round(r.localBytes),
    'B/sub on n9 (local, federated)': Math.round(r.bytesPerHop[NODES - 1]!),
    'B/remote sub per hop n0..n8': remote.map((b) => Math.round(b)).join(' / '),
    'B/remote sub max': Math.round(worst),
    'remote/local max': Math.round((worst / r.localBytes) * 100) / 100,
    'sampled subs reached': `${r.reached}/${SAMPLE}`,
    'errors reported': r.errors.length === 0 ? 'none' : `${r.errors.length}: ${r.errors[0]!}`,
  };
  // Handler calls as the oracle counts them, plus each sampled subscription reached once.
  return { runsNs: [r.fullRoutingNs / SUBS], totalOps: SUBS, delivered: r.delivered + r.reached, expected: r.expected + SAMPLE, extras };
}

/** `npx tsx benchmarks/interest/driver.ts`: one run, printed. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await interestCase();
  console.log(JSON.stringify({ nsPerSub: r.runsNs[0], delivered: r.delivered, expected: r.expected, ...r.extras }, null, 2));
}
