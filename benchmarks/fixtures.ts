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
