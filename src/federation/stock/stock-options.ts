/** How this node serves stock EventMesh clients, resolved from `MeshOptions.stockClients` (PROTOCOL §8). */
export interface ResolvedStockOptions {
  readonly redeliverAfter: number;
  readonly sessionTimeout: number;
  readonly maxUnacked: number;
  readonly maxQueued: number;
}
