import { Server, type CustomTransportStrategy, type MessageHandler, type MsPattern } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom, type Observable } from 'rxjs';
import type { DeliveryContext, MeshError, MeshEvent, PeerInfo, SubscribeOptions, Subscription } from '../src/index.js';
import { MESH_TRANSPORT } from './mesh.constants.js';
import { MeshContext } from './mesh.context.js';
import { createMeshHost, type MeshHost } from './mesh.host.js';
import type { MeshSource } from './mesh.options.js';
import { deliveryFailure, errorReply } from './rpc-error.js';

/** `createMesh` options (the server creates, starts and closes its mesh), or `{ mesh }`. */
export type MeshServerOptions = MeshSource;

/** Reported on `status` by MeshServer and MeshClient. */
export type MeshStatus = 'connecting' | 'connected' | 'disconnected';

/** The mesh's own signals, as `server.on(…)` / `client.on(…)` forward them. */
// A type alias, not an interface: Nest's Server wants a Record<string, Function>.
export type MeshTransportEvents = {
  error: (error: MeshError) => void;
  'peer:up': (peer: PeerInfo) => void;
  'peer:down': (peer: PeerInfo) => void;
};

const SUBSCRIBE_KEYS = [
  'group', 'filter', 'pipe', 'concurrency', 'maxQueued', 'orderingKey', 'retry', 'deadLetter', 'durable', 'from', 'name', 'transform',
] as const satisfies readonly (keyof SubscribeOptions)[];
// Fails to compile when SubscribeOptions gains a member the list above lacks (`from` once did).
const EVERY_SUBSCRIBE_KEY: Exclude<keyof SubscribeOptions, (typeof SUBSCRIBE_KEYS)[number]> extends never ? true : never = true;
void EVERY_SUBSCRIBE_KEY;

/**
 * A Nest microservice transport over the mesh: each `@EventPattern` and
 * `@MessagePattern` handler becomes one mesh subscription of its pattern
 * (wildcards included), so the mesh's routing — not Nest's exact-string lookup —
 * decides which handler an event reaches. The pattern's `extras` are the
 * subscription's options (`group`, `retry`, `deadLetter`, `concurrency`…).
 * Handlers run through Nest's pipeline (pipes, guards, interceptors, filters).
 */
export class MeshServer extends Server<MeshTransportEvents, MeshStatus> implements CustomTransportStrategy {
  override readonly transportId = MESH_TRANSPORT;
  private readonly host: MeshHost;
  private readonly subscriptions: Subscription[] = [];
  /** Every @EventPattern handler, each kept apart (see addHandler). */
  private readonly eventHandlers: [pattern: string, handler: MessageHandler][] = [];

  constructor(options: MeshServerOptions = {}) {
    super();
    // Constructed before the app's init hooks: holds a mesh the module created until listen binds.
    this.host = createMeshHost(options, 'MeshServer');
  }

  /**
   * Nest chains event handlers of one pattern behind the first (`handler.next`), to
   * run all under the first's extras: a retry of one would rerun the others, and
   * their own `retry`, `group`… would be ignored. Each stays its own subscription.
   */
  override addHandler(pattern: MsPattern, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    if (!isEventHandler) {
      super.addHandler(pattern, callback, false, extras);
      return;
    }
    callback.isEventHandler = true;
    callback.extras = extras;
    this.eventHandlers.push([this.normalizePattern(pattern), callback]);
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.start().then(() => callback(), (err: unknown) => callback(err));
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((sub) => sub.unsubscribe()));
    if (this.host.owned) await this.host.mesh.close();
    // After closing: what the drain reports still reaches the listeners.
    this.host.detach();
    // After unsubscribing: a server closed before it served lets the mesh go on without it.
    this.host.release();
    this._status$.next('disconnected');
  }

  on<K extends keyof MeshTransportEvents = keyof MeshTransportEvents, C extends MeshTransportEvents[K] = MeshTransportEvents[K]>(event: K, callback: C): void {
    this.host.on(event as 'error', callback as unknown as (error: MeshError) => void);
  }

  /** The mesh this server runs on. */
  unwrap<T>(): T {
    return this.host.mesh as T;
  }

  private async start(): Promise<void> {
    this._status$.next('connecting');
    try {
      for (const [pattern, handler] of [...this.messageHandlers, ...this.eventHandlers]) {
        const deliver = handler.isEventHandler
          ? (event: MeshEvent, delivery: DeliveryContext) => this.handleMeshEvent(handler, event, delivery)
          : (event: MeshEvent, delivery: DeliveryContext) => this.handleMeshRequest(handler, event, delivery);
        this.subscriptions.push(this.host.mesh.subscribe(pattern, deliver, subscribeOptions(handler.extras)));
      }
      await this.host.mesh.start();
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      this.host.release();
    }
    this._status$.next('connected');
  }

  /**
   * An event handler answers nothing. What Nest's filters leave as an error fails
   * the delivery, so the subscription's `retry` and `deadLetter` apply.
   */
  private async handleMeshEvent(handler: MessageHandler, event: MeshEvent, delivery: DeliveryContext): Promise<undefined> {
    try {
      await this.run(handler, event, delivery, (result$) => lastValueFrom(result$, { defaultValue: undefined }));
    } catch (err) {
      throw deliveryFailure(err);
    }
    return undefined;
  }

  /** Answers with the handler's first value (undefined answers null: a request always gets its reply). */
  private async handleMeshRequest(handler: MessageHandler, event: MeshEvent, delivery: DeliveryContext): Promise<unknown> {
    try {
      const value = await this.run(handler, event, delivery, (result$) => firstValueFrom(result$, { defaultValue: null }));
      return value ?? null;
    } catch (err) {
      return errorReply(err);
    }
  }

  private run<R>(handler: MessageHandler, event: MeshEvent, delivery: DeliveryContext, settle: (result$: Observable<unknown>) => Promise<R>): Promise<R> {
    const ctx = new MeshContext([event, delivery]);
    return new Promise<R>((resolve, reject) => {
      // Nest's processing hooks (instrumentation) wrap the call, as in its own transports.
      void this.onProcessingStartHook(this.transportId, ctx, async () => {
        try {
          resolve(await settle(this.transformToObservable(await handler(event.data, ctx))));
        } catch (err) {
          reject(err);
        } finally {
          this.onProcessingEndHook?.(this.transportId, ctx);
        }
      });
    });
  }
}

function subscribeOptions(extras: Record<string, unknown> | undefined): SubscribeOptions | undefined {
  if (extras === undefined) return undefined;
  const options: Record<string, unknown> = {};
  for (const key of SUBSCRIBE_KEYS) if (extras[key] !== undefined) options[key] = extras[key];
  return options as SubscribeOptions;
}
