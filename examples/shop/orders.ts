import type { Mesh } from '../../src/index.js';

interface Order { id: number; sku: string; amount: number }

/** Orders subscribes to what comes back: invoices and dead letters. */
export async function orders(mesh: Mesh, say: (text: string) => void): Promise<void> {
  mesh.subscribe<{ order: number; total: number }>('com.shop.invoice.created', (e) => say(`sees invoice for order ${e.data.order}`));
  mesh.subscribe<Order>('com.shop.dlq', (e) => {
    say(`order ${e.data.id} dead-lettered after ${String(e.deliveryattempts)} attempts: ${String(e.lasterror)}`);
  });
}

/** Places the demo orders once the other services' interest has reached this node. */
export async function placeOrders(mesh: Mesh, say: (text: string) => void): Promise<void> {
  const invoices = new Set<number>();
  let deadLetters = 0;
  mesh.subscribe<{ order: number }>('com.shop.invoice.created', (e) => void invoices.add(e.data.order));
  mesh.subscribe('com.shop.dlq', () => void deadLetters++);
  await until(async () => (await mesh.request('com.shop.stock.reserve', { sku: 'probe' }, { timeout: 300 }).catch(() => undefined)) !== undefined);
  say('connected: billing and shipping are reachable');
  const list: Order[] = [
    { id: 1, sku: 'book', amount: 20 }, { id: 2, sku: 'lamp', amount: 45 }, { id: 3, sku: 'sold-out', amount: 10 },
    { id: 4, sku: 'chair', amount: 120 }, { id: 5, sku: 'yacht', amount: 250_000 },
  ];
  for (const order of list) {
    const stock = await mesh.request<{ reserved: boolean }>('com.shop.stock.reserve', { sku: order.sku }, { timeout: 1000 });
    if (!stock.data.reserved) {
      say(`order ${order.id}: ${order.sku} is out of stock (answer from ${stock.source})`);
      continue;
    }
    const subject = order.amount > 1000 ? `big-${order.id}` : String(order.id);
    const sent = await mesh.publish('com.shop.order.created', order, { subject });
    say(`order ${order.id} published (CloudEvent ${sent.id})`);
  }
  await until(async () => invoices.size === 3 && deadLetters === 1);
  const missing = await mesh.request('com.warehouse.nobody.home').catch((err: { code: string }) => err.code);
  say(`request to nobody: ${String(missing)}`);
  say('done: 3 orders billed across two processes, 1 dead-lettered, 1 out of stock');
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the demo timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
