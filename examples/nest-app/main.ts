// evmesh in a NestJS app: MeshModule binds @OnEvent/@Publish providers, MeshServer
// serves @EventPattern/@MessagePattern controllers on the same mesh, MeshClient sends
// requests. Boots, places three orders, asks for a stock level, closes, exits.
//
//   npx tsx examples/nest-app/main.ts
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { firstValueFrom } from 'rxjs';
import type { Mesh } from '../../src/index.js'; // 'evmesh' in your app
import { MESH, MeshServer, type MeshClient } from '../../nest/index.js'; // 'evmesh/nest' in your app
import { Orders, ShopModule, registry } from './shop.js';

const app = await NestFactory.create(ShopModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
app.connectMicroservice({ strategy: new MeshServer({ mesh: app.get<Mesh>(MESH) }) });
await app.startAllMicroservices();
await app.init();

const orders = app.get(Orders);
await orders.place(1, 'kettle', 2);
await orders.place(2, 'teapot', 1);
await orders.place(3, 'kettle', 1);

const stock = app.get<MeshClient>('STOCK');
const level = await firstValueFrom(stock.send('com.shop.stock.kettle', {}));
console.log(`orders   stock of kettle: ${JSON.stringify(level)}`);

const deadline = Date.now() + 5000;
while (orders.done.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
const delivered = (await registry.getSingleMetric('evmesh_deliveries_total')?.get())?.values ?? [];
console.log(`orders   metrics: ${String(delivered.reduce((n, v) => n + (v.labels['outcome'] === 'ok' ? v.value : 0), 0))} deliveries ok`);
await app.close(); // drains handlers, closes the mesh
console.log(`nest-app done: ${String(orders.done.size)} orders invoiced`);
process.exitCode = orders.done.size === 3 ? 0 : 1;
