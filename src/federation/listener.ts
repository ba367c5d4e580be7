import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { MeshError } from '../errors.js';

/** Accepts peer connections on `listen` (PROTOCOL §2.1); each socket becomes a link. */
export class Listener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /**
   * `maxConnections`: sockets open at once (TLS: counted from the TCP accept, before the
   * handshake); past it, Node closes a new one at once and `onDrop` is told.
   */
  constructor(
    private readonly onSocket: (socket: Socket) => void,
    private readonly maxConnections = Infinity,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  /** Binds; resolves with the port actually bound (useful with port 0), or rejects with ERR_MESH_LISTEN_FAILED. */
  listen(host: string, port: number, tls?: TlsOptions): Promise<number> {
    const accept = (socket: Socket): void => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.onSocket(socket);
    };
    // With TLS, a socket reaches `accept` only after its handshake succeeded.
    const server = tls === undefined ? createServer(accept) : createTlsServer(tls, accept);
    this.server = server;
    if (Number.isFinite(this.maxConnections)) server.maxConnections = this.maxConnections;
    server.on('drop', this.onDrop);
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        this.server = undefined;
        reject(new MeshError('ERR_MESH_LISTEN_FAILED', `cannot listen on ${host}:${String(port)}: ${err.message}`, { cause: err, details: { host, port } }));
      });
      server.listen(port, host, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Stops accepting and drops open sockets; resolves once the port is released. */
  close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
