// MeshServer as a Nest microservice transport, on real applications made with
// NestFactory.createMicroservice / create + connectMicroservice.
import 'reflect-metadata';
import { Controller, Inject, Injectable, Module, Scope, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMesh, OnEvent, type Mesh, type MeshError, type MeshEvent } from '../../src/index.js';
import { MESH, MeshClient, MeshModule, MeshServer } from '../../nest/index.js';
import { deferred, until } from '../support/expect-code.js';
import { StockClient, cloudEvent } from '../integration/stock-client.js';
import { counters, seen, ShopModule, useShop } from './shop.fixture.js';
import { UNSTARTED_SERVER_WAIT_MS } from '../../nest/mesh-subscribers.loader.js';
import { warningLogger } from './nest-apps.js';

const { closers, microservice, shop } = useShop();

describe('MeshServer', () => {
  it('routes each event to every handler whose mesh pattern matches, wildcards included', async () => {
    const { mesh } = await shop();
    mesh.emit('com.shop.order.created', { id: 1 });
    mesh.emit('com.shop.order.paid', { id: 2 });
    mesh.emit('com.shop.invoice.sent', { id: 3 });
    mesh.emit('com.other.order.created', { id: 4 });
    await until(() => seen.length === 6);
    const byHandler = (name: string): string[] => seen.filter((s) => s.handler === name).map((s) => s.topic);
    expect(byHandler('order.*')).toEqual(['com.shop.order.created', 'com.shop.order.paid']);
    expect(byHandler('shop.#')).toEqual(['com.shop.order.created', 'com.shop.order.paid', 'com.shop.invoice.sent']);
    expect(byHandler('order.created')).toEqual(['com.shop.order.created']);
  });

  it('gives handlers a MeshContext with the topic, the pattern that matched and the event', async () => {
    const { mesh } = await shop();
    const event = mesh.emit('com.shop.order.paid', { id: 7 });
    await until(() => seen.length === 2);
    expect(seen.find((s) => s.handler === 'order.*')).toEqual({
      handler: 'order.*', topic: 'com.shop.order.paid', pattern: 'com.shop.order.*', data: { id: 7 }, attempt: 1, id: event.id,
    });
    expect(seen.find((s) => s.handler === 'shop.#')?.pattern).toBe('com.shop.#');
  });

  it('binds handlers aimed at MESH_TRANSPORT and leaves those aimed at another transport', async () => {
    const { mesh } = await shop();
    mesh.emit('com.shop.tcp.only', 1);
    mesh.emit('com.shop.targeted', 2);
    await until(() => seen.some((s) => s.handler === 'targeted'));
    await until(() => seen.filter((s) => s.handler === 'shop.#').length === 2);
    expect(seen.filter((s) => s.handler === 'targeted' || s.handler === 'tcp-only').map((s) => s.data)).toEqual([2]);
  });

  it('fails an event delivery whose handler throws, so the extras\' retry and deadLetter apply', async () => {
    const { mesh } = await shop();
    const dead: unknown[] = [];
    const errors: MeshError[] = [];
    mesh.on('error', (err) => errors.push(err));
    mesh.subscribe('com.flaky.dlq', (e) => void dead.push(e.data));
    mesh.emit('com.flaky.job', { n: 1 });
    await until(() => dead.length === 1);
    expect(counters.flakyRuns).toBe(3);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    const failed = errors.find((err) => err.code === 'ERR_MESH_HANDLER_FAILED');
    // What Nest's filter left (a plain object) is reported as an Error, with the object as its cause.
    expect(failed?.cause).toBeInstanceOf(Error);
    expect((failed?.cause as Error).cause).toEqual({ status: 'error', message: 'Internal server error' });
  });

  it('runs two controllers\' handlers of one pattern as separate subscriptions, each with its own extras', async () => {
    const runs = { once: 0, flaky: 0 };
    @Controller()
    class Once {
      @EventPattern('com.dup.job')
      onJob(): void {
        runs.once += 1;
      }
    }
    @Controller()
    class Flaky {
      @EventPattern('com.dup.job', { retry: { attempts: 3, backoff: 1 } })
      onJob(): void {
        runs.flaky += 1;
        if (runs.flaky < 3) throw new Error('not yet');
      }
    }
    @Module({ controllers: [Once, Flaky] })
    class DupModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(DupModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    mesh.emit('com.dup.job', {});
    await until(() => runs.flaky === 3);
    // A retry of one handler does not run the other again.
    expect(runs).toEqual({ once: 1, flaky: 3 });
  });

  it('serves a request-scoped controller with an instance of its own per event', async () => {
    const instances = new Set<object>();
    @Controller({ scope: Scope.REQUEST })
    class PerEvent {
      @EventPattern('com.scoped.*')
      onScoped(): void {
        instances.add(this);
      }
    }
    @Module({ controllers: [PerEvent] })
    class ScopedModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(ScopedModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    mesh.emit('com.scoped.one', 1);
    mesh.emit('com.scoped.two', 2);
    await until(() => instances.size === 2);
  });

  it('routes a Nest object pattern as the one-level topic Nest normalises it to', async () => {
    @Controller()
    class Sum {
      @MessagePattern({ cmd: 'sum' })
      sum(@Payload() data: number[]): number {
        return data.reduce((a, b) => a + b, 0);
      }
    }
    @Module({ controllers: [Sum] })
    class SumModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(SumModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    await expect(firstValueFrom(new MeshClient({ mesh }).send({ cmd: 'sum' }, [1, 2, 3]))).resolves.toBe(6);
  });

  it('refuses at listen a pattern that is not a mesh pattern (ERR_MESH_INVALID_PATTERN)', async () => {
    @Controller()
    class Bad {
      @MessagePattern('com.stock.sk*')
      sum(): number {
        return 1;
      }
    }
    @Module({ controllers: [Bad] })
    class BadModule {}
    const server = new MeshServer();
    const app = await NestFactory.createMicroservice(BadModule, { strategy: server, logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_PATTERN' });
  });

  it('refuses at listen extras that are not valid subscribe options (ERR_MESH_INVALID_OPTIONS)', async () => {
    @Controller()
    class Bad {
      @EventPattern('com.shop.bad', { concurrency: 0 })
      onBad(): void {}
    }
    @Module({ controllers: [Bad] })
    class BadModule {}
    const app = await NestFactory.createMicroservice(BadModule, { strategy: new MeshServer(), logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });

  it('reports its status and creates, starts and closes its own mesh from createMesh options', async () => {
    const server = new MeshServer({ id: 'own-mesh', listen: { port: 0 } });
    const statuses: string[] = [];
    server.status.subscribe((s) => statuses.push(s));
    const mesh = server.unwrap<Mesh>();
    const app = await microservice(server);
    expect(mesh.id).toBe('own-mesh');
    expect(mesh.address?.port).toBeGreaterThan(0);
    expect(statuses).toEqual(['connecting', 'connected']);
    closers.splice(0);
    await app.close();
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
    await expect(mesh.publish('com.shop.after')).rejects.toMatchObject({ code: 'ERR_MESH_CLOSED' });
  });
});

describe('MeshServer on the mesh of MeshModule', () => {
  @Injectable()
  class InitPublisher implements OnModuleInit {
    constructor(@Inject(MESH) private readonly mesh: Mesh) {}

    onModuleInit(): void {
      this.mesh.emit('com.shop.order.created', { id: 'from onModuleInit' });
    }
  }

  it('gets events published in onModuleInit, though a microservice listens after every init hook', async () => {
    @Module({ imports: [MeshModule.forRoot(), ShopModule], providers: [InitPublisher] })
    class AppModule {}
    const app = await NestFactory.createMicroservice(AppModule, {
      logger: false,
      inject: [MESH],
      useFactory: (mesh: Mesh) => ({ strategy: new MeshServer({ mesh }) }),
    });
    closers.push(() => app.close());
    await app.listen();
    await until(() => seen.length === 3);
    expect(seen.map((s) => s.handler).sort()).toEqual(['order.*', 'order.created', 'shop.#']);
  });

  it('gets them also when another module\'s onApplicationBootstrap is still awaiting I/O after the module\'s', async () => {
    @Injectable()
    class SlowBootstrap implements OnApplicationBootstrap {
      async onApplicationBootstrap(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    @Module({ imports: [MeshModule.forRoot(), ShopModule], providers: [InitPublisher, SlowBootstrap] })
    class AppModule {}
    const app = await NestFactory.createMicroservice(AppModule, {
      logger: false,
      inject: [MESH],
      useFactory: (mesh: Mesh) => ({ strategy: new MeshServer({ mesh }) }),
    });
    closers.push(() => app.close());
    await app.listen();
    await until(() => seen.length === 3);
    expect(seen.map((s) => s.handler).sort()).toEqual(['order.*', 'order.created', 'shop.#']);
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
    const app = await NestFactory.createMicroservice(AppModule, {
      logger: false,
      inject: [MESH],
      useFactory: (mesh: Mesh) => ({ strategy: new MeshServer({ mesh }) }),
    });
    closers.push(() => app.close());
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

  it('is not waited for when its app listens on HTTP without starting it: the module\'s listeners still get everything, with a warning', async () => {
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
    await app.listen(0, '127.0.0.1'); // startAllMicroservices() forgotten
    await until(() => got.length === 1);
    expect(got).toEqual([{ id: 'from onModuleInit' }]);
    expect(seen).toEqual([]);
    expect(warnings.some((w) => w.startsWith('MeshServer had not bound its handlers'))).toBe(true);
  });

  it(`is not waited for longer than ${String(UNSTARTED_SERVER_WAIT_MS)} ms after bootstrap by an app that never listens`, async () => {
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
    await app.init(); // neither startAllMicroservices() nor listen()
    expect(got).toEqual([]);
    await until(() => got.length === 1, UNSTARTED_SERVER_WAIT_MS * 3);
    expect(warnings.some((w) => w.startsWith('MeshServer had not bound its handlers'))).toBe(true);
  }, UNSTARTED_SERVER_WAIT_MS * 5);
});

