import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { Subscription } from '../src/index.js';
import { getOnEventMetadata, getPublishMetadata, MESH_OF_INSTANCE } from '../src/internal.js';
import { MESH_HOST } from './mesh.constants.js';
import type { MeshHost } from './mesh.host.js';
import { gateOf } from './startup-gate.js';

type Method = (...args: unknown[]) => unknown;
// Named without a deep import into @nestjs/core internals.
type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** How long after bootstrap a MeshServer that has not listened is still waited for (apps without HTTP). */
export const UNSTARTED_SERVER_WAIT_MS = 5000;

/**
 * Binds every provider's and controller's `@OnEvent` and `@Publish` methods to the
 * module's mesh, then starts it, in `onModuleInit`: MeshModule is global, and Nest
 * runs global modules' init hooks before the others', so the listeners are bound
 * before any app module's `onModuleInit` publishes (earlier publishes are held by
 * the startup gate and let through here). Explicit `@Inject` tokens: this file must
 * not depend on the app's compiler emitting decorator metadata.
 */
@Injectable()
export class MeshSubscribersLoader implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MeshModule');
  private readonly subscriptions: Subscription[] = [];
  private unstartedServers: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(MESH_HOST) private readonly host: MeshHost,
    @Optional() @Inject(HttpAdapterHost) private readonly http?: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const { mesh, owned } = this.host;
    try {
      this.bindAll();
      await mesh.start();
    } catch (err) {
      // Closed before the gate opens: nothing held reaches an app that failed to start.
      if (owned) await mesh.close();
      else await this.unbind();
      throw err;
    } finally {
      this.host.release();
    }
  }

  /**
   * A MeshServer on this mesh keeps holding it until its microservice listens, which
   * a microservice app does once every bootstrap hook has run (this one runs first:
   * the others may still await I/O), and a hybrid app when it calls
   * startAllMicroservices. A server that has not bound when the HTTP server starts
   * listening (also after every hook), or UNSTARTED_SERVER_WAIT_MS from now, is not
   * waited for: better its handlers miss early events than the whole mesh stalls.
   */
  onApplicationBootstrap(): void {
    const gate = gateOf(this.host.mesh);
    if (gate === undefined) return;
    const force = (): void => {
      this.stopWaiting();
      const left = gate.force();
      if (left.length > 0) {
        this.logger.warn(`${left.join(', ')} had not bound its handlers when the app started: events published so far are delivered without it (call app.startAllMicroservices() before app.listen())`);
      }
    };
    this.unstartedServers = setTimeout(force, UNSTARTED_SERVER_WAIT_MS);
    this.unstartedServers.unref();
    // Absent in a microservice app (no HTTP adapter).
    const server = this.http?.httpAdapter?.getHttpServer() as { once?: (event: 'listening', listener: () => void) => unknown } | undefined;
    server?.once?.('listening', force);
  }

  /**
   * After every `onModuleDestroy` and before Nest closes the HTTP server, the
   * microservices and (by convention, in `onApplicationShutdown`) connections:
   * handlers being drained still have their dependencies.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopWaiting();
    if (this.host.owned) await this.host.mesh.close();
    else await this.unbind();
  }

  private bindAll(): void {
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        this.warnIfDecorated(wrapper);
        continue;
      }
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      this.bind(instance);
    }
  }

  private bind(instance: object): void {
    const methods = this.decoratedMethods(Object.getPrototypeOf(instance) as object | null);
    if (methods.length === 0) return;
    const { mesh } = this.host;
    // Where @Publish wrappers find their mesh (the kernel's own register() does the same).
    Object.defineProperty(instance, MESH_OF_INSTANCE, { value: mesh, configurable: true, enumerable: false, writable: true });
    for (const name of methods) {
      const owner = instance as Record<string, Method>;
      for (const { pattern, options } of getOnEventMetadata(owner[name])) {
        // Looked up per call, so a method replaced after bootstrap (a test spy) is the one called.
        this.subscriptions.push(mesh.subscribe(pattern, (event, ctx) => owner[name]?.(event, ctx), options));
      }
    }
  }

  private decoratedMethods(prototype: object | null): string[] {
    if (prototype === null) return [];
    return this.scanner.getAllMethodNames(prototype).filter((name) => {
      const method = (prototype as Record<string, unknown>)[name];
      return getOnEventMetadata(method).length > 0 || getPublishMetadata(method) !== undefined;
    });
  }

  private warnIfDecorated(wrapper: InstanceWrapper): void {
    const prototype = (wrapper.metatype as { prototype?: object } | null | undefined)?.prototype ?? null;
    if (this.decoratedMethods(prototype).length === 0) return;
    this.logger.warn(`${wrapper.name as string}: @OnEvent/@Publish are bound on singleton providers only; this one is request-scoped or transient and is skipped`);
  }

  private stopWaiting(): void {
    clearTimeout(this.unstartedServers);
    this.unstartedServers = undefined;
  }

  private async unbind(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((sub) => sub.unsubscribe()));
  }
}
