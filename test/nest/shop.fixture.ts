// The controller MeshServer tests and MeshClient tests run against, and a harness
// that boots it as a real microservice (NestFactory.createMicroservice).
import 'reflect-metadata';
import {
  Catch, Controller, Module, UseFilters, UseGuards, UseInterceptors,
  type CallHandler, type CanActivate, type ExecutionContext, type INestMicroservice, type NestInterceptor, type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload, RpcException, Transport } from '@nestjs/microservices';
import { map, throwError, type Observable } from 'rxjs';
import { afterEach } from 'vitest';
import { createMesh, type Mesh } from '../../src/index.js';
import { MESH_TRANSPORT, MeshClient, MeshServer, type MeshContext } from '../../nest/index.js';

export interface Seen { handler: string; topic: string; pattern: string; data: unknown; attempt: number; id: string }

export const seen: Seen[] = [];
const record = (handler: string, data: unknown, ctx: MeshContext): void => {
  seen.push({ handler, topic: ctx.getTopic(), pattern: ctx.getPattern(), data, attempt: ctx.getAttempt(), id: ctx.getEvent().id });
};
export const interceptorSaw: string[] = [];

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

export const counters = { flakyRuns: 0 };

class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getData<{ pass?: boolean }>().pass === true;
  }
}

@Controller()
class ShopController {
  @EventPattern<string>('com.shop.order.*')
  onOrder(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('order.*', data, ctx);
  }

  @EventPattern<string>('com.shop.#')
  onAnything(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('shop.#', data, ctx);
  }

  @EventPattern<string>('com.shop.order.created')
  onCreated(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('order.created', data, ctx);
  }

  @EventPattern<string>('com.flaky.job', { retry: { attempts: 3, backoff: 1 }, deadLetter: 'com.flaky.dlq' })
  onFlaky(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    counters.flakyRuns += 1;
    record('flaky', data, ctx);
    throw new Error('always fails');
  }

  @EventPattern<string>('com.shop.targeted', MESH_TRANSPORT)
  onTargeted(@Payload() data: unknown, @Ctx() ctx: MeshContext): void {
    record('targeted', data, ctx);
  }

  @EventPattern<string>('com.shop.tcp.only', Transport.TCP)
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

  @MessagePattern('com.stock.guarded')
  @UseGuards(DenyGuard)
  guarded(): string {
    return 'guarded answer';
  }

  @MessagePattern('com.stock.silent')
  silent(): void {}
}

@Module({ controllers: [ShopController] })
export class ShopModule {}

/** Registers cleanup after each test; returns the ways to boot the shop. */
export function useShop(): {
  closers: (() => Promise<unknown>)[];
  microservice: (server: MeshServer) => Promise<INestMicroservice>;
  shop: () => Promise<{ mesh: Mesh; client: MeshClient }>;
} {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    seen.length = 0;
    interceptorSaw.length = 0;
    counters.flakyRuns = 0;
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
  return { closers, microservice, shop };
}
