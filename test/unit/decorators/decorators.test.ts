import { describe, expect, it } from 'vitest';
import { OnEvent, Publish, type DeliveryContext, type MeshEvent } from '../../../src/index.js';
import { captureEvents } from '../../../src/testing/index.js';
import { expectRejectCode, expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

interface Order { id: number }

class Billing {
  readonly seen: string[] = [];
  readonly prefix = 'billing';

  @OnEvent('com.shop.order.*', { group: 'billing' })
  onOrder(event: MeshEvent<Order>, ctx: DeliveryContext): void {
    this.seen.push(`${this.prefix}:${event.data.id}:${ctx.group ?? ''}`);
  }

  @Publish('com.shop.invoice.created')
  async invoice(order: Order): Promise<{ invoice: number }> {
    await Promise.resolve();
    return { invoice: order.id * 10 };
  }

  @Publish('com.shop.invoice.counted')
  count(n: number): number {
    return n + 1;
  }

  @Publish('com.shop.invoice.none')
  nothing(): void {}
}

describe('@OnEvent + register', () => {
  it('applies a CESQL filter given in the options', () => {
    const m = mesh();
    class Urgent {
      readonly seen: unknown[] = [];
      @OnEvent('com.shop.order.*', { filter: { sql: "priority > 2 AND region IN ('eu', 'uk')" } })
      onOrder(event: MeshEvent<Order>): void {
        this.seen.push(event.data.id);
      }
    }
    const urgent = new Urgent();
    m.register(urgent);
    m.emit('com.shop.order.created', { id: 1 }, { priority: 3, region: 'eu' });
    m.emit('com.shop.order.created', { id: 2 }, { priority: 1, region: 'eu' });
    m.emit('com.shop.order.created', { id: 3 }, { priority: 5, region: 'us' });
    m.emit('com.shop.order.created', { id: 4 });
    expect(urgent.seen).toEqual([1]);
  });

  it('subscribes decorated methods with their options and `this` bound', () => {
    const m = mesh();
    const billing = new Billing();
    const subs = m.register(billing);
    m.emit('com.shop.order.created', { id: 1 });
    expect(subs.map((s) => [s.pattern, s.group])).toEqual([['com.shop.order.*', 'billing']]);
    expect(billing.seen).toEqual(['billing:1:billing']);
  });

  it('registers methods inherited from a base class and overridden ones once', () => {
    class Base {
      readonly got: string[] = [];
      @OnEvent('a') onA(): void {
        this.got.push('base-a');
      }
      @OnEvent('b') onB(): void {
        this.got.push('base-b');
      }
    }
    class Derived extends Base {
      @OnEvent('a') override onA(): void {
        this.got.push('derived-a');
      }
    }
    const m = mesh();
    const d = new Derived();
    m.register(d);
    m.emit('a');
    m.emit('b');
    expect(d.got).toEqual(['derived-a', 'base-b']);
  });

  it('rejects a bad pattern when the class is defined', () => {
    expectThrowCode(() => OnEvent('a..b'), 'ERR_MESH_INVALID_PATTERN');
    expectThrowCode(() => OnEvent('a', { concurrency: -1 }), 'ERR_MESH_INVALID_OPTIONS');
  });
});

describe('@Publish', () => {
  it('publishes the resolved return value of an async method as data, and still returns it', async () => {
    const m = mesh();
    const invoices = captureEvents(m, 'com.shop.invoice.created');
    const billing = new Billing();
    m.register(billing);
    await expect(billing.invoice({ id: 4 })).resolves.toEqual({ invoice: 40 });
    expect(invoices.events.map((e) => e.data)).toEqual([{ invoice: 40 }]);
  });

  it('keeps a synchronous method synchronous (published with emit)', () => {
    const m = mesh();
    const counted = captureEvents(m, 'com.shop.invoice.counted');
    const billing = new Billing();
    m.register(billing);
    expect(billing.count(1)).toBe(2);
    expect(counted.events.map((e) => e.data)).toEqual([2]);
  });

  it('publishes nothing when the method returns undefined', () => {
    const m = mesh();
    const none = captureEvents(m, 'com.shop.invoice.none');
    const billing = new Billing();
    m.register(billing);
    billing.nothing();
    expect(none.events).toEqual([]);
  });

  it('throws ERR_MESH_NOT_REGISTERED on an instance no mesh registered', () => {
    expectThrowCode(() => new Billing().count(1), 'ERR_MESH_NOT_REGISTERED');
  });

  it('rejects (does not throw) from an async method on an unregistered instance', async () => {
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = new Billing().invoice({ id: 1 });
    }).not.toThrow();
    await expectRejectCode(pending as Promise<unknown>, 'ERR_MESH_NOT_REGISTERED');
  });

  it('works together with @OnEvent on the same method, in either order', async () => {
    class Relay {
      @OnEvent('in.a')
      @Publish('out.a')
      relayA(e: MeshEvent): unknown {
        return e.data;
      }

      @Publish('out.b')
      @OnEvent('in.b')
      async relayB(e: MeshEvent): Promise<unknown> {
        return e.data;
      }
    }
    const m = mesh();
    const out = captureEvents(m, 'out.*');
    m.register(new Relay());
    m.emit('in.a', 1);
    m.emit('in.b', 2);
    await out.waitFor(2);
    expect(out.events.map((e) => [e.type, e.data])).toEqual([['out.a', 1], ['out.b', 2]]);
  });

  it('rejects the call when the mesh is closed', async () => {
    const m = mesh();
    const billing = new Billing();
    m.register(billing);
    await m.close();
    await expectRejectCode(billing.invoice({ id: 1 }), 'ERR_MESH_CLOSED');
  });
});

describe('standard (TC39) decorators', () => {
  it('record @OnEvent and wrap @Publish the same way', () => {
    const handler = function onThing(this: { got: unknown[] }, e: MeshEvent): void {
      this.got.push(e.data);
    };
    OnEvent('thing')(handler, { kind: 'method', name: 'onThing' });
    const original = function make(): number {
      return 5;
    };
    // A minimal stand-in for the context object TC39 decorators receive.
    const context = { kind: 'method', name: 'make' } as unknown as ClassMethodDecoratorContext;
    const wrapped = Publish('made')(original, context) as () => number;
    class Standard {
      got: unknown[] = [];
    }
    Object.assign(Standard.prototype, { onThing: handler, make: wrapped });
    const m = mesh();
    const made = captureEvents(m, 'made');
    const s = new Standard();
    m.register(s);
    m.emit('thing', 'x');
    expect((s as unknown as { make(): number }).make()).toBe(5);
    expect(s.got).toEqual(['x']);
    expect(made.events.map((e) => e.data)).toEqual([5]);
  });
});
