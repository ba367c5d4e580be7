// One service of the shop demo, in its own process: `node --import tsx examples/shop/node.ts <role> <peers-json>`.
// The launcher (examples/demo.ts) starts three of these; they find each other over TCP.
import 'reflect-metadata';
import { Registry } from 'prom-client';
import { createMesh, type Mesh } from '../../src/index.js';
import { metricsSummary } from './metrics-summary.js';
import { billing } from './billing.js';
import { orders, placeOrders } from './orders.js';
import { shipping } from './shipping.js';

const role = process.argv[2] as 'orders' | 'billing' | 'shipping';
const peers = JSON.parse(process.argv[3] ?? '[]') as string[];
const say = (text: string): void => console.log(`${role.padEnd(8)} ${text}`);

// Each node counts into its own Prometheus registry (serve it with meshAdmin's /metrics).
const registry = new Registry();
const mesh: Mesh = createMesh({ id: role, source: `/${role}`, listen: role === 'orders' ? undefined : { port: 0 }, peers, metrics: { registry } });
mesh.on('error', (err) => say(`! ${err.code}: ${err.message}`));
const roles = { orders, billing, shipping };
await roles[role](mesh, say);
await mesh.start();
process.send?.({ ready: mesh.address?.port });
if (role === 'orders') {
  await placeOrders(mesh, say);
  say(await metricsSummary(registry));
  await mesh.close();
} else {
  // The launcher says when to stop; closing drains handlers and releases the port.
  process.on('message', () => void mesh.close().then(() => process.disconnect()));
}
