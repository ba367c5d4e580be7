import type { Hooks } from '../hooks/hooks.js';
import type { DurableSnapshot, MeshSnapshot } from '../inspect/snapshot.js';

/** What the metrics need from their mesh: its hooks to count, its snapshot to sample. */
export interface MetricsHost {
  readonly hooks: Hooks;
  inspect(): MeshSnapshot;
  /** Reads each durable's backlog from the store now (never rejects: unknown is undefined). */
  backlog(): Promise<readonly DurableSnapshot[]>;
}
