/** A federated peer as the signals and `mesh.peers()` describe it. */
export interface PeerInfo {
  readonly node: string;
  /** This node dialed it (it is in `peers`); otherwise it connected to our `listen` port. */
  readonly dialed: boolean;
  readonly remoteAddress: string | undefined;
}

/** What `verifyHello` learns about a connecting peer. */
export interface PeerHello {
  readonly node: string;
  readonly token: string | undefined;
  readonly remoteAddress: string | undefined;
  /**
   * Set when a stock EventMesh client (not an evmesh peer) says HELLO; `node` is then
   * its UserAgent `subsystem` (empty if it sent none).
   */
  readonly client?: { readonly group: string; readonly purpose: 'pub' | 'sub' };
}
