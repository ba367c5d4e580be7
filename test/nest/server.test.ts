// MeshServer as a Nest microservice transport and MeshClient as its ClientProxy,
// on real applications made with NestFactory.createMicroservice.
import 'reflect-metadata';
import {
  Catch, Controller, Inject, Injectable, Module, UseFilters, UseInterceptors, type OnModuleInit,
  type CallHandler, type ExecutionContext, type INestMicroservice, type NestInterceptor, type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException, Transport } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom, map, throwError, toArray, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMesh, OnEvent, type Mesh, type MeshEvent } from '../../src/index.js';
import { MESH, MESH_TRANSPORT, MeshClient, MeshModule, MeshServer, RPC_ERROR_KEY, type MeshContext } from '../../nest/index.js';
import { deferred, until } from '../support/expect-code.js';

interface Seen { handler: string; topic: string; pattern: string; data: unknown; attempt: number; id: string }

const seen: Seen[] = [];
const record = (handler: string, data: unknown, ctx: MeshContext): void => {
  seen.push({ handler, topic: ctx.getTopic(), pattern: ctx.getPattern(), data, attempt: ctx.getAttempt(), id: ctx.getEvent().id });
};
const interceptorSaw: string[] = [];

class OutOfStock extends Error {}

@Catch(OutOfStock)
class OutOfStockFilter implements RpcExceptionFilter<OutOfStock> {
  catch(exception: OutOfStock): Observable<never> {
    return throwError(() => ({ code: 'OUT_OF_STOCK', sku: exception.message }));
  }
}

class TagReply implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<MeshContext>();
    interceptorSaw.push(`${ctx.getTopic()} via ${ctx.getPattern()}`);
    return next.handle().pipe(map((value: unknown) => ({ tagged: value })));
  }
}

let flakyRuns = 0;

@Controller()
class ShopController {
  @EventPattern('com.shop.order.*')
  onOrder(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('order.*', data, ctx);
  }

  @EventPattern('com.shop.#')
  onAnything(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('shop.#', data, ctx);
  }

  @EventPattern('com.shop.order.created')
  onCreated(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('order.created', data, ctx);
  }

  @EventPattern('com.flaky.job', { retry: { attempts: 3, backoff: 1 }, deadLetter: 'com.flaky.dlq' })
  onFlaky(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    flakyRuns += 1;
    record('flaky', data, ctx);
    throw new Error('always fails');
  }

  @EventPattern('com.shop.targeted', MESH_TRANSPORT)
  onTargeted(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('targeted', data, ctx);
  }

  @EventPattern('com.shop.tcp.only', Transport.TCP)
  onTcpOnly(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('tcp-only', data, ctx);
  }

  @MessagePattern('com.stock.*.reserve')
  reserve(@Payload() data: { qty: number }, @Ctx() ctx: MeshContext): { sku: string; reserved: number } {
    return { sku: ctx.getTopic().split('.')[2] as string, reserved: data.qty };
  }

  @MessagePattern('com.stock.check')
  @UseFilters(OutOfStockFilter)
  @UseInterceptors(TagReply)
  check(@Payload() data: { sku: string }): { sku: string; available: boolean } {
    if (data.sku === 'none') throw new OutOfStock(data.sku);
    return { sku: data.sku, available: true };
  }

  @MessagePattern('com.stock.refuse')
  refuse(): never {
    throw new RpcException('refused');
  }

  @MessagePattern('com.stock.silent')
  silent(): void {}
}

@Module({ controllers: [ShopController] })
class ShopModule {}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  seen.length = 0;
  interceptorSaw.length = 0;
  flakyRuns = 0;
});

async function microservice(server: MeshServer): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(ShopModule, { strategy: server, logger: false });
  closers.push(() => app.close());
  await app.listen();
  return app;
}

async function shop(): Promise<{ mesh: Mesh; client: MeshClient }> {
  const mesh = createMesh({ id: 'shop-server' });
  closers.push(() => mesh.close());
  await microservice(new MeshServer({ mesh }));
  const client = new MeshClient({ mesh, timeout: 1000 });
  closers.push(() => client.close());
  return { mesh, client };
}

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
    const errors: string[] = [];
    mesh.on('error', (err) => errors.push(err.code));
    mesh.subscribe('com.flaky.dlq', (e) => void dead.push(e.data));
    mesh.emit('com.flaky.job', { n: 1 });
    await until(() => dead.length === 1);
    expect(flakyRuns).toBe(3);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(errors).toContain('ERR_MESH_HANDLER_FAILED');
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

  it('is not waited for when its app never starts it: the module\'s listeners still get everything, with a warning', async () => {
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
    const warnings: string[] = [];
    const logger = { log() {}, error() {}, warn: (message: unknown) => void warnings.push(String(message)), debug() {}, verbose() {} };
    const app = await NestFactory.create(AppModule, { logger });
    closers.push(() => app.close());
    app.connectMicroservice({ strategy: new MeshServer({ mesh: app.get<Mesh>(MESH) }) });
    await app.init(); // startAllMicroservices() forgotten
    await until(() => got.length === 1);
    expect(got).toEqual([{ id: 'from onModuleInit' }]);
    expect(seen).toEqual([]);
    expect(warnings.some((w) => w.startsWith('MeshServer had not bound its handlers'))).toBe(true);
  });
});

