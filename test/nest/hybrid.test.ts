// A hybrid app: HTTP (real requests with fetch) plus MeshServer on the module's mesh.
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Injectable, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { afterEach, describe, expect, it } from 'vitest';
import { OnEvent, Publish, type Mesh, type MeshEvent } from '../../src/index.js';
import { InjectMesh, MESH, MeshModule, MeshServer, type MeshContext } from '../../nest/index.js';
import { until } from '../support/expect-code.js';

@Injectable()
class Orders {
  private next = 1;

  @Publish('com.shop.order.created')
  async create(item: string): Promise<{ id: number; item: string }> {
    return { id: this.next++, item };
  }
}

@Injectable()
class Ledger {
  readonly entries: string[] = [];

  @OnEvent('com.shop.order.*')
  onOrder(event: MeshEvent<{ id: number }>): void {
    this.entries.push(`ledger ${event.type} ${String(event.data.id)}`);
  }
}

@Controller('orders')
class OrdersHttp {
  constructor(private readonly orders: Orders, private readonly ledger: Ledger) {}

  @Post()
  @HttpCode(202)
  async create(@Body() body: { item: string }): Promise<{ id: number }> {
    const order = await this.orders.create(body.item);
    return { id: order.id };
  }

  @Get('ledger')
  ledgerEntries(): string[] {
    return this.ledger.entries;
  }
}

@Controller()
class Warehouse {
  readonly picked: string[] = [];

  @EventPattern<string>('com.shop.*.created')
  onCreated(@Payload() order: { id: number; item: string }, @Ctx() ctx: MeshContext): void {
    this.picked.push(`${ctx.getPattern()} ${order.item}`);
  }

  @MessagePattern('com.shop.stock.*')
  stock(@Ctx() ctx: MeshContext): { sku: string; left: number } {
    return { sku: ctx.getTopic().split('.').at(-1) as string, left: 3 };
  }
}

@Controller('stock')
class StockHttp {
  constructor(@InjectMesh() private readonly mesh: Mesh) {}

  @Get(':sku')
  async stock(@Param('sku') sku: string): Promise<unknown> {
    return (await this.mesh.request(`com.shop.stock.${sku}`, {})).data;
  }
}

@Module({
  imports: [MeshModule.forRoot({ id: 'hybrid' })],
  providers: [Orders, Ledger],
  controllers: [OrdersHttp, Warehouse, StockHttp],
})
class AppModule {}

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

@Injectable()
class ConstructorPublisher {
  constructor(@InjectMesh() mesh: Mesh) {
    mesh.emit('com.shop.order.created', { id: 0, item: 'from a constructor' });
  }
}

describe('a hybrid HTTP + MeshServer app', () => {
  it('delivers an event published in a provider constructor to a MeshServer handler started before app.listen', async () => {
    @Module({ imports: [MeshModule.forRoot()], providers: [ConstructorPublisher], controllers: [Warehouse] })
    class EarlyModule {}
    app = await NestFactory.create(EarlyModule, { logger: false });
    app.connectMicroservice({ strategy: new MeshServer({ mesh: app.get<Mesh>(MESH) }) });
    // Nest's documented order: microservices first, then the HTTP listener (which runs init).
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const warehouse = app.get(Warehouse);
    await until(() => warehouse.picked.length === 1);
    expect(warehouse.picked).toEqual(['com.shop.*.created from a constructor']);
  });

  it('serves a real HTTP request whose controller publishes; @OnEvent and @EventPattern handlers see the event', async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    app.connectMicroservice({ strategy: new MeshServer({ mesh: app.get<Mesh>(MESH) }) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();

    const created = await fetch(`${base}/orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'teapot' }),
    });
    expect(created.status).toBe(202);
    expect(await created.json()).toEqual({ id: 1 });

    const warehouse = app.get(Warehouse);
    await until(() => warehouse.picked.length === 1);
    expect(warehouse.picked).toEqual(['com.shop.*.created teapot']);
    const ledger = await (await fetch(`${base}/orders/ledger`)).json();
    expect(ledger).toEqual(['ledger com.shop.order.created 1']);

    // HTTP -> mesh request -> @MessagePattern handler of the same app -> HTTP response.
    const stock = await (await fetch(`${base}/stock/teapot`)).json();
    expect(stock).toEqual({ sku: 'teapot', left: 3 });
  });
});
