import type { Mesh, MeshEvent } from '../../src/index.js';

/** Shipping: answers stock requests, ships invoiced orders, and lends a billing worker. */
export async function shipping(mesh: Mesh, say: (text: string) => void): Promise<void> {
  mesh.subscribe<{ sku: string }>('com.shop.stock.reserve', (e) => ({ sku: e.data.sku, reserved: e.data.sku !== 'sold-out' }));
  mesh.subscribe<{ order: number }>('com.shop.invoice.created', (e: MeshEvent<{ order: number }>) => {
    say(`ships order ${e.data.order} (invoice from ${e.source})`);
  });
  // A second member of the "billing" group, in another process: each order is billed once.
  mesh.subscribe<{ id: number; amount: number }>('com.shop.order.created', async (e) => {
    say(`billing worker B bills order ${e.data.id}: ${e.data.amount} EUR`);
    await mesh.publish('com.shop.invoice.created', { order: e.data.id, total: e.data.amount });
  }, { group: 'billing', filter: { not: { prefix: { subject: 'big-' } } } });
}