describe('MeshClient', () => {
  it('send() requests a @MessagePattern handler through a wildcard and emits its reply', async () => {
    const { client } = await shop();
    await expect(firstValueFrom(client.send('com.stock.apple.reserve', { qty: 2 }))).resolves.toEqual({ sku: 'apple', reserved: 2 });
  });

  it('send() gets the interceptor\'s mapped reply, and the exception filter\'s error as the error', async () => {
    const { client } = await shop();
    await expect(firstValueFrom(client.send('com.stock.check', { sku: 'pear' }))).resolves.toEqual({ tagged: { sku: 'pear', available: true } });
    await expect(firstValueFrom(client.send('com.stock.check', { sku: 'none' }))).rejects.toEqual({ code: 'OUT_OF_STOCK', sku: 'none' });
    expect(interceptorSaw).toEqual(['com.stock.check via com.stock.check', 'com.stock.check via com.stock.check']);
  });

  it('send() errors with the RpcException\'s error; a plain mesh.request sees it in the error envelope', async () => {
    const { client, mesh } = await shop();
    await expect(firstValueFrom(client.send('com.stock.refuse', {}))).rejects.toEqual({ status: 'error', message: 'refused' });
    const reply = await mesh.request('com.stock.refuse', {});
    expect(reply.data).toEqual({ [RPC_ERROR_KEY]: { status: 'error', message: 'refused' } });
  });

  it('send() to a handler that returns nothing completes with null instead of timing out', async () => {
    const { client } = await shop();
    await expect(lastValueFrom(client.send('com.stock.silent', {}).pipe(toArray()))).resolves.toEqual([null]);
  });

  it('send() errors with ERR_MESH_NO_RESPONDER at once, and with ERR_MESH_TIMEOUT after its default timeout', async () => {
    const { mesh } = await shop();
    const client = new MeshClient({ mesh, timeout: 100 });
    await expect(firstValueFrom(client.send('com.nobody.there', {}))).rejects.toMatchObject({ code: 'ERR_MESH_NO_RESPONDER' });
    const answer = deferred();
    mesh.subscribe('com.slow.answer', () => answer.promise);
    const started = Date.now();
    await expect(firstValueFrom(client.send('com.slow.answer', {}))).rejects.toMatchObject({ code: 'ERR_MESH_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    answer.resolve();
  });

  it('emit() publishes an event the server\'s @EventPattern handlers receive, and resolves with it', async () => {
    const { client } = await shop();
    const event = await lastValueFrom(client.emit('com.shop.order.created', { id: 9 }));
    await until(() => seen.length === 3);
    expect(seen.every((s) => s.id === (event as { id: string }).id)).toBe(true);
  });

  it('rejects an invalid topic and invalid options with MeshError codes', async () => {
    const { client } = await shop();
    await expect(lastValueFrom(client.emit('bad topic', {}))).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
    await expect(firstValueFrom(client.send('com.*', {}))).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
    expect(() => new MeshClient({ timeout: 0 })).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_OPTIONS' }));
  });

  it('creates its own mesh from options, reports status and forwards mesh signals to on()', async () => {
    const server = createMesh({ id: 'peer-server', listen: { port: 0 } });
    closers.push(() => server.close());
    await server.start();
    server.subscribe('com.echo', (e) => ({ echo: e.data }));
    const client = new MeshClient({ id: 'peer-client', peers: [`tcp://127.0.0.1:${String(server.address?.port)}`] });
    closers.push(() => client.close());
    const statuses: string[] = [];
    client.status.subscribe((s) => statuses.push(s));
    const peers: string[] = [];
    client.on('peer:up', (peer) => peers.push(peer.node));
    await client.connect();
    await until(() => peers.length === 1, 10_000);
    expect(peers).toEqual(['peer-server']);
    // Interest propagates after the HELLO: retry until the responder is known.
    let reply: unknown;
    for (let i = 0; i < 100 && reply === undefined; i++) {
      reply = await firstValueFrom(client.send('com.echo', { n: 1 })).catch(() => undefined);
      if (reply === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(reply).toEqual({ echo: { n: 1 } });
    await client.close();
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
  });
});
