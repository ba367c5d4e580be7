/**
 * What the driver and the node processes of the interest case share: the control
 * messages, which travel over the fork IPC channel only (never over a mesh link).
 */

/** One node's memory after a forced GC, from process.memoryUsage(). */
export interface MemorySample {
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
}

export interface NodeArgs {
  /** Node id, e.g. `n3`; `plain` is a mesh with no federation (the local baseline). */
  readonly id: string;
  /** Port of the neighbour this node dials; undefined for the first node (and `plain`). */
  readonly dial: number | undefined;
  /** Whether this node listens for the next one. */
  readonly listen: boolean;
  /** Subscriptions this node makes when told to (the last node and `plain`); 0 for the others. */
  readonly subscriptions: number;
}

export type ToNode =
  | { op: 'linked'; peers: number }
  | { op: 'sample' }
  | { op: 'subscribe' }
  | { op: 'unsubscribe' }
  | { op: 'watch'; routed: number; everyMs: number }
  | { op: 'publish'; topics: string[] }
  | { op: 'deliveries'; sample: number[] }
  | { op: 'exit' };

export type FromNode =
  | { op: 'ready'; port: number | undefined }
  | { op: 'linked' }
  | ({ op: 'sample' } & MemorySample)
  /** hrtime (ns, as text) before the first subscribe / unsubscribe and after the last. */
  | { op: 'subscribed'; t0: string; t1: string }
  /** hrtime (ns, as text) of the poll that first saw `routed` remote subscriptions. */
  | { op: 'routed'; t: string; routed: number }
  | { op: 'published' }
  /** Handler calls so far, and which of the sampled subscriptions got at least one. */
  | { op: 'deliveries'; total: number; reached: number }
  | { op: 'error'; message: string };
