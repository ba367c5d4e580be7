/** Inputs shared by several suites, so every library is fed exactly the same objects. */

/** Every case uses this source, so no case pays for a different default. */
export const SOURCE = '/bench';

export const TOPIC = 'com.shop.order.created';

/** A small 4-field payload, built once (as in perf-anchors part 1). */
export const DATA = { id: 1, sku: 'sku-1', qty: 2, price: 9.99 };

/** The event competitors deliver: CloudEvent-shaped, built once per topic, kept alive. */
export function plainEvent(type: string, i: number): Record<string, unknown> {
  return { specversion: '1.0', id: `bench-${i}`, source: SOURCE, type, data: DATA };
}

/**
 * The durable suites' payload: an order with its lines, ~1 KB as a CloudEvent (the size
 * issue 5 measures), so store and broker round trips carry a realistic body, not 60 bytes.
 */
export const ORDER_1KB = {
  id: 1,
  sku: 'sku-1',
  qty: 2,
  price: 9.99,
  customer: { id: 'c-1042', name: 'Ada Example', email: 'ada@example.com', city: 'Zurich' },
  lines: Array.from({ length: 12 }, (_, i) => ({ sku: `sku-${1000 + i}`, qty: 1 + (i % 3), price: 4.5 + i, title: `item number ${i}` })),
};

/** A CloudEvent-shaped object around ORDER_1KB, what the raw clients serialize per event. */
export function orderEvent(i: number): Record<string, unknown> {
  return { specversion: '1.0', id: `bench-${i}`, source: SOURCE, type: TOPIC, time: new Date().toISOString(), data: ORDER_1KB };
}
