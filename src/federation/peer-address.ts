import { MeshError } from '../errors.js';

/** A configured peer (`peers` option). */
export interface PeerAddress {
  /** As configured, e.g. `tcp://127.0.0.1:10001`: how errors and `mesh.peers()` name it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Dial with TLS (`tls://`, PROTOCOL §9.1). */
  readonly tls: boolean;
}

/** Parses `tcp://host:port` or `tls://host:port`. */
export function parsePeer(url: unknown): PeerAddress {
  const match = typeof url === 'string' ? /^(tcp|tls):\/\/([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(url) : null;
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port > 0 && port < 65536)) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `peer address must look like tcp://host:port or tls://host:port, got ${JSON.stringify(url)}`);
  }
  return { url: url as string, host: (match[2] as string).replace(/^\[|\]$/g, ''), port, tls: match[1] === 'tls' };
}
