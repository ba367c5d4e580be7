/**
 * The hub of `benchmarks/hub-peers.ts`, forked with `--expose-gc --import tsx`: one mesh that
 * listens on 127.0.0.1:0 and answers `bench.echo` requests. Over IPC it reports its port, then
 * on `{ op: 'sample' }` its memory after a forced GC and what its links hold.
 */
import { createMesh } from '../src/index.js';

interface Args { readonly maxPeers: number; readonly maxOutboundBytes?: number }
export interface HubSample {
  readonly op: 'sample';
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Peers in mesh.peers() that are linked (their interest known). */
  readonly linked: number;
  /** Bytes queued in the links' encoders (not yet handed to a socket). */
  readonly queuedBytes: number;
  /** Links whose outbound queue is empty. */
  readonly drained: number;
  /** Frames the linked peers' encoders handed to their sockets so far. */
  readonly frames: number;
  /** Connections dropped as slow readers (ERR_MESH_WIRE_BACKPRESSURE) so far. */
  readonly shed: number;
  /** 'peer:down' signals so far (shed, timed out or gone). */
  readonly down: number;
}
export type FromHub = { readonly op: 'ready'; readonly port: number } | HubSample | { readonly op: 'error'; readonly message: string };

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const tell = (msg: FromHub): void => void process.send?.(msg);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const limits = args.maxOutboundBytes === undefined ? { maxPeers: args.maxPeers } : { maxPeers: args.maxPeers, maxOutboundBytes: args.maxOutboundBytes };
const hub = createMesh({ id: 'hub', listen: { host: '127.0.0.1', port: 0 }, limits });
// Shed slow readers and refusals are expected in the stalled mode: counted by the parent, not logged here.
let shed = 0;
let down = 0;
hub.on('peer:down', () => void down++);
hub.on('error', (err) => {
  if (err.code === 'ERR_MESH_WIRE_BACKPRESSURE') shed++;
});
hub.subscribe('bench.echo', (event) => ({ echo: event.data }));
await hub.start();

function sample(): HubSample {
  for (let i = 0; i < 3; i++) gc?.();
  const mem = process.memoryUsage();
  const peers = hub.peers();
  let queuedBytes = 0;
  let drained = 0;
  let frames = 0;
  for (const p of peers) {
    const q = p.outbound?.queuedBytes ?? 0;
    queuedBytes += q;
    frames += p.outbound?.frames ?? 0;
    if (q === 0) drained++;
  }
  return {
    op: 'sample', heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers,
    linked: peers.filter((p) => p.state === 'linked').length, queuedBytes, drained, frames, shed, down,
  };
}

process.on('message', (msg: { op: string }) => {
  if (msg.op === 'sample') tell(sample());
  else void hub.close().finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
tell({ op: 'ready', port: hub.address?.port ?? 0 });
