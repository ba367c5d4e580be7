// MeshServer on the mesh of MeshModule: held by the startup gate until its
// microservice listens, on real applications (createMicroservice, hybrid).
import 'reflect-metadata';
import {
  Inject, Injectable, Module, type INestApplication, type INestMicroservice, type OnApplicationBootstrap, type OnModuleInit, type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { OnEvent, type Mesh, type MeshEvent } from '../../src/index.js';
import { MESH, MeshModule, MeshServer } from '../../nest/index.js';
import { UNSTARTED_SERVER_WAIT_MS } from '../../nest/mesh-subscribers.loader.js';
import { deferred, until } from '../support/expect-code.js';
import { StockClient, cloudEvent } from '../integration/stock-client.js';
import { warningLogger } from './nest-apps.js';
import { seen, ShopModule, useShop } from './shop.fixture.js';

const { closers } = useShop();

describe('MeshServer on the mesh of MeshModule', () => {
  @Injectable()
  class InitPublisher implements OnModuleInit {
    constructor(@Inject(MESH) private readonly mesh: Mesh) {}

    onModuleInit(): void {
      this.mesh.emit('com.shop.order.created', { id: 'from onModuleInit' });
    }
  }

  /** A microservice whose transport is a MeshServer on the mesh of MeshModule, closed after the test. */
  async function meshMicroservice(module: Type): Promise<INestMicroservice> {
    const app = await NestFactory.createMicroservice(module, {
      logger: false,
      inject: [MESH],
      useFactory: (mesh: Mesh) => ({ strategy: new MeshServer({ mesh }) }),
    });
    closers.push(() => app.close());
    return app;
  }

  /** Listens, then every shop handler has the event InitPublisher emitted in onModuleInit. */
  async function listensAndGetsTheInitEvent(...providers: Type[]): Promise<void> {
    @Module({ imports: [MeshModule.forRoot(), ShopModule], providers: [InitPublisher, ...providers] })
    class AppModule {}
    const app = await meshMicroservice(AppModule);
    await app.listen();
    await until(() => seen.length === 3);
    expect(seen.map((s) => s.handler).sort()).toEqual(['order.*', 'order.created', 'shop.#']);
  }

  it('gets events published in onModuleInit, though a microservice listens after every init hook', () => listensAndGetsTheInitEvent());

  it('gets them also when another module\'s onApplicationBootstrap is still awaiting I/O after the module\'s', async () => {
    @Injectable()
    class SlowBootstrap implements OnApplicationBootstrap {
      async onApplicationBootstrap(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await listensAndGetsTheInitEvent(SlowBootstrap);
  });

  it('routes by subject what a stock EventMesh client published while it was held', async () => {
    const booting = deferred();
    @Injectable()
    class HeldBootstrap implements OnApplicationBootstrap {
      async onApplicationBootstrap(): Promise<void> {
        await booting.promise;
      }
    }
    @Module({ imports: [MeshModule.forRoot({ listen: { port: 0 } }), ShopModule], providers: [HeldBootstrap] })
    class AppModule {}
    const app = await meshMicroservice(AppModule);
    const listening = app.listen();
    const mesh = app.get<Mesh>(MESH);
    // The module started the mesh in onModuleInit: stock clients can connect while bootstrap goes on.
    await until(() => mesh.address !== undefined, 10_000);
    const client = await StockClient.session(mesh.address?.port as number, 'pub');
    closers.push(async () => client.destroy());
    expect((await client.publish(cloudEvent('com.shop.order.created', { id: 'stock' }))).header.code).toBe(0);
    booting.resolve();
    await listening;
    await until(() => seen.length === 3);
    expect(seen.map((s) => [s.handler, s.topic]).sort()).toEqual([['order.*', 'cloudevents'], ['order.created', 'cloudevents'], ['shop.#', 'cloudevents']]);
  });

  /** A hybrid app whose MeshServer is connected but not started: what the module's own listener got. */
  async function unstartedServerApp(): Promise<{ app: INestApplication; got: unknown[]; warned: () => boolean }> {
    const got: unknown[] = [];
    @Injectable()
    class Listener {
      @OnEvent('com.shop.order.*')
      onOrder(event: MeshEvent): void {
        got.push(event.data);
      }
    }
    @Module({ imports: [MeshModule.forRoot(), ShopModule], providers: [InitPublisher, Listener] })
    class AppModule {}
    const { logger, warnings } = warningLogger();
    const app = await NestFactory.create(AppModule, { logger });
    closers.push(() => app.close());
    app.connectMicroservice({ strategy: new MeshServer({ mesh: app.get<Mesh>(MESH) }) });
    return { app, got, warned: () => warnings.some((w) => w.startsWith('MeshServer had not bound its handlers')) };
  }

  it('is not waited for when its app listens on HTTP without starting it: the module\'s listeners still get everything, with a warning', async () => {
    const { app, got, warned } = await unstartedServerApp();
    await app.listen(0, '127.0.0.1'); // startAllMicroservices() forgotten
    await until(() => got.length === 1);
    expect(got).toEqual([{ id: 'from onModuleInit' }]);
    expect(seen).toEqual([]);
    expect(warned()).toBe(true);
  });

  it(`is not waited for longer than ${String(UNSTARTED_SERVER_WAIT_MS)} ms after bootstrap by an app that never listens`, async () => {
    const { app, got, warned } = await unstartedServerApp();
    await app.init(); // neither startAllMicroservices() nor listen()
    expect(got).toEqual([]);
    await until(() => got.length === 1, UNSTARTED_SERVER_WAIT_MS * 3);
    expect(warned()).toBe(true);
  }, UNSTARTED_SERVER_WAIT_MS * 5);
});
