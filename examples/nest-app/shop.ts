// The example's providers and controllers. Every injection names its token with
// @Inject: tsx (esbuild) emits no decorator metadata, and explicit tokens work
// whatever compiler an app uses.
import { Controller, Inject, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Registry } from 'prom-client';
import { OnEvent, Publish, type Mesh, type MeshEvent } from '../../src/index.js'; // 'evmesh' in your app
import { MESH, MeshClient, MeshModule, type MeshContext } from '../../nest/index.js'; // 'evmesh/nest' in your app

export interface Order { id: number; sku: string; qty: number }

@Injectable()
export class Orders {
  readonly done = new Set<number>();

  // The resolved value is published as the event's data.
  @Publish('com.shop.order.created')
  async place(id: number, sku: string, qty: number): Promise<Order> {
    return { id, sku, qty };
  }

  @OnEvent('com.shop.invoice.*')
  onInvoice(event: MeshEvent<{ order: number; total: number }>): void {
    console.log(`orders   invoice for order ${String(event.data.order)}: ${String(event.data.total)}`);
    this.done.add(event.data.order);
  }
}

@Injectable()
export class Prices {
  of(sku: string): number {
    return sku === 'kettle' ? 30 : 10;
  }
}

// Served by MeshServer: Nest's @EventPattern/@MessagePattern with mesh patterns.
@Controller()
export class Billing {
  constructor(@Inject(Prices) private readonly prices: Prices, @Inject('STOCK') private readonly stock: MeshClient) {}

  @EventPattern<string>('com.shop.order.*', { group: 'billing' })
  async onOrder(@Payload() order: Order, @Ctx() ctx: MeshContext): Promise<void> {
    console.log(`billing  ${ctx.getTopic()} (matched ${ctx.getPattern()}): order ${String(order.id)}`);
    this.stock.emit('com.shop.invoice.created', { order: order.id, total: order.qty * this.prices.of(order.sku) });
  }

  @MessagePattern('com.shop.stock.*')
  level(@Ctx() ctx: MeshContext): { sku: string; left: number } {
    return { sku: ctx.getTopic().split('.').at(-1) as string, left: 7 };
  }
}

/** The shop's Prometheus registry (one per mesh). */
export const registry = new Registry();

@Module({
  // Metrics on: serve `registry` with meshAdmin (evmesh/express) or your own /metrics route.
  imports: [MeshModule.forRoot({ id: 'shop', source: '/shop', metrics: { registry } })],
  providers: [
    Orders,
    Prices,
    // A ClientProxy on the module's mesh: emit publishes, send requests.
    { provide: 'STOCK', useFactory: (mesh: Mesh) => new MeshClient({ mesh, timeout: 2000 }), inject: [MESH] },
  ],
  controllers: [Billing],
})
export class ShopModule {}
