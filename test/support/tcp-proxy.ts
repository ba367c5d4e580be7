import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a local service, on a port of its own: `down()` drops every
 * connection through it and refuses new ones, `up()` accepts again on the same port.
 * Simulates the service going away without touching the real one, which other
 * tests (and other people's) keep using.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Per connection, the socket to the service and the one to the client. */
  private readonly pairs = new Set<{ upstream: Socket; client: Socket }>();
  /** Set by stall(): connections made from then on are accepted and left silent too. */
  private stalled = false;
  port = 0;
  /** Connections accepted so far (a redial shows up here). */
  accepted = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  /** A proxy already accepting. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await proxy.up();
    return proxy;
  }

  /** Connections open through it right now. */
  get connections(): number {
    return this.sockets.size / 2;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.stalled = false;
    const server = createServer((client) => {
      this.accepted++;
      if (this.stalled) {
        // A client with a pool dials a fresh connection when its open ones hang: behind
        // the same firewall, that one must hang as well.
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        client.on('error', () => undefined);
        client.pause();
        return;
      }
      const upstream = connect({ host: this.targetHost, port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      const pair = { upstream, client };
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      // One side gone: the other is ended, not destroyed, so what was passed on to it is still
      // written (a destroy drops the bytes in its buffer); a reader that never takes them loses them after 2 s.
      client.on('close', () => endSoon(upstream));
      upstream.on('close', () => endSoon(client));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * Black-holes the connections open now: they stay open and nothing more passes
   * either way, as behind a firewall that drops packets; the client notices nothing
   * until its own timeout; connections made meanwhile are accepted and hang the same
   * way. `down()` ends them.
   */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  /**
   * Stops passing on what the service sends (the other direction goes on), so its writes
   * back up in its socket buffers, as behind a slow reader; `release()` passes it on again.
   */
  hold(): void {
    for (const { upstream, client } of this.pairs) upstream.unpipe(client);
  }

  release(): void {
    for (const { upstream, client } of this.pairs) upstream.pipe(client);
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function endSoon(socket: Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** A local port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
