// evmesh demo: three services (orders, billing, shipping) in one process, talking
// only through the mesh. Shows wildcard subscriptions, a consumer group with two
// workers, request/reply, retry + dead letter, a mesh-wide RxJS chain and
// decorators. Runs in about a second and exits by itself.
//
//   npm run demo
import 'reflect-metadata';
import { filter } from 'rxjs';
import { createMesh, OnEvent, Publish, type DeliveryContext, type MeshEvent } from '../src/index.js';

interface Order { id: number; sku: string; amount: number }

const log = (who: string, text: string): void => console.log(`${who.padEnd(9)} ${text}`);

class Billing {
  constructor(private readonly worker: string) {}

  // Two Billing instances join the group "billing": each order is billed once.
  @OnEvent('com.shop.order.created', { group: 'billing', retry: { attempts: 3, backoff: 10 }, deadLetter: 'com.shop.dlq' })
  async bill(event: MeshEvent<Order>, ctx: DeliveryContext): Promise<void> {
    if (event.data.amount > 1000) {
      log('billing', `${this.worker} declines order ${event.data.id} (attempt ${ctx.attempt})`);
      throw new Error('amount over limit');
    }
    log('billing', `${this.worker} bills order ${event.data.id}: ${event.data.amount} EUR`);
    await this.invoice(event.data);
  }

  @Publish('com.shop.invoice.created')
  async invoice(order: Order): Promise<{ order: number; total: number }> {
    return { order: order.id, total: order.amount };
  }
}

class Shipping {
  @OnEvent('com.shop.invoice.*')
  ship(event: MeshEvent<{ order: number }>): void {
    log('shipping', `ships order ${event.data.order} (${event.type})`);
  }

  // Answers requests: the return value is the reply.
  @OnEvent('com.shop.stock.reserve')
  reserve(event: MeshEvent<{ sku: string }>): { sku: string; reserved: boolean } {
    return { sku: event.data.sku, reserved: event.data.sku !== 'sold-out' };
  }
}

async function main(): Promise<void> {
  const mesh = createMesh({ id: 'shop-1', source: '/orders' });
  mesh.on('error', (err) => log('errors', `${err.code} ${String(err.details?.['subscription'] ?? '')}: ${err.message}`));
  await mesh.start();

  // Mesh-wide chain: refuse test traffic before it reaches anyone.
  mesh.use((events$) => events$.pipe(filter((e) => e.subject !== 'test')));

  mesh.register(new Billing('worker-A'));
  mesh.register(new Billing('worker-B'));
  mesh.register(new Shipping());
  mesh.subscribe('com.shop.dlq', (e) => log('dlq', `order ${String((e.data as Order).id)} dead-lettered after ${String(e.deliveryattempts)} attempts: ${String(e.lasterror)}`));
  mesh.subscribe('com.shop.#', (e: MeshEvent, ctx) => log('audit', `${e.type} matched ${ctx.pattern}`), {
    filter: { not: { prefix: { type: 'com.shop.stock' } } },
  });

  const orders: Order[] = [
    { id: 1, sku: 'book', amount: 20 },
    { id: 2, sku: 'lamp', amount: 45 },
    { id: 3, sku: 'sold-out', amount: 10 },
    { id: 4, sku: 'yacht', amount: 250_000 },
  ];
  for (const order of orders) {
    const stock = await mesh.request<{ reserved: boolean }>('com.shop.stock.reserve', { sku: order.sku }, { timeout: 500 });
    if (!stock.data.reserved) {
      log('orders', `order ${order.id}: ${order.sku} is out of stock`);
      continue;
    }
    const sent = await mesh.publish('com.shop.order.created', order, { subject: String(order.id) });
    log('orders', `order ${order.id} published as CloudEvent ${sent.id}`);
  }
  await mesh.publish('com.shop.order.created', { id: 99, sku: 'x', amount: 1 }, { subject: 'test' });

  await mesh.request('com.warehouse.nobody.home').catch((err: { code: string }) => log('orders', `request to nobody: ${err.code}`));
  await mesh.close(); // waits for billing retries and the dead letter
  log('demo', 'done: mesh closed after draining its handlers');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
