import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { MeshError, type MeshEvent, type MeshOptions } from '../src/index.js';
import { createMeshHost, type MeshHost } from './mesh.host.js';
import type { ExistingMesh } from './mesh.options.js';
import type { MeshStatus, MeshTransportEvents } from './mesh.server.js';
import { errorOf } from './rpc-error.js';

export type MeshClientOptions = (MeshOptions | ExistingMesh) & {
  /**
   * How long `send` waits for a reply, in ms, before it errors with `ERR_MESH_TIMEOUT`.
   * @default 5000
   */
  readonly timeout?: number;
};

const DEFAULT_TIMEOUT = 5000;

/**
 * A Nest `ClientProxy` over the mesh: `emit(topic, data)` publishes, `send(topic,
 * data)` requests and emits the reply's data (or errors with the handler's error, a
 * `MeshError` with `ERR_MESH_TIMEOUT` or `ERR_MESH_NO_RESPONDER`).
 */
export class MeshClient extends ClientProxy<MeshTransportEvents, MeshStatus> {
  private readonly host: MeshHost;
  private readonly timeout: number;
  private connecting: Promise<void> | undefined;

  constructor(options: MeshClientOptions = {}) {
    super();
    const { timeout = DEFAULT_TIMEOUT, ...source } = options;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'MeshClient timeout must be a positive number of ms');
    }
    this.timeout = timeout;
    // A client only publishes: it holds nothing.
    this.host = createMeshHost(source);
  }

  /** Starts the mesh (idempotent; `send` and `emit` call it). */
  connect(): Promise<void> {
    return (this.connecting ??= this.open());
  }

  async close(): Promise<void> {
    this.connecting = undefined;
    if (this.host.owned) await this.host.mesh.close();
    // After closing: what the drain reports still reaches the listeners.
    this.host.detach();
    this._status$.next('disconnected');
  }

  override on<K extends keyof MeshTransportEvents = keyof MeshTransportEvents, C extends MeshTransportEvents[K] = MeshTransportEvents[K]>(event: K, callback: C): void {
    this.host.on(event as 'error', callback as unknown as (error: MeshError) => void);
  }

  /** The mesh this client publishes on. */
  unwrap<T>(): T {
    return this.host.mesh as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let listening = true;
    const topic = this.normalizePattern(packet.pattern);
    this.host.mesh.request(topic, packet.data, { timeout: this.timeout }).then(
      (reply) => {
        if (!listening) return;
        const failure = errorOf(reply.data);
        callback(failure === undefined ? { response: reply.data, isDisposed: true } : { err: failure.error, isDisposed: true });
      },
      (err: unknown) => {
        if (listening) callback({ err, isDisposed: true });
      },
    );
    // Unsubscribing from `send` stops listening; the request itself runs to its deadline.
    return () => {
      listening = false;
    };
  }

  protected dispatchEvent<T = MeshEvent>(packet: ReadPacket): Promise<T> {
    return this.host.mesh.publish(this.normalizePattern(packet.pattern), packet.data) as Promise<T>;
  }

  private async open(): Promise<void> {
    this._status$.next('connecting');
    try {
      await this.host.mesh.start();
    } catch (err) {
      this.connecting = undefined;
      this._status$.next('disconnected');
      throw err;
    }
    this._status$.next('connected');
  }
}
