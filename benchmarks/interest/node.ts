/**
 * One node of the interest line, in its own process: `fork(node.ts, [JSON NodeArgs])`
 * from driver.ts (with `--expose-gc`). Patterns and handlers are built at start, before
 * any memory sample, so the samples count only what the mesh holds.
 */
import { loadKernel, type Mesh } from '../evmesh.js';
import { fullGc } from '../harness.js';
import { distinctPatterns, toAmqp } from '../workload.js';
import type { FromNode, NodeArgs, ToNode } from './common.js';

const args = JSON.parse(process.argv[2] ?? '{}') as NodeArgs;
const tell = (msg: FromNode): void => void process.send?.(msg);
const now = (): string => process.hrtime.bigint().toString();

const patterns = distinctPatterns(args.subscriptions).map(toAmqp);
const hits = new Uint32Array(args.subscriptions);
let total = 0;
const handlers = patterns.map((_, i) => () => {
  hits[i]!++;
  total++;
});
const handles: ({ unsubscribe(): void } | null)[] = new Array<null>(args.subscriptions).fill(null);

function routedHere(mesh: Mesh): number {
  let routed = 0;
  for (const p of mesh.peers()) routed += p.interest?.routed ?? 0;
  return routed;
}

/** Polls until `done` holds, then answers with the hrtime of the poll that saw it. */
function pollUntil(done: () => boolean, everyMs: number, answer: (t: string) => void): void {
  if (done()) return answer(now());
  const timer = setInterval(() => {
    if (!done()) return;
    clearInterval(timer);
    answer(now());
  }, everyMs);
}

/**
 * Yields to the event loop every 1,000 subscribes. In one synchronous loop, 100k took 3–5 s
 * on the loaded machine, and a node silent that long (plus up to a heartbeat interval
 * before) is past the 6 s heartbeat timeout: its neighbour dropped the link.
 */
async function subscribeAll(mesh: Mesh): Promise<void> {
  const t0 = now();
  for (let i = 0; i < patterns.length; i++) {
    handles[i] = mesh.subscribe(patterns[i]!, handlers[i]!);
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  tell({ op: 'subscribed', t0, t1: now() });
}

function handle(mesh: Mesh, msg: ToNode): void {
  switch (msg.op) {
    case 'linked':
      return pollUntil(() => mesh.peers().filter((p) => p.state === 'linked').length >= msg.peers, 10, () => tell({ op: 'linked' }));
    case 'sample': {
      fullGc();
      const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
      return tell({ op: 'sample', heapUsed, external, arrayBuffers, rss });
    }
    case 'subscribe':
      return void subscribeAll(mesh);
    case 'unsubscribe': {
      const t0 = now();
      for (let i = 0; i < handles.length; i++) {
        handles[i]?.unsubscribe();
        handles[i] = null;
      }
      return tell({ op: 'subscribed', t0, t1: now() });
    }
    case 'watch': {
      let routed = 0;
      return pollUntil(() => (routed = routedHere(mesh)) === msg.routed, msg.everyMs, (t) => tell({ op: 'routed', t, routed }));
    }
    case 'publish':
      for (const topic of msg.topics) mesh.emit(topic, null);
      return tell({ op: 'published' });
    case 'deliveries':
      return tell({ op: 'deliveries', total, reached: msg.sample.filter((i) => hits[i]! > 0).length });
    case 'exit':
      void mesh.close().finally(() => process.exit(0));
  }
}

process.on('disconnect', () => process.exit(0));

try {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({
    id: args.id,
    // Ten processes on two cores shared with other work: a HELLO may take longer than the
    // 5 s default, and a node starved for 6 s (a forced GC of a 100k heap while nine others
    // run) lost its links to the default heartbeat (2 s, timeout 3 intervals).
    limits: { helloTimeout: 30_000 },
    heartbeatInterval: 5000,
    ...(args.listen ? { listen: { port: 0 } } : {}),
    ...(args.dial === undefined ? {} : { peers: [`tcp://127.0.0.1:${args.dial}`] }),
  });
  mesh.on('error', (err) => tell({ op: 'error', message: `${args.id}: ${err.code}: ${err.message}` }));
  // A link lost and redialed reports no error: say so, the figures of that run are not clean.
  mesh.on('peer:down', (peer) => tell({ op: 'error', message: `${args.id}: link to ${peer.node} went down` }));
  process.on('message', (msg: ToNode) => handle(mesh, msg));
  await mesh.start();
  tell({ op: 'ready', port: mesh.address?.port });
} catch (err) {
  tell({ op: 'error', message: `${args.id}: ${err instanceof Error ? err.message : String(err)}` });
  setTimeout(() => process.exit(1), 100);
}
