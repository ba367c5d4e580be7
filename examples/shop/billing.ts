import { OnEvent, Publish, type DeliveryContext, type Mesh, type MeshEvent } from '../../src/index.js';

interface Order { id: number; sku: string; amount: number }

class Billing {
  constructor(private readonly say: (text: string) => void) {}

  @OnEvent('com.shop.order.created', { group: 'billing', retry: { attempts: 3, backoff: 10 }, deadLetter: 'com.shop.dlq' })
  async bill(event: MeshEvent<Order>, ctx: DeliveryContext): Promise<void> {
    if (event.data.amount > 1000) {
      this.say(`billing worker A declines order ${event.data.id} (attempt ${ctx.attempt})`);
      throw new Error('amount over limit');
    }
    this.say(`billing worker A bills order ${event.data.id}: ${event.data.amount} EUR`);
    await this.invoice(event.data);
  }

  @Publish('com.shop.invoice.created')
  async invoice(order: Order): Promise<{ order: number; total: number }> {
    return { order: order.id, total: order.amount };
  }
}

/** Billing: a decorated service, member of the "billing" group with retries and a dead letter. */
export async function billing(mesh: Mesh, say: (text: string) => void): Promise<void> {
  mesh.register(new Billing(say));
}
